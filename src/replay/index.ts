/**
 * Replay and compare: the library API behind `lockreplay replay` and `lockreplay compare`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, LockreplayError } from '../errors.js';
import { importTrace, type ImportOptions, type ImportSummary } from '../import/index.js';
import { MAX_CPUS, MAX_SPAN_NS } from '../import/limits.js';
import { EMPTY_WINDOW_NOTE } from '../import/selection-time.js';
import { type ObservedLock, type Op, OP_KINDS, PAGE_SIZE_BYTES } from '../model/op.js';
import { type ObservedWaitSummary, removeObservedWaits } from './observed-waits.js';
import { baselineNames, notABaseline } from './baseline.js';
import { type OffCpuSummary, offCpuShares } from './off-cpu.js';
import { verdictOf } from '../model/verdict.js';
import { costsProblem } from './costs.js';
import { refuseInexactStall, refuseInexactTime } from './virtual-time.js';
import { timelineOf } from './timeline.js';
import { columnsOf, opTable, type OpTable } from '../engine/op-table.js';
import { OpColumns } from '../model/op-columns.js';
import { serviceTimes } from '../engine/service-model.js';
import { CPU_MODELS, type CpuModel, type OpOutcomes, simulate, type SimOptions } from '../engine/simulator.js';
import { findRaces, type RaceScratch } from '../engine/races.js';
import { createStrategy } from '../strategies/index.js';
import { DEFAULT_COSTS, type LockCosts, type Strategy } from '../strategies/types.js';
import { BucketCounts } from '../stats/bucket-counts.js';
import { encodeHistogram, newRecordingHistogram, percentiles, type Histogram } from '../stats/histogram.js';
import { perSecond } from '../stats/rates.js';
import { type KindResult, type LineAccounting, RESULT_SCHEMA, type ReplayResult, type StrategyResult } from '../model/result.js';
import type { StrategyPool } from './pool.js';
import type { ReplayProgress } from '../util/progress.js';
import { expectBoolean, kindOf } from '../util/arguments.js';
import { compareToBaseline, cyclePids, labelOf, repeatedLabel, strategyLabel } from '../model/labels.js';
export { compareToBaseline, labelOf, strategyLabel } from '../model/labels.js';

/** the largest page a replay models: 1 GiB, the largest huge page (x86-64's) */
export const MAX_PAGE_SIZE_BYTES = 2 ** 30;

export interface ReplayOptions {
  mode?: 'closed' | 'open';
  timeScale?: number;
  /** CPUs to model; default: the trace header's #P:N, else 1 */
  cpus?: number;
  /** model each process's mmap_lock (default true) */
  mmapLock?: boolean;
  /** optimistic spinning of sleeping locks (default true; docs/costs.md) */
  spin?: boolean;
  /** when a task holds a CPU (default 'per-segment'; SimOptions.cpuModel, docs/costs.md) */
  cpuModel?: CpuModel;
  /** leave the kernel's observed lock waits in the ops' service times (default false) */
  keepObservedWaits?: boolean;
  /** lock operation costs (default DEFAULT_COSTS) */
  costs?: LockCosts;
  /** the page size the strategies lock pages of, bytes (default 4096; a whole number up to 1 GiB) */
  pageSizeBytes?: number;
  /** strategy ratios are relative to this one (default: the first) */
  baseline?: string;
  /** told the ops each strategy has replayed so far, while the replays run (for a progress meter) */
  onProgress?: (progress: ReplayProgress) => void;
}

export interface LoadedTrace {
  ops: Op[];
  /**
   * The same ops as columns, when the trace was loaded as columns and `ops` was never read: what
   * a replay reads then (no Op objects are made). Reading `ops` makes them from the columns once,
   * and from then on `ops` is what is replayed (a caller may change it).
   */
  readonly columns?: OpColumns;
  summary: ImportSummary;
  /** the kernel's lock waits (contention records), when the trace has them */
  waits?: ObservedLock[];
  /** the traced tasks' sleeps (sched-sleep records), when the trace has them */
  sleeps?: ObservedLock[];
}

