/**
 * User strategies: a JavaScript module implementing the Strategy interface, or a JSON rules table
 * (op kind → ordered lock steps). Both are validated with messages that name the file and field.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clip, ExitCode, LockreplayError } from '../errors.js';
import { expectString, kindOf } from '../util/arguments.js';
import { isOpKind, OP_KINDS, type Op } from '../model/op.js';
import { asModuleCode, settleModuleCode, userModuleLoading } from '../util/late-exit.js';
import { describeThrown } from '../util/thrown.js';
import { isInheritedName } from '../util/strings.js';
import { UserExit, withoutExit, withoutExitAsync } from './exit-guard.js';
import { ModuleLoadTimeout, moduleLoadTimeoutMs, withinLoadBound } from './load-bound.js';
import { markPlansFromViews } from './views.js';
import { createStrategy, HZ_RANGE, isChecked, markChecked, parseStrategyOptions, strategyNames } from './index.js';
import { acquire, isFlushInsideParent, pageAlignedRange, pageByPage, release, WORK_ALL, WORK_ONLY } from './plan-helpers.js';
import { type ChildrenStep, LOCK_KINDS, type LockSpec, ORDERED_TAG, type PlanContext, type RuleRow, type Step, type Strategy } from './types.js';

/**
 * Whether a strategy spec names a user strategy (a JS module or a JSON rules table) rather than a
 * built-in: a path (`./`, `../`, `/`), or a file name ending in .js, .mjs or .json before its
 * options (`mine.mjs`, `dir/rules.json`, `mine.mjs:depth=3`). A file name with a colon in it
 * (`a:b.mjs`, `a:b.mjs:depth=3`) is one too unless its first part is a built-in's name
 * (`range-lock:...`), and a file of the whole spec's name that exists is one whatever its first
 * part (was: `a:b.mjs` was read as a built-in strategy "a", "unknown strategy", even with the file there).
 */
export function isUserStrategySpec(spec: string): boolean {
  if (spec.startsWith('./') || spec.startsWith('/') || spec.startsWith('../')) return true;
  const first = spec.split(':')[0];
  if (MODULE_FILE.test(first)) return true;
  if (MODULE_FILE.test(spec) && existsSync(resolve(spec))) return true;
  // (a module's name ends before its options: no "=" or "," in it)
  return /^[^=,]*?\.(?:m?js|json)(?::|$)/.test(spec) && !builtInFirstParts().has(first);
}

/** a file name of a user strategy: a JS module or a JSON rules table */
const MODULE_FILE = /\.(?:m?js|json)$/;

/** the first parts of the built-in strategies' names ("none", "range-lock", "linux") */
function builtInFirstParts(): Set<string> {
  return new Set(strategyNames().map((n) => n.split(':')[0]));
}

/** the loads under way, one after the other (loadStrategy) */
let loading: Promise<unknown> = Promise.resolve();

/**
 * Any strategy spec: a built-in name (with options) or a path to a .js / .json user strategy. Loads go one at a
 * time, so a module's process.exit() refused while it loads is named as its own, not as another's
 * loading at the same moment.
 */
export function loadStrategy(spec: string): Promise<Strategy> {
  // (refused at once, a rejected promise: as every other bad spec is)
  if (typeof spec !== 'string') return Promise.reject(new LockreplayError(`strategy spec: expected a string (a name or a path) or a strategy object, not ${kindOf(spec)}`, ExitCode.usage));
  const next = loading.then(() => loadStrategyNow(spec));
  loading = next.catch(() => undefined);
  return next;
}

/**
 * Strategies from specs (or objects, checked as checkedStrategy does), one after another: the first
 * that fails stops the rest, so no module is left loading when the caller goes on with the error
 * (while one loads, process.exit() is refused: the CLI's own exit with the error's code, a
 * library caller's, would throw, and be put on that module).
 */
export async function loadStrategies(items: readonly (Strategy | string)[]): Promise<Strategy[]> {
  const out: Strategy[] = [];
  for (const s of items) out.push(typeof s === 'string' ? await loadStrategy(s) : checkedStrategy(s));
  return out;
}

/** a user strategy spec's parts: the file as given, and the options after it (undefined: none) */
interface UserSpec {
  file: string;
  options: Record<string, string> | undefined;
}

