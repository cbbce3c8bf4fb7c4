/** `check` results for people: values with their units, failing rows always, every row on request. */
import type { CheckReport, CheckRow } from './check.js';
import { table } from './import-summary.js';
import { fmtNs } from './table.js';
import { mdEscape } from './markdown.js';
import { terminalSafe } from '../util/terminal.js';


/** a metric's value with its unit: ops/s for throughput, counts for races, deadlock and presence, else a duration */
export function fmtMetric(metric: string, value: number): string {
  // (to the result's 3 decimals, trailing zeros left out: a change of 0.001 ops/s shows)
  if (metric === 'throughput') return `${Number(value.toFixed(3))} ops/s`;
  if (metric === 'deadlock' || metric === 'completed' || metric === 'present' || metric.startsWith('present[') || metric.startsWith('races')) return String(value);
  return value < 0 ? `-${fmtNs(-value)}` : fmtNs(value);
}

/** the summary line; `esc` makes the strategies' names safe where it goes (a terminal by default) */
export function checkSummary(report: CheckReport, esc: (text: string) => string = terminalSafe): string {
  const missing = report.missing.length > 0 ? `; MISSING from the result (in the baseline): ${report.missing.map(esc).join(', ')}` : '';
  const extra = report.unmatched.length > 0 ? `; not in the baseline: ${report.unmatched.map(esc).join(', ')}` : '';
  const skipped = report.skipped > 0 ? `; ${report.skipped} not comparable (skipped: ${esc(skippedStrategies(report))})` : '';
  return `${report.regressions === 0 ? 'pass' : `${report.regressions} regression${report.regressions === 1 ? '' : 's'}`}: ${report.rows.length} checks${missing}${extra}${skipped}`;
}

/** "range-lock: the baseline completed 0 ops (deadlocked), the result 3", per strategy with skipped rows */
function skippedStrategies(report: CheckReport): string {
  const notes = new Map<string, string>();
  for (const r of report.rows) if (r.skipped !== undefined && !notes.has(r.strategy)) notes.set(r.strategy, r.skipped.replace(/^not comparable: /, ''));
  return [...notes].map(([strategy, note]) => `${strategy}: ${note}`).join('; ');
}

/** The failing rows (every row when `verbose`), then the summary line. */
export function formatCheck(report: CheckReport, verbose: boolean): string {
  const shown = verbose ? report.rows : report.rows.filter((r) => !r.pass);
  const out: string[] = [];
  if (shown.length > 0) {
    const rows = [['strategy', 'metric', 'baseline', 'current', 'worse by', 'allowed', '']];
    for (const r of shown) rows.push(row(r));
    out.push(table(rows));
  }
  out.push(checkSummary(report) + (verbose || report.rows.length === shown.length ? '' : ' (--verbose shows every row)'));
  return `${out.join('\n')}\n`;
}

function row(r: CheckRow): string[] {
  return [terminalSafe(r.strategy), terminalSafe(r.metric), fmtMetric(r.metric, r.baseline), fmtMetric(r.metric, r.current), fmtMetric(r.metric, r.worseBy), fmtMetric(r.metric, r.allowed), r.skipped !== undefined ? 'skipped' : r.pass ? 'ok' : 'REGRESSION'];
}

/** The Markdown `check` appends to the GitHub job summary: the summary line, and the failing rows. */
export function checkMarkdown(report: CheckReport): string {
  const failed = report.rows.filter((r) => !r.pass);
  const table = failed.length > 0 ? `| strategy | metric | baseline | current |\n|---|---|---:|---:|\n${failed.map((r) => `| ${mdEscape(r.strategy)} | ${mdEscape(r.metric)} | ${fmtMetric(r.metric, r.baseline)} | ${fmtMetric(r.metric, r.current)} |`).join('\n')}\n` : '';
  return `### lockreplay check: ${checkSummary(report, mdEscape)}\n\n${table}`;
}
