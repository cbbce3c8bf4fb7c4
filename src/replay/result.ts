/**
 * The replay result: versioned data (schema "lockreplay-result/2", documented in docs/result.md).
 * Everything in it is derived from the input and the options: no wall-clock time, no host names,
 * keys in a fixed order, so identical runs give identical bytes.
 */
import type { LineAccounting } from '../import/accounting.js';
import type { LockClassStats, BlockedTask } from '../engine/simulator.js';
import type { RaceReport } from '../engine/races.js';
import type { Percentiles } from '../stats/histogram.js';
import type { ObservedWaitSummary } from './observed-waits.js';
import type { Verdict } from './verdict.js';
import type { Timeline } from './timeline.js';

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
}

export interface ReplayOptionsInfo {
  mode: 'closed' | 'open';
  timeScale: number;
  cpus: number;
  mmapLock: boolean;
  /** optimistic spinning of sleeping locks (docs/costs.md) */
  spin: boolean;
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