/**
 * `./mine.mjs:key=value,key=value` is the module ./mine.mjs with options, as a built-in takes them
 * (`range-lock:fairness=reader-pref`), split at the first `.js:`, `.mjs:` or `.json:`; unless a file
 * of the whole name exists (a name with a colon in it). The options are a usage error (exit 2) as a
 * built-in's are: a part that is not key=value, a key given twice, or the name of a property every
 * object inherits (which the result could not record).
 */
function userSpecParts(spec: string): UserSpec {
  const m = /^(.*?\.(?:m?js|json)):(.*)$/s.exec(spec);
  if (m === null || existsSync(resolve(spec))) return { file: spec, options: undefined };
  const [, file, text] = m;
  if (text.trim() === '') return { file, options: undefined };
  const options = parseStrategyOptions(text, spec, ` (options follow a strategy module's path as ${file}:key=value,key=value; no file "${spec}" exists)`);
  for (const key of Object.keys(options)) {
    if (isInheritedName(key)) throw new LockreplayError(`strategy option "${key}" in "${spec}": the name of a property every object inherits (a result could not record it): name the option otherwise`, ExitCode.usage);
  }
  return { file, options };
}

/**
 * The file a user strategy spec names (a JS module or a JSON rules table, as given, without its
 * options); undefined for a built-in's spec. An output of the run must not be that file.
 */
export function userStrategyFile(spec: string): string | undefined {
  return isUserStrategySpec(spec) ? userSpecParts(spec).file : undefined;
}

async function loadStrategyNow(spec: string): Promise<Strategy> {
  if (!isUserStrategySpec(spec)) return createStrategy(spec);
  const { file, options } = userSpecParts(spec);
  const path = resolve(file);
  if (file.endsWith('.json')) {
    if (options !== undefined) throw new LockreplayError(`${spec}: a JSON rules table takes no options (a JS strategy module's exported function does: ./mine.mjs:key=value)`, ExitCode.usage);
    return jsonRulesStrategy(path);
  }
  // a missing or unreadable module is an unreadable input (exit 3), named as the user gave it
  try {
    accessSync(path, constants.R_OK);
  } catch (err) {
    throw new LockreplayError(`${file}: cannot read the strategy module (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.inputUnreadable);
  }
  // (a directory is readable, and import() refused it with Node's message, as a module's failure: exit 4)
  if (statSync(path).isDirectory()) throw new LockreplayError(`${file}: cannot read the strategy module (EISDIR: a directory, not a file)`, ExitCode.inputUnreadable);
  // (read before the module runs: a bad value is a usage error, not the module's)
  const timeoutMs = moduleLoadTimeoutMs();
  // (process.exit() in the module's code is refused: it would end the command with no result and
  // exit 0; what its code sets up running is the module's: an exception nothing catches there is put on it)
  const strategy = await asModuleCode(spec, () => withoutExitAsync(async () => {
    let mod: Record<string, unknown>;
    const loaded = userModuleLoading(spec, pathToFileURL(path).href);
    try {
      mod = (await withinLoadBound(import(pathToFileURL(path).href), spec, timeoutMs)) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof UserExit || err instanceof ModuleLoadTimeout) throw err;
      throw new LockreplayError(`${spec}: cannot load the strategy module (${describeThrown(err)})`, ExitCode.badInput);
    } finally {
      loaded();
    }
    let s = mod.default ?? mod.strategy;
    if (isFactory(s, spec)) {
      try {
        // (a plain object of the options given, each a string: {} without)
        s = (s as (o: Record<string, string>) => unknown)({ ...options });
      } catch (err) {
        if (err instanceof UserExit) throw err;
        throw new LockreplayError(`${spec}: the module's strategy factory (its exported function) threw: ${describeThrown(err)}`, ExitCode.badInput);
      }
    } else if (options !== undefined && s !== null && (typeof s === 'object' || typeof s === 'function')) {
      throw new LockreplayError(`${spec}: the module exports a strategy object, which takes no options: to take them, export a function (options) => strategy (it gets { key: 'value', ... })`, ExitCode.usage);
    }
    return validateStrategy(s, spec);
  }, (e) => new LockreplayError(`${spec}: the strategy module ${e.message} while it was loaded: a strategy module must not end the process (throw an Error to refuse)`, ExitCode.badInput)));
  // (a promise its top-level code rejected with nothing to handle it is reported now, before the replay)
  await settleModuleCode();
  return strategy;
}

/**
 * Whether a module's export is a function that makes the strategy (one with a `plan` is the
 * strategy itself). Asking runs the module's code when the export is a proxy: what that throws is
 * the module's (exit 4), as a getter's is.
 */
