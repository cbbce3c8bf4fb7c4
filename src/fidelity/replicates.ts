/**
 * Replicate replays for `fidelity --replicates N`. A replay is one sample of a sensitive system:
 * which waiter wins a woken lock, and whether a convoy forms, turns on a few microseconds of
 * wake-up latency, and on captures with few, long contentions a replay's count can move by half
 * when the latencies come in another order. The replicates replay the same ops with the capture's
 * own latencies resampled (each task's wakes keep their times and take each other's latencies; the
 * pooled gaps are taken in another order), so a row's spread shows how much of a miss is the
 * replay's own sensitivity. Deterministic: replicate r shuffles with seed r.
 */
import type { TaskWakes } from '../engine/sim-types.js';
import type { ContentionRow, RatioSpread } from '../model/fidelity.js';
import { Prng } from '../util/prng.js';

/** Replicates at most (each is a full replay of the trace). */
export const MAX_REPLICATES = 100;

/** The capture's wake-up latencies in another order, for replicate `seed` (≥ 1). */
export function resampledWakes(pooledNs: Float64Array | undefined, byPid: ReadonlyMap<number, TaskWakes> | undefined, seed: number): { pooledNs: Float64Array | undefined; byPid: Map<number, TaskWakes> | undefined } {
  const rng = new Prng(seed);
  const shuffled = (a: Float64Array): Float64Array => {
    const b = Float64Array.from(a);
    for (let i = b.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      const t = b[i];
      b[i] = b[j];
      b[j] = t;
    }
    return b;
  };
  let own: Map<number, TaskWakes> | undefined;
  if (byPid !== undefined) {
    own = new Map();
    for (const [pid, w] of byPid) own.set(pid, { wokenNs: w.wokenNs, latencyNs: shuffled(w.latencyNs) });
  }
  return { pooledNs: pooledNs === undefined ? undefined : shuffled(pooledNs), byPid: own };
}

function spreadOf(values: number[]): RatioSpread | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  return { min: s[0], median: Math.round(median * 1000) / 1000, max: s[s.length - 1] };
}

/**
 * `base` (the replay with the latencies in their recorded order) with each row's spread over it and
 * the `others`' rows of the same lock class and op kind. A replicate without the row predicted
 * no contention there: count ratio 0, no mean ratio.
 */
export function withSpread(base: ContentionRow[], others: ContentionRow[][]): ContentionRow[] {
  return base.map((row) => {
    const counts: number[] = [];
    const means: number[] = [];
    for (const rows of [base, ...others]) {
      const r = rows.find((x) => x.lockClass === row.lockClass && x.kind === row.kind);
      if (row.countRatio !== null) counts.push(r?.countRatio ?? 0);
      if (r?.meanRatio !== undefined && r.meanRatio !== null) means.push(r.meanRatio);
    }
    return { ...row, spread: { replicates: others.length + 1, countRatio: spreadOf(counts), meanRatio: spreadOf(means) } };
  });
}
