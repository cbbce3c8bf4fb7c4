import type { ImportSummary } from '../model/import-summary.js';
import { printable, terminalSafe, terminalText } from '../util/terminal.js';

/** The human summary of an import: ops per kind and per file, and where every line went. */
export function formatImportSummary(summary: ImportSummary, maxFiles = 8): string {
  // (no string of it breaks a line: the input's path, a note)
  const s = printable(summary);
  const out: string[] = [];
  const l = s.lines;
  out.push(`${s.input}: ${s.format} trace, ${l.total.toLocaleString('en-US')} lines, ${s.cpus === undefined ? 'CPU count unknown' : `${s.cpus} CPUs`}`);
  const span = s.firstTsNs !== undefined && s.lastTsNs !== undefined ? ` over ${((s.lastTsNs - s.firstTsNs) / 1e9).toFixed(3)} s` : '';
  out.push(`ops: ${s.ops.total.toLocaleString('en-US')}${span}; observed lock events: ${s.observedLocks.toLocaleString('en-US')}${s.schedWakes !== undefined ? `; scheduler wakes: ${s.schedWakes.toLocaleString('en-US')}` : ''}${s.schedSleeps !== undefined ? `; task sleeps: ${s.schedSleeps.toLocaleString('en-US')}` : ''}`);
  const kinds = Object.keys(s.ops.byKind);
  const files = Object.keys(s.ops.byFile);
  if (kinds.length > 0) {
    const shownFiles = files.slice(0, maxFiles);
    const rows: string[][] = [['file', ...kinds, 'total']];
    for (const f of shownFiles) {
      const per = s.ops.byFile[f];
      rows.push([f, ...kinds.map((k) => String(per[k] ?? '')), String(Object.values(per).reduce((a, b) => a + b, 0))]);
    }
    if (files.length > shownFiles.length) {
      const rest: Record<string, number> = {};
      for (const f of files.slice(maxFiles)) for (const [k, n] of Object.entries(s.ops.byFile[f])) rest[k] = (rest[k] ?? 0) + n;
      rows.push([`(${files.length - shownFiles.length} more files)`, ...kinds.map((k) => String(rest[k] ?? '')), String(Object.values(rest).reduce((a, b) => a + b, 0))]);
    }
    rows.push(['all files', ...kinds.map((k) => String(s.ops.byKind[k])), String(s.ops.total)]);
    out.push(table(rows));
  }
  out.push(`lines: ${l.used.toLocaleString('en-US')} used, ${(l.total - l.used - l.bad).toLocaleString('en-US')} skipped, ${l.bad} bad`);
  for (const [reason, n] of Object.entries(l.skipped)) out.push(`  skipped ${reason}: ${n.toLocaleString('en-US')}`);
  for (const b of l.badSamples) out.push(`  bad ${b}`);
  // an op stream's own lines (the lines above are the trace it was made from)
  const own = s.opStreamLines;
  if (own !== undefined) {
    out.push(`op stream lines: ${own.used.toLocaleString('en-US')} used, ${(own.total - own.used - own.bad).toLocaleString('en-US')} skipped, ${own.bad} bad`);
    for (const b of own.badSamples) out.push(`  bad ${b}`);
  }
  if (s.lostEvents > 0) out.push(`lost events: ${s.lostEvents}`);
  for (const n of s.notes) out.push(`note: ${n}`);
  return terminalText(`${out.join('\n')}\n`);
}

/** columns aligned; each cell terminalSafe (a file or a lock class, from a trace, is a key) */
export function table(cells: string[][]): string {
  const rows = cells.map((r) => r.map(terminalSafe));
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}