function isFactory(s: unknown, spec: string): boolean {
  try {
    return typeof s === 'function' && !('plan' in s);
  } catch (err) {
    if (err instanceof UserExit) throw err;
    throw new LockreplayError(`${spec}: reading the module's export threw: ${describeThrown(err)}`, ExitCode.badInput);
  }
}

/**
 * A strategy object from a library caller, ready to replay: a built-in, loaded or already checked
 * one as it is, any other checked as a JS module's would be (its errors name `strategy NAME`).
 */
export function checkedStrategy(s: Strategy): Strategy {
  if (isChecked(s)) return s;
  let name = '(unnamed)';
  try {
    if (s !== null && typeof s === 'object' && typeof s.name === 'string' && s.name !== '') name = s.name;
  } catch {
    // (a name that throws when read: validateStrategy says so, under "(unnamed)")
  }
  return validateStrategy(s, `strategy ${name}`);
}

const STEP_TYPES = new Set(['acquire', 'release', 'work', 'children', 'cost']);
const RWSEM_FAIRNESS: readonly string[] = ['fifo', 'reader-pref', 'linux'];
const RANGE_FAIRNESS: readonly string[] = ['fifo', 'reader-pref', 'nested-shared-ok'];

const quoted = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ').replace(/, ([^,]*)$/, ' or $1');

/**
 * What is wrong with a lock spec's options, or undefined: `fairness` of an rwsem or range lock,
 * `exclusiveOnly` of a list-range lock (each may be left out: fifo, false). Its kind is checked.
 */
function lockSpecProblem(spec: Record<string, unknown>): { field: string; what: string } | undefined {
  const kind = spec.kind;
  // (null is left out, as undefined: what the engine makes of either)
  const fairness = spec.fairness ?? undefined;
  const exclusiveOnly = spec.exclusiveOnly ?? undefined;
  if (kind === 'rwsem' && fairness !== undefined && !RWSEM_FAIRNESS.includes(fairness as string)) return { field: 'fairness', what: `expected ${quoted(RWSEM_FAIRNESS)}, got ${JSON.stringify(fairness)}` };
  if (kind === 'range' && fairness !== undefined && !RANGE_FAIRNESS.includes(fairness as string)) return { field: 'fairness', what: `expected ${quoted(RANGE_FAIRNESS)}, got ${JSON.stringify(fairness)}` };
  if (kind === 'list-range' && exclusiveOnly !== undefined && typeof exclusiveOnly !== 'boolean') return { field: 'exclusiveOnly', what: `expected true or false, got ${JSON.stringify(exclusiveOnly)}` };
  return undefined;
}

/** What is wrong with a JS plan's rwsem `hz` (the modelled kernel's CONFIG_HZ), or undefined; it may be left out (250) */
function hzProblem(spec: Record<string, unknown>): string | undefined {
  const hz = spec.hz ?? undefined;
  if (spec.kind !== 'rwsem' || hz === undefined) return undefined;
  if (Number.isSafeInteger(hz) && (hz as number) >= HZ_RANGE.min && (hz as number) <= HZ_RANGE.max) return undefined;
  return `expected a whole number from ${HZ_RANGE.min} to ${HZ_RANGE.max.toLocaleString('en-US')} (${HZ_RANGE.why}), got ${typeof hz === 'number' ? String(hz) : typeof hz === 'bigint' ? `${hz}n` : clip(JSON.stringify(hz) ?? typeof hz, 60)}`;
}

/** A lock class's name, or why a result could not hold its statistics under it */
function lockClassProblem(name: string): string | undefined {
  return isInheritedName(name) ? `${JSON.stringify(name)} is the name of a property every object inherits: a result could not hold its statistics under it (name the class otherwise)` : undefined;
}

/**
 * A strategy's options as the result records them (a copy), or `fail` naming what is wrong: left
 * out, or an object of string, finite number or boolean values, none under an inherited name.
 */
