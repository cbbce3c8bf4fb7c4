/**
 * The timeline of merged time or selection shards, on the trace's clock. Each shard's timeline is in
 * its own virtual time, whose 0 is its first op (input.firstOpTsNs on the trace clock); merged, each
 * is put where its first op was in the trace: (its firstOpTsNs − the earliest shard's) ns, × the time
 * scale in open mode, after the earliest shard's 0, to the nearest of its intervals. Time between
 * the shards (a shard with no op, a quiet stretch of the trace) is intervals with no op, not left
 * out as if no time passed. Where intervals of two shards fall into one (shards whose runs overlap in
 * time: selections of one trace, a shard whose last ops ended after the next one's first began) the
 * ops per second add and the p99 is the larger of theirs (an upper bound: the p99 of their ops
 * together is never more). A timeline of more than MAX_MERGED_INTERVALS intervals is cut into longer
 * ones, a multiple of the shards' intervals, as are shards of different interval lengths (to one
 * that both divide).
 */
import type { ReplayResult, Timeline } from '../model/result.js';

/** the most intervals of a merged timeline: longer ones are joined (a single replay's have at most 61) */
export const MAX_MERGED_INTERVALS = 1000;

const NO_TIMELINE: Timeline = { intervalNs: 0, startNs: 0, opsPerSec: [], p99Ns: [] };

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** the trace files a result's ops come from (a merged result's are "a + b") */
function tracesOf(r: ReplayResult): string {
  return [...new Set(r.input.trace.split(' + '))].sort().join('\n');
}

/**
 * Where the merged timeline's virtual 0 is on the trace clock: the earliest first op of the shards
 * with ops (null when none has one; undefined when a shard with ops does not say: a result of an
 * earlier version).
 */
export function mergedFirstOpTsNs(results: ReplayResult[]): number | null | undefined {
  const withOps = results.filter((r) => r.input.ops > 0);
  if (withOps.length === 0) return null;
  const origins = withOps.map((r) => r.input.firstOpTsNs);
  return origins.every((o): o is number => typeof o === 'number') ? Math.min(...origins) : undefined;
}

/** how the shards' timelines are put together: on the trace clock, one after the other (other traces), or not at all */
function placement(results: ReplayResult[], names: string[]): { kind: 'clock' | 'one-after-other' | 'single' } | { kind: 'none'; why: string } {
  const withOps = results.map((r, i) => ({ r, name: names[i] })).filter((x) => x.r.input.ops > 0);
  if (withOps.length <= 1) return { kind: 'single' };
  // (the clocks of other traces say nothing about each other: added as if slices of one, as merge warns)
  if (withOps.some((x) => tracesOf(x.r) !== tracesOf(withOps[0].r))) return { kind: 'one-after-other' };
  const unplaced = withOps.find((x) => typeof x.r.input.firstOpTsNs !== 'number');
  if (unplaced !== undefined) return { kind: 'none', why: `merge: ${unplaced.name} does not record where its first op is in the trace (input.firstOpTsNs: a result of an earlier lockreplay version), so the shards' timelines cannot be put on the trace's clock: the merged result has no timeline (replay that shard again to have one)` };
  return { kind: 'clock' };
}

/** what the merged timelines cannot show, said as warnings (merge.ts mergeWarnings) */
export function timelineWarnings(results: ReplayResult[], names: string[]): string[] {
  const p = placement(results, names);
  return p.kind === 'none' ? [p.why] : [];
}

/** the merged timeline of each strategy (results[k].results[j] is strategy j of every shard) */
export function mergeTimelines(results: ReplayResult[], names: string[]): Timeline[] {
  const strategies = results[0].results.length;
  const p = placement(results, names);
  const withOps = results.filter((r) => r.input.ops > 0);
  const out: Timeline[] = [];
  for (let j = 0; j < strategies; j++) {
    const parts = withOps.map((r) => ({ t: r.results[j].timeline, originNs: r.input.firstOpTsNs })).filter((x) => x.t.opsPerSec.length > 0);
    if (parts.length === 0 || p.kind === 'none') out.push(NO_TIMELINE);
    else if (p.kind === 'single') out.push(parts[0].t);
    else if (p.kind === 'one-after-other') out.push(oneAfterOther(parts.map((x) => x.t)));
    else out.push(onTheClock(parts as { t: Timeline; originNs: number }[], mergedFirstOpTsNs(results) as number, results[0].options.mode === 'open' ? results[0].options.timeScale : 1));
  }
  return out;
}

/** shards of other traces: their intervals one after the other when they are the same length, else none */
function oneAfterOther(timelines: Timeline[]): Timeline {
  if (timelines.some((t) => t.intervalNs !== timelines[0].intervalNs)) return NO_TIMELINE;
  return { intervalNs: timelines[0].intervalNs, startNs: timelines[0].startNs, opsPerSec: timelines.flatMap((t) => t.opsPerSec), p99Ns: timelines.flatMap((t) => t.p99Ns) };
}

/**
 * Each timeline put at its first op's place on the trace clock (originNs), `scale` virtual ns to a
 * trace ns, in intervals every shard's divides, at most MAX_MERGED_INTERVALS of them.
 */
function onTheClock(parts: { t: Timeline; originNs: number }[], originNs: number, scale: number): Timeline {
  // each shard's intervals on the merged clock: from startNs, to the nearest of its own intervals
  const placed = parts.map(({ t, originNs: o }) => {
    const startNs = Math.round(((o - originNs) * scale + t.startNs) / t.intervalNs) * t.intervalNs;
    return { t, startNs, endNs: startNs + t.opsPerSec.length * t.intervalNs };
  });
  const unitNs = placed.reduce((l, x) => (l / gcd(l, x.t.intervalNs)) * x.t.intervalNs, 1);
  const fromNs = Math.min(...placed.map((x) => x.startNs));
  const toNs = Math.max(...placed.map((x) => x.endNs));
  const countWith = (intervalNs: number): number => Math.ceil(toNs / intervalNs) - Math.floor(fromNs / intervalNs);
  let m = Math.max(1, Math.ceil((toNs - fromNs) / unitNs / MAX_MERGED_INTERVALS));
  while (countWith(unitNs * m) > MAX_MERGED_INTERVALS) m++;
  const intervalNs = unitNs * m;
  const first = Math.floor(fromNs / intervalNs);
  const count = countWith(intervalNs);
  // ops × 1e9 (ops per second × the shard's interval) and the largest p99, per merged interval
  const opsNs = new Array<number>(count).fill(0);
  const p99Ns = new Array<number>(count).fill(0);
  for (const { t, startNs } of placed) {
    for (let k = 0; k < t.opsPerSec.length; k++) {
      const at = Math.floor((startNs + k * t.intervalNs) / intervalNs) - first;
      opsNs[at] += t.opsPerSec[k] * t.intervalNs;
      if (t.p99Ns[k] > p99Ns[at]) p99Ns[at] = t.p99Ns[k];
    }
  }
  return { intervalNs, startNs: first * intervalNs, opsPerSec: opsNs.map((x) => Math.round((x / intervalNs) * 10) / 10), p99Ns };
}
