/** Names and ratios derived from results alone (plain functions of model/result.ts data). */
import type { ReplayResult, StrategyResult } from './result.js';

export function labelOf(r: StrategyResult): string {
  return strategyLabel(r.strategy, r.strategyOptions);
}

/** "name", or "name:key=value,..." with the options that differ from their defaults */
export function strategyLabel(name: string, options: Readonly<Record<string, string | number | boolean>>): string {
  const defaults: Record<string, string | number | boolean> = { fairness: 'fifo', prefault: false, buffered: 'syscall', segments: 64, minSegmentBytes: 65536, rwsem: 'linux', hz: 250 };
  const nonDefault = Object.entries(options).filter(([k, v]) => defaults[k] !== v);
  return nonDefault.length === 0 ? name : `${name}:${nonDefault.map(([k, v]) => `${k}=${v}`).join(',')}`;
}

/** Each result's ratios to the baseline's: throughput, all-ops p99, total lock wait. */
export function compareToBaseline(results: StrategyResult[], base: StrategyResult): ReplayResult['comparison'] {
  return results.map((r) => {
    // a run that stopped at a deadlock measured only the ops done before it: no ratio means anything
    const stopped = r.deadlock !== null || base.deadlock !== null;
    return {
      strategy: labelOf(r),
      throughputRatio: stopped ? null : ratio(r.throughput.opsPerSec, base.throughput.opsPerSec),
      p99Ratio: stopped ? null : ratio(r.all.latency.p99, base.all.latency.p99),
      lockWaitRatio: stopped ? null : ratio(sumWait(r), sumWait(base)),
      races: r.races.count,
      deadlock: r.deadlock !== null,
    };
  });
}

function sumWait(r: StrategyResult): number {
  let s = 0;
  for (const l of Object.values(r.locks)) s += l.waitTotalNs;
  return s;
}

/** a ÷ b to 4 decimals; null when the baseline is 0 and the value is not (no meaningful ratio) */
function ratio(a: number, b: number): number | null {
  if (b === 0) return a === 0 ? 1 : null;
  return Math.round((a / b) * 10000) / 10000;
}

/**
 * The first label that two of `labels` share, if any: a result names its strategies by label
 * (the verdict, the baseline, check and merge match them by it), so two runs under one label
 * would make them ambiguous.
 */
export function repeatedLabel(labels: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l)) return l;
    seen.add(l);
  }
  return undefined;
}

/** a deadlock cycle's pids in wait order, back to the first: "201 → 301 → 201"; a long one cut after its first 8 */
export function cyclePids(pids: number[]): string {
  const shown = 8;
  if (pids.length <= shown) return [...pids, pids[0]].join(' → ');
  return `${pids.slice(0, shown).join(' → ')} → … ${pids.length - shown} more → ${pids[0]}`;
}