function checkedOptions(options: unknown, fail: (what: string) => never): Record<string, string | number | boolean> {
  if (options === undefined || options === null) return {};
  const what = 'strategy.options must be an object of option name → string, finite number or boolean';
  // (Array.isArray throws for a revoked proxy: as no array, whose keys are then read and throw)
  const list = noThrow(() => Array.isArray(options));
  if (typeof options !== 'object' || list) return fail(`${what}, not ${list ? 'an array' : typeof options}`);
  const copy: Record<string, string | number | boolean> = {};
  let keys: string[];
  try {
    keys = Object.keys(options);
  } catch (err) {
    return fail(`reading strategy.options threw: ${describeThrown(err)}`);
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = (options as Record<string, unknown>)[key];
    } catch (err) {
      return fail(`reading strategy.options.${clip(key, 60)} threw: ${describeThrown(err)}`);
    }
    if (isInheritedName(key)) fail(`strategy.options.${key}: the name of a property every object inherits (a result could not hold it): name the option otherwise`);
    if (!(typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) {
      fail(`${what}: options.${clip(key, 60)} is ${typeof value === 'number' ? String(value) : typeof value === 'object' ? (value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object') : `a ${typeof value}`}`);
    }
    copy[key] = value as string | number | boolean;
  }
  return copy;
}

/** the most steps one plan may have (a built-in's longest is a page walk's few hundred) */
export const MAX_PLAN_STEPS = 1_000_000;

/** per replay (its plan context, one per run), per lock class and key: the kind its first acquire named */
type KindsSeen = Map<string, Map<string, string>>;

function isTag(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * Checks a module's export is a Strategy, and wraps its plan so a malformed plan is reported, not
 * crashed on: every plan is checked as it is made (exit 4, naming `file`, the op and the step).
 * `file` is how the user named the strategy: a module's path, or `strategy NAME`.
 */
export function validateStrategy(s: unknown, file: string): Strategy {
  // (the name every message about the strategy starts with)
  expectString(file, 'validateStrategy file');
  const fail = (what: string): never => {
    throw new LockreplayError(`${file}: ${what}`, ExitCode.badInput);
  };
  if (s === null || typeof s !== 'object') fail('the module must export (default) a strategy object, or a function returning one');
  const o = s as Record<string, unknown>;
  // each field is read once, here: a getter that throws is the strategy's fault (exit 4), named
  const read = (field: string): unknown => {
    try {
      return o[field];
    } catch (err) {
      return fail(`reading strategy.${field} threw: ${describeThrown(err)}`);
    }
  };
  const name = read('name');
  if (typeof name !== 'string' || name === '') fail('strategy.name must be a non-empty string');
  const plan = read('plan') as (op: Op, ctx: PlanContext) => unknown;
  if (typeof plan !== 'function') fail('strategy.plan must be a function (op, ctx) => Step[]');
  const rules = read('rules') ?? [];
  // (Array.isArray throws for a revoked proxy, every for a getter that throws: neither is a list of rows)
  if (!noThrow(() => Array.isArray(rules) && rules.every((r) => r && typeof r.kinds === 'string' && typeof r.locks === 'string'))) fail('strategy.rules must be an array of { kinds: string, locks: string }');
  const summary = read('summary');
  const source = read('source');
  const options = checkedOptions(read('options'), fail);
  const kindsByRun = new WeakMap<object, KindsSeen>();
  return markChecked({
    name: name as string,
    summary: typeof summary === 'string' ? summary : `user strategy from ${basename(file)}`,
    source: typeof source === 'string' ? source : file,
    rules: rules as RuleRow[],
    options,
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      // (process.exit() in the plan, or in a getter of its steps, is refused: it would end the
      // command with no result and exit 0)
      return asModuleCode(file, () => withoutExit(() => checkedPlan(op, ctx), (e) => new LockreplayError(`${file}: plan() ${e.message} on op ${op.id} (${op.kind}, line ${op.line}): a plan must not end the process (throw an Error to refuse)`, ExitCode.badInput)));
    },
  });

  function checkedPlan(op: Op, ctx: PlanContext): readonly Step[] {
    let steps: unknown;
    try {
      steps = plan.call(o, op, ctx);
    } catch (err) {
      throw new LockreplayError(`${file}: plan() threw on op ${op.id} (${op.kind}, line ${op.line}): ${describeThrown(err)}`, ExitCode.badInput);
    }
    let kinds = ctx !== null && typeof ctx === 'object' ? kindsByRun.get(ctx) : undefined;
    if (kinds === undefined) {
      kinds = new Map();
      if (ctx !== null && typeof ctx === 'object') kindsByRun.set(ctx, kinds);
    }
    try {
      return checkedSteps(steps, op, fail, kinds);
    } catch (err) {
      if (err instanceof LockreplayError) throw err;
      // a step (or the array) whose properties throw when read
      return fail(`plan() for op ${op.id} (${op.kind}, line ${op.line}) returned steps that threw when read: ${describeThrown(err)}`);
    }
  }
}

