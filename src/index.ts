/**
 * lockreplay as a library: import a trace, replay it against locking strategies (built-in ones,
 * JS modules, JSON rules tables, or objects written against the `Strategy` interface), and report.
 * The CLI runs these same functions: the same trace, strategies and options give the same bytes.
 *
 *   import { importTrace, compare, formatCompare } from 'lockreplay';
 *   const trace = await importTrace('traces/xfs-mix.trace.gz');
 *   const result = await compare(trace, ['none', 'i-mutex', 'range-lock'], { mode: 'open', timeScale: 0.05 });
 *   process.stdout.write(formatCompare(result));
 *
 * Writing a strategy: docs/writing-strategies.md.
 */
import { ExitCode, LockreplayError } from './errors.js';
import { importTrace as streamImport, type ImportOptions, type ImportSummary } from './import/index.js';
import type { OpSink } from './import/op-builder.js';
import { loadForReplay, type LoadedTrace, refuseRepeatedLabels, replayStrategies, replayStrategiesParallel, type ReplayOptions } from './replay/index.js';
import { strategyLabel } from './model/labels.js';
import type { ReplayResult } from './model/result.js';
import { mergeResults as merge } from './replay/merge.js';
import { assertResultsArgument } from './report/result-argument.js';
import { perfettoSchedules as schedules } from './replay/schedule.js';
import { ReplayPool } from './replay/pool.js';
import { ReplayProcessPool } from './replay/process-pool.js';
import type { Strategy } from './strategies/types.js';
import { loadStrategies, loadStrategy } from './strategies/user.js';
import { withKernelHz } from './strategies/index.js';
import { expectArray, expectOptions, expectString, kindOf } from './util/arguments.js';

/** A trace in memory, ready to replay: its ops, the import summary, the kernel's lock waits. */
export interface Trace extends LoadedTrace {
  /** the files and tasks the import kept (ImportOptions files, taskPids, taskComms), as a result records them */
  selection?: { files?: string[]; tasks?: string[] };
}

/** Options of `compare` (and `replay`): the replay model, and the workers to spread strategies over. */
export interface CompareOptions extends ReplayOptions {
  /**
   * Strategies replayed at once (default 1: one after the other, in this process). Only
   * strategies named by spec (strings) go to workers; the results are identical either way.
   */
  threads?: number;
  /** what replays them at once: worker processes (the default; each has its own heap) or worker threads */
  parallel?: 'processes' | 'threads';
}

/**
 * Imports a trace (any format `lockreplay import` reads, plain or gzip, or an Op stream file; `-`
 * for stdin) into memory. Options select files, tasks and times, and say the format (default:
 * detected). Errors are LockreplayError with the CLI's exit code (3 unreadable, 4 a bad line, 5
 * not a trace).
 */
export async function importTrace(path: string, options: ImportOptions = {}): Promise<Trace> {
  expectString(path, 'importTrace path');
  expectOptions(options, 'importTrace options');
  // (the trace object itself: a copy would read its ops, which are made from its columns on demand)
  const trace: Trace = await loadForReplay(path, options);
  const tasks = [...(options.taskPids ?? [])].map(String).concat([...(options.taskComms ?? [])]);
  trace.selection = { files: [...(options.files ?? [])], tasks };
  return trace;
}

/**
 * Imports a trace without keeping it: every op (and observed lock event) goes to `sink` as it is
 * read, for traces too large to hold. Returns the import summary.
 */
export async function streamTrace(path: string, sink: OpSink, options: ImportOptions = {}): Promise<ImportSummary> {
  expectString(path, 'streamTrace path');
  expectOptions(options, 'streamTrace options');
  if (sink === null || typeof sink !== 'object' || typeof sink.op !== 'function' || typeof sink.lock !== 'function') throw new LockreplayError(`streamTrace sink: expected an object with op(op) and lock(lock) functions, not ${kindOf(sink)}`, ExitCode.usage);
  return streamImport(path, sink, options);
}

/** Replays a trace (or a trace file, imported with default options) against one strategy. */
export function replay(trace: Trace | string, strategy: Strategy | string, options: ReplayOptions = {}): Promise<ReplayResult> {
  return compare(trace, [strategy], options);
}

/**
 * Replays a trace against each strategy, in order: a spec string (`range-lock`,
 * `range-lock:fairness=reader-pref`, `./mine.js`, `./rules.json`) or a Strategy object. An object
 * that is not built-in or loaded has its plans checked as they are made, as a JS module's are: a
 * broken plan stops the replay with a LockreplayError (exit code 4) naming `strategy NAME`, the op
 * and the step. Ratios are relative to `options.baseline` (default: the first strategy without
 * races or deadlock).
 */
