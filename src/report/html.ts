/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no network), charts
 * rendered to SVG by Apache ECharts' server-side renderer. Every string that comes from a trace or
 * a result is escaped (ECharts escapes the text it draws; everything else goes through escHtml), and
 * the page's control characters and bidi controls, which only such strings bring, are U+FFFD.
 */
import { createRequire } from 'node:module';
import type * as Echarts from 'echarts';
import type { ReplayResult, StrategyResult } from '../model/result.js';
import { fmtRange, orderingSummary, raceSummary } from './races.js';
import { labelOf } from '../model/labels.js';
import { decodeHistogram } from '../stats/histogram.js';
import { DEADLOCK_LINES_SHOWN, fmtNs, waitsForText } from './table.js';

export function escHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const WIDTH = 860;
/**
 * 16 colours that stay apart for 15+ series, colour-blind readers included: Okabe and Ito's eight,
 * then Paul Tol's muted scheme
 */
/** legend text: its own ink, so a test can tell legend entries from axis labels in the SVG */
export const LEGEND_INK = '#333333';
const COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000',
  '#332288', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#CC6677', '#882255'];

/** the height a legend of these names takes above a chart (ECharts wraps it into rows) */
function legendHeight(names: string[]): number {
  let rows = 1;
  let x = 0;
  for (const n of names) {
    const w = 34 + 7 * n.length;
    if (x + w > WIDTH - 40 && x > 0) {
      rows++;
      x = 0;
    }
    x += w;
  }
  return rows * 22;
}

/**
 * ECharts is loaded when a report is drawn, from its single-file CommonJS build: importing its ES
 * modules (hundreds of files) took 0.7 s of every command's start, HTML or not; the bundle 0.15 s.
 */
let echartsLib: typeof Echarts | undefined;
function echarts(): typeof Echarts {
  echartsLib ??= createRequire(import.meta.url)('echarts') as typeof Echarts;
  return echartsLib;
}

function svg(option: Echarts.EChartsOption, height: number): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  chart.setOption({ animation: false, color: COLORS, textStyle: { fontFamily: 'sans-serif' }, ...option });
  const out = chart.renderToSVGString();
  chart.dispose();
  return out;
}

/** Percentile → HdrHistogram's x coordinate 1/(1-p). */
function spectrumPoints(encoded: string): [number, number][] {
  const h = decodeHistogram(encoded);
  const count = h.totalCount;
  if (count === 0) return [];
  const points: [number, number][] = [];
  for (let j = 0; ; j++) {
    const tail = Math.pow(10, -j / 4); // 1, 0.56, 0.32, 0.18, 0.1, ...
    const p = 1 - tail;
    const x = 1 / tail;
    if (x > Math.max(count, 10) * 1.0001) break;
    points.push([round(x), round(h.getValueAtPercentile(p * 100) / 1000)]);
    if (j > 40) break;
  }
  points.push([round(Math.max(count, 10)), round(h.maxValue / 1000)]);
  return points;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function percentLabel(x: number): string {
  const p = 100 * (1 - 1 / x);
  if (p <= 0) return '0%';
  const digits = Math.max(0, Math.round(-Math.log10(100 - p)));
  return `${p.toFixed(Math.min(digits, 5))}%`;
}

function spectrumChart(title: string, series: { name: string; points: [number, number][] }[]): string {
  const legend = legendHeight(series.map((s) => s.name));
  return svg({
    title: { text: title, left: 'center', top: 0, textStyle: { fontSize: 14 } },
    legend: { top: 28, type: 'plain', textStyle: { color: LEGEND_INK } },
    grid: { left: 70, right: 40, top: 28 + legend + 24, bottom: 50 },
    xAxis: { type: 'log', name: 'percentile', nameLocation: 'middle', nameGap: 30, min: 1, axisLabel: { formatter: (v: number) => percentLabel(v) } },
    // a log axis: µs and ms differences both stay visible
    yAxis: { type: 'log', name: 'latency (µs)', nameLocation: 'middle', nameGap: 50, min: (v: { min: number }) => Math.max(0.001, v.min) },
    series: series.map((s) => ({ name: s.name, type: 'line', step: 'end', showSymbol: false, data: s.points.filter((p) => p[1] > 0) })),
  }, 300 + legend);
}

function lineChart(title: string, unit: string, logY: boolean, series: { name: string; points: [number, number][] }[]): string {
  return svg({
    title: { text: title, left: 'center', top: 0, textStyle: { fontSize: 14 } },
    legend: { top: 28, type: 'plain', textStyle: { color: LEGEND_INK } },
    grid: { left: 80, right: 40, top: 90, bottom: 50 },
    xAxis: { type: 'value', name: 'virtual time (ms)', nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: logY ? 'log' : 'value', name: unit, nameLocation: 'middle', nameGap: 60 },
    series: series.map((s) => ({ name: s.name, type: 'line', step: 'end', showSymbol: false, data: s.points })),
  }, 340);
}

function barChart(title: string, unit: string, categories: string[], series: { name: string; values: number[] }[]): string {
  const legend = series.length > 1 ? legendHeight(series.map((s) => s.name)) : 0;
  const many = categories.length > 6;
  return svg({
    title: { text: title, left: 'center', top: 0, textStyle: { fontSize: 14 } },
    legend: series.length > 1 ? { top: 28, textStyle: { color: LEGEND_INK } } : undefined,
    grid: { left: 80, right: 30, top: 28 + legend + (many ? 40 : 24), bottom: many ? 90 : 40 },
    // every category named (rotated when there are many)
    xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: many ? 40 : 0, fontSize: 11 } },
    yAxis: { type: 'value', name: unit, nameLocation: 'middle', nameGap: 60 },
    series: series.map((s) => ({
      name: s.name, type: 'bar', data: s.values.map((v) => round(v)),
      // every bar labelled (upright text over a narrow bar when there are many)
      label: { show: series.length === 1, position: 'top', fontSize: 10, rotate: many ? 90 : 0, align: many ? 'left' : 'center', verticalAlign: 'middle', formatter: (p: { value: unknown }) => Number(p.value).toLocaleString('en-US', { maximumFractionDigits: Number(p.value) >= 100 ? 0 : 1 }) },
      labelLayout: { hideOverlap: false },
    })),
  }, 300 + legend + (many ? 70 : 0));
}