/** false when `check` throws (a getter of a user's object) */
function noThrow(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

/**
 * The largest baseNs or perNodeNs of a cost step: one second. A lock operation's CPU time is
 * nanoseconds to microseconds (docs/costs.md); larger values only push a replay's times towards
 * 2^53 ns, where they stop being exact (and past 2^63, where the histograms fail).
 */
export const MAX_COST_NS = 1e9;

/** A plan's steps as the engine may run them, or `fail` naming the first thing wrong. */
function checkedSteps(steps: unknown, op: Op, fail: (what: string) => never, kinds: KindsSeen): Step[] {
  if (!Array.isArray(steps)) fail(`plan() must return an array of steps (op ${op.id}, ${op.kind})`);
  const n = (steps as unknown[]).length;
  if (n > MAX_PLAN_STEPS) fail(`plan() returned ${n.toLocaleString('en-US')} steps for op ${op.id} (${op.kind}, line ${op.line}): at most ${MAX_PLAN_STEPS.toLocaleString('en-US')}`);
  // (every index: a hole in the array is a step that is not one). Each step is checked and run as
  // a copy, its fields read once: a getter (or a proxy) could answer the check and the engine apart
  const copies: Step[] = [];
  for (let i = 0; i < n; i++) {
    const x = stepCopy((steps as unknown[])[i]);
    if (x !== undefined) copies.push(x as unknown as Step);
    const where = `plan() step ${i} for op ${op.id} (${op.kind})`;
    if (x === null || typeof x !== 'object' || !STEP_TYPES.has(x.type as string)) fail(`${where}: type must be one of ${[...STEP_TYPES].join(', ')}`);
    if (x.type === 'acquire') {
      if (typeof x.lockClass !== 'string' || typeof x.key !== 'string') fail(`${where}: acquire needs lockClass and key strings`);
      if (x.mode !== 'S' && x.mode !== 'X') fail(`${where}: mode must be "S" or "X"`);
      const spec = x.spec as Record<string, unknown> | undefined;
      if (spec === null || typeof spec !== 'object' || !(LOCK_KINDS as readonly unknown[]).includes(spec.kind)) fail(`${where}: spec.kind must be one of ${LOCK_KINDS.join(', ')}`);
      const bad = lockSpecProblem(spec as Record<string, unknown>);
      if (bad !== undefined) fail(`${where}: spec.${bad.field}: ${bad.what}`);
      if (typeof x.start !== 'number' || typeof x.end !== 'number') fail(`${where}: start and end must be numbers with start < end`);
      const bounds = rangeBoundsProblem(x.start as number, x.end as number);
      if (bounds !== undefined) fail(`${where}: ${bounds}`);
      if (!isTag(x.tag)) fail(`${where}: tag must be a whole number >= 0 (negative tags are the engine's)`);
      const hz = hzProblem(spec as Record<string, unknown>);
      if (hz !== undefined) fail(`${where}: spec.hz: ${hz}`);
      const lockClass = x.lockClass as string;
      const named = lockClassProblem(lockClass);
      if (named !== undefined) fail(`${where}: lockClass ${named}`);
      // (the first acquire of an instance makes it; a later one of another kind would be run as the
      // first's kind, spinning or not as it says: a wait no lock of either kind has)
      let byKey = kinds.get(lockClass);
      if (byKey === undefined) kinds.set(lockClass, (byKey = new Map()));
      const kind = (spec as Record<string, unknown>).kind as string;
      // (the engine's own mmap_lock, taken around faults and direct IO, is an rwsem of that class)
      if (lockClass === 'mmap_lock' && kind !== 'rwsem') fail(`${where}: lockClass "mmap_lock" is each process's mmap_lock, an rwsem the engine takes around faults and direct IO: a plan's acquire of it must be an rwsem, not a ${kind}`);
      const first = byKey.get(x.key as string);
      if (first === undefined) byKey.set(x.key as string, kind);
      else if (first !== kind) fail(`${where}: lock ${clip(JSON.stringify(lockClass), 80)} ${clip(JSON.stringify(x.key), 120)} is a ${first} in an earlier acquire and a ${kind} here: every acquire of a lock instance names the same kind`);
    }
    if (x.type === 'release' && !isTag(x.tag)) fail(`${where}: release needs the tag of its acquire, a whole number >= 0`);
    if (x.type === 'children' && x.flushesOnly !== undefined) fail(`${where}: children's flushesOnly is the engine's (a direct IO's flush before it pins its buffer); a plan's children step runs every child op`);
    if (x.type === 'work' && !(typeof x.fraction === 'number' && x.fraction > 0 && x.fraction <= 1)) fail(`${where}: work needs a fraction in (0, 1]`);
    if (x.type === 'work' && x.cached !== undefined && typeof x.cached !== 'boolean') fail(`${where}: work's cached, if given, must be true or false`);
    if (x.type === 'cost') {
      if (!(isCostNs(x.baseNs) && (x.perNodeNs === undefined || isCostNs(x.perNodeNs)))) fail(`${where}: cost needs baseNs (and perNodeNs, if given) from 0 to ${MAX_COST_NS.toLocaleString('en-US')} ns (one second)`);
      const nodesOf = x.nodesOf as Record<string, unknown> | undefined;
      if (nodesOf !== undefined && (nodesOf === null || typeof nodesOf !== 'object' || typeof nodesOf.lockClass !== 'string' || typeof nodesOf.key !== 'string')) fail(`${where}: cost's nodesOf, if given, must be { lockClass: string, key: string }`);
      if (x.logNodes !== undefined && typeof x.logNodes !== 'boolean') fail(`${where}: cost's logNodes, if given, must be true or false`);
    }
  }
  const unbalanced = unbalancedStep(copies);
  if (unbalanced !== undefined) fail(`plan() ${unbalanced} for op ${op.id} (${op.kind}, line ${op.line}): every release must name a lock the plan holds, and every acquire must be released`);
  // the work shares are the op's whole service time: a plan with less (none at all) would make
  // ops shorter than they are, and one with more longer
  let shares = 0;
  for (const st of copies) if (st.type === 'work') shares += st.fraction;
  if (!(Math.abs(shares - 1) <= WORK_SHARES_SLACK)) fail(`plan() for op ${op.id} (${op.kind}, line ${op.line}): its work fractions add up to ${shares}, not 1 (the op's whole service time must be worked, once)`);
  return copies;
}

/** the fields of each step type (and of an acquire's spec, a cost's nodesOf) that a plan may give */
const STEP_FIELDS: Record<string, readonly string[]> = {
  acquire: ['lockClass', 'key', 'spec', 'mode', 'start', 'end', 'tag'],
  release: ['tag'],
  work: ['fraction', 'cached'],
  children: ['flushesOnly'],
  cost: ['baseNs', 'perNodeNs', 'nodesOf', 'logNodes'],
};
const SPEC_FIELDS = ['kind', 'fairness', 'exclusiveOnly', 'hz'];
const NODES_OF_FIELDS = ['lockClass', 'key'];

/**
 * A plain copy of a plan's step, each field it may have read once (those left out, or undefined,
 * left out); undefined for a step that is not an object, and only the type of one of no known type
 * (checkedSteps refuses both).
 */
function stepCopy(step: unknown): Record<string, unknown> | undefined {
  if (step === null || typeof step !== 'object') return undefined;
  const type = (step as Record<string, unknown>).type;
  if (typeof type !== 'string' || !Object.hasOwn(STEP_FIELDS, type)) return { type };
  const copy: Record<string, unknown> = { type, ...fieldsOf(step, STEP_FIELDS[type]) };
  if (copy.spec !== null && typeof copy.spec === 'object') copy.spec = fieldsOf(copy.spec, SPEC_FIELDS);
  if (copy.nodesOf !== null && typeof copy.nodesOf === 'object') copy.nodesOf = fieldsOf(copy.nodesOf, NODES_OF_FIELDS);
  return copy;
}

function fieldsOf(from: object, fields: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const f of fields) {
    const v = (from as Record<string, unknown>)[f];
    if (v !== undefined) copy[f] = v;
  }
  return copy;
}

