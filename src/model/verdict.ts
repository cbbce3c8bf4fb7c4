/**
 * The answer a compare is run for: which strategies ran without races or deadlock on this
 * workload, and which of those is fastest, by throughput and by p99, against the unserialised
 * lower bound (`none`) when it was run. A difference is named only when it is meaningful: strategies
 * within a tolerance of the best are named together, and when every safe strategy is within it
 * the verdict says the metric does not rank them (rather than naming whichever is ahead by noise).
 */
import type { StrategyResult } from './result.js';
import type { Verdict } from './result.js';
export type { Ranking, Verdict } from './result.js';

/** throughputs within this fraction of the best are a tie */
export const THROUGHPUT_TIE = 0.01;
/**
 * p99s within this fraction of the best (or, with `none`, of none's) are a tie: a tail percentile
 * moves with the order queued ops are served in, whatever the lock
 */
export const P99_TIE = 0.1;
/** a safe strategy this far below the best throughput is named as the slowest */
const SLOWEST_BELOW = 0.05;
/** CPU busy time above this share of the CPUs' capacity is saturation */
export const CPU_SATURATED = 0.9;



function ratio(a: number, b: number): number | null {
  return b > 0 ? Math.round((a / b) * 1000) / 1000 : null;
}

function fmtMs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`;
}

function fmtRate(opsPerSec: number): string {
  return opsPerSec >= 1000 ? `${(opsPerSec / 1000).toFixed(1)}k ops/s` : `${opsPerSec.toFixed(0)} ops/s`;
}

/** "A", "A and B", "A, B and C" */
function list(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** `mode`, when known, says where a lock-free tail comes from */
export function verdictOf(results: StrategyResult[], labelOf: (r: StrategyResult) => string, mode?: 'open' | 'closed'): Verdict {
  const safeResults = results.filter((r) => r.races.count === 0 && r.deadlock === null);
  const unsafe = results.filter((r) => !safeResults.includes(r)).map((r) => ({ strategy: labelOf(r), races: r.races.count, deadlock: r.deadlock !== null }));
  // no op to replay (a selection that matches nothing, a trace without ops): nothing to rank (a
  // strategy that deadlocked before its first op completed had ops: it is not safe, as below)
  if (results.length > 0 && results.every((r) => r.completedOps === 0 && r.deadlock === null)) {
    return { safe: safeResults.map(labelOf), unsafe, fastestByThroughput: null, throughputRanks: false, fastestByP99: null, p99Ranks: false, cpuSaturated: false, text: 'no op was replayed (the trace or the selection has none): nothing to rank.' };
  }
  const none = results.find((r) => r.strategy === 'none' && Object.keys(r.strategyOptions).length === 0);
  // `none` is the reference (no locking at all), not a candidate
  const candidates = safeResults.filter((r) => r !== none);
  const tp = (r: StrategyResult): number => r.throughput.opsPerSec;
  const p99 = (r: StrategyResult): number => r.all.latency.p99;

  // throughput: best first (run order among equals), ties within THROUGHPUT_TIE of the best
  const byThroughput = [...candidates].sort((a, b) => tp(b) - tp(a));
  const bestTp = byThroughput[0];
  const tpTied = bestTp === undefined ? [] : byThroughput.filter((r) => tp(r) >= tp(bestTp) * (1 - THROUGHPUT_TIE));
  const throughputRanks = tpTied.length < candidates.length;
  const fastestByThroughput = bestTp === undefined ? null : { strategy: labelOf(bestTp), vsNone: none === undefined ? null : ratio(tp(bestTp), tp(none)), tiedWith: tpTied.slice(1).map(labelOf) };

  // p99: lowest first; it ranks only when some safe strategy is out of the tolerance of none's
  // (the lock-free tail), or, without none, of the best
  const byP99 = [...candidates].sort((a, b) => p99(a) - p99(b));
  const bestP99 = byP99[0];
  const p99Tied = bestP99 === undefined ? [] : byP99.filter((r) => p99(r) <= p99(bestP99) * (1 + P99_TIE));
  const withinNone = none !== undefined && candidates.every((r) => Math.abs(p99(r) - p99(none)) <= p99(none) * P99_TIE);
  const p99Ranks = none !== undefined ? !withinNone : p99Tied.length < candidates.length;
  const fastestByP99 = bestP99 === undefined ? null : { strategy: labelOf(bestP99), vsNone: none === undefined ? null : ratio(p99(bestP99), p99(none)), tiedWith: p99Tied.slice(1).map(labelOf) };

  const reference = none ?? [...results].sort((a, b) => a.cpu.utilisation - b.cpu.utilisation)[0];
  const cpuSaturated = reference !== undefined && reference.cpu.utilisation > CPU_SATURATED;

  const parts: string[] = [];
  const races = (n: number): string => `${n} race${n === 1 ? '' : 's'}`;
  const why = unsafe.map((u) => `${u.strategy}: ${u.deadlock ? 'deadlock' : races(u.races)}`).join('; ');
  if (fastestByThroughput === null || fastestByP99 === null) {
    if (safeResults.length > 0) parts.push(`only none (no locking) ran without races or deadlock${why === '' ? '' : ` (${why})`}`);
    else parts.push(`no strategy ran without races or deadlock${why === '' ? '' : ` (${why})`}`);
  } else {
    const vs = (x: number | null, what: string): string => (x === null ? '' : `${x.toFixed(2)}x the ${what} of none`);
    const paren = (...xs: string[]): string => (xs.some((x) => x !== '') ? ` (${xs.filter((x) => x !== '').join('; ')})` : '');
    parts.push(`safe (no races, no deadlock): ${safeResults.map(labelOf).join(', ')}`);
    if (candidates.length === 1) {
      // (one safe strategy besides none: nothing to rank it against)
      parts.push(`the only safe strategy${none === undefined ? '' : ' besides none'}: ${fastestByThroughput.strategy}${paren(vs(fastestByThroughput.vsNone, 'throughput'), vs(fastestByP99.vsNone, 'p99'))}`);
    } else {
      // throughput
      const slowest = byThroughput[byThroughput.length - 1];
      const slow = tp(slowest) < tp(bestTp as StrategyResult) * (1 - SLOWEST_BELOW) ? `; slowest: ${labelOf(slowest)}${paren(none === undefined ? `${(ratio(tp(slowest), tp(bestTp as StrategyResult)) as number).toFixed(2)}x the fastest` : vs(ratio(tp(slowest), tp(none)), 'throughput'))}` : '';
      if (!throughputRanks) {
        parts.push(`throughput does not rank the safe strategies: all within ${THROUGHPUT_TIE * 100}% of ${fmtRate(tp(bestTp as StrategyResult))}${none === undefined ? '' : ` (none: ${fmtRate(tp(none))})`}`);
      } else {
        const tied = tpTied.length > 1 ? `within ${THROUGHPUT_TIE * 100}% of each other` : '';
        parts.push(`fastest safe by throughput: ${list(tpTied.map(labelOf))}${paren(tied, vs(fastestByThroughput.vsNone, 'throughput'))}${slow}`);
      }
      // p99
      if (!p99Ranks) {
        parts.push(none !== undefined
          ? `p99 does not rank them: every safe strategy's p99 is within ${P99_TIE * 100}% of none's (${fmtMs(p99(none))}), a tail with no lock in it (${mode === 'open' ? 'ops due while their own task is still busy with earlier ones, long ops, waits for a CPU' : mode === 'closed' ? 'long ops, waits for a CPU' : 'long ops, ops queued behind their task or for a CPU'})`
          : `p99 does not rank them: all within ${P99_TIE * 100}% of ${fmtMs(p99(bestP99 as StrategyResult))}`);
      } else {
        const tied = p99Tied.length > 1 ? `within ${P99_TIE * 100}% of each other` : '';
        const below = none !== undefined && p99(bestP99 as StrategyResult) < p99(none) * (1 - P99_TIE) ? '; below none\'s: a lock shortens the tail only by making other ops wait' : '';
        const worst = byP99[byP99.length - 1];
        const slowP99 = p99Tied.length < byP99.length ? `; slowest: ${labelOf(worst)}${paren(none === undefined ? `${(ratio(p99(worst), p99(bestP99 as StrategyResult)) as number).toFixed(2)}x the best` : vs(ratio(p99(worst), p99(none)), 'p99'))}` : '';
        parts.push(`fastest safe by p99: ${list(p99Tied.map(labelOf))}${paren(tied, vs(fastestByP99.vsNone, 'p99'))}${below}${slowP99}`);
      }
    }
    if (unsafe.length > 0) parts.push(`not safe: ${unsafe.map((u) => `${u.strategy} (${u.deadlock ? 'deadlock' : races(u.races)})`).join(', ')}`);
  }
  if (cpuSaturated) parts.push(`the simulated CPUs are saturated (${reference === none ? 'none' : labelOf(reference)} keeps them ${(Math.floor(reference.cpu.utilisation * 1000 + 1e-6) / 10).toFixed(1)}% busy): differences are mostly CPU queueing; more --cpus or a slower --time-scale shows the locks`);
  return { safe: safeResults.map(labelOf), unsafe, fastestByThroughput, throughputRanks, fastestByP99, p99Ranks, cpuSaturated, text: `${parts.join('. ')}.` };
}