/** the lock classes a lock-wait chart shows by name; the others are folded into one "other" */
export const TOP_LOCK_CLASSES = 5;
const OTHER_COLOR = '#A0A0A0';

export interface LockWaitSeries {
  name: string;
  /** the classes in it: one, or those folded into "other" */
  classes: string[];
  other: boolean;
  /** ms per strategy */
  values: number[];
}

/**
 * The lock-wait chart's series: the TOP_LOCK_CLASSES classes with the most wait summed over every
 * run, largest first, then the rest summed into one "other" series (when more than one is left);
 * classes no run waited on are left out. `totalsNs`: each run's total wait, every class.
 */
export function lockWaitStack(results: StrategyResult[]): { series: LockWaitSeries[]; totalsNs: number[] } {
  const byClass = new Map<string, number>();
  for (const s of results) for (const [cls, l] of Object.entries(s.locks)) byClass.set(cls, (byClass.get(cls) ?? 0) + l.waitTotalNs);
  const ranked = [...byClass].filter(([, ns]) => ns > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([cls]) => cls);
  const shown = ranked.length <= TOP_LOCK_CLASSES + 1 ? ranked : ranked.slice(0, TOP_LOCK_CLASSES);
  const rest = ranked.slice(shown.length);
  const ms = (classes: string[]): number[] => results.map((s) => classes.reduce((a, cls) => a + (s.locks[cls]?.waitTotalNs ?? 0), 0) / 1e6);
  const series: LockWaitSeries[] = shown.map((cls) => ({ name: cls, classes: [cls], other: false, values: ms([cls]) }));
  if (rest.length > 0) series.push({ name: `other (${rest.length} classes)`, classes: rest, other: true, values: ms(rest) });
  const totalsNs = results.map((s) => Object.values(s.locks).reduce((a, l) => a + l.waitTotalNs, 0));
  return { series, totalsNs };
}

/**
 * Horizontal bars, one per category (strategy), stacked by series, each labelled at its end with
 * its total; the first category on top.
 */
function stackedBarChart(title: string, unit: string, categories: string[], series: LockWaitSeries[], totalsNs: number[]): string {
  const legend = legendHeight(series.map((s) => s.name));
  const rowPx = 26;
  const top = 28 + legend + 12;
  const longest = Math.max(...categories.map((c) => c.length));
  // room for the names on the left and the total after the longest bar
  const left = Math.min(320, 16 + 7 * longest);
  const height = top + rowPx * categories.length + 56;
  const STACK = 'wait';
  return svg({
    title: { text: title, left: 'center', top: 0, textStyle: { fontSize: 14 } },
    legend: { top: 28, data: series.map((s) => s.name), textStyle: { color: LEGEND_INK } },
    grid: { left, right: 90, top, bottom: 56 },
    xAxis: { type: 'value', name: unit, nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'category', data: categories, inverse: true, axisLabel: { interval: 0, fontSize: 11 } },
    series: [
      ...series.map((s, i) => ({
        name: s.name, type: 'bar' as const, stack: STACK, barMaxWidth: 18, data: s.values.map((v) => round(v)),
        itemStyle: { color: s.other ? OTHER_COLOR : COLORS[i % COLORS.length] },
      })),
      // a bar of no width at the end of each stack carries the total (every bar labelled, 0 included)
      {
        name: 'total', type: 'bar' as const, stack: STACK, data: totalsNs.map(() => 0), barMaxWidth: 18, itemStyle: { color: 'transparent' },
        label: { show: true, position: 'right', fontSize: 11, color: '#222', formatter: (p: { dataIndex: number }) => fmtNs(totalsNs[p.dataIndex]) },
        labelLayout: { hideOverlap: false },
      },
    ],
  }, height);
}