/** how far a plan's work fractions may add up from 1 (floating-point shares such as thirds) */
const WORK_SHARES_SLACK = 1e-9;

/**
 * What is wrong with an acquire's byte range [start, end), or undefined: a start that is a whole
 * number of bytes, 0 or more, and an end after it that is one too, or Infinity (to the end of the
 * file, as the built-in plans lock a whole file). A negative or fractional position is no byte
 * of a file, and a start of -Infinity made a deadlock report's range unwritable (JSON has no such
 * number: the result written was refused when read back).
 */
function rangeBoundsProblem(start: number, end: number): string | undefined {
  if (!(Number.isInteger(start) && start >= 0)) return `start must be a whole number of bytes, 0 or more (got ${start})`;
  if (!(Number.isInteger(end) || end === Infinity)) return `end must be a whole number of bytes, or Infinity for a range to the end of the file (got ${end})`;
  if (!(end > start)) return 'start and end must be numbers with start < end';
  return undefined;
}

function isCostNs(value: unknown): boolean {
  return typeof value === 'number' && value >= 0 && value <= MAX_COST_NS;
}

/**
 * Where a plan's acquires and releases do not pair up, as the engine pairs them (a release takes
 * the latest held acquire of its tag): "step I releases tag T, which it does not hold", or "leaves
 * tag T (step I) held"; undefined when they pair up.
 */
