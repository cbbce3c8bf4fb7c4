/**
 * The summary numbers of a result against what they are derived from: a result's percentiles,
 * maxima and means against its histograms (percentiles(), as the replay computes them), its rates
 * against its op counts and makespan (perSecond(), as the replay computes them), its `all` against
 * its op kinds, and its lock wait total against its ops' lock wait histogram. A result whose numbers
 * were edited by hand (a baseline's latency block copied into a regressed candidate) disagrees with
 * itself; `check` must not gate on such numbers.
 */
import type { KindResult, Percentiles, ReplayResult, StrategyResult } from '../model/result.js';
import { labelOf } from '../model/labels.js';
import { decodeHistogram, newHistogram, percentiles, type Histogram } from '../stats/histogram.js';
import { perSecond } from '../stats/rates.js';

const PERCENTILE_FIELDS = ['p50', 'p90', 'p99', 'p99_9'] as const;

/**
 * The mean is the exact mean of the values (their sum over the count), which the histogram knows
 * only to its precision: each value is within half its bucket (1/2048 of it at 3 significant
 * digits) of the value the histogram's mean counts it as. Never above the max.
 */
function meanProblem(h: Histogram, p: Percentiles, field: string, hist: string): string | undefined {
  if (p.mean > p.max) return `${field}.mean is ${p.mean}, above its max ${p.max}`;
  const slack = h.mean / 1024 + 1;
  if (Math.abs(p.mean - h.mean) > slack) return `${field}.mean is ${p.mean}, but ${hist} gives about ${Math.round(h.mean)}`;
  return undefined;
}

/** The first summary number of `r` that its histograms or counters contradict, described; undefined if none. */
export function summaryProblem(r: ReplayResult): string | undefined {
  for (let i = 0; i < r.results.length; i++) {
    const s = r.results[i];
    const made: Histogram[] = [];
    try {
      const problem = strategyProblem(s, r.options.cpus, r.input.opsDigest.startsWith('merged('), made);
      if (problem !== undefined) return `results[${i}] (strategy ${labelOf(s)}): ${problem}`;
    } finally {
      for (const h of made) h.destroy();
    }
  }
  return undefined;
}

function strategyProblem(s: StrategyResult, cpus: number, merged: boolean, made: Histogram[]): string | undefined {
  const decode = (encoded: string): Histogram => {
    const h = decodeHistogram(encoded, true);
    made.push(h);
    return h;
  };
  const kinds = Object.entries(s.byKind);
  const decoded: Record<'latency' | 'lockWait', Histogram[]> = { latency: [], lockWait: [] };
  for (const [where, kr] of [['all', s.all], ...kinds.map(([k, v]): [string, KindResult] => [`byKind.${k}`, v])] as [string, KindResult][]) {
    for (const [field, hist] of [['latency', 'latencyHistogram'], ['lockWait', 'lockWaitHistogram']] as const) {
      const h = decode(kr[hist]);
      if (where !== 'all') decoded[field].push(h);
      const problem = percentilesProblem(h, kr[field], `${where}.${field}`, `${where}.${hist}`);
      if (problem !== undefined) return problem;
    }
  }
  if (s.completedOps !== s.all.count) return `completedOps is ${s.completedOps}, but all.count is ${s.all.count}`;
  if (kinds.length > 0) {
    const count = kinds.reduce((a, [, k]) => a + k.count, 0);
    if (count !== s.all.count) return `all.count is ${s.all.count}, but the op kinds' counts add up to ${count}`;
    const bytes = kinds.reduce((a, [, k]) => a + k.bytes, 0);
    if (bytes !== s.all.bytes) return `all.bytes is ${s.all.bytes}, but the op kinds' bytes add up to ${bytes}`;
    // all's histograms are the op kinds' added: the same percentiles (at all's exact maximum)
    for (const field of ['latency', 'lockWait'] as const) {
      const sum = decode(s.all[field === 'latency' ? 'latencyHistogram' : 'lockWaitHistogram']);
      sum.reset();
      for (const h of decoded[field]) sum.add(h);
      const max = Math.max(...kinds.map(([, k]) => k[field].max));
      if (max !== s.all[field].max) return `all.${field}.max is ${s.all[field].max}, but the op kinds' maximum is ${max}`;
      const p = percentiles(sum, max);
      for (const f of PERCENTILE_FIELDS) if (p[f] !== s.all[field][f]) return `all.${field}.${f} is ${s.all[field][f]}, but the op kinds' histograms added give ${p[f]}`;
      // all's mean is the op kinds' means weighted by their counts (each rounded to the ns)
      const weighted = kinds.reduce((a, [, k]) => a + k[field].mean * k.count, 0) / Math.max(1, s.all.count);
      if (Math.abs(weighted - s.all[field].mean) > 1) return `all.${field}.mean is ${s.all[field].mean}, but the op kinds' means give ${Math.round(weighted)}`;
    }
  } else if (s.all.count !== 0) {
    return `all.count is ${s.all.count}, but byKind has no op kind`;
  }
  return ratesProblem(s) ?? (merged ? undefined : makespanProblem(s, cpus)) ?? locksProblem(s);
}