export async function loadForReplay(path: string, importOptions: ImportOptions = {}): Promise<LoadedTrace> {
  const columns = new OpColumns();
  const waits: ObservedLock[] = [];
  const sleeps: ObservedLock[] = [];
  const lock = (l: ObservedLock): void => {
    if (l.event === 'contention') waits.push(l);
    else if (l.event === 'sched-sleep') sleeps.push(l);
  };
  const summary = await importTrace(path, { op: (o) => columns.push(o), lock }, { ...importOptions, keepLocks: false, keepContention: true, keepsAll: true });
  if (summary.fileAliases !== undefined) columns.renameFiles(summary.fileAliases);
  return traceOfColumns(columns, summary, waits, sleeps);
}

/** A LoadedTrace whose ops are `columns`: `ops` is made from them when first read. */
export function traceOfColumns(columns: OpColumns, summary: ImportSummary, waits?: ObservedLock[], sleeps?: ObservedLock[]): LoadedTrace {
  let ops: Op[] | undefined;
  const trace = { summary, waits, ...(sleeps !== undefined && sleeps.length > 0 ? { sleeps } : {}) } as LoadedTrace;
  Object.defineProperty(trace, 'ops', {
    enumerable: true,
    configurable: true,
    get: () => (ops ??= columns.toArray()),
    set: (value: Op[]) => {
      ops = value;
    },
  });
  Object.defineProperty(trace, 'columns', { enumerable: false, get: () => (ops === undefined ? columns : undefined) });
  return trace;
}

export { parseCosts } from './costs.js';

/**
 * Refuses a list of strategies in which two would be reported under one label (the same name and
 * options): results, the verdict, check and merge name strategies by label (exit 2).
 */
export function refuseRepeatedLabels(labels: readonly string[]): void {
  const twice = repeatedLabel(labels);
  if (twice !== undefined) throw new LockreplayError(`two of the strategies would both be reported as "${twice}" (the same name and options): a result names its strategies by label, so each must differ (a strategy module or rules table can set its own "name")`, ExitCode.usage);
}

/** A trace made ready to replay: options checked, service times and op columns computed once. */
export interface Prepared {
  /** the ops replayed */
  columns: OpColumns;
  table: OpTable;
  service: ReturnType<typeof serviceTimes>;
  /** the kernel's lock waits found inside the ops, and what was removed from their service times */
  observedWaits: ObservedWaitSummary;
  /** the ops' time asleep, where the trace shows it (replayed off the CPUs) */
  offCpu: OffCpuSummary;
  simOptions: SimOptions;
  cpusSource: 'flag' | 'trace' | 'default';
  warnings: string[];
}

/**
 * The bad lines of the trace and of the op stream it was read from. An op stream without a usable
 * footer has no accounting of the trace: its `lines` is the stream's own (`opStreamLines`), the same
 * lines, counted once (the warning said 2 bad lines where there was 1).
 */
export function badInputLines(lines: LineAccounting, opStreamLines: LineAccounting | undefined): number {
  if (opStreamLines === undefined) return lines.bad;
  const same = lines === opStreamLines || JSON.stringify(lines) === JSON.stringify(opStreamLines);
  return same ? lines.bad : lines.bad + opStreamLines.bad;
}

