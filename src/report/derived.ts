/**
 * The parts of a result derived from its strategies' numbers: `baseline` (one of its strategies),
 * `comparison` (the ratios to the baseline, one row per strategy, in order) and the verdict's `safe`
 * and `unsafe` lists. The reports show them as they are (a table's row i takes comparison[i]), so a
 * result whose ratios were edited, reordered or left behind by removing a strategy would show one
 * strategy's ratios beside another's numbers, or call a strategy with races safe. (The verdict's
 * text and rankings are not compared: their wording and tolerances may change between versions.)
 */
import type { ReplayResult } from '../model/result.js';
import { canonicalJson } from '../model/comparable.js';
import { compareToBaseline, labelOf } from '../model/labels.js';
import { verdictOf } from '../model/verdict.js';

/** "the first field that disagrees, with what the strategies give", or undefined when all agree */
export function derivedProblem(r: ReplayResult): string | undefined {
  const labels = r.results.map(labelOf);
  if (r.baseline === null) {
    if (labels.length > 0) return `baseline is null, but the result has strategies (${clipList(labels)})`;
  } else if (!labels.includes(r.baseline)) {
    return `baseline is ${JSON.stringify(r.baseline)}, which is none of its strategies (${clipList(labels) || 'none'})`;
  }
  const base = r.results.find((s) => labelOf(s) === r.baseline);
  const derived = base === undefined ? [] : compareToBaseline(r.results, base);
  if (r.comparison.length !== derived.length) return `comparison has ${r.comparison.length} rows, but the result has ${derived.length} strategies`;
  for (let i = 0; i < derived.length; i++) {
    if (canonicalJson(r.comparison[i]) !== canonicalJson(derived[i])) return `comparison[${i}] is ${clip(canonicalJson(r.comparison[i]))}, but strategy ${derived[i].strategy} against the baseline gives ${canonicalJson(derived[i])}`;
  }
  const verdict = verdictOf(r.results, labelOf, r.options.mode);
  for (const field of ['safe', 'unsafe'] as const) {
    if (canonicalJson(r.verdict[field]) !== canonicalJson(verdict[field])) return `verdict.${field} is ${clip(canonicalJson(r.verdict[field]))}, but the strategies' races and deadlocks give ${clip(canonicalJson(verdict[field]))}`;
  }
  return undefined;
}

function clip(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 197)}...`;
}

function clipList(labels: string[]): string {
  return clip(labels.join(', '));
}
