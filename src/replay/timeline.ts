/**
 * Throughput and tail latency per interval of a run (fio's log_avg_msec, per strategy): ops
 * completed in each interval, as ops/s, and the p99 of their latencies. The interval is a round
 * number of ns (1, 2 or 5 × 10^k) that cuts the run into at most 60 pieces.
 */
import type { OpOutcomes } from '../engine/simulator.js';
import { selectKth } from '../util/select.js';
import type { Timeline } from '../model/result.js';
export type { Timeline } from '../model/result.js';


const MAX_INTERVALS = 60;

export function niceIntervalNs(spanNs: number): number {
  const raw = Math.max(1, spanNs / MAX_INTERVALS);
  const base = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * base >= raw) return m * base;
  return 10 * base;
}

/**
 * The timeline of a run. `scratch`, when given (at least as long as the run's ops), holds the
 * grouped latencies instead of a new array, and is overwritten.
 */
export function timelineOf(o: OpOutcomes, scratch?: Float64Array): Timeline {
  const n = o.done.length;
  let first = Infinity;
  let last = -Infinity;
  let completed = 0;
  for (let i = 0; i < n; i++) {
    if (o.done[i] !== 1) continue;
    completed++;
    if (o.startNs[i] < first) first = o.startNs[i];
    if (o.endNs[i] > last) last = o.endNs[i];
  }
  if (completed === 0) return { intervalNs: 0, startNs: 0, opsPerSec: [], p99Ns: [] };
  const intervalNs = niceIntervalNs(last - first);
  const startNs = Math.floor(first / intervalNs) * intervalNs;
  const count = Math.max(1, Math.floor((last - startNs) / intervalNs) + 1);
  // latencies grouped by interval (counting sort by bucket), each group's p99 selected
  const bucketOf = (i: number): number => Math.min(count - 1, Math.floor((o.endNs[i] - startNs) / intervalNs));
  const sizes = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) if (o.done[i] === 1) sizes[bucketOf(i) + 1]++;
  for (let b = 0; b < count; b++) sizes[b + 1] += sizes[b];
  const fill = sizes.slice(0, count);
  const latencies = scratch !== undefined && scratch.length >= completed ? scratch : new Float64Array(completed);
  for (let i = 0; i < n; i++) if (o.done[i] === 1) latencies[fill[bucketOf(i)]++] = o.endNs[i] - o.intendedNs[i];
  const opsPerSec: number[] = [];
  const p99Ns: number[] = [];
  for (let b = 0; b < count; b++) {
    const from = sizes[b];
    const size = sizes[b + 1] - from;
    opsPerSec.push(Math.round((size / intervalNs) * 1e9 * 10) / 10);
    // the value a sort of the group would have at that rank, without the sort
    p99Ns.push(size === 0 ? 0 : Math.round(selectKth(latencies, from, from + size, from + Math.min(size - 1, Math.floor(0.99 * size)))));
  }
  return { intervalNs, startNs: Math.round(startNs), opsPerSec, p99Ns };
}