export function prepare(trace: LoadedTrace, options: ReplayOptions): Prepared {
  const warnings: string[] = [];
  // (a library caller's switches and callback: each is written into the result, or called, as given)
  for (const flag of ['mmapLock', 'spin', 'keepObservedWaits'] as const) expectBoolean(options[flag], flag, true);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new LockreplayError(`onProgress: expected a function, not ${kindOf(options.onProgress)}`, ExitCode.usage);
  const mode = options.mode ?? 'closed';
  if (mode !== 'closed' && mode !== 'open') throw new LockreplayError(`mode "${String(mode)}": expected closed or open`, ExitCode.usage);
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new LockreplayError(`--time-scale must be a positive number, not ${timeScale}`, ExitCode.usage);
  // the scaled arrivals must stay where virtual time is exact (a huge scale made the clock Infinity)
  const spanNs = (trace.summary.lastTsNs ?? 0) - (trace.summary.firstTsNs ?? 0);
  if (mode === 'open' && spanNs * timeScale > MAX_SPAN_NS) throw new LockreplayError(`--time-scale ${timeScale} stretches the trace's ${spanNs / 1e9} s beyond 2^53 ns (about 104 days) of virtual time: use a smaller scale`, ExitCode.usage);
  // bad lines skipped (--lenient), the trace's and an op stream's own: said beside the result
  const badLines = badInputLines(trace.summary.lines, trace.summary.opStreamLines);
  if (badLines > 0) {
    const first = trace.summary.lines.badSamples[0] ?? trace.summary.opStreamLines?.badSamples[0];
    warnings.push(`${badLines} bad input line${badLines === 1 ? ' was' : 's were'} skipped (--lenient)${first !== undefined ? `; the first: ${first}` : ''} (lockreplay import lists them)`);
  }
  if (options.costs !== undefined) {
    const bad = costsProblem(options.costs);
    if (bad !== undefined) throw new LockreplayError(bad, ExitCode.usage);
  }
  if (mode === 'closed' && timeScale !== 1) warnings.push(`--time-scale ${timeScale} has no effect in closed mode (ops issue when their task's previous op completed): add --mode open`);
  let cpus = options.cpus;
  let cpusSource: 'flag' | 'trace' | 'default' = 'flag';
  if (cpus === undefined) {
    const inTrace = trace.summary.cpus;
    if (inTrace !== undefined && Number.isInteger(inTrace) && inTrace >= 1) {
      cpus = inTrace;
      cpusSource = 'trace';
    } else {
      // a header's count of 0 is no count (the import said so): never reported as a bad --cpus
      cpus = 1;
      cpusSource = 'default';
      const ignored = trace.summary.headerCpusIgnored ?? inTrace;
      warnings.push(ignored !== undefined
        ? `the trace header names ${ignored} CPUs, which is ignored, and --cpus was not given: modelling 1 CPU`
        : 'the input names no CPU count (#P:N or cpus=N) and --cpus was not given: modelling 1 CPU');
    }
  }
  if (!Number.isInteger(cpus) || cpus < 1) throw new LockreplayError(`--cpus must be a whole number >= 1, not ${cpus}`, ExitCode.usage);
  if (cpus > MAX_CPUS) throw new LockreplayError(`--cpus must be at most ${MAX_CPUS.toLocaleString('en-US')}, not ${cpus}`, ExitCode.usage);
  const pageSizeBytes = options.pageSizeBytes ?? PAGE_SIZE_BYTES;
  if (!Number.isSafeInteger(pageSizeBytes) || pageSizeBytes < 1 || pageSizeBytes > MAX_PAGE_SIZE_BYTES) throw new LockreplayError(`pageSizeBytes must be a whole number of bytes from 1 to ${MAX_PAGE_SIZE_BYTES.toLocaleString('en-US')} (1 GiB, the largest huge page), not ${kindOf(pageSizeBytes)}`, ExitCode.usage);
  const ops = trace.columns ?? OpColumns.fromOps(trace.ops);
  if (ops.n === 0) {
    // (--from/--to left none: the import's note says where the ops are)
    const timeNote = trace.summary.notes.find((n) => n.startsWith(EMPTY_WINDOW_NOTE));
    warnings.push(timeNote !== undefined ? `the trace has no ops to replay: ${timeNote}` : 'the trace has no ops to replay (check --file / --task, or the events the trace was captured with)');
  }
  const service = serviceTimes(ops, pageSizeBytes);
  // the recorded kernel's waits are not part of an op's work (think times still count from the
  // trace's own end of each op)
  const waits = trace.waits ?? [];
  const traceDurNs = waits.length > 0 ? Float64Array.from(service.ns) : undefined;
  const observedWaits = removeObservedWaits(ops, service.ns, waits, options.keepObservedWaits ?? false);
  // what of each op's own time its task slept (where the trace shows it) is replayed off the CPUs
  const offCpu = offCpuShares(ops, service.ns, trace.sleeps ?? [], waits, options.keepObservedWaits ?? false);
  const simOptions: SimOptions = { mode, timeScale, cpus, pageSizeBytes, mmapLock: options.mmapLock ?? true, spin: options.spin ?? true, costs: options.costs ?? DEFAULT_COSTS, inputName: trace.summary.input };
  if (options.cpuModel !== undefined && !CPU_MODELS.includes(options.cpuModel)) throw new LockreplayError(`cpuModel ${String(options.cpuModel)}: expected ${CPU_MODELS.join(' or ')}`, ExitCode.usage);
  if (options.cpuModel !== undefined && options.cpuModel !== 'per-segment') simOptions.cpuModel = options.cpuModel;
  if (observedWaits.removedNs > 0 && traceDurNs !== undefined) simOptions.traceDurNs = traceDurNs;
  if (offCpu.share !== undefined) simOptions.offCpuFraction = offCpu.share;
  return { columns: ops, table: opTable(ops), service, observedWaits, offCpu: offCpu.summary, simOptions, cpusSource, warnings };
}