/** the percentiles of `h`, clamped to the recorded maximum (which must fall in the histogram's top bucket) */
function percentilesProblem(h: Histogram, p: Percentiles, field: string, hist: string): string | undefined {
  if (h.totalCount !== p.count) return `${field}.count is ${p.count}, but ${hist} holds ${h.totalCount} values`;
  if (h.totalCount === 0) {
    for (const f of [...PERCENTILE_FIELDS, 'max'] as const) if (p[f] !== 0) return `${field}.${f} is ${p[f]}, but ${hist} is empty`;
    return undefined;
  }
  if (!sameBucket(p.max, h.getValueAtPercentile(100))) return `${field}.max is ${p.max}, but ${hist}'s largest value is about ${h.getValueAtPercentile(100)}`;
  const derived = percentiles(h, p.max);
  for (const f of PERCENTILE_FIELDS) if (derived[f] !== p[f]) return `${field}.${f} is ${p[f]}, but ${hist} gives ${derived[f]}`;
  return meanProblem(h, p, field, hist);
}

/**
 * ops/s and MiB/s from the op count and bytes over the makespan. The replay divides by the exact
 * makespan, the result holds it rounded to the ns: a rate may differ by its last decimal and by the
 * share of half a ns in the makespan.
 */
function ratesProblem(s: StrategyResult): string | undefined {
  const t = s.throughput;
  if (s.completedOps > 0 && t.makespanNs === 0) return `throughput.makespanNs is 0 with ${s.completedOps} completed ops`;
  for (const [field, amount] of [['opsPerSec', s.completedOps], ['mibPerSec', s.all.bytes / 1048576]] as const) {
    const derived = perSecond(amount, t.makespanNs);
    const slack = 0.0015 + (t.makespanNs > 0 ? derived / t.makespanNs : 0);
    if (Math.abs(derived - t[field]) > slack) return `throughput.${field} is ${t[field]}, but ${field === 'opsPerSec' ? `${s.completedOps} ops` : `${s.all.bytes} bytes`} in ${t.makespanNs} ns give ${derived}`;
  }
  return undefined;
}

/**
 * The makespan against what else measures the run: the CPUs' utilisation is busy time over CPUs ×
 * makespan (to 4 decimals), and the timeline's intervals (the last holds the last op's end, the
 * first the first op's start) span more than all of them but two. (A merged result adds shards'
 * makespans and derives its utilisation otherwise: it is not checked.)
 */
function makespanProblem(s: StrategyResult, cpus: number): string | undefined {
  const m = s.throughput.makespanNs;
  const capacity = cpus * m;
  const utilisation = capacity > 0 ? Math.round((s.cpu.busyNs / capacity) * 10000) / 10000 : 0;
  const slack = 0.00006 + (capacity > 0 ? utilisation * (1 / Math.max(1, s.cpu.busyNs) + 1 / m) : 0);
  if (Math.abs(utilisation - s.cpu.utilisation) > slack) return `cpu.utilisation is ${s.cpu.utilisation}, but busy ${s.cpu.busyNs} ns over ${cpus} CPUs × makespan ${m} ns give ${utilisation}`;
  const t = s.timeline;
  const atLeast = (t.opsPerSec.length - 2) * t.intervalNs;
  if (atLeast > m) return `throughput.makespanNs is ${m}, but the timeline's ${t.opsPerSec.length} intervals of ${t.intervalNs} ns span more than ${atLeast} ns`;
  return undefined;
}

/**
 * Each lock class's counters agree with each other; and, for a run that ended (no deadlock: a
 * deadlocked run's waiting ops count in the classes but not in the histograms), the classes' total
 * wait is the ops' lock waits summed: all's lock wait mean (exact, to the ns) × its count, within
 * the rounding of each op's wait and of the mean (1 ns an op), and 0.2% more (the slack of when the
 * mean was the histogram's, of its buckets).
 */
function locksProblem(s: StrategyResult): string | undefined {
  let total = 0;
  for (const [cls, l] of Object.entries(s.locks)) {
    if (l.contentions > l.acquisitions) return `locks.${cls}.contentions is ${l.contentions}, more than its ${l.acquisitions} acquisitions`;
    if (l.waitMaxNs > l.waitTotalNs) return `locks.${cls}.waitMaxNs is ${l.waitMaxNs}, more than its waitTotalNs ${l.waitTotalNs}`;
    total += l.waitTotalNs;
  }
  if (s.deadlock !== null) return undefined;
  const fromOps = s.all.lockWait.mean * s.all.count;
  if (Math.abs(fromOps - total) > total * 0.002 + s.all.count + 1) return `the lock classes' waitTotalNs add up to ${total} ns, but the ops' lock waits (all.lockWait.mean × count) to about ${fromOps} ns`;
  return undefined;
}

let scratch: Histogram | undefined;

/** two values the histograms cannot tell apart (3 significant digits: one bucket) */
function sameBucket(a: number, b: number): boolean {
  if (!Number.isSafeInteger(a) || a < 0) return false;
  const h = (scratch ??= newHistogram());
  h.reset();
  h.recordValue(a);
  const top = h.getValueAtPercentile(100);
  h.reset();
  h.recordValue(b);
  return top === h.getValueAtPercentile(100);
}
