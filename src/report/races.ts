/** Races as text: one line per example, one summary per strategy (shared by every exporter). */
import type { Race, RaceSide } from '../model/result.js';
import type { StrategyResult } from '../model/result.js';
import { fmtNs } from './table.js';

export function fmtRange(start: number, end: number | null): string {
  return `[${start}, ${end === null ? '∞' : end})`;
}

export function fmtSide(x: RaceSide): string {
  return `${x.kind} ${fmtRange(x.start, x.end)} by ${x.pid} (${x.comm}) at ${fmtNs(x.fromNs)}-${fmtNs(x.toNs)}`;
}

/** one example: "FILE: A overlaps B" */
export function fmtRace(r: Race): string {
  return `${r.file}: ${fmtSide(r.a)} overlaps ${fmtSide(r.b)}`;
}

/** "35 races (stale-instantiation 33, io-to-freed-blocks 2)" */
export function dataRaceSummary(s: StrategyResult): string {
  return severitySummary(s, 'data', s.races.count, 'race');
}

/** "4 ordering overlaps (dio-write-overlap 4)" */
export function orderingSummary(s: StrategyResult): string {
  return severitySummary(s, 'ordering', s.races.ordering, 'ordering overlap');
}

/** both, the ordering part only when there is one */
export function raceSummary(s: StrategyResult): string {
  return s.races.ordering > 0 ? `${dataRaceSummary(s)}; ${orderingSummary(s)}` : dataRaceSummary(s);
}

function severitySummary(s: StrategyResult, severity: 'data' | 'ordering', total: number, noun: string): string {
  const classes = s.races.byClass.filter((c) => c.severity === severity).map((c) => `${c.class} ${c.count}`);
  return `${total} ${noun}${total === 1 ? '' : 's'}${classes.length > 0 ? ` (${classes.join(', ')})` : ''}`;
}
