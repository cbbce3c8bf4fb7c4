/**
 * The answer a compare is run for: which strategies ran without races or deadlock on this
 * workload, and which of those is fastest, by throughput and by p99, against the unserialised
 * lower bound (`none`) when it was run.
 */
import type { StrategyResult } from './result.js';

export interface Verdict {
  /** strategies with no race (data conflicts) and no deadlock, in run order */
  safe: string[];
  /** the others, with why */
  unsafe: { strategy: string; races: number; deadlock: boolean }[];
  /** among the safe ones (`none` aside: it is the reference), the highest throughput, and its ratio to `none` (null without `none`) */
  fastestByThroughput: { strategy: string; vsNone: number | null } | null;
  /** among the safe ones, the lowest all-ops p99, and its ratio to `none` */
  fastestByP99: { strategy: string; vsNone: number | null } | null;
  /** `none` keeps the simulated CPUs over 90% busy: differences then are mostly CPU queueing */
  cpuSaturated: boolean;
  /** the verdict in one or two sentences */
  text: string;
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? Math.round((a / b) * 1000) / 1000 : null;
}

export function verdictOf(results: StrategyResult[], labelOf: (r: StrategyResult) => string): Verdict {
  const safeResults = results.filter((r) => r.races.count === 0 && r.deadlock === null);
  const unsafe = results.filter((r) => !safeResults.includes(r)).map((r) => ({ strategy: labelOf(r), races: r.races.count, deadlock: r.deadlock !== null }));
  const none = results.find((r) => r.strategy === 'none' && Object.keys(r.strategyOptions).length === 0);
  let byThroughput: StrategyResult | undefined;
  let byP99: StrategyResult | undefined;
  // `none` is the reference (no locking at all), not a candidate
  for (const r of safeResults) {
    if (r === none) continue;
    if (byThroughput === undefined || r.throughput.opsPerSec > byThroughput.throughput.opsPerSec) byThroughput = r;
    if (byP99 === undefined || r.all.latency.p99 < byP99.all.latency.p99) byP99 = r;
  }
  const fastestByThroughput = byThroughput === undefined ? null : { strategy: labelOf(byThroughput), vsNone: none === undefined ? null : ratio(byThroughput.throughput.opsPerSec, none.throughput.opsPerSec) };
  const fastestByP99 = byP99 === undefined ? null : { strategy: labelOf(byP99), vsNone: none === undefined ? null : ratio(byP99.all.latency.p99, none.all.latency.p99) };
  const cpuSaturated = none !== undefined && none.cpu.utilisation > 0.9;
  const parts: string[] = [];
  const why = unsafe.map((u) => `${u.strategy}: ${u.deadlock ? 'deadlock' : `${u.races} races`}`).join('; ');
  if (fastestByThroughput === null || fastestByP99 === null) {
    if (safeResults.length > 0) parts.push(`only none (no locking) ran without races or deadlock${why === '' ? '' : ` (${why})`}`);
    else parts.push(`no strategy ran without races or deadlock${why === '' ? '' : ` (${why})`}`);
  } else {
    const vs = (x: number | null, what: string): string => (x === null ? '' : ` (${x.toFixed(2)}x the ${what} of none)`);
    parts.push(`safe (no races, no deadlock): ${safeResults.map(labelOf).join(', ')}`);
    parts.push(`fastest safe by throughput: ${fastestByThroughput.strategy}${vs(fastestByThroughput.vsNone, 'throughput')}; by p99: ${fastestByP99.strategy}${vs(fastestByP99.vsNone, 'p99')}`);
    if (unsafe.length > 0) parts.push(`not safe: ${unsafe.map((u) => `${u.strategy} (${u.deadlock ? 'deadlock' : `${u.races} races`})`).join(', ')}`);
  }
  if (cpuSaturated) parts.push(`the simulated CPUs are saturated (none keeps them ${Math.round((none as StrategyResult).cpu.utilisation * 100)}% busy): differences are mostly CPU queueing; more --cpus or a slower --time-scale shows the locks`);
  return { safe: safeResults.map(labelOf), unsafe, fastestByThroughput, fastestByP99, cpuSaturated, text: `${parts.join('. ')}.` };
}