function assemble(trace: LoadedTrace, p: Prepared, results: StrategyResult[], options: ReplayOptions, selection: { files?: string[]; tasks?: string[] }): ReplayResult {
  refuseRepeatedLabels(results.map(labelOf));
  const warnings = [...p.warnings];
  for (const r of results) {
    if (r.deadlock !== null) {
      const what = r.deadlock.cycle.length > 0 ? `a ${r.deadlock.cycle.length}-task wait-for cycle (${cyclePids(r.deadlock.cycle.map((b) => b.pid))})` : `${r.deadlock.blocked.length} tasks blocked with nothing left to happen`;
      warnings.push(`${labelOf(r)}: deadlock at ${(r.deadlock.atNs / 1e6).toFixed(3)} ms: ${what}; the run stopped there`);
    }
  }
  // by default, the first strategy that ran without races or deadlock (else the first)
  const firstSafe = results.find((r) => r.races.count === 0 && r.deadlock === null) ?? results[0];
  const base = options.baseline === undefined ? firstSafe : results.find((r) => baselineNames(options.baseline as string, r.strategy, r.strategyOptions));
  if (options.baseline !== undefined && base === undefined) {
    throw notABaseline(options.baseline, results.map(labelOf));
  }
  const comparison = base === undefined ? [] : compareToBaseline(results, base);
  const ops = p.columns;
  const o = p.simOptions;
  // (every file key in the columns has an op; a renamed key may repeat)
  const files = new Set(ops.files);
  return {
    schema: RESULT_SCHEMA,
    tool: { name: 'lockreplay', version: toolVersion() },
    input: {
      trace: trace.summary.input,
      opsDigest: opsDigest(ops),
      format: trace.summary.format,
      lines: trace.summary.lines,
      ops: ops.n,
      files: files.size,
      cpusInTrace: trace.summary.cpus ?? null,
      // (the replay's virtual time 0: where merge puts a shard's timeline on the trace's clock)
      firstOpTsNs: ops.n > 0 ? p.table.tsNs[0] : null,
    },
    options: { mode: o.mode, timeScale: o.timeScale, cpus: o.cpus, cpusSource: p.cpusSource, mmapLock: o.mmapLock ?? true, spin: o.spin ?? true, keepObservedWaits: p.observedWaits.kept, costs: { ...(o.costs ?? DEFAULT_COSTS) }, pageSizeBytes: o.pageSizeBytes, files: [...(selection.files ?? [])], tasks: [...(selection.tasks ?? [])], ...(o.cpuModel !== undefined ? { cpuModel: o.cpuModel } : {}) },
    serviceTime: { observed: p.service.observed, modelled: p.service.modelled, modelledByKind: p.service.modelledByKind, model: p.service.model, observedWaits: p.observedWaits, ...(p.offCpu.ops > 0 ? { offCpu: p.offCpu } : {}) },
    results,
    baseline: base === undefined ? null : labelOf(base),
    comparison,
    verdict: verdictOf(results, labelOf, o.mode),
    warnings,
  };
}

