/**
 * The replay result: versioned data (schema "lockreplay-result/2", documented in docs/result.md).
 * Everything in it is derived from the input and the options: no wall-clock time, no host names,
 * keys in a fixed order, so identical runs give identical bytes.
 */
import type { ConflictSeverity } from './conflicts.js';

/** latency or wait percentiles of a histogram, ns (clamped to the exact maximum) */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  max: number;
  mean: number;
}

export const RESULT_SCHEMA = 'lockreplay-result/2';

export interface KindResult {
  count: number;
  bytes: number;
  /** completion − intended issue, ns */
  latency: Percentiles;
  /** time blocked on locks, ns */
  lockWait: Percentiles;
  /** HdrHistogram V2, compressed, base64 */
  latencyHistogram: string;
  lockWaitHistogram: string;
}

export interface StrategyResult {
  strategy: string;
  strategyOptions: Record<string, string | number | boolean>;
  completedOps: number;
  throughput: { opsPerSec: number; mibPerSec: number; makespanNs: number };
  all: KindResult;
  byKind: Record<string, KindResult>;
  locks: Record<string, LockClassStats>;
  cpuWaitTotalNs: number;
  /**
   * CPU time used (ops' work, lock costs, spinning), the part of it spent spinning on locks, and
   * busy time ÷ (CPUs × makespan)
   */
  cpu: { busyNs: number; spinNs: number; utilisation: number };
  /** throughput and p99 per interval of the run */
  timeline: Timeline;
  /** overlaps of conflicting ops on the simulated schedule, by conflict class (docs/races.md) */
  races: RaceReport;
  /** null, or why the run stopped early: a wait-for cycle, or tasks blocked with nothing left to happen */
  deadlock: null | { atNs: number; reason: 'cycle' | 'stall'; cycle: BlockedTask[]; blocked: BlockedTask[] };
}

export interface ReplayInputInfo {
  trace: string;
  /** a digest of the replayed ops (times, tasks, kinds, files, ranges): equal digests, same ops */
  opsDigest: string;
  format: string;
  lines: LineAccounting;
  ops: number;
  files: number;
  cpusInTrace: number | null;
  /**
   * the trace-clock time of the first op replayed, ns: the replay's virtual time 0 (null without
   * ops; a merge's, its earliest shard's). Absent in results of earlier versions.
   */
  firstOpTsNs?: number | null;
}

export interface ReplayOptionsInfo {
  mode: 'closed' | 'open';
  timeScale: number;
  cpus: number;
  mmapLock: boolean;
  /** optimistic spinning of sleeping locks (docs/costs.md) */
  spin: boolean;
  /** when a task holds a CPU (SimOptions.cpuModel): written only when not the default, 'per-segment' */
  cpuModel?: 'per-segment' | 'preempt-none';
  /** the kernel's observed lock waits were left in the ops' service times */
  keepObservedWaits: boolean;
  /** lock operation costs in ns (docs/costs.md) */
  costs: { atomicNs: number; cacheMissNs: number; wakeupNs: number; spinBaseNs: number; perNodeNs: number };
  cpusSource: 'flag' | 'trace' | 'default';
  pageSizeBytes: number;
  files: string[];
  tasks: string[];
}

export interface ServiceInfo {
  observed: number;
  modelled: number;
  modelledByKind: Record<string, number>;
  model: { byKindAndSize: Record<string, Record<string, number>>; byKind: Record<string, number>; defaultBaseNs: number; defaultPerPageNs: number };
  /** the kernel's lock waits inside the ops (lock:contention_* events) and what was removed from service times */
  observedWaits: ObservedWaitSummary;
  /**
   * the part of the ops' service times their tasks spent asleep, as the trace's sched_switch events
   * show it (replay/off-cpu.ts): replayed off the CPUs. Only when the trace shows any (and absent in
   * results of versions before it).
   */
  offCpu?: OffCpuSummary;
}

export interface ReplayResult {
  schema: typeof RESULT_SCHEMA;
  tool: { name: 'lockreplay'; version: string };
  input: ReplayInputInfo;
  options: ReplayOptionsInfo;
  serviceTime: ServiceInfo;
  /** one entry per strategy, in the order they were run */
  results: StrategyResult[];
  /** the strategy the ratios in `comparison` are relative to */
  baseline: string | null;
  comparison: { strategy: string; throughputRatio: number | null; p99Ratio: number | null; lockWaitRatio: number | null; races: number; deadlock: boolean }[];
  /** which strategies were safe on this workload, and the fastest of them */
  verdict: Verdict;
  warnings: string[];
}

/** Every input line is used, skipped for a named reason, or bad. The three add up to the line count. */
export interface LineAccounting {
  total: number;
  used: number;
  skipped: Record<string, number>;
  bad: number;
  /** the first few bad lines (lenient mode), "file:line: reason" */
  badSamples: string[];
}