function table(head: string[], rows: string[][], numericFrom = 1): string {
  const th = head.map((h) => `<th>${escHtml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c, i) => `<td${i >= numericFrom ? ' class="n"' : ''}>${escHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table></div>`;
}

function correctness(s: StrategyResult): string {
  const parts: string[] = [];
  const label = escHtml(labelOf(s));
  if (s.races.count === 0 && s.deadlock === null) {
    const ordering = s.races.ordering > 0 ? ` (${escHtml(orderingSummary(s))}: the application owns their order)` : '';
    return `<p class="ok"><b>${label}</b>: no races, no deadlock${ordering}.</p>`;
  }
  if (s.races.count > 0 || s.races.ordering > 0) {
    parts.push(`<p class="${s.races.count > 0 ? 'bad' : 'ok'}"><b>${label}</b>: ${escHtml(raceSummary(s))}.</p>`);
    const rows = s.races.byClass.map((c) => [c.class, c.severity === 'data' ? 'race' : 'ordering', String(c.count), c.consequence]);
    parts.push(table(['conflict class', 'kind', 'overlaps', 'consequence'], rows, 99));
    const examples = s.races.byClass.flatMap((c) => c.first.map((r) => [c.class, r.file, `${r.a.kind} by ${r.a.pid} (${r.a.comm})`, fmtRange(r.a.start, r.a.end), `${fmtNs(r.a.fromNs)}–${fmtNs(r.a.toNs)}`, `${r.b.kind} by ${r.b.pid} (${r.b.comm})`, fmtRange(r.b.start, r.b.end), `${fmtNs(r.b.fromNs)}–${fmtNs(r.b.toNs)}`]));
    parts.push(`<details><summary>first examples of each class</summary>${table(['class', 'file', 'op', 'range', 'time', 'overlaps op', 'range', 'time'], examples, 99)}</details>`);
  }
  const d = s.deadlock;
  if (d !== null) {
    parts.push(`<p class="bad"><b>${label}</b>: DEADLOCK at ${escHtml(fmtNs(d.atNs))} (${d.cycle.length > 0 ? `${d.cycle.length}-task wait-for cycle` : 'tasks blocked with nothing left to happen'}); the run stopped there.</p>`);
    const list = d.cycle.length > 0 ? d.cycle : d.blocked;
    const rows = list.slice(0, DEADLOCK_LINES_SHOWN).map((b, k) => [String(b.pid), b.comm, `${b.opId} ${b.kind}`, b.file, `${b.lockClass} ${b.mode} [${b.start}, ${b.end === null ? '∞' : b.end}) on ${b.lockKey}`, fmtNs(b.sinceNs), d.cycle.length > 0 ? String(d.cycle[(k + 1) % d.cycle.length].pid) : waitsForText(b)]);
    parts.push(table(['task', 'comm', 'op', 'file', 'waits for', 'since', 'behind task'], rows, 99));
    if (list.length > DEADLOCK_LINES_SHOWN) parts.push(`<p>… ${list.length - DEADLOCK_LINES_SHOWN} more ${d.cycle.length > 0 ? 'tasks in the cycle' : 'blocked tasks'} (the result JSON, --json or -o, lists every one).</p>`);
  }
  return parts.join('\n');
}

function section(r: ReplayResult): string {
  const names = r.results.map(labelOf);
  const o = r.options;
  const out: string[] = [];
  out.push(`<h2>${escHtml(r.input.trace)}</h2>`);
  out.push(`<p>${r.input.ops.toLocaleString('en-US')} ops on ${r.input.files} files · ${escHtml(o.mode)} mode${o.mode === 'open' ? ` ×${o.timeScale}` : ''} · ${o.cpus} CPUs (${escHtml(o.cpusSource)}) · mmap_lock ${o.mmapLock ? 'modelled' : 'off'} · optimistic spinning ${o.spin ? 'on' : 'off'}${o.cpuModel !== undefined ? ` · CPU model ${escHtml(o.cpuModel)}` : ''} · baseline ${escHtml(r.baseline ?? '—')}</p>`);
  const rows = r.results.map((s, i) => {
    const c = r.comparison[i];
    const wait = Object.values(s.locks).reduce((a, l) => a + l.waitTotalNs, 0);
    const ratio = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : x.toFixed(3));
    return [labelOf(s), s.throughput.opsPerSec.toFixed(0), fmtNs(s.throughput.makespanNs), fmtNs(s.all.latency.p50), fmtNs(s.all.latency.p99), fmtNs(s.all.latency.p99_9), fmtNs(s.all.latency.max), fmtNs(wait), fmtNs(s.cpu.spinNs), `${(s.cpu.utilisation * 100).toFixed(1)}%`, ratio(c?.throughputRatio), ratio(c?.p99Ratio), String(s.races.count), s.deadlock === null ? '' : 'DEADLOCK'];
  });
  out.push(`<p class="verdict"><b>Verdict:</b> ${escHtml(r.verdict.text)}</p>`);
  out.push(table(['strategy', 'ops/s', 'makespan', 'p50', 'p99', 'p99.9', 'max', 'lock wait', 'spinning', 'CPU busy', 'throughput ×', 'p99 ×', 'races', 'deadlock'], rows));
  out.push('<h3>Correctness</h3>', ...r.results.map(correctness));
  out.push('<h3>Latency by percentile</h3>', '<p class="note">Completion minus intended issue time, per op kind, one line per strategy; the x axis is HdrHistogram\'s 1/(1−percentile) on a log scale.</p>');
  // kinds with few ops (fsync, one fallocate) get a row in a table, not a chart of their own
  const allKinds = [...new Set(r.results.flatMap((s) => Object.keys(s.byKind)))];
  const fewOps = Math.max(20, r.input.ops / 100);
  const countOf = (kind: string): number => Math.max(...r.results.map((s) => s.byKind[kind]?.count ?? 0));
  const small = allKinds.filter((k) => countOf(k) < fewOps);
  const kinds = ['all', ...allKinds.filter((k) => !small.includes(k))];
  for (const kind of kinds) {
    const series = r.results.flatMap((s) => {
      const encoded = kind === 'all' ? s.all.latencyHistogram : s.byKind[kind]?.latencyHistogram;
      const points = encoded === undefined ? [] : spectrumPoints(encoded);
      return points.length > 0 ? [{ name: labelOf(s), points }] : [];
    });
    if (series.length > 0) out.push(`<div class="chart">${spectrumChart(`${kind} latency`, series)}</div>`);
  }
  if (small.length > 0) {
    const rows = small.flatMap((kind) => r.results.flatMap((s) => {
      const k = s.byKind[kind];
      return k === undefined ? [] : [[kind, labelOf(s), String(k.count), fmtNs(k.latency.p50), fmtNs(k.latency.p99), fmtNs(k.latency.max)]];
    }));
    out.push(`<p class="note">Other kinds (fewer than ${Math.ceil(fewOps)} ops each):</p>`, table(['op kind', 'strategy', 'ops', 'p50', 'p99', 'max'], rows, 2));
  }
  const timed = r.results.filter((s) => s.timeline.opsPerSec.length > 0);
  if (timed.length > 0) {
    out.push('<h3>Timeline</h3>', `<p class="note">Per interval of each run (${escHtml(timed.map((s) => `${labelOf(s)}: ${fmtNs(s.timeline.intervalNs)}`).slice(0, 3).join(', '))}${timed.length > 3 ? ', …' : ''}): ops completed per second, and the p99 latency of the ops completed in it.</p>`);
    const points = (s: StrategyResult, values: number[], scale: number): [number, number][] => values.map((v, k) => [round((s.timeline.startNs + k * s.timeline.intervalNs) / 1e6), round(v / scale)]);
    out.push(`<div class="chart">${lineChart('throughput over time', 'ops/s', false, timed.map((s) => ({ name: labelOf(s), points: points(s, s.timeline.opsPerSec, 1) })))}</div>`);
    out.push(`<div class="chart">${lineChart('p99 latency over time', 'µs', true, timed.map((s) => ({ name: labelOf(s), points: points(s, s.timeline.p99Ns, 1000).filter((p) => p[1] > 0) })))}</div>`);
  }
  out.push('<h3>Throughput and tail latency</h3>');
  out.push(`<div class="chart">${barChart('throughput', 'ops/s', names, [{ name: 'ops/s', values: r.results.map((s) => s.throughput.opsPerSec) }])}</div>`);
  out.push(`<div class="chart">${barChart('p99 latency, all ops', 'µs', names, [{ name: 'p99 µs', values: r.results.map((s) => s.all.latency.p99 / 1000) }])}</div>`);
  const classes = [...new Set(r.results.flatMap((s) => Object.keys(s.locks)))].sort();
  if (classes.length > 0) {
    out.push('<h3>Lock wait by lock class</h3>');
    const stack = lockWaitStack(r.results);
    const folded = stack.series.find((x) => x.other);
    out.push(`<p class="note">Total time ops waited for locks in each run, by lock class: the ${stack.series.length - (folded ? 1 : 0)} classes with the most wait over all runs${folded ? `, the other ${folded.classes.length} folded into "${escHtml(folded.name)}"` : ''}; every class in the table below.</p>`);
    out.push(`<div class="chart">${stackedBarChart('total lock wait by lock class', 'total lock wait (ms)', names, stack.series, stack.totalsNs)}</div>`);
    const lockRows = r.results.flatMap((s) => Object.entries(s.locks).map(([cls, l]) => [labelOf(s), cls, String(l.acquisitions), String(l.contentions), fmtNs(l.waitTotalNs), fmtNs(l.waitMaxNs), fmtNs(l.holdTotalNs)]));
    out.push(table(['strategy', 'lock class', 'acquisitions', 'contentions', 'wait total', 'wait max', 'hold total'], lockRows, 2));
  }
  out.push('<h3>Input and options</h3>');
  const l = r.input.lines;
  const acct = [['total lines', String(l.total)], ['used', String(l.used)], ...Object.entries(l.skipped).map(([k, v]) => [`skipped: ${k}`, String(v)]), ['bad', String(l.bad)]];
  out.push(table(['input line accounting', 'lines'], acct));
  const opts = [
    ['trace', r.input.trace], ['format', r.input.format], ['ops digest', r.input.opsDigest], ['mode', o.mode], ['time scale', String(o.timeScale)], ['CPUs', `${o.cpus} (${o.cpusSource})`],
    ['mmap_lock', o.mmapLock ? 'modelled' : 'off'], ['optimistic spinning', o.spin ? 'on' : 'off'], ['CPU model', o.cpuModel ?? 'per-segment'], ['page size', `${o.pageSizeBytes} bytes`], ['files', o.files.join(', ') || 'all'], ['tasks', o.tasks.join(', ') || 'all'],
    ['service time', `${r.serviceTime.observed} ops observed, ${r.serviceTime.modelled} modelled`], ['tool', `${r.tool.name} ${r.tool.version}`],
  ];
  out.push(table(['option', 'value'], opts, 99));
  for (const w of r.warnings) out.push(`<p class="bad">warning: ${escHtml(w)}</p>`);
  return out.join('\n');
}

/**
 * Characters an HTML document may not hold (C0 controls but tab, line feed, form feed and carriage
 * return; DEL and the C1 controls): the page's own text has none, a trace's or a user module's
 * strings may (a NUL, an ESC in a comm or a strategy's name, in a table or a chart's legend).
 */
const NOT_IN_HTML = /[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]/g;
/**
 * Unicode's bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): from a
 * name, one reversed the rest of its paragraph, the page's own words after it too (the right-to-left
 * text of a name is shown right to left without them)
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

export function resultsHtml(results: ReplayResult[]): string {
  // (each shown as U+FFFD, as a browser shows a NUL: the file stays text, for grep and validators)
  return page(results).replace(NOT_IN_HTML, '\ufffd').replace(BIDI_CONTROLS, '\ufffd');
}

function page(results: ReplayResult[]): string {
  const title = results.length === 1 ? `lockreplay: ${results[0].input.trace}` : `lockreplay: ${results.length} results`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escHtml(title)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 900px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { font-size: 1.05em; margin-top: 1.5em; }
h1, h2, h3, p { overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; }
.ok { color: #2e7d32; } .bad { color: #c62828; } .note { color: #666; font-size: 0.85em; }
.chart svg { max-width: 100%; height: auto; }
.scroll { overflow-x: auto; max-width: 100%; }
@media (max-width: 600px) { body { margin: 1em 0.6em; } table { font-size: 0.75em; } }
</style>
</head>
<body>
<h1>${escHtml(title)}</h1>
<p class="note">Deterministic replay of a real trace against locking strategies (virtual time). Made by lockreplay; self-contained, no network access.</p>
${results.map(section).join('\n')}
</body>
</html>
`;
}