/** Replays a prepared trace against one strategy (the per-strategy part of a compare). */
export function runPrepared(p: Prepared, strategy: Strategy, onProgress?: (completed: number) => void): StrategyResult {
  return runOne(p.columns, p.service.ns, strategy, onProgress === undefined ? p.simOptions : { ...p.simOptions, onProgress }, p.table);
}

/**
 * Ops replayed per strategy (-1: not started), for a progress meter: `report` tells `onProgress`
 * (at most every call of it; the meter throttles its drawing).
 */
function progressBoard(names: string[], opsEach: number, onProgress: ((p: ReplayProgress) => void) | undefined): { done: Int32Array; report: () => void } {
  const done = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, names.length))).fill(-1);
  const progress: ReplayProgress = { strategies: names, done, opsEach };
  return { done, report: onProgress === undefined ? () => {} : () => onProgress(progress) };
}

/** Replays one trace against each strategy (by spec or instance), in this thread. */
export function replayStrategies(trace: LoadedTrace, strategies: (string | Strategy)[], options: ReplayOptions = {}, selection: { files?: string[]; tasks?: string[] } = {}): ReplayResult {
  const p = prepare(trace, options);
  const instances = strategies.map((s) => (typeof s === 'string' ? createStrategy(s) : s));
  refuseRepeatedLabels(instances.map((s) => strategyLabel(s.name, s.options)));
  const board = progressBoard(instances.map((s) => strategyLabel(s.name, s.options)), p.columns.n, options.onProgress);
  const results = instances.map((strategy, i) => {
    board.done[i] = 0;
    board.report();
    const r = runPrepared(p, strategy, options.onProgress === undefined ? undefined : (n) => {
      board.done[i] = n;
      board.report();
    });
    board.done[i] = p.columns.n;
    board.report();
    return r;
  });
  return assemble(trace, p, results, options, selection);
}

/**
 * The same, with the strategies spread over `threads` threads: this one and threads - 1 workers
 * (strategy specs, so each worker makes its own instances). Results, and so the JSON, are
 * identical to a serial run. `pool`, when given, is workers started earlier (before the import)
 * for this call: its thread count wins over `threads`, and the call closes it.
 */
export async function replayStrategiesParallel(trace: LoadedTrace, specs: string[], options: ReplayOptions, selection: { files?: string[]; tasks?: string[] }, threads: number, pool?: StrategyPool): Promise<ReplayResult> {
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const p = prepare(trace, options);
    const { loadStrategy } = await import('../strategies/user.js');
    const board = progressBoard(specs, p.columns.n, options.onProgress);
    const runSpec = async (spec: string, index: number): Promise<StrategyResult> => {
      const strategy = await loadStrategy(spec);
      Atomics.store(board.done, index, 0);
      board.report();
      const r = runPrepared(p, strategy, options.onProgress === undefined ? undefined : (n) => {
        Atomics.store(board.done, index, n);
        board.report();
      });
      Atomics.store(board.done, index, p.columns.n);
      board.report();
      return r;
    };
    const used = pool?.threads ?? Math.max(1, Math.min(threads, specs.length));
    let results: StrategyResult[];
    if (used <= 1) {
      results = [];
      for (let i = 0; i < specs.length; i++) results.push(await runSpec(specs[i], i));
    } else {
      if (pool === undefined) {
        const { ReplayPool } = await import('./pool.js');
        pool = new ReplayPool(used);
      }
      // the workers' progress shows while this thread waits for them
      timer = options.onProgress === undefined ? undefined : setInterval(board.report, 250);
      results = await pool.run(p.columns, p.table, p.service.ns, p.simOptions, specs, runSpec, options.onProgress === undefined ? undefined : board.done);
    }
    return assemble(trace, p, results, options, selection);
  } finally {
    if (timer !== undefined) clearInterval(timer);
    await pool?.close();
  }
}