export function unbalancedStep(steps: readonly Step[]): string | undefined {
  const held: { tag: number; index: number }[] = [];
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i];
    if (st.type === 'acquire') held.push({ tag: st.tag, index: i });
    else if (st.type === 'release') {
      let at = held.length - 1;
      while (at >= 0 && held[at].tag !== st.tag) at--;
      if (at < 0) return `step ${i} releases tag ${st.tag}, which it does not hold`;
      held.splice(at, 1);
    }
  }
  return held.length === 0 ? undefined : `leaves tag ${held[0].tag} (step ${held[0].index}) held`;
}

type RangeRule = 'op' | 'page' | 'file' | 'from-new-size';
interface JsonLockRule {
  lock: string;
  mode: 'S' | 'X';
  range: RangeRule;
}
/** "children" in a rules list: where the op's child ops run (see ChildrenStep) */
type JsonRule = JsonLockRule | 'children';
const CHILDREN: ChildrenStep = { type: 'children' };

/**
 * A JSON rules table: { name, summary?, locks: { NAME: { kind, fairness?, exclusiveOnly? } }, rules: { KIND | "default":
 * [ { lock, mode, range } | "children" ] }, children?: "own" | "none" }. Steps are taken in order and held for the
 * whole op, released in reverse; a "page" step walks the op's pages one at a time around the work
 * (so it must come last). "children" (at most once in a list) is where the op's child ops run: before
 * a lock, they run before it is taken (a buffered write pre-faulting its source; a direct IO pinning
 * its buffer before its locks, the engine's get_user_pages after them); without it, at their
 * recorded positions in the work.
 */