export async function compare(trace: Trace | string, strategies: readonly (Strategy | string)[], options: CompareOptions = {}): Promise<ReplayResult> {
  expectArray(strategies, 'strategies');
  expectOptions(options, 'compare options');
  const { threads = 1, parallel = 'processes', ...replayOptions } = options;
  if (parallel !== 'processes' && parallel !== 'threads') throw new LockreplayError(`parallel must be processes or threads, not ${String(parallel)}`, ExitCode.usage);
  if (!Number.isInteger(threads) || threads < 1) throw new LockreplayError(`threads must be a whole number >= 1, not ${threads}`, ExitCode.usage);
  if (strategies.length === 0) throw new LockreplayError('compare needs at least one strategy', ExitCode.usage);
  // every strategy is made (and a bad spec refused) before any work
  const made = await loadStrategies(strategies);
  refuseRepeatedLabels(made.map((s) => strategyLabel(s.name, s.options)));
  if (typeof trace !== 'string' && (trace === null || typeof trace !== 'object' || typeof trace.summary !== 'object')) throw new LockreplayError(`trace: expected a path or a trace from importTrace, not ${trace === null ? 'null' : typeof trace}`, ExitCode.usage);
  const t = typeof trace === 'string' ? await importTrace(trace) : trace;
  const selection = t.selection ?? {};
  // a Linux rwsem strategy named by a spec takes the capture's CONFIG_HZ, when its header names it
  const specs = strategies.map((s) => (typeof s === 'string' ? withKernelHz(s, t.summary.kernelHz) : s));
  if (threads > 1 && specs.every((s) => typeof s === 'string')) {
    const n = Math.min(threads, strategies.length);
    const pool = parallel === 'threads' ? new ReplayPool(n) : new ReplayProcessPool(n);
    return replayStrategiesParallel(t, specs as string[], replayOptions, selection, threads, pool);
  }
  const final: Strategy[] = [];
  for (const [i, s] of specs.entries()) final.push(s === strategies[i] ? made[i] : await loadStrategy(s as string));
  return replayStrategies(t, final, replayOptions, selection);
}

/**
 * The simulated schedule of each strategy as Chrome trace-event JSON (open it in ui.perfetto.dev),
 * as `--perfetto` writes it.
 */
export async function perfettoSchedules(trace: Trace, strategies: readonly (Strategy | string)[], options: ReplayOptions = {}): Promise<string> {
  expectArray(strategies, 'strategies');
  expectOptions(options, 'perfettoSchedules options');
  if (trace === null || typeof trace !== 'object' || typeof trace.summary !== 'object' || typeof trace.ops !== 'object') throw new LockreplayError(`trace: expected a trace from importTrace, not ${kindOf(trace)}`, ExitCode.usage);
  const made = await loadStrategies(strategies);
  return schedules(trace, made, options);
}

// errors
export { BadInputError, ExitCode, type ExitCodeValue, LockreplayError } from './errors.js';
export { EngineInvariantError } from './engine/invariants.js';

// the op model and import
export { EXCLUSIVE_KINDS, type ObservedLock, OP_KINDS, type Op, type OpKind, PAGE_SIZE_BYTES } from './model/op.js';
export { INPUT_FORMATS, type ImportOptions, type ImportSummary, type InputFormat } from './import/index.js';
export type { OpSink } from './import/op-builder.js';
export { parseCosts, type ReplayOptions } from './replay/index.js';

// strategies: the contract, the registry, the plan helpers
export {
  type AcquireStep, type ChildrenStep, type CostStep, DEFAULT_COSTS, LOCK_KINDS, type LockCosts, type LockSpec, MMAP_LOCK_TAG, ORDERED_TAG, PAGE_WALK_TAG,
  type PlanContext, type ReleaseStep, type RuleRow, SHARED_KINDS, SPINLOCK_TAG, type Step, type Strategy, type WorkStep, ZERO_COSTS,
} from './strategies/types.js';
export type { LockMode, RangeFairness, RwsemFairness } from './locks/primitives.js';
export { createStrategy, strategyNames } from './strategies/index.js';
export { jsonRulesStrategy, loadStrategy, validateStrategy } from './strategies/user.js';
export { acquire, MAX_WALK_STEPS, release, WORK_ALL, WORK_ONLY } from './strategies/plan-helpers.js';
// (those computing from their arguments check them first: strategies/library.ts)
export { isFlushInsideParent, pageAlignedRange, pageByPage, underOneLock, unbalancedStep } from './strategies/library.js';

// results and exporters
export { type KindResult, RESULT_SCHEMA, type ReplayResult, type StrategyResult } from './model/result.js';
// (those taking results or check's report check them first: report/library.ts)
export { assertComparable, check, checkJunit, compareMarkdown, formatCheck, formatCompare, formatReplay, hgrmFiles, loadResult, renderReport, resultCsv, resultJson, resultsHtml } from './report/library.js';

/** adds shards (by time or selection, or by strategy): `names` name each in the messages */
export function mergeResults(results: ReplayResult[], names: string[]): ReplayResult {
  assertResultsArgument(results, 'results');
  expectArray(names, 'names');
  names.forEach((n, i) => expectString(n, `names[${i}]`));
  return merge(results, names);
}
export { REPORT_FORMATS, type ReportFormat } from './report/emit.js';
export { RESULT_JSON_SCHEMA } from './model/result-schema.js';
export { type CheckReport, type CheckRow, parseThresholds, type Threshold, type Thresholds } from './report/check.js';

// synthetic scenarios (ftrace text: write it to a file and import it)
export { scenarioNames, synthesize, type SynthOptions } from './synth/scenarios.js';