export interface LockClassStats {
  acquisitions: number;
  /** acquisitions that waited (in a run stopped at a deadlock, those still waiting too) */
  contentions: number;
  /**
   * the waits' total: each ended wait, and, in a run stopped at a deadlock or a stall, each wait still
   * going, up to the stop (deadlock.atNs)
   */
  waitTotalNs: number;
  /** the longest of those waits */
  waitMaxNs: number;
  /**
   * the holds' total: each from its grant to its release, and, in a run stopped at a deadlock or a
   * stall, each lock still held, up to the stop (deadlock.atNs)
   */
  holdTotalNs: number;
  /** contended acquisitions that spun (all of a spinlock's; optimistic spinners of sleeping locks) */
  spins: number;
  /** CPU time spent spinning on this class, hand-offs included (part of waitTotalNs) */
  spinNs: number;
}

export interface BlockedTask {
  pid: number;
  comm: string;
  opId: number;
  kind: string;
  file: string;
  lockClass: string;
  lockKey: string;
  mode: string;
  start: number;
  /** the range's end; to EOF: Infinity as the replay returns it, null in the result JSON */
  end: number | null;
  sinceNs: number;
  /** pids of the tasks this one waits for: the first WAITS_FOR_SHOWN (16) of them */
  waitsFor: number[];
  /** how many tasks this one waits for (optional in the schema: results written before it have none, and name them all in waitsFor) */
  waitsForCount?: number;
}

export interface RaceSide {
  opId: number;
  pid: number;
  comm: string;
  kind: string;
  /** byte range [start, end); end null = to EOF */
  start: number;
  end: number | null;
  /** critical section in virtual ns */
  fromNs: number;
  toNs: number;
}

export interface Race {
  file: string;
  /** the conflict class (CONFLICT_CLASSES id) and what it harms */
  class: string;
  consequence: string;
  /** the side whose section started first, and the other */
  a: RaceSide;
  b: RaceSide;
}

export interface RaceClassReport {
  class: string;
  severity: ConflictSeverity;
  consequence: string;
  count: number;
  /** the first overlaps of the class in time (by the later side's start), at most `listed` */
  first: Race[];
}

export interface RaceReport {
  /** overlaps of severity `data`: the races the strategy let happen */
  count: number;
  /** overlaps of severity `ordering` (the application owns their order): reported apart, not races */
  ordering: number;
  /** every class with at least one overlap, in the conflict matrix's order */
  byClass: RaceClassReport[];
}

export interface ObservedWaitSummary {
  /** contention records in the trace (after the selection) */
  waits: number;
  /** of them, inside a replayed op */
  attributed: number;
  /** the wait removed from service times (0 with keepObservedWaits), with the spin before it */
  removedNs: number;
  /**
   * of removedNs, the recorded kernel's optimistic spin before its IOLOCK / MMAPLOCK waits (from the
   * task's xfs_ilock call to contention_begin). Only when there was any (and absent in results of
   * versions before it).
   */
  spinNs?: number;
  /** the attributed wait left in service times: classes no strategy models (or all, when kept) */
  keptNs: number;
  /** per op kind: waits and ns removed */
  byKind: Record<string, { waits: number; removedNs: number }>;
  /** keepObservedWaits was set: nothing removed */
  kept: boolean;
}

/** Ops whose time asleep the trace shows (sched-sleep records), and how much of their service it was. */
export interface OffCpuSummary {
  /** ops with a measured share (every other op keeps its kind's rule) */
  ops: number;
  /** their own service time spent asleep */
  asleepNs: number;
  /** per op kind: ops measured, their time asleep and their own service time */
  byKind: Record<string, { ops: number; asleepNs: number; serviceNs: number }>;
}

export interface Ranking {
  /** the best safe strategy (`none` aside) */
  strategy: string;
  /** its ratio to `none` (null without `none`) */
  vsNone: number | null;
  /** the other safe strategies within the tolerance of it, best first */
  tiedWith: string[];
}

export interface Verdict {
  /** strategies with no race (data conflicts) and no deadlock, in run order */
  safe: string[];
  /** the others, with why */
  unsafe: { strategy: string; races: number; deadlock: boolean }[];
  /** among the safe ones (`none` aside: it is the reference), the highest throughput */
  fastestByThroughput: Ranking | null;
  /** false when every safe strategy is within THROUGHPUT_TIE of the best: throughput does not rank them */
  throughputRanks: boolean;
  /** among the safe ones, the lowest all-ops p99 */
  fastestByP99: Ranking | null;
  /** false when every safe strategy's p99 is within P99_TIE of none's (or of the best, without none) */
  p99Ranks: boolean;
  /** `none` (else the least busy run) keeps the simulated CPUs over 90% busy: differences then are mostly CPU queueing */
  cpuSaturated: boolean;
  /** the verdict in a few sentences */
  text: string;
}

export interface Timeline {
  /** the interval's length, ns */
  intervalNs: number;
  /** the first interval starts here (virtual ns) */
  startNs: number;
  /** per interval: ops completed ÷ interval, per second */
  opsPerSec: number[];
  /** per interval: the p99 latency (completion − intended issue) of the ops completed in it, ns; 0 when none */
  p99Ns: number[];
}
