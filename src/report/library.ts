/**
 * The library's functions that take results, as src/index.ts exports them: each checks its result
 * arguments first (result-argument.ts), so that a JavaScript caller's undefined, a parsed file of
 * another kind or a result cut short is a LockreplayError (exit 2) naming the argument, not a
 * TypeError deep inside; so do those taking check's report (check-report-argument.ts) and their
 * other arguments (util/arguments.ts). The CLI calls the functions themselves, on results loadResult checked.
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
import { assertCheckReportArgument } from './check-report-argument.js';
import { formatCheck as checkTable } from './check-format.js';
import { checkJunit as junit } from './junit.js';
import { expectBoolean, expectNumber, expectObject, expectString, kindOf } from '../util/arguments.js';
import { ExitCode, type ExitCodeValue, LockreplayError } from '../errors.js';
import { loadResult as load } from './load.js';
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
  expectString(currentName, 'currentName');
  expectString(baselineName, 'baselineName');
  comparable(current, baseline, currentName, baselineName);
}

/** Reads a result JSON file and checks it (load.ts): `badInputCode` is the exit code of a file that is no result */
export function loadResult(path: string, badInputCode: ExitCodeValue = ExitCode.badInput, derivedParts = true): ReplayResult {
  // (a number would be read as a file descriptor: loadResult(0) read standard input)
  expectString(path, 'loadResult path');
  if (!(Object.values(ExitCode) as unknown[]).includes(badInputCode)) throw new LockreplayError(`loadResult badInputCode: expected one of the ExitCode values, not ${kindOf(badInputCode)}`, ExitCode.usage);
  expectBoolean(derivedParts, 'loadResult derivedParts');
  return load(path, badInputCode, derivedParts);
}

/** `lockreplay check`: compares `current` with `baseline`, strategy by strategy and metric by metric */
export function check(current: ReplayResult, baseline: ReplayResult, thresholds: Thresholds, names?: CheckNames): CheckReport {
  assertResultArgument(current, 'current');
  assertResultArgument(baseline, 'baseline');
  if (names !== undefined) {
    expectObject(names, 'check names', 'an object { current, baseline } of the names the messages use');
    expectString(names.current, 'check names.current');
    expectString(names.baseline, 'check names.baseline');
  }
  return checkResults(current, baseline, thresholds, names);
}

/** check's report for people: the failing rows (every row when `verbose`), then the summary line */
export function formatCheck(report: CheckReport, verbose: boolean): string {
  assertCheckReportArgument(report, 'report');
  expectBoolean(verbose, 'formatCheck verbose', true);
  return checkTable(report, verbose === true);
}

/** check's report as JUnit XML: `timestamp` (UTC, YYYY-MM-DDTHH:MM:SS) and `timeS` (seconds the check took) are the run's */
export function checkJunit(report: CheckReport, timestamp: string, timeS: number): string {
  assertCheckReportArgument(report, 'report');
  expectString(timestamp, 'checkJunit timestamp');
  expectNumber(timeS, 'checkJunit timeS', 0);
  return junit(report, timestamp, timeS);
}
