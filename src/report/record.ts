/** `lockreplay record`'s summary as text: what was captured, then the import summary of the capture. */
import type { ImportSummary } from '../model/import-summary.js';
import { terminalSafe } from '../util/terminal.js';
import { formatImportSummary } from './import-summary.js';

/** what a capture reports (record/recorder.ts RecordResult, as plain data) */
export interface CaptureReport {
  out: string;
  lines: number;
  durationMs: number;
  tracingMs: number;
  recorderCpuMs: number;
  drainsWhileTracing: number;
  lostEvents: number;
  interrupted: boolean;
  command?: { argv: string[]; exitCode: number | null; signal?: string | null };
  missingEvents: string[];
  eventsByName: Record<string, number>;
}

export function formatRecord(r: CaptureReport, summary: ImportSummary): string {
  const out: string[] = [];
  out.push(`captured ${r.lines.toLocaleString('en-US')} event lines into ${terminalSafe(r.out)} in ${(r.durationMs / 1000).toFixed(1)} s; lost events: ${r.lostEvents}${r.interrupted ? ' (interrupted: what was captured is kept)' : ''}`);
  out.push(`the recorder used ${r.recorderCpuMs} ms of CPU while tracing (${r.tracingMs > 0 ? ((100 * r.recorderCpuMs) / r.tracingMs).toFixed(0) : '0'}% of one CPU over ${(r.tracingMs / 1000).toFixed(1)} s): CPU the workload did not have; it read the ring buffer ${r.drainsWhileTracing} time(s) while tracing (when a CPU's buffer was half full), the rest at the end`);
  if (r.command) out.push(`command ${r.command.argv.map(terminalSafe).join(' ')} exited with ${r.command.exitCode ?? `signal ${r.command.signal}`}`);
  if (r.missingEvents.length > 0) out.push(`events this kernel lacks (skipped): ${r.missingEvents.join(', ')}`);
  const top = Object.entries(r.eventsByName).sort((a, b) => b[1] - a[1]);
  out.push(`events per kind: ${top.map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  out.push('', formatImportSummary(summary));
  return `${out.join('\n')}\n`;
}
