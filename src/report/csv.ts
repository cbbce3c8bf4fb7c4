/** One row per (strategy, op kind): the numbers of a result for spreadsheets. */
import type { ReplayResult } from '../model/result.js';
import { labelOf } from '../model/labels.js';
import { csvField } from '../util/csv-field.js';
import { terminalSafe } from '../util/terminal.js';

/**
 * A name (the trace's, a strategy's label) as a CSV field: its control characters (an ESC
 * sequence, a line break) and bidi overrides shown as "?", as the table shows them, for this CSV
 * is read on terminals too (report --format csv prints it); and a name that a spreadsheet would
 * take for a formula (see formulaSafe) starts with a "'". The result JSON keeps the name exact.
 */
function nameField(text: string): string {
  return csvField(formulaSafe(terminalSafe(text)));
}

/** what a spreadsheet reads as the start of a formula, in the first character of a cell */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell that does not start a formula when the CSV is opened in a spreadsheet: a name from a
 * trace (its path) or a strategy module that starts with "=", "+", "-", "@", a tab or a carriage
 * return gets a "'" before it (OWASP's rule for CSV injection). Only for names: the numbers this
 * CSV writes are its own and stay numbers (a negative one too); the op stream, which is read back
 * by the importer, keeps every name exact.
 */
export function formulaSafe(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function resultCsv(results: ReplayResult[]): string {
  const rows = ['trace,strategy,kind,count,bytes,p50_ns,p90_ns,p99_ns,p99_9_ns,max_ns,mean_ns,lock_wait_p99_ns,lock_wait_max_ns,ops_per_sec,makespan_ns,races,deadlock'];
  for (const r of results) {
    for (const s of r.results) {
      const kinds = [...Object.entries(s.byKind), ['all', s.all] as const];
      for (const [kind, k] of kinds) {
        const l = k.latency;
        rows.push([nameField(r.input.trace), nameField(labelOf(s)), kind, k.count, k.bytes, l.p50, l.p90, l.p99, l.p99_9, l.max, l.mean, k.lockWait.p99, k.lockWait.max, s.throughput.opsPerSec, s.throughput.makespanNs, s.races.count, s.deadlock === null ? 0 : 1].join(','));
      }
    }
  }
  return `${rows.join('\n')}\n`;
}
