/** What `lockreplay fidelity` reports: plain data (its JSON), built by fidelity/, printed by report/fidelity.ts. */

export type XfsLock = 'IOLOCK' | 'MMAPLOCK';

/** the XFS lock modes an op took (observed) or a plan takes (predicted) */
export type FidelityModes = Partial<Record<XfsLock, 'S' | 'X'>>;

export interface KindFidelity {
  ops: number;
  /** ops with an observable span */
  compared: number;
  iolockAgree: number;
  mmaplockAgree: number;
  /** the share of compared ops whose lock mode agreed; null when none was compared, or when the lock is not observable for the kind */
  iolockPct: number | null;
  mmaplockPct: number | null;
  /** locks not compared for this kind (taken outside xfs_ilock) */
  notObservable: XfsLock[];
}

export interface Disagreement {
  opId: number;
  kind: string;
  pid: number;
  line: number;
  predicted: FidelityModes;
  observed: FidelityModes;
}

export interface WaitComparison {
  samples: number;
  observedMeanNs: number;
  observedP99Ns: number;
  predictedMeanNs: number;
  predictedP99Ns: number;
}

/** how the fidelity replay issues each task's ops (fidelity/index.ts) */
export type FidelityMode = 'closed' | 'open';

export interface FidelityReport {
  trace: string;
  strategy: string;
  /** why `strategy` was replayed when the command named none (fidelity/default-strategy.ts) */
  strategyChosen?: string;
  mode: FidelityMode;
  /** when a replayed task holds a CPU (SimOptions.cpuModel): only when not the default, 'per-segment' */
  cpuModel?: 'per-segment' | 'preempt-none';
  xfsFiles: string[];
  byKind: Record<string, KindFidelity>;
  disagreements: { count: number; first: Disagreement[] };
  /** the gap from an IOLOCK call to the task's next lock event (an upper bound that includes work) beside the replay's per-op wait */
  waits: Record<string, WaitComparison>;
  /**
   * contended acquisitions per lock class and op kind, observed (lock:contention_* events) beside
   * predicted; empty when the trace has no contention events (then only `waits` is there)
   */
  contention: {
    source: 'contention-events' | 'none'; observedWaits: number; wakeLatency: WakeLatencyUsed; rows: ContentionRow[]; replicates?: number;
    /**
     * with --anchor: the same rows predicted by replays re-anchored to the recorded times every
     * `windowNs` (contention.ts anchoredWindows), so that a wait the replay gets wrong moves its
     * task's later ops for one window at most: the model's error apart from the schedule's drift
     */
    anchored?: { windowNs: number; rows: ContentionRow[] };
  };
  notes: string[];
}

/**
 * The wake-up latency the prediction used: `trace`, the capture's own release → contention_end
 * gaps (wake-latency.ts), taken in turn; `none`, woken waiters run again at once.
 */
export interface WakeLatencyUsed {
  source: 'trace' | 'none';
  /** whose waits the gaps are: rwsem readers' (granted on release, no race in the gap), or every waiter's (too few readers) */
  waiters: 'readers' | 'all' | 'none';
  samples: number;
  p50Ns: number;
  p90Ns: number;
  meanNs: number;
  /**
   * when the capture has sched events: the wakes (sched_wakeup → switch-in) inside lock waits,
   * replayed per task (each woken waiter takes its own task's latency nearest in time); the gaps
   * above are then only for tasks without any
   */
  taskWakes?: { wakes: number; tasks: number; p50Ns: number; p90Ns: number; meanNs: number };
}

export interface WaitDistribution {
  /** contended acquisitions */
  count: number;
  p50Ns: number;
  p99Ns: number;
  meanNs: number;
  totalNs: number;
}

export interface ContentionRow {
  /** IOLOCK (i_rwsem), MMAPLOCK (invalidate_lock), mmap_lock */
  lockClass: string;
  kind: string;
  observed: WaitDistribution;
  predicted: WaitDistribution;
  /** predicted ÷ observed count; null when nothing was observed */
  countRatio: number | null;
  /** predicted ÷ observed mean wait per contended acquisition; null when either has none */
  meanRatio: number | null;
  /**
   * with `fidelity --replicates N` (N > 1): the ratios over N replays, the first as above, the others
   * with the capture's wake-up latencies resampled (each task's own, and the pooled gaps, in another
   * order): how much of a miss is the replay's own sensitivity to when waiters wake
   */
  spread?: { replicates: number; countRatio: RatioSpread | null; meanRatio: RatioSpread | null };
}

/** the smallest, median and largest of a ratio over replicate replays */
export interface RatioSpread {
  min: number;
  median: number;
  max: number;
}
