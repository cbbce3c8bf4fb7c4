import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeHistogram } from '../src/stats/histogram.js';
import { parseHgrm } from '../src/report/hgrm.js';
import { synthesize } from '../src/synth/scenarios.js';
import { LEGEND_INK, lockWaitStack, TOP_LOCK_CLASSES } from '../src/report/html.js';
import { fmtNs } from '../src/report/table.js';
import { cli, ROOT, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-reports-'));
const resultPath = join(tmp, 'result.json');
const run = cli(['compare', trace('xfs-mix.trace.gz'), '--all', '--mode', 'open', '--time-scale', '0.05', '--out', resultPath, '--html', join(tmp, 'r.html'), '--md', join(tmp, 'r.md'), '--hgrm', join(tmp, 'hgrm')]);
const result = JSON.parse(readFileSync(resultPath, 'utf8'));

describe('check', () => {
  it('exits 0 against its own result', () => {
    expect(run.code).toBe(0);
    // (a copy: the file itself as its own baseline is refused, exit 2)
    const twin = join(tmp, 'result-copy.json');
    writeFileSync(twin, readFileSync(resultPath));
    const r = cli(['check', resultPath, '--baseline', twin]);
    expect(r.code).toBe(0);
    // a passing check prints its summary, not hundreds of rows
    expect(r.stdout).toMatch(/^pass: \d+ checks \(--verbose shows every row\)\n$/);
  });

  it('exits 10 against a baseline whose p99 is better, and names the metric', () => {
    // a baseline whose range-lock has i-mutex's numbers (a lower tail): a whole entry, so that its
    // summary numbers agree with its histograms (the loader refuses an edited p99)
    const better = structuredClone(result);
    better.results[3] = { ...structuredClone(result.results[2]), strategy: result.results[3].strategy, strategyOptions: result.results[3].strategyOptions };
    const basePath = join(tmp, 'better.json');
    writeFileSync(basePath, JSON.stringify(better));
    const junit = join(tmp, 'check.xml');
    const r = cli(['check', resultPath, '--baseline', basePath, '--junit', junit]);
    expect(r.code).toBe(10);
    // the failing rows only, values with units, and the summary
    expect(r.stdout).toMatch(/range-lock\s+p99\s+[\d.]+(ns|µs|ms|s)\s+[\d.]+(ns|µs|ms|s)\s+[\d.]+(ns|µs|ms|s)\s+0ns\s+REGRESSION/);
    expect(r.stdout.trim().split('\n').every((l, i, all) => i === 0 || i === all.length - 1 || /^\s*range-lock\s.*REGRESSION$/.test(l))).toBe(true);
    expect(r.stdout).toMatch(/^\d+ regressions: \d+ checks \(--verbose shows every row\)$/m);
    const verbose = cli(['check', resultPath, '--baseline', basePath, '--verbose']);
    expect(verbose.stdout.trim().split('\n').length).toBeGreaterThan(100);
    expect(verbose.stdout).toMatch(/none\s+throughput\s+[\d.]+ ops\/s\s+[\d.]+ ops\/s\s+0 ops\/s\s+0 ops\/s\s+ok/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase classname="lockreplay.range-lock" name="p99" time="0">\s*<failure message="p99 regressed: [\d.]+(µs|ms|s) vs baseline [\d.]+(µs|ms|s)/);
    expect(xml).toMatch(/<testsuite name="[^"]*" tests="\d+" failures="[1-9]\d*" errors="0" skipped="0" time="\d+\.\d{3}" timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d">/);
    // the tail twice the baseline's at most: within a 101% threshold on each latency metric it passes
    expect(cli(['check', resultPath, '--baseline', basePath, '--threshold', 'p50=101%,p90=101%,p99=101%,p99.9=101%,max=101%,mean=101%']).code).toBe(0);
    // a better tail is never a regression
    expect(cli(['check', basePath, '--baseline', resultPath]).stdout).not.toMatch(/range-lock\s+p99\s/);
  });

  it('exits 10 when the result lacks a strategy the baseline has, naming it (a gate cannot pass on what was not run)', () => {
    const partial = join(tmp, 'partial.json');
    expect(cli(['compare', trace('xfs-mix.trace.gz'), '-s', 'none,i-mutex', '--mode', 'open', '--time-scale', '0.05', '--out', partial]).code).toBe(0);
    const r = cli(['check', partial, '--baseline', resultPath]);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/MISSING from the result \(in the baseline\): page-lock, range-lock, i-rwsem/);
    const j = JSON.parse(cli(['check', partial, '--baseline', resultPath, '--json']).stdout);
    expect(j.missing).toHaveLength(result.results.length - 2);
    expect(j.rows.filter((x: { metric: string; pass: boolean }) => x.metric === 'present' && !x.pass)).toHaveLength(result.results.length - 2);
    // the other way round (the result has more than the baseline) is not a failure
    expect(cli(['check', resultPath, '--baseline', partial]).code).toBe(0);
  });

  it('exits 11 for results that cannot be compared, 2 for a bad threshold', () => {
    const other = join(tmp, 'other.json');
    expect(cli(['compare', trace('xfs-mix.trace.gz'), '--all', '--out', other]).code).toBe(0); // closed mode: other options
    expect(cli(['check', other, '--baseline', resultPath]).code).toBe(11);
    const otherTrace = join(tmp, 'other-trace.json');
    expect(cli(['compare', trace('ext4-dio-buffered.trace.gz'), '--all', '--mode', 'open', '--time-scale', '0.05', '--out', otherTrace]).code).toBe(0);
    const r = cli(['check', otherTrace, '--baseline', resultPath]);
    expect(r.code).toBe(11);
    expect(r.stderr).toMatch(/different ops/);
    expect(cli(['check', join(tmp, 'missing.json'), '--baseline', resultPath]).code).toBe(11);
    writeFileSync(join(tmp, 'junk.json'), '{"schema":"other/9"}');
    expect(cli(['check', join(tmp, 'junk.json'), '--baseline', resultPath]).code).toBe(11);
    expect(cli(['check', resultPath, '--baseline', join(tmp, 'result-copy.json'), '--threshold', 'p77=3%']).code).toBe(2);
  }, 180_000);
});