/** Two 32-bit FNV-style lanes over every op's fields: cheap enough for millions of ops. */
export function opsDigest(source: readonly Op[] | OpColumns): string {
  const c = columnsOf(source);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  const fileHash = new Map<string, number>();
  const mix = (x: number): void => {
    const lo = x >>> 0;
    const hi = Math.floor(x / 4294967296) >>> 0;
    a = Math.imul(a ^ lo, 16777619);
    a = Math.imul(a ^ hi, 16777619);
    b = Math.imul(b ^ lo, 2246822519);
    b = Math.imul(b ^ hi, 3266489917);
  };
  for (let i = 0; i < c.n; i++) {
    const file = c.files[c.file[i]];
    let f = fileHash.get(file);
    if (f === undefined) {
      f = 0;
      for (let j = 0; j < file.length; j++) f = Math.imul(f ^ file.charCodeAt(j), 16777619);
      fileHash.set(file, f);
    }
    const kind = OP_KINDS[c.kind[i]];
    const durNs = c.durNs[i];
    const parent = c.parentOf(i);
    mix(c.tsNs[i]);
    mix(durNs === durNs ? durNs : -1);
    mix(c.pid[i]);
    mix(f);
    mix(kind.length * 131 + kind.charCodeAt(0) + kind.charCodeAt(kind.length - 1) * 7);
    mix(c.offset[i]);
    mix(c.lengthBytes[i]);
    mix(parent === parent ? parent : -1);
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}-${c.n}`;
}

const BYTE_KIND = Uint8Array.from(OP_KINDS, (k) => (k === 'read' || k === 'write' || k === 'dio-read' || k === 'dio-write' ? 1 : 0));

/** the outcome arrays of the last run on each table, overwritten by the next (fresh pages are slow) */
const outcomesOf = new WeakMap<OpTable, OpOutcomes>();

/**
 * Replays the ops against one strategy and summarises the run. `table` is opTable(ops), built once
 * when several strategies replay the same ops.
 */
export function runOne(source: readonly Op[] | OpColumns, serviceNs: Float64Array, strategy: Strategy, options: SimOptions, table?: OpTable): StrategyResult {
  const ops = columnsOf(source);
  table ??= opTable(ops);
  const sim = simulate(ops, serviceNs, strategy, options, table, outcomesOf.get(table));
  outcomesOf.set(table, sim.outcomes);
  refuseInexactTime(sim.outcomes, ops.length, sim.makespanNs, (i) => ops.line[i], options.inputName ?? 'the input');
  refuseInexactStall(sim.stalled, ops.length, (i) => ops.idOf(i), (i) => ops.line[i], options.inputName ?? 'the input');
  const perKind: (Counted | undefined)[] = new Array(OP_KINDS.length).fill(undefined);
  let bytes = 0;
  const o = sim.outcomes;
  const kindOf = table.kind;
  const lengthBytes = table.lengthBytes;
  // kinds in order of first appearance (the order the totals are summed in)
  const seen: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    if (o.done[i] === 0) continue;
    const k = kindOf[i];
    let h = perKind[k];
    if (h === undefined) {
      perKind[k] = h = { lat: new BucketCounts(), wait: new BucketCounts(), bytes: 0, latSumNs: 0, waitSumNs: 0 };
      seen.push(k);
    }
    const latNs = Math.max(0, Math.round(o.endNs[i] - o.intendedNs[i]));
    const waitNs = Math.max(0, Math.round(o.lockWaitNs[i]));
    h.lat.record(latNs);
    h.wait.record(waitNs);
    // (the exact sums give the mean: the histogram's own is of its buckets, and can exceed the max)
    h.latSumNs += latNs;
    h.waitSumNs += waitNs;
    if (BYTE_KIND[k] === 1) {
      h.bytes += lengthBytes[i];
      bytes += lengthBytes[i];
    }
  }
  const all: Recorded = { lat: newRecordingHistogram(), wait: newRecordingHistogram(), bytes: 0, latSumNs: 0, waitSumNs: 0 };
  const hists = new Map<string, Recorded>();
  for (const k of seen) {
    const c = perKind[k] as Counted;
    const h: Recorded = { lat: newRecordingHistogram(), wait: newRecordingHistogram(), bytes: c.bytes, latSumNs: c.latSumNs, waitSumNs: c.waitSumNs };
    c.lat.addTo(h.lat);
    c.wait.addTo(h.wait);
    hists.set(OP_KINDS[k], h);
  }
  for (const h of hists.values()) {
    all.lat.add(h.lat);
    all.wait.add(h.wait);
    all.bytes += h.bytes;
    all.latSumNs += h.latSumNs;
    all.waitSumNs += h.waitSumNs;
  }
  const byKind: Record<string, KindResult> = {};
  for (const kind of [...hists.keys()].sort()) byKind[kind] = kindResult(hists.get(kind) as Recorded);
  const allResult = kindResult(all);
  for (const h of [all, ...hists.values()]) {
    h.lat.destroy();
    h.wait.destroy();
  }
  const locks: StrategyResult['locks'] = {};
  for (const cls of [...sim.lockStats.keys()].sort()) {
    const s = sim.lockStats.get(cls)!;
    locks[cls] = { ...s, waitTotalNs: Math.round(s.waitTotalNs), waitMaxNs: Math.round(s.waitMaxNs), holdTotalNs: Math.round(s.holdTotalNs), spinNs: Math.round(s.spinNs) };
  }
  const cpuCapacityNs = options.cpus * sim.makespanNs;
  return {
    strategy: strategy.name,
    strategyOptions: { ...strategy.options },
    completedOps: sim.completed,
    throughput: {
      opsPerSec: perSecond(sim.completed, sim.makespanNs),
      mibPerSec: perSecond(bytes / 1048576, sim.makespanNs),
      makespanNs: Math.round(sim.makespanNs),
    },
    all: allResult,
    byKind,
    locks,
    cpuWaitTotalNs: Math.round(sim.cpuWaitTotalNs),
    // (the per-op CPU waits are not read after the simulation here: their array is the timeline's scratch)
    timeline: timelineOf(sim.outcomes, sim.outcomes.cpuWaitNs),
    cpu: { busyNs: Math.round(sim.cpuBusyNs), spinNs: Math.round(sim.spinNs), utilisation: cpuCapacityNs > 0 ? Math.round((sim.cpuBusyNs / cpuCapacityNs) * 10000) / 10000 : 0 },
    races: findRaces(ops, sim.outcomes, 3, table, raceScratch(sim.outcomes)),
    deadlock: sim.stalled === undefined ? null : { atNs: Math.round(sim.stalled.atNs), reason: sim.stalled.reason, cycle: sim.stalled.cycle, blocked: sim.stalled.blocked },
  };
}

/**
 * The race check's scratch in outcome arrays nothing reads after the histograms and the timeline
 * above (intended times, lock waits, and the CPU waits the timeline used): no 24 bytes an op more.
 */
function raceScratch(o: OpOutcomes): RaceScratch {
  const n = o.done.length;
  return { rStart: o.intendedNs, rEnd: o.lockWaitNs, order: new Int32Array(o.cpuWaitNs.buffer, o.cpuWaitNs.byteOffset, 2 * n) };
}

/** one kind's latencies and lock waits counted by bucket (stats/bucket-counts.ts), with their exact sums */
interface Counted {
  lat: BucketCounts;
  wait: BucketCounts;
  bytes: number;
  latSumNs: number;
  waitSumNs: number;
}

/** one kind's (or all ops') latencies and lock waits as recorded, with their exact sums */
interface Recorded {
  lat: Histogram;
  wait: Histogram;
  bytes: number;
  latSumNs: number;
  waitSumNs: number;
}

function kindResult(h: Recorded): KindResult {
  return {
    count: h.lat.totalCount,
    bytes: h.bytes,
    latency: percentiles(h.lat, h.lat.maxValue, h.latSumNs),
    lockWait: percentiles(h.wait, h.wait.maxValue, h.waitSumNs),
    latencyHistogram: encodeHistogram(h.lat),
    lockWaitHistogram: encodeHistogram(h.wait),
  };
}

let version: string | undefined;
function toolVersion(): string {
  if (version === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string };
      version = pkg.version;
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
