import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BucketCounts, bucketIndexOf, lowestValueOf } from '../../../src/stats/bucket-counts.js';
import { encodeHistogram, newHistogram, newRecordingHistogram, percentiles, type Histogram } from '../../../src/stats/histogram.js';

/** what a result reads of a histogram: its encoding, percentiles, extremes and total */
function readOut(h: Histogram): unknown {
  return { encoded: encodeHistogram(h), pct: percentiles(h), max: h.maxValue, min: h.minNonZeroValue, total: h.totalCount, highest: h.highestTrackableValue };
}

function both(values: number[], make: () => Histogram): [unknown, unknown] {
  const direct = make();
  for (const v of values) direct.recordValue(v);
  const counted = new BucketCounts();
  for (const v of values) counted.record(v);
  const bulk = make();
  counted.addTo(bulk);
  const out: [unknown, unknown] = [readOut(direct), readOut(bulk)];
  direct.destroy();
  bulk.destroy();
  return out;
}

const MAX = 2 ** 53 - 1;
/** values of every magnitude: small, bucket edges, and up to 2^53 - 1 */
const value = fc.oneof(
  fc.integer({ min: 0, max: 4096 }),
  fc.integer({ min: 0, max: 52 }).chain((b) => fc.integer({ min: Math.max(0, 2 ** b - 3), max: Math.min(MAX, 2 ** (b + 1) + 3) })),
  fc.integer({ min: 0, max: MAX }),
);

describe('BucketCounts', () => {
  it('puts a value, and the lowest value of its bucket, where the histogram counts them', () => {
    const h = newHistogram() as Histogram & { countsArrayIndex(v: number): number };
    // (2^k - 1 for large k: the JS build takes floor(log2(v)) in floating point, which rounds up
    // there, and so a bucket higher with a sub-bucket index twice smaller: the same counts index)
    const edges = [0, 1, 2047, 2048, 2049, 4095, 4096, 1e9, 123_456_789_012];
    for (let k = 40; k <= 53; k++) edges.push(2 ** k - 1, 2 ** k - 2, 2 ** k);
    for (const v of edges.filter((e) => e <= MAX)) {
      const i = bucketIndexOf(v);
      expect(i).toBe(h.countsArrayIndex(v));
      expect(h.countsArrayIndex(lowestValueOf(i))).toBe(i);
      expect(bucketIndexOf(lowestValueOf(i))).toBe(i);
    }
  });

  it('fills a histogram as recording each value would (JS and WebAssembly builds)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (values) => {
        const [a, b] = both(values, newHistogram);
        expect(b).toEqual(a);
        const [c, d] = both(values, newRecordingHistogram);
        expect(d).toEqual(c);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the extremes exact: a bucket of equal-looking values keeps its largest and smallest', () => {
    // 1,000,001 and 1,000,500 share a bucket (its lowest value 1,000,000 or near): both ends are exact
    const [a, b] = both([1_000_500, 0, 1_000_001, 7, 7, 0], newRecordingHistogram);
    expect(b).toEqual(a);
    expect((b as { max: number }).max).toBe(1_000_500);
    expect((b as { min: number }).min).toBe(7);
  });

  it('fills a histogram as recording would at the edges of large buckets', () => {
    const values: number[] = [];
    for (let k = 11; k <= 53; k++) values.push(2 ** k - 1, 2 ** k - 2, Math.min(MAX, 2 ** k), Math.min(MAX, 2 ** k + 1));
    for (let cut = 1; cut <= values.length; cut += 7) {
      const some = values.slice(0, cut);
      const [a, b] = both(some, newHistogram);
      expect(b).toEqual(a);
      const [c, d] = both(some, newRecordingHistogram);
      expect(d).toEqual(c);
    }
  });

  it('adds nothing when nothing was counted', () => {
    const [a, b] = both([], newRecordingHistogram);
    expect(b).toEqual(a);
  });
});
