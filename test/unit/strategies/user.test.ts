import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/errors.js';
import { acquire, MAX_WALK_STEPS, pageAlignedRange, pageByPage, release, underOneLock, WORK_ALL, WORK_ONLY } from '../../../src/strategies/plan-helpers.js';
import type { Step } from '../../../src/strategies/types.js';
import { isUserStrategySpec, jsonRulesStrategy, loadStrategy, unbalancedStep, validateStrategy } from '../../../src/strategies/user.js';
import { ctx, mkOp, PARENT, plan, render } from './render.js';

const dir = mkdtempSync(join(tmpdir(), 'lockreplay-unit-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function errorOf(f: () => unknown): { message: string; code: number } {
  try {
    f();
  } catch (e) {
    return { message: (e as Error).message, code: (e as { exitCode: number }).exitCode };
  }
  return { message: 'no error', code: 0 };
}

describe('plan helpers', () => {
  it('pageAlignedRange covers at least one byte, rounded out to pages', () => {
    expect(pageAlignedRange(mkOp('read', 5000, 3000), 4096)).toEqual([4096, 8192]);
    expect(pageAlignedRange(mkOp('read', 4096, 4096), 4096)).toEqual([4096, 8192]);
    expect(pageAlignedRange(mkOp('read', 4096, 4097), 4096)).toEqual([4096, 12288]);
    expect(pageAlignedRange(mkOp('read', 4096, 0), 4096)).toEqual([4096, 8192]);
    expect(pageAlignedRange(mkOp('read', 4095, 1), 4096)).toEqual([0, 4096]);
    expect(pageAlignedRange(mkOp('read', 4095, 2), 4096)).toEqual([0, 8192]);
  });
  it('release steps are shared per tag below 1024, fresh otherwise', () => {
    expect(release(3)).toBe(release(3));
    expect(release(3)).toEqual({ type: 'release', tag: 3 });
    expect(release(0)).toEqual({ type: 'release', tag: 0 });
    expect(release(0)).toBe(release(0));
    expect(release(1023)).toBe(release(1023));
    expect(release(1023)).toEqual({ type: 'release', tag: 1023 });
    expect(release(1024)).not.toBe(release(1024));
    expect(release(1024)).toEqual({ type: 'release', tag: 1024 });
    expect(release(-1)).not.toBe(release(-1));
    expect(release(-1)).toEqual({ type: 'release', tag: -1 });
    expect(release(1.5)).not.toBe(release(1.5));
    expect(release(1.5)).toEqual({ type: 'release', tag: 1.5 });
    // asking for a high tag first fills the lower ones too
    expect(release(900).tag).toBe(900);
    expect(release(899)).toEqual({ type: 'release', tag: 899 });
  });
  it('underOneLock, WORK_ONLY and acquire', () => {
    const a = acquire('L', 'k', { kind: 'mutex' }, 'S', 1, 2, 5);
    expect(a).toEqual({ type: 'acquire', lockClass: 'L', key: 'k', spec: { kind: 'mutex' }, mode: 'S', start: 1, end: 2, tag: 5 });
    expect(underOneLock(a)).toEqual([a, WORK_ALL, release(5)]);
    expect(WORK_ONLY).toEqual([{ type: 'work', fraction: 1 }]);
  });
  it('pageByPage: a page at a time up to MAX_WALK_STEPS, equal chunks past it, the last chunk clipped', () => {
    const spec = { kind: 'range', fairness: 'fifo' } as const;
    expect(MAX_WALK_STEPS).toBe(256);
    expect(render(pageByPage('P', 'k', spec, 0, 4096, 4096))).toEqual(['P:k range/fifo X [0,4096) #0', 'work 1', 'rel #0']);
    expect(render(pageByPage('P', 'k', spec, 0, 4096, 4096, 'S'))).toEqual(['P:k range/fifo S [0,4096) #0', 'work 1', 'rel #0']);
    // less than a page still locks one
    expect(render(pageByPage('P', 'k', spec, 0, 100, 4096))).toEqual(['P:k range/fifo X [0,100) #0', 'work 1', 'rel #0']);
    const walk256 = pageByPage('P', 'k', spec, 0, 256 * 4096, 4096);
    expect(walk256).toHaveLength(256 * 3);
    const walk257 = render(pageByPage('P', 'k', spec, 0, 257 * 4096, 4096));
    // 257 pages: 2 pages per chunk, 129 chunks, the last one page
    expect(walk257).toHaveLength(129 * 3);
    expect(walk257.slice(-3)).toEqual([`P:k range/fifo X [${256 * 4096},${257 * 4096}) #128`, `work ${4096 / (257 * 4096)}`, 'rel #128']);
    expect(walk257[1]).toBe(`work ${8192 / (257 * 4096)}`);
  });
});

describe('isUserStrategySpec', () => {
  it('is a .js/.mjs/.json file or a path', () => {
    for (const s of ['a.js', 'a.mjs', 'dir/a.json', './a', '/x/y', '../a', 'a.json:opt']) expect(isUserStrategySpec(s), s).toBe(true);
    for (const s of ['range-lock', 'linux:xfs', 'a.jsx', 'a.json.bak', 'x./a']) expect(isUserStrategySpec(s), s).toBe(false);
  });

  it('a file name with a colon in it is a module unless its first part is a built-in\'s name (was: "a:b.mjs" was the built-in "a", an unknown strategy)', () => {
    for (const s of ['a:b.mjs', 'a:b.mjs:depth=3', 'mine:v2.json', 'x:y:z.js']) expect(isUserStrategySpec(s), s).toBe(true);
    // (an option value, or a built-in's options, is not a file name)
    for (const s of ['range-lock:x.mjs', 'linux:xfs.json', 'a:k=v.mjs', 'a:b,c.js']) expect(isUserStrategySpec(s), s).toBe(false);
  });
});

describe('unbalancedStep', () => {
  it('pairs a release with the latest acquire of its tag', () => {
    const a = (tag: number): Step => acquire('L', 'k', { kind: 'mutex' }, 'X', 0, 1, tag);
    expect(unbalancedStep([a(1), a(2), release(1), release(2)])).toBeUndefined();
    expect(unbalancedStep([a(1), a(1), release(1), release(1)])).toBeUndefined();
    expect(unbalancedStep([])).toBeUndefined();
    expect(unbalancedStep([a(1), release(2)])).toBe('step 1 releases tag 2, which it does not hold');
    expect(unbalancedStep([a(1), release(1), release(1)])).toBe('step 2 releases tag 1, which it does not hold');
    expect(unbalancedStep([a(1), a(2), WORK_ALL, release(2)])).toBe('leaves tag 1 (step 0) held');
    expect(unbalancedStep([a(3), a(2), release(3)])).toBe('leaves tag 2 (step 1) held');
  });
});

describe('validateStrategy', () => {
  const op = mkOp('write', 0, 4096, { id: 7, line: 42 });
  const good = { name: 'mine', plan: () => [WORK_ALL] };
  it('checks the export', () => {
    expect(errorOf(() => validateStrategy(null, 'f.js'))).toEqual({ message: 'f.js: the module must export (default) a strategy object, or a function returning one', code: ExitCode.badInput });
    expect(errorOf(() => validateStrategy(5, 'f.js')).message).toBe('f.js: the module must export (default) a strategy object, or a function returning one');
    expect(errorOf(() => validateStrategy({ name: '', plan: () => [] }, 'f.js')).message).toBe('f.js: strategy.name must be a non-empty string');
    expect(errorOf(() => validateStrategy({ name: 3, plan: () => [] }, 'f.js')).message).toBe('f.js: strategy.name must be a non-empty string');
    expect(errorOf(() => validateStrategy({ name: 'a', plan: 1 }, 'f.js')).message).toBe('f.js: strategy.plan must be a function (op, ctx) => Step[]');
    expect(errorOf(() => validateStrategy({ name: 'a', plan: () => [], rules: {} }, 'f.js')).message).toBe('f.js: strategy.rules must be an array of { kinds: string, locks: string }');
    expect(errorOf(() => validateStrategy({ name: 'a', plan: () => [], rules: [{ kinds: 'x' }] }, 'f.js')).message).toBe('f.js: strategy.rules must be an array of { kinds: string, locks: string }');
    expect(errorOf(() => validateStrategy({ name: 'a', plan: () => [], rules: [null] }, 'f.js')).message).toBe('f.js: strategy.rules must be an array of { kinds: string, locks: string }');
    expect(errorOf(() => validateStrategy({ name: 'a', plan: () => [], rules: [{ kinds: 1, locks: 'x' }] }, 'f.js')).message).toBe('f.js: strategy.rules must be an array of { kinds: string, locks: string }');
  });
  it('fills in summary, source, rules and options', () => {
    const s = validateStrategy(good, 'dir/f.js');
    expect([s.name, s.summary, s.source, s.rules, s.options]).toEqual(['mine', 'user strategy from f.js', 'dir/f.js', [], {}]);
    const t = validateStrategy({ ...good, summary: 'S', source: 'src', rules: [{ kinds: 'k', locks: 'l' }], options: { a: 1 } }, 'f.js');
    expect([t.summary, t.source, t.rules, t.options]).toEqual(['S', 'src', [{ kinds: 'k', locks: 'l' }], { a: 1 }]);
    expect(s.plan(op, ctx())).toEqual([WORK_ALL]);
  });
  it('calls plan with the strategy as this', () => {
    const obj = { name: 'n', k: 'K', plan(this: { k: string }) { return [acquire('L', this.k, { kind: 'mutex' }, 'X', 0, 1, 0), WORK_ALL, release(0)]; } };
    expect(render(validateStrategy(obj, 'f.js').plan(op, ctx()))).toEqual(['L:K mutex X [0,1) #0', 'work 1', 'rel #0']);
  });
  it('reports a malformed plan naming the op and the step', () => {
    const p = (steps: unknown) => errorOf(() => validateStrategy({ name: 'n', plan: () => steps }, 'f.js').plan(op, ctx()));
    const w = 'f.js: plan() step 0 for op 7 (write)';
    expect(errorOf(() => validateStrategy({ name: 'n', plan: () => { throw new Error('boom'); } }, 'f.js').plan(op, ctx()))).toEqual({ message: 'f.js: plan() threw on op 7 (write, line 42): boom', code: ExitCode.badInput });
    expect(p('x').message).toBe('f.js: plan() must return an array of steps (op 7, write)');
    expect(p([null]).message).toBe(`${w}: type must be one of acquire, release, work, children, cost`);
    expect(p([1]).message).toBe(`${w}: type must be one of acquire, release, work, children, cost`);
    expect(p([{ type: 'sleep' }]).message).toBe(`${w}: type must be one of acquire, release, work, children, cost`);
    const acq = { type: 'acquire', lockClass: 'L', key: 'k', mode: 'X', spec: { kind: 'mutex' }, start: 0, end: 1, tag: 0 };
    expect(p([{ ...acq, lockClass: 1 }]).message).toBe(`${w}: acquire needs lockClass and key strings`);
    expect(p([{ ...acq, key: undefined }]).message).toBe(`${w}: acquire needs lockClass and key strings`);
    expect(p([{ ...acq, mode: 'W' }]).message).toBe(`${w}: mode must be "S" or "X"`);
    expect(p([{ ...acq, spec: undefined }]).message).toBe(`${w}: spec.kind must be one of mutex, spinlock, rwsem, range, list-range, two-state`);
    expect(p([{ ...acq, spec: { kind: 'futex' } }]).message).toBe(`${w}: spec.kind must be one of mutex, spinlock, rwsem, range, list-range, two-state`);
    expect(p([{ ...acq, start: '0' }]).message).toBe(`${w}: start and end must be numbers with start < end`);
    expect(p([{ ...acq, end: '1' }]).message).toBe(`${w}: start and end must be numbers with start < end`);
    expect(p([{ ...acq, start: 1, end: 1 }]).message).toBe(`${w}: start and end must be numbers with start < end`);
    // a byte range's bounds: whole bytes, start 0 or more, end after it or Infinity (to the end of the file)
    for (const start of [-1, -4096, -Infinity, NaN, 0.5, Infinity]) expect(p([{ ...acq, start, end: Infinity }]).message, String(start)).toBe(`${w}: start must be a whole number of bytes, 0 or more (got ${start})`);
    for (const end of [NaN, 4096.5, -Infinity]) expect(p([{ ...acq, end }]).message, String(end)).toBe(`${w}: end must be a whole number of bytes, or Infinity for a range to the end of the file (got ${end})`);
    expect(p([{ ...acq, start: 4096, end: 0 }]).message).toBe(`${w}: start and end must be numbers with start < end`);
    for (const [start, end] of [[0, Infinity], [4096, 8192], [2 ** 53, Infinity]]) expect(p([{ ...acq, start, end }, { type: 'work', fraction: 1 }, { type: 'release', tag: 0 }]).message).toBe('no error');
    expect(p([{ ...acq, tag: '0' }]).message).toBe(`${w}: tag must be a whole number >= 0 (negative tags are the engine's)`);
    expect(p([{ type: 'release', tag: 'a' }]).message).toBe(`${w}: release needs the tag of its acquire, a whole number >= 0`);
    for (const fraction of [0, 1.01, '1', NaN]) expect(p([{ type: 'work', fraction }]).message).toBe(`${w}: work needs a fraction in (0, 1]`);
    expect(p([{ type: 'work', fraction: 1 }]).message).toBe('no error');
    expect(p([{ type: 'children' }, { type: 'work', fraction: 1 }]).message).toBe('no error');
    // the work fractions add up to 1: none, less or more is refused
    const sum = (x: number): string => `f.js: plan() for op 7 (write, line 42): its work fractions add up to ${x}, not 1 (the op's whole service time must be worked, once)`;
    expect(p([{ type: 'children' }]).message).toBe(sum(0));
    expect(p([{ type: 'work', fraction: 0.5 }]).message).toBe(sum(0.5));
    expect(p([{ type: 'work', fraction: 0.75 }, { type: 'work', fraction: 0.75 }]).message).toBe(sum(1.5));
    expect(p([1, 2, 3].map(() => ({ type: 'work', fraction: 1 / 3 }))).message).toBe('no error');
    for (const c of [{ baseNs: -1 }, { baseNs: Infinity }, { baseNs: '1' }, { baseNs: 1, perNodeNs: -1 }, { baseNs: 1, perNodeNs: NaN }]) {
      expect(p([{ type: 'cost', ...c }]).message, JSON.stringify(c)).toBe(`${w}: cost needs baseNs (and perNodeNs, if given) from 0 to 1,000,000,000 ns (one second)`);
    }
    for (const c of [{}, { baseNs: null }, { baseNs: NaN }, { baseNs: 1e9 + 1 }, { baseNs: 1, perNodeNs: null }, { baseNs: 1, perNodeNs: '3' }, { baseNs: 1, perNodeNs: 2e9 }]) {
      expect(p([{ type: 'cost', ...c }]).message, JSON.stringify(c)).toBe(`${w}: cost needs baseNs (and perNodeNs, if given) from 0 to 1,000,000,000 ns (one second)`);
    }
    for (const nodesOf of [null, 'R', [], {}, { lockClass: 'R' }, { lockClass: 1, key: 'k' }, { lockClass: 'R', key: null }]) {
      expect(p([{ type: 'cost', baseNs: 1, nodesOf }]).message, JSON.stringify(nodesOf)).toBe(`${w}: cost's nodesOf, if given, must be { lockClass: string, key: string }`);
    }
    // logNodes: true or false (a string "false" was taken as true)
    for (const logNodes of ['yes', 'false', 1, 0, null, {}]) {
      expect(p([{ type: 'cost', baseNs: 1, perNodeNs: 1, logNodes }, { type: 'work', fraction: 1 }]).message, JSON.stringify(logNodes)).toBe(`${w}: cost's logNodes, if given, must be true or false`);
    }
    for (const logNodes of [true, false, undefined]) expect(p([{ type: 'cost', baseNs: 1, perNodeNs: 1, nodesOf: { lockClass: 'R', key: 'k' }, logNodes }, { type: 'work', fraction: 1 }]).message).toBe('no error');
    expect(p([{ type: 'cost', baseNs: 0, perNodeNs: 0 }, { type: 'work', fraction: 1 }]).message).toBe('no error');
    expect(p([acq, { type: 'work', fraction: 1 }, { type: 'release', tag: 0 }]).message).toBe('no error');
    expect(p([{ ...acq, mode: 'S' }, { type: 'work', fraction: 1 }, { type: 'release', tag: 0 }]).message).toBe('no error');
    expect(p([{ type: 'cost', baseNs: 5 }, { type: 'work', fraction: 1 }]).message).toBe('no error');
    expect(p([acq]).message).toBe('f.js: plan() leaves tag 0 (step 0) held for op 7 (write, line 42): every release must name a lock the plan holds, and every acquire must be released');
    expect(p([{ type: 'release', tag: 3 }]).message).toBe('f.js: plan() step 0 releases tag 3, which it does not hold for op 7 (write, line 42): every release must name a lock the plan holds, and every acquire must be released');
    expect(p([{ type: 'work', fraction: 1 }, { type: 'work', fraction: 2 }]).message).toBe('f.js: plan() step 1 for op 7 (write): work needs a fraction in (0, 1]');
  });
});

describe('loadStrategy', () => {
  it('a built-in name, or a JS module exporting a strategy or a function making one', async () => {
    expect((await loadStrategy('range-lock:fairness=reader-pref')).options).toMatchObject({ fairness: 'reader-pref' });
    const obj = file('obj.mjs', 'export default { name: "obj", plan: () => [{ type: "work", fraction: 1 }] };');
    expect((await loadStrategy(obj)).name).toBe('obj');
    const named = file('named.mjs', 'export const strategy = { name: "named", plan: () => [] };');
    expect((await loadStrategy(named)).name).toBe('named');
    const fn = file('fn.mjs', 'export default (o) => ({ name: "made" + Object.keys(o).length, plan: () => [] });');
    expect((await loadStrategy(fn)).name).toBe('made0');
    const missing = join(dir, 'missing.mjs');
    await expect(loadStrategy(missing)).rejects.toMatchObject({ message: `${missing}: cannot read the strategy module (ENOENT)`, exitCode: ExitCode.inputUnreadable });
    const broken = file('broken.mjs', 'export default {{;\nmore');
    await expect(loadStrategy(broken)).rejects.toMatchObject({ exitCode: ExitCode.badInput });
    // the first line of the loader's message
    await expect(loadStrategy(broken)).rejects.toThrow(new RegExp(`^${broken}: cannot load the strategy module \\([^\\n]{8,}\\)$`));
    // a function that has a plan is the strategy itself, not a factory to call
    const fnobj = file('fnobj.mjs', 'function fnobj() { throw new Error("called"); }\nfnobj.plan = () => [];\nexport default fnobj;');
    await expect(loadStrategy(fnobj)).rejects.toThrow(`${fnobj}: the module must export (default) a strategy object, or a function returning one`);
    const none = file('none.mjs', 'export const other = 1;');
    await expect(loadStrategy(none)).rejects.toThrow(`${none}: the module must export (default) a strategy object, or a function returning one`);
    const json = file('r.json', JSON.stringify({ name: 'json', locks: {}, rules: {} }));
    expect((await loadStrategy(json)).name).toBe('json');
  });
});

describe('loadStrategy: a module path with options', () => {
  const factory = file('fac.mjs', 'export default (o) => ({ name: "fac", options: o, plan: () => [{ type: "work", fraction: 1 }] });');
  const object = file('obj.mjs', 'export default { name: "obj", plan: () => [{ type: "work", fraction: 1 }] };');
  const rules = file('rules.json', JSON.stringify({ name: 'json', locks: {}, rules: {} }));

  it('PATH:key=value,key=value gives the options to the module\'s exported function, as strings (was: read as a file of that name, exit 3)', async () => {
    const s = await loadStrategy(`${factory}:fairness=fifo, depth=3`);
    expect([s.name, s.options]).toEqual(['fac', { fairness: 'fifo', depth: '3' }]);
    // none given, or an empty list: {}
    expect((await loadStrategy(factory)).options).toEqual({});
    expect((await loadStrategy(`${factory}:`)).options).toEqual({});
    // the options object is a plain one (Object.prototype methods work on it)
    const plain = file('plain.mjs', 'export default (o) => ({ name: String(o.hasOwnProperty("a")) + Object.getPrototypeOf(o).constructor.name, plan: () => [] });');
    expect((await loadStrategy(`${plain}:a=1`)).name).toBe('trueObject');
  });

  it('refuses options a module or table cannot take, and malformed ones, as usage errors (exit 2) naming the spec', async () => {
    const refused = async (spec: string) => loadStrategy(spec).then(() => ({ message: 'no error', code: 0 }), (e) => ({ message: (e as Error).message, code: (e as { exitCode: number }).exitCode }));
    expect(await refused(`${object}:a=1`)).toEqual({ message: `${object}:a=1: the module exports a strategy object, which takes no options: to take them, export a function (options) => strategy (it gets { key: 'value', ... })`, code: ExitCode.usage });
    expect(await refused(`${rules}:a=1`)).toEqual({ message: `${rules}:a=1: a JSON rules table takes no options (a JS strategy module's exported function does: ./mine.mjs:key=value)`, code: ExitCode.usage });
    expect(await refused(`${factory}:verbose`)).toEqual({ message: `strategy option "verbose" in "${factory}:verbose": expected key=value (options follow a strategy module's path as ${factory}:key=value,key=value; no file "${factory}:verbose" exists)`, code: ExitCode.usage });
    expect(await refused(`${factory}:a=1,a=2`)).toEqual({ message: `strategy option "a" given twice in "${factory}:a=1,a=2"`, code: ExitCode.usage });
    for (const key of ['__proto__', 'constructor']) {
      expect(await refused(`${factory}:${key}=1`)).toEqual({ message: `strategy option "${key}" in "${factory}:${key}=1": the name of a property every object inherits (a result could not record it): name the option otherwise`, code: ExitCode.usage });
    }
    // a module that is not there is named without the options (exit 3)
    const missing = join(dir, 'missing.mjs');
    expect(await refused(`${missing}:a=1`)).toEqual({ message: `${missing}: cannot read the strategy module (ENOENT)`, code: ExitCode.inputUnreadable });
  });

  it('a file whose whole name has a colon in it is that file', async () => {
    const colon = file('a.mjs:b=c.mjs', 'export default { name: "colon", plan: () => [] };');
    const s = await loadStrategy(colon);
    expect([s.name, s.options]).toEqual(['colon', {}]);
  });
});

describe('jsonRulesStrategy', () => {
  const json = (name: string, body: unknown): string => file(name, typeof body === 'string' ? body : JSON.stringify(body));
  const err = (body: unknown): string => errorOf(() => jsonRulesStrategy(json('bad.json', body))).message;
  it('builds plans: steps in order, released in reverse, a page walk last', () => {
    const s = jsonRulesStrategy(json('rules.json', {
      name: 'mine', summary: 'Sum',
      locks: { m: { kind: 'mutex' }, sp: { kind: 'spinlock' }, rw: { kind: 'rwsem', fairness: 'reader-pref' }, rl: { kind: 'range' }, rn: { kind: 'range', fairness: 'nested-shared-ok' }, rf: { kind: 'rwsem' } },
      rules: {
        write: [{ lock: 'rw', mode: 'X', range: 'file' }, { lock: 'rl', mode: 'S', range: 'op' }, { lock: 'rn', mode: 'X', range: 'page' }],
        truncate: [{ lock: 'rl', mode: 'X', range: 'from-new-size' }],
        punch: [{ lock: 'rl', mode: 'X', range: 'op' }],
        read: [],
        default: [{ lock: 'm', mode: 'X', range: 'file' }, { lock: 'sp', mode: 'S', range: 'file' }, { lock: 'rf', mode: 'S', range: 'file' }],
      },
    }));
    expect([s.name, s.summary, s.source, s.options]).toEqual(['mine', 'Sum', 'rules.json', {}]);
    expect(s.rules).toEqual([
      { kinds: 'write', locks: 'rw X (file), then rl S (op), then rn X (page)' },
      { kinds: 'truncate', locks: 'rl X (from-new-size)' },
      { kinds: 'punch', locks: 'rl X (op)' },
      { kinds: 'read', locks: 'none' },
      { kinds: 'default', locks: 'm X (file), then sp S (file), then rf S (file)' },
      { kinds: 'child op', locks: 'its own rules' },
    ]);
    expect(plan(s, 'write', 5000, 5000)).toEqual([
      'rw:F rwsem/reader-pref X [0,Infinity) #1000', 'rl:F range/fifo S [4096,12288) #1001',
      'rn:F range/nested-shared-ok X [4096,8192) #0', 'work 0.5', 'rel #0', 'rn:F range/nested-shared-ok X [8192,12288) #1', 'work 0.5', 'rel #1',
      'rel #1001', 'rel #1000',
    ]);
    expect(plan(s, 'truncate', 5000, 0)).toEqual(['rl:F range/fifo X [4096,Infinity) #1000', 'work 1', 'rel #1000']);
    expect(plan(s, 'punch', 5000, 0)).toEqual(['rl:F range/fifo X [0,Infinity) #1000', 'work 1', 'rel #1000']);
    expect(plan(s, 'punch', 5000, 10)).toEqual(['rl:F range/fifo X [4096,8192) #1000', 'work 1', 'rel #1000']);
    expect(plan(s, 'read')).toEqual(['work 1']);
    expect(plan(s, 'fsync')).toEqual(['m:F mutex X [0,Infinity) #1000', 'sp:F spinlock S [0,Infinity) #1001', 'rf:F rwsem/fifo S [0,Infinity) #1002', 'work 1', 'rel #1002', 'rel #1001', 'rel #1000']);
    expect(plan(s, 'writeback', 0, 4096, PARENT)).toEqual(['work 1']);
    expect(plan(s, 'fault-read', 0, 4096, PARENT)).toHaveLength(7);
  });
  it('children "none": a child runs under its parent\'s locks; no default rule: no locks', () => {
    const s = jsonRulesStrategy(json('c.json', { name: 'c', locks: { m: { kind: 'mutex' } }, rules: { write: [{ lock: 'm', mode: 'X', range: 'file' }] }, children: 'none' }));
    expect(s.summary).toBe('rules from c.json');
    expect(plan(s, 'write', 0, 4096, PARENT)).toEqual(['work 1']);
    expect(plan(s, 'write')).toEqual(['m:F mutex X [0,Infinity) #1000', 'work 1', 'rel #1000']);
    expect(plan(s, 'read')).toEqual(['work 1']);
    expect(s.rules.at(-1)).toEqual({ kinds: 'child op', locks: 'none (under its parent\'s locks)' });
  });
  it('refuses what is not a rules table, naming the file and the field', () => {
    const missing = join(dir, 'nope.json');
    expect(errorOf(() => jsonRulesStrategy(missing))).toEqual({ message: `${missing}: cannot read (ENOENT)`, code: ExitCode.inputUnreadable });
    const notJson = errorOf(() => jsonRulesStrategy(json('nj.json', '{oops')));
    expect(notJson.code).toBe(ExitCode.badInput);
    expect(notJson.message).toMatch(/nj\.json: not JSON \(.+\)$/);
    expect(err('null')).toBe('bad.json: (top): expected an object with name, locks and rules');
    expect(err('5')).toBe('bad.json: (top): expected an object with name, locks and rules');
    expect(err({ name: 'n', locks: {}, rules: 5 })).toBe('bad.json: rules: expected an object of op kind (or "default") → [ { lock, mode, range } ]');
    expect(err({ name: 'n', locks: { m: { kind: 'mutex' }, n: { kind: 'mutex' } }, rules: { read: [{ lock: 'z', mode: 'X', range: 'op' }] } })).toBe('bad.json: rules.read[0].lock: expected one of the locks (m, n), got "z"');
    expect(err([])).toBe('bad.json: (top): expected an object with name, locks and rules');
    expect(err({ name: ' ', locks: {}, rules: {} })).toBe('bad.json: name: expected a non-empty string');
    expect(err({ name: 1, locks: {}, rules: {} })).toBe('bad.json: name: expected a non-empty string');
    expect(err({ name: 'n', locks: [], rules: {} })).toBe('bad.json: locks: expected an object of lock name → { kind, fairness?, exclusiveOnly? }');
    expect(err({ name: 'n', locks: null, rules: {} })).toBe('bad.json: locks: expected an object of lock name → { kind, fairness?, exclusiveOnly? }');
    expect(err({ name: 'n', rules: {} })).toBe('bad.json: locks: expected an object of lock name → { kind, fairness?, exclusiveOnly? }');
    expect(err({ name: 'n', locks: { a: null }, rules: {} })).toBe('bad.json: locks.a: expected { kind, fairness?, exclusiveOnly? }');
    expect(err({ name: 'n', locks: { a: 3 }, rules: {} })).toBe('bad.json: locks.a: expected { kind, fairness?, exclusiveOnly? }');
    expect(err({ name: 'n', locks: { a: { kind: 'rwsem', fairness: 'nested-shared-ok' } }, rules: {} })).toBe('bad.json: locks.a.fairness: expected "fifo", "reader-pref" or "linux", got "nested-shared-ok"');
    expect(err({ name: 'n', locks: { a: { kind: 'range', fairness: 'x' } }, rules: {} })).toBe('bad.json: locks.a.fairness: expected "fifo", "reader-pref" or "nested-shared-ok", got "x"');
    expect(err({ name: 'n', locks: { a: { kind: 'range', fairness: 'reader-pref' } }, rules: {} })).toBe('no error');
    expect(err({ name: 'n', locks: { a: { kind: 'rwsem', fairness: 'fifo' } }, rules: {} })).toBe('no error');
    expect(err({ name: 'n', locks: { a: { kind: 'futex' } }, rules: {} })).toBe('bad.json: locks.a.kind: expected "mutex", "spinlock", "rwsem", "range", "list-range" or "two-state", got "futex"');
    expect(err({ name: 'n', locks: {}, rules: [] })).toBe('bad.json: rules: expected an object of op kind (or "default") → [ { lock, mode, range } ]');
    expect(err({ name: 'n', locks: {}, rules: null })).toBe('bad.json: rules: expected an object of op kind (or "default") → [ { lock, mode, range } ]');
    expect(err({ name: 'n', locks: {}, rules: { wrote: [] } })).toBe('bad.json: rules.wrote: not an op kind; expected one of read, write, dio-read, dio-write, fault-read, fault-write, readahead, writeback, truncate, punch, zero-range, collapse-range, insert-range, fallocate, fsync, mmap, munmap, or "default"');
    expect(err({ name: 'n', locks: {}, rules: { read: {} } })).toBe('bad.json: rules.read: expected an array of steps');
    const m = { m: { kind: 'mutex' } };
    expect(err({ name: 'n', locks: m, rules: { read: [null] } })).toBe('bad.json: rules.read[0]: expected { lock, mode, range } or "children"');
    expect(err({ name: 'n', locks: m, rules: { read: ['x'] } })).toBe('bad.json: rules.read[0]: expected { lock, mode, range } or "children"');
    expect(err({ name: 'n', locks: m, rules: { read: [{ lock: 'z', mode: 'X', range: 'op' }] } })).toBe('bad.json: rules.read[0].lock: expected one of the locks (m), got "z"');
    expect(err({ name: 'n', locks: m, rules: { read: [{ lock: 1, mode: 'X', range: 'op' }] } })).toBe('bad.json: rules.read[0].lock: expected one of the locks (m), got 1');
    expect(err({ name: 'n', locks: m, rules: { read: [{ lock: 'm', mode: 's', range: 'op' }] } })).toBe('bad.json: rules.read[0].mode: expected "S" or "X", got "s"');
    expect(err({ name: 'n', locks: m, rules: { read: [{ lock: 'm', mode: 'S', range: 'all' }] } })).toBe('bad.json: rules.read[0].range: expected "op", "page", "file" or "from-new-size", got "all"');
    expect(err({ name: 'n', locks: m, rules: { default: [{ lock: 'm', mode: 'S', range: 'op' }, { lock: 'm', mode: 'X', range: 'page' }, { lock: 'm', mode: 'X', range: 'op' }] } })).toBe('bad.json: rules.default[1].range: "page" walks the pages around the work, so it must be the last step');
    expect(err({ name: 'n', locks: m, rules: {}, children: 'some' })).toBe('bad.json: children: expected "own" (a child op takes its own rules) or "none" (it runs under its parent\'s locks), got "some"');
    expect(errorOf(() => jsonRulesStrategy(json('bad.json', { name: 'n', locks: {}, rules: { read: {} } }))).code).toBe(ExitCode.badInput);
  });
});
