/** A compact comparison table for GitHub job summaries and pull requests. */
import type { ReplayResult } from '../model/result.js';
import { labelOf } from '../model/labels.js';
import { fmtNs } from './table.js';
import { fmtRace, raceSummary } from './races.js';

/**
 * text for a Markdown table cell: its syntax characters escaped, control characters (a newline ends
 * the row) made visible, and bidi overrides and isolates too (one reversed the rest of its line,
 * the words after it that are not the value's)
 */
export function mdEscape(text: string): string {
  return text.replace(/[|\\`*_<>[\]&]/g, (c) => (c === '&' ? '&amp;' : `\\${c}`)).replace(/\n/g, ' ').replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '?');
}


export function compareMarkdown(result: ReplayResult): string {
  const o = result.options;
  const lines: string[] = [];
  lines.push(`### lockreplay: ${mdEscape(result.input.trace)}`);
  lines.push('');
  lines.push(`${result.input.ops.toLocaleString('en-US')} ops on ${result.input.files} files · ${o.mode} mode${o.mode === 'open' ? ` ×${o.timeScale}` : ''} · ${o.cpus} CPUs${o.cpuModel !== undefined ? ` · CPU model ${o.cpuModel}` : ''} · baseline ${mdEscape(result.baseline ?? '—')}`);
  lines.push('');
  lines.push(`**Verdict:** ${mdEscape(result.verdict.text)}`);
  lines.push('');
  lines.push('| strategy | ops/s | p50 | p99 | p99.9 | max | lock wait | spinning | throughput × | p99 × | races | deadlock |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  result.results.forEach((s, i) => {
    const c = result.comparison[i];
    const wait = Object.values(s.locks).reduce((a, l) => a + l.waitTotalNs, 0);
    const ratio = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : x.toFixed(3));
    const dl = s.deadlock === null ? '' : s.deadlock.cycle.length > 0 ? `**${s.deadlock.cycle.length}-task cycle**` : '**stall**';
    lines.push(`| ${mdEscape(labelOf(s))} | ${s.throughput.opsPerSec.toFixed(0)} | ${fmtNs(s.all.latency.p50)} | ${fmtNs(s.all.latency.p99)} | ${fmtNs(s.all.latency.p99_9)} | ${fmtNs(s.all.latency.max)} | ${fmtNs(wait)} | ${fmtNs(s.cpu.spinNs)} | ${ratio(c?.throughputRatio)} | ${ratio(c?.p99Ratio)} | ${s.races.count} | ${dl} |`);
  });
  const withRaces = result.results.filter((s) => s.races.count > 0 || s.races.ordering > 0);
  if (withRaces.length > 0) {
    lines.push('', '**Races by conflict class** (docs/races.md):', '');
    for (const s of withRaces) {
      lines.push(`- ${mdEscape(labelOf(s))}: ${mdEscape(raceSummary(s))}`);
      for (const c of s.races.byClass) if (c.first.length > 0) lines.push(`  - ${mdEscape(c.class)} (${mdEscape(c.consequence)}), first: ${mdEscape(fmtRace(c.first[0]))}`);
    }
  }
  for (const w of result.warnings) lines.push('', `> ${mdEscape(w)}`);
  return `${lines.join('\n')}\n`;
}