export function jsonRulesStrategy(path: string): Strategy {
  expectString(path, 'jsonRulesStrategy path');
  const file = basename(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LockreplayError(`${path}: ${code !== undefined ? `cannot read (${code})` : `not JSON (${(err as Error).message})`}`, code !== undefined ? ExitCode.inputUnreadable : ExitCode.badInput);
  }
  const fail = (field: string, what: string): never => {
    throw new LockreplayError(`${file}: ${field}: ${what}`, ExitCode.badInput);
  };
  const j = raw as Record<string, unknown>;
  if (j === null || typeof j !== 'object' || Array.isArray(j)) fail('(top)', 'expected an object with name, locks and rules');
  if (typeof j.name !== 'string' || j.name.trim() === '') fail('name', 'expected a non-empty string');
  const locksIn = j.locks as Record<string, Record<string, unknown>>;
  if (locksIn === null || typeof locksIn !== 'object' || Array.isArray(locksIn)) fail('locks', 'expected an object of lock name → { kind, fairness?, exclusiveOnly? }');
  const locks = new Map<string, LockSpec>();
  for (const [name, l] of Object.entries(locksIn)) {
    const at = `locks.${name}`;
    const named = lockClassProblem(name);
    if (named !== undefined) fail(at, `the lock's name ${named}`);
    if (l === null || typeof l !== 'object') fail(at, 'expected { kind, fairness?, exclusiveOnly? }');
    if (!(LOCK_KINDS as readonly unknown[]).includes(l.kind)) fail(`${at}.kind`, `expected ${quoted(LOCK_KINDS)}, got ${JSON.stringify(l.kind)}`);
    const bad = lockSpecProblem(l);
    if (bad !== undefined) fail(`${at}.${bad.field}`, bad.what);
    const fairness = l.fairness ?? 'fifo';
    switch (l.kind as LockSpec['kind']) {
      case 'mutex': locks.set(name, { kind: 'mutex' }); break;
      case 'spinlock': locks.set(name, { kind: 'spinlock' }); break;
      case 'rwsem': locks.set(name, { kind: 'rwsem', fairness: fairness as 'fifo' | 'reader-pref' | 'linux' }); break;
      case 'range': locks.set(name, { kind: 'range', fairness: fairness as 'fifo' | 'reader-pref' | 'nested-shared-ok' }); break;
      case 'list-range': locks.set(name, { kind: 'list-range', exclusiveOnly: l.exclusiveOnly === true }); break;
      case 'two-state': locks.set(name, { kind: 'two-state' }); break;
    }
  }
  const rulesIn = j.rules as Record<string, unknown>;
  if (rulesIn === null || typeof rulesIn !== 'object' || Array.isArray(rulesIn)) fail('rules', 'expected an object of op kind (or "default") → [ { lock, mode, range } ]');
  const rules = new Map<string, JsonRule[]>();
  for (const [kind, list] of Object.entries(rulesIn)) {
    if (kind !== 'default' && !isOpKind(kind)) fail(`rules.${kind}`, `not an op kind; expected one of ${OP_KINDS.join(', ')}, or "default"`);
    if (!Array.isArray(list)) fail(`rules.${kind}`, 'expected an array of steps');
    const steps: JsonRule[] = [];
    (list as unknown[]).forEach((st, i) => {
      const at = `rules.${kind}[${i}]`;
      if (st === 'children') {
        if (steps.includes('children')) fail(at, '"children" may come once in a list (every child op runs there)');
        steps.push('children');
        return;
      }
      const x = st as Record<string, unknown>;
      if (x === null || typeof x !== 'object') fail(at, 'expected { lock, mode, range } or "children"');
      if (typeof x.lock !== 'string' || !locks.has(x.lock)) fail(`${at}.lock`, `expected one of the locks (${[...locks.keys()].join(', ')}), got ${JSON.stringify(x.lock)}`);
      if (x.mode !== 'S' && x.mode !== 'X') fail(`${at}.mode`, `expected "S" or "X", got ${JSON.stringify(x.mode)}`);
      if (!['op', 'page', 'file', 'from-new-size'].includes(x.range as string)) fail(`${at}.range`, `expected "op", "page", "file" or "from-new-size", got ${JSON.stringify(x.range)}`);
      if (x.range === 'page' && i !== (list as unknown[]).length - 1) fail(`${at}.range`, '"page" walks the pages around the work, so it must be the last step');
      steps.push({ lock: x.lock as string, mode: x.mode as 'S' | 'X', range: x.range as RangeRule });
    });
    rules.set(kind, steps);
  }
  const children = j.children ?? 'own';
  if (children !== 'own' && children !== 'none') fail('children', `expected "own" (a child op takes its own rules) or "none" (it runs under its parent's locks), got ${JSON.stringify(children)}`);
  const table: RuleRow[] = [...rules].map(([kind, steps]) => ({ kinds: kind, locks: steps.length === 0 ? 'none' : steps.map((s) => (s === 'children' ? 'its child ops' : `${s.lock} ${s.mode} (${s.range})`)).join(', then ') }));
  table.push({ kinds: 'child op', locks: children === 'own' ? 'its own rules' : 'none (under its parent\'s locks)' });
  return markChecked(markPlansFromViews({
    name: j.name as string,
    summary: typeof j.summary === 'string' ? j.summary : `rules from ${file}`,
    source: file,
    rules: table,
    options: {},
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx) || (children === 'none' && ctx.parent !== undefined)) return WORK_ONLY;
      const list = rules.get(op.kind) ?? rules.get('default') ?? [];
      const page = ctx.pageSizeBytes;
      const steps: Step[] = [];
      const releases: Step[] = [];
      for (const [i, r] of list.entries()) {
        if (r === 'children') {
          steps.push(CHILDREN);
          continue;
        }
        const spec = locks.get(r.lock) as LockSpec;
        if (r.range === 'page') {
          const [s, e] = pageAlignedRange(op, page);
          return [...steps, ...pageByPage(r.lock, op.file, spec, s, e, page, r.mode), ...releases];
        }
        const [start, end] = r.range === 'file' ? [0, Infinity] : r.range === 'from-new-size' ? [Math.floor(op.offset / page) * page, Infinity] : op.lengthBytes <= 0 ? [0, Infinity] : pageAlignedRange(op, page);
        steps.push(acquire(r.lock, op.file, spec, r.mode, start, end, ORDERED_TAG + i));
        releases.unshift(release(ORDERED_TAG + i));
      }
      return [...steps, WORK_ALL, ...releases];
    },
  }));
}
