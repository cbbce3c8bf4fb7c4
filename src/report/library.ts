/**
 * The library's functions that take results, as src/index.ts exports them: each checks its result
 * arguments first (result-argument.ts), so that a JavaScript caller's undefined, a parsed file of
 * another kind or a result cut short is a LockreplayError (exit 2) naming the argument, not a
 * TypeError deep inside. The CLI calls the functions themselves, on results loadResult checked.
 */
import type { ReplayResult } from '../model/result.js';
import { assertComparable as comparable, check as checkResults, type CheckNames, type CheckReport, type Thresholds } from './check.js';
import { resultCsv as csv } from './csv.js';
import { renderReport as render, type ReportFormat } from './emit.js';
import { hgrmFiles as hgrm } from './hgrm.js';
import { resultsHtml as html } from './html.js';
import { resultJson as json } from './json.js';
import { compareMarkdown as markdown } from './markdown.js';
import { assertResultArgument, assertResultsArgument } from './result-argument.js';
import { formatCompare as compareTable, formatReplay as replayTable } from './table.js';

/** the result JSON as replay/compare --out write it */
export function resultJson(result: ReplayResult): string {
  assertResultArgument(result, 'result');
  return json(result);
}

/** one self-contained HTML page of the results */
export function resultsHtml(results: ReplayResult[]): string {
  assertResultsArgument(results, 'results');
  return html(results);
}

export function compareMarkdown(result: ReplayResult): string {
  assertResultArgument(result, 'result');
  return markdown(result);
}

export function resultCsv(results: ReplayResult[]): string {
  assertResultsArgument(results, 'results');
  return csv(results);
}

/** file name → HdrHistogram percentile distribution text, one per strategy and op kind */
export function hgrmFiles(result: ReplayResult): Map<string, string> {
  assertResultArgument(result, 'result');
  return hgrm(result);
}

export function formatCompare(result: ReplayResult): string {
  assertResultArgument(result, 'result');
  return compareTable(result);
}

export function formatReplay(result: ReplayResult): string {
  assertResultArgument(result, 'result');
  return replayTable(result);
}

export function renderReport(results: ReplayResult[], format: Exclude<ReportFormat, 'hgrm'>): string {
  assertResultsArgument(results, 'results');
  return render(results, format);
}

export function assertComparable(current: ReplayResult, baseline: ReplayResult, currentName: string, baselineName: string): void {
  assertResultArgument(current, 'current');
  assertResultArgument(baseline, 'baseline');
  comparable(current, baseline, currentName, baselineName);
}

/** `lockreplay check`: compares `current` with `baseline`, strategy by strategy and metric by metric */
export function check(current: ReplayResult, baseline: ReplayResult, thresholds: Thresholds, names?: CheckNames): CheckReport {
  assertResultArgument(current, 'current');
  assertResultArgument(baseline, 'baseline');
  return checkResults(current, baseline, thresholds, names);
}