describe('files written', () => {
  it('compare says where it wrote each file, after the table; on stderr with --json', () => {
    expect(run.code).toBe(0);
    const tail = run.stdout.trimEnd().split('\n').slice(-4);
    expect(tail).toEqual([
      `wrote ${resultPath} (the result JSON)`,
      `wrote ${join(tmp, 'r.html')} (the HTML report)`,
      `wrote ${join(tmp, 'r.md')} (the Markdown table)`,
      expect.stringMatching(new RegExp(`^wrote ${join(tmp, 'hgrm').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ \\.hgrm files, one per strategy and op kind\\)$`)),
    ]);
    const md = join(tmp, 'json-run.md');
    const j = cli(['compare', trace('xfs-mix.trace.gz'), '-s', 'none,i-mutex', '--md', md, '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout).schema).toBe('lockreplay-result/2');
    expect(j.stderr).toBe(`wrote ${md} (the Markdown table)\n`);
  });
});

describe('hgrm', () => {
  it('writes one file per strategy and op kind, in HdrHistogram format, that parses back to the same percentiles', () => {
    const dir = join(tmp, 'hgrm');
    const files = readdirSync(dir).sort();
    expect(files).toContain('range-lock.all.hgrm');
    expect(files).toContain('i-mutex.write.hgrm');
    const text = readFileSync(join(dir, 'range-lock.write.hgrm'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^\s+Value\s+Percentile\s+TotalCount 1\/\(1-Percentile\)$/);
    expect(text).toMatch(/^#\[Mean\s+=\s+[\d.]+, StdDeviation\s+=\s+[\d.]+\]$/m);
    expect(text).toMatch(/^#\[Buckets = +\d+, SubBuckets +=\s+\d+\]$/m);
    const parsed = parseHgrm(text);
    const h = decodeHistogram(result.results[3].byKind.write.latencyHistogram);
    expect(parsed.totalCount).toBe(h.totalCount);
    for (const row of parsed.rows) {
      // the file's values are µs with 3 decimals, the histogram's ns to 3 significant digits
      const expected = h.getValueAtPercentile(row.percentile * 100) / 1000;
      expect(Math.abs(row.value - expected)).toBeLessThanOrEqual(expected * 0.001 + 0.0005);
    }
    expect(parsed.rows.length).toBeGreaterThan(10);
  });
});

describe('merge', () => {
  it('merging a result with a shard of the same numbers doubles every count and keeps every percentile (the result itself twice is refused)', () => {
    const merged = join(tmp, 'merged.json');
    // (the same numbers, other ops of another trace: the same shard twice is refused, exit 11, and so
    // is a shard of the same trace that used the same lines, an overlap)
    const twin = join(tmp, 'twin.json');
    writeFileSync(twin, JSON.stringify({ ...result, input: { ...result.input, trace: `${result.input.trace}-twin`, opsDigest: `${result.input.opsDigest}-twin` } }));
    expect(cli(['merge', resultPath, resultPath, '--out', merged]).code).toBe(11);
    expect(cli(['merge', resultPath, twin, '--out', merged]).code).toBe(0);
    const m = JSON.parse(readFileSync(merged, 'utf8'));
    m.results.forEach((s: typeof result.results[0], i: number) => {
      const o = result.results[i];
      expect(s.completedOps).toBe(2 * o.completedOps);
      expect(s.all.count).toBe(2 * o.all.count);
      expect(s.all.latency).toEqual({ ...o.all.latency, count: 2 * o.all.latency.count });
      for (const [kind, k] of Object.entries(o.byKind) as [string, { count: number; latency: Record<string, number> }][]) {
        expect(s.byKind[kind].count).toBe(2 * k.count);
        expect(s.byKind[kind].latency).toEqual({ ...k.latency, count: 2 * k.latency.count });
      }
      for (const [cls, l] of Object.entries(o.locks) as [string, { acquisitions: number; waitMaxNs: number }][]) {
        expect(s.locks[cls].acquisitions).toBe(2 * l.acquisitions);
        expect(s.locks[cls].waitMaxNs).toBe(l.waitMaxNs);
      }
      expect(s.races.count).toBe(2 * o.races.count);
      expect(s.throughput.opsPerSec).toBeCloseTo(o.throughput.opsPerSec, 0);
    });
    expect(m.input.lines.total).toBe(2 * result.input.lines.total);
  });

  it('merges two time slices of a trace whose histograms reach different maxima (the later shard\'s larger values)', () => {
    const blk = trace('loop0-dio-randrw.blkparse.txt.gz');
    const first = join(tmp, 'slice1.json');
    const second = join(tmp, 'slice2.json');
    expect(cli(['compare', blk, '-s', 'none,i-mutex', '--to', '+0.5', '--out', first]).code).toBe(0);
    expect(cli(['compare', blk, '-s', 'none,i-mutex', '--from', '+0.5', '--out', second]).code).toBe(0);
    const a = JSON.parse(readFileSync(first, 'utf8'));
    const b = JSON.parse(readFileSync(second, 'utf8'));
    // (the case that failed: a slice whose values do not fit the first slice's decoded histogram)
    expect(Math.max(...b.results.map((r: typeof result.results[0]) => r.all.latency.max))).toBeGreaterThan(Math.min(...a.results.map((r: typeof result.results[0]) => r.all.latency.max)));
    const merged = join(tmp, 'slices.json');
    const r = cli(['merge', first, second, '--out', merged]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(merged, 'utf8'));
    m.results.forEach((s: typeof result.results[0], i: number) => {
      expect(s.all.latency.count).toBe(a.results[i].all.latency.count + b.results[i].all.latency.count);
      expect(s.all.latency.max).toBe(Math.max(a.results[i].all.latency.max, b.results[i].all.latency.max));
      expect(decodeHistogram(s.all.latencyHistogram).totalCount).toBe(s.all.latency.count);
    });
  });

  it('refuses results with other strategies or options', () => {
    const other = join(tmp, 'two.json');
    expect(cli(['compare', trace('xfs-mix.trace.gz'), '--strategy', 'none,i-mutex', '--mode', 'open', '--time-scale', '0.05', '--out', other]).code).toBe(0);
    const r = cli(['merge', resultPath, other]);
    expect(r.code).toBe(11);
    expect(r.stderr).toMatch(/strategies differ/);
  });
});

describe('markdown and report', () => {
  it('md is a compact table, also appended to $GITHUB_STEP_SUMMARY', () => {
    const md = readFileSync(join(tmp, 'r.md'), 'utf8');
    expect(md).toMatch(/^\| strategy \| ops\/s \| p50 \| p99 \|/m);
    expect(md.match(/^\| (none|page-lock|i-mutex|range-lock) \|/gm)).toHaveLength(4);
    const summary = join(tmp, 'summary.md');
    writeFileSync(summary, '# before\n');
    const r = cli(['report', resultPath, '--format', 'md'], undefined, { GITHUB_STEP_SUMMARY: summary });
    expect(r.code).toBe(0);
    expect(readFileSync(summary, 'utf8')).toBe(`# before\n${r.stdout}`);
  });

  it('report reads results back in every format', () => {
    for (const f of ['table', 'csv', 'json', 'html']) expect(cli(['report', resultPath, '--format', f]).code).toBe(0);
    expect(cli(['report', resultPath, '--format', 'csv']).stdout.split('\n')[0]).toMatch(/^trace,strategy,kind,count/);
    expect(JSON.parse(cli(['report', resultPath, '--format', 'json']).stdout)).toEqual(result);
    expect(cli(['report', join(tmp, 'nope.json')]).code).toBe(3);
  });
});

describe('lock wait chart', () => {
  const stack = lockWaitStack(result.results);
  const html = readFileSync(join(tmp, 'r.html'), 'utf8');
  const chart = [...html.matchAll(/<div class="chart">(<svg[\s\S]*?<\/svg>)<\/div>/g)].map((m) => m[1]).find((svg) => svg.includes('total lock wait by lock class'));

  it('shows the classes with the most wait and folds the rest into "other", adding up to every run\'s total', () => {
    const classes = new Set(result.results.flatMap((s: { locks: object }) => Object.keys(s.locks)));
    expect(classes.size).toBeGreaterThan(TOP_LOCK_CLASSES + 1);
    expect(stack.series).toHaveLength(TOP_LOCK_CLASSES + 1);
    const other = stack.series[TOP_LOCK_CLASSES];
    expect(other.other).toBe(true);
    expect(other.name).toBe(`other (${other.classes.length} classes)`);
    // largest first, each named class at least as large as any folded one
    const sumOf = (cls: string): number => result.results.reduce((a: number, s: { locks: Record<string, { waitTotalNs: number }> }) => a + (s.locks[cls]?.waitTotalNs ?? 0), 0);
    const named = stack.series.slice(0, TOP_LOCK_CLASSES).map((x) => sumOf(x.name));
    expect(named).toEqual([...named].sort((a, b) => b - a));
    for (const cls of other.classes) expect(sumOf(cls)).toBeLessThanOrEqual(named[named.length - 1]);
    result.results.forEach((s: { locks: Record<string, { waitTotalNs: number }> }, i: number) => {
      const total = Object.values(s.locks).reduce((a, l) => a + l.waitTotalNs, 0);
      expect(stack.totalsNs[i]).toBe(total);
      expect(stack.series.reduce((a, x) => a + x.values[i], 0)).toBeCloseTo(total / 1e6, 6);
    });
  });

  it('is one labelled bar per strategy, stacked by those series, with a legend entry for each', () => {
    expect(chart).toBeDefined();
    const texts = [...(chart as string).matchAll(/<text[^>]*fill="([^"]*)"[^>]*>([^<]*)<\/text>/g)].map((m) => ({ fill: m[1], text: m[2] }));
    expect(texts.filter((t) => t.fill === LEGEND_INK).map((t) => t.text)).toEqual(stack.series.map((x) => x.name));
    // every strategy is named on the axis and its bar labelled with its total wait
    const all = texts.map((t) => t.text);
    for (const s of result.results) expect(all).toContain(s.strategy);
    for (const ns of stack.totalsNs) expect(all).toContain(fmtNs(ns));
    expect(all.filter((t) => /^[\d.]+(ns|µs|ms|s)$/.test(t))).toHaveLength(result.results.length);
  });
});

const chromium = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
interface Box { text: string; legend: boolean; x: number; y: number; w: number; h: number }
describe.skipIf(!existsSync(chromium))('HTML report in headless Chromium', () => {
  async function open(htmlPath: string, screenshot?: string, widthPx = 960) {
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: widthPx, height: 1300 } });
      const errors: string[] = [];
      const dialogs: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('dialog', async (d) => {
        dialogs.push(d.message());
        await d.dismiss();
      });
      page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
      await page.goto(`file://${htmlPath}`);
      const text = await page.innerText('body');
      const images = await page.locator('img').count();
      const svgs = await page.locator('svg').count();
      if (screenshot) await page.screenshot({ path: screenshot });
      const scrollWidthPx = await page.evaluate(() => document.documentElement.scrollWidth);
      // every chart's text as laid out by the browser's own fonts: legend entries (their own ink) and the rest
      const charts = await page.evaluate((legendInk) => [...document.querySelectorAll('.chart svg')].map((svg) => ({
        title: svg.querySelector('text[style*="bold"]')?.textContent ?? '',
        boxes: [...svg.querySelectorAll('text')].filter((t) => (t.textContent ?? '').trim() !== '').map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.textContent ?? '', legend: t.getAttribute('fill') === legendInk, x: r.left, y: r.top, w: r.width, h: r.height };
        }),
      })), LEGEND_INK);
      return { errors, dialogs, requests, text, images, svgs, scrollWidthPx, charts };
    } finally {
      await browser.close();
    }
  }

  it('renders with no console errors, no network, the strategy names and numbers; saves a screenshot', async () => {
    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    const r = await open(join(tmp, 'r.html'), join(ROOT, 'reports', 'report-screenshot.png'));
    expect(r.errors).toEqual([]);
    expect(r.requests).toEqual([]);
    for (const s of ['none', 'page-lock', 'i-mutex', 'range-lock']) expect(r.text).toContain(s);
    expect(r.text).toContain(String(Math.round(result.results[2].throughput.opsPerSec)));
    expect(r.svgs).toBeGreaterThanOrEqual(8);
    expect(r.text).toMatch(/none: no races, no deadlock/);
  }, 60_000);

  /** legend entries whose box meets another text's (an axis label, a tick label, the title, a bar label, another entry) */
  function overlaps(charts: { title: string; boxes: Box[] }[]): string[] {
    const found: string[] = [];
    const meet = (a: Box, b: Box): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    for (const c of charts) {
      c.boxes.forEach((a, i) => {
        if (!a.legend) return;
        c.boxes.forEach((b, j) => {
          if (j !== i && !(b.legend && j < i) && meet(a, b)) found.push(`${c.title}: legend "${a.text}" meets ${b.legend ? 'legend' : 'text'} "${b.text}"`);
        });
      });
    }
    return found;
  }

  it.each([1280, 390])('at %i px no legend entry of any chart overlaps an axis label, tick label or title', async (widthPx) => {
    const r = await open(join(tmp, 'r.html'), undefined, widthPx);
    expect(r.charts.length).toBeGreaterThanOrEqual(8);
    // the legends were found: one entry per strategy on the latency charts, one per series on the lock chart
    expect(r.charts.filter((c) => c.boxes.some((b) => b.legend)).length).toBeGreaterThanOrEqual(r.charts.length - 2);
    expect(r.charts.find((c) => c.title === 'all latency')?.boxes.filter((b) => b.legend).map((b) => b.text)).toEqual(result.results.map((s: { strategy: string }) => s.strategy));
    expect(overlaps(r.charts)).toEqual([]);
  }, 60_000);

  it('fits a 390 px phone screen: no horizontal scrolling of the page (wide tables scroll by themselves)', async () => {
    const r = await open(join(tmp, 'r.html'), undefined, 390);
    expect(r.errors).toEqual([]);
    expect(r.scrollWidthPx).toBeLessThanOrEqual(390);
    expect(r.text).toContain('Timeline');
  }, 60_000);

  it('a trace with a long path (150 characters, no spaces) fits 390 px and 1280 px: headings wrap anywhere (they made the page 2,292 px wide)', async () => {
    const dir = join(tmp, `${'d'.repeat(60)}_${'traces_2024_01_01_fio_randrw_16jobs_xfs_nvme0n1'.repeat(1)}`);
    mkdirSync(dir, { recursive: true });
    const tracePath = join(dir, `${'run3_'.repeat(9)}long.trace`);
    writeFileSync(tracePath, synthesize('seed-race', { seed: 1, ops: 20 }));
    expect(tracePath.length).toBeGreaterThan(150);
    const html = join(tmp, 'long.html');
    expect(cli(['compare', tracePath, '--strategy', 'none,i-mutex', '--html', html]).code).toBe(0);
    for (const widthPx of [390, 1280]) {
      const r = await open(html, undefined, widthPx);
      expect(r.errors).toEqual([]);
      expect(r.scrollWidthPx, `${widthPx} px`).toBeLessThanOrEqual(widthPx);
    }
  }, 60_000);

  it('a comm like <img src=x onerror=alert(1)> in a trace renders as text', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const traceText = synthesize('seed-deadlock', { seed: 1 }).replace(/^ {10}writer-201/gm, `${evil}-201`);
    expect(traceText).toContain(`${evil}-201`);
    const tracePath = join(tmp, 'evil.trace');
    writeFileSync(tracePath, traceText);
    const html = join(tmp, 'evil.html');
    expect(cli(['compare', tracePath, '--strategy', 'range-lock,i-mutex', '--html', html]).code).toBe(0);
    expect(readFileSync(html, 'utf8')).not.toContain(evil);
    const r = await open(html);
    expect(r.dialogs).toEqual([]);
    expect(r.images).toBe(0);
    expect(r.errors).toEqual([]);
    expect(r.text).toContain(evil);
  }, 60_000);
});
