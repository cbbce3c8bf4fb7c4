/**
 * HdrHistogram's percentile-distribution text (.hgrm), exactly as HdrHistogram writes it, so
 * existing plotters (HistogramLogAnalyzer, the hdrhistogram.github.io plotter) accept it.
 * Values are in microseconds (the histograms hold ns; scaling ratio 1000).
 */
import { decodeHistogram } from '../stats/histogram.js';
import type { ReplayResult } from '../model/result.js';
import { labelOf } from '../model/labels.js';

export const HGRM_TICKS_PER_HALF = 5;
export const HGRM_SCALE_NS_TO_US = 1000;

export function hgrmText(encodedHistogram: string): string {
  const h = decodeHistogram(encodedHistogram);
  return h.outputPercentileDistribution(HGRM_TICKS_PER_HALF, HGRM_SCALE_NS_TO_US);
}

/**
 * One .hgrm per strategy and op kind (and "all"): file name → text. Two labels of one safe name
 * ("mine:a" and "mine_a", or "None" and "none" on a file system that ignores case) are told apart
 * by a number ("mine_a-2"): the second strategy's files replaced the first's.
 */
export function hgrmFiles(result: ReplayResult): Map<string, string> {
  const files = new Map<string, string>();
  const taken = new Set<string>();
  for (const s of result.results) {
    let base = safeName(labelOf(s));
    for (let n = 2; taken.has(base.toLowerCase()); n++) base = `${safeName(labelOf(s))}-${n}`;
    taken.add(base.toLowerCase());
    files.set(`${base}.all.hgrm`, hgrmText(s.all.latencyHistogram));
    for (const [kind, k] of Object.entries(s.byKind)) files.set(`${base}.${kind}.hgrm`, hgrmText(k.latencyHistogram));
  }
  return files;
}

export function safeName(label: string): string {
  // (cut: a file name is at most 255 bytes, and the longest suffix, "-N.collapse-range.hgrm", needs some)
  return label.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, MAX_SAFE_NAME);
}

/** the longest name safeName makes: the rest of 255 bytes holds a "-N" and the longest ".KIND.hgrm" */
const MAX_SAFE_NAME = 200;

export interface HgrmRow {
  value: number;
  percentile: number;
  totalCount: number;
}

/** Parses .hgrm text back (for tests and for users' own tooling). */
export function parseHgrm(text: string): { rows: HgrmRow[]; mean: number; max: number; totalCount: number } {
  const rows: HgrmRow[] = [];
  let mean = NaN;
  let max = NaN;
  let totalCount = NaN;
  for (const line of text.split('\n')) {
    const m = /^\s*([\d.]+)\s+([\d.]+)\s+(\d+)\s+([\d.]+|inf)\s*$/.exec(line);
    if (m) {
      rows.push({ value: Number(m[1]), percentile: Number(m[2]), totalCount: Number(m[3]) });
      continue;
    }
    const f = /^#\[Mean\s*=\s*([\d.]+), StdDeviation\s*=\s*([\d.]+)\]/.exec(line);
    if (f) mean = Number(f[1]);
    const x = /^#\[Max\s*=\s*([\d.]+), Total count\s*=\s*(\d+)\]/.exec(line);
    if (x) {
      max = Number(x[1]);
      totalCount = Number(x[2]);
    }
  }
  return { rows, mean, max, totalCount };
}
