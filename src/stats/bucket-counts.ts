/**
 * Values counted by HdrHistogram bucket in plain JavaScript, then handed to a histogram in one call
 * per bucket: a million ops' latencies cost a million array increments instead of a million calls
 * into the WebAssembly histogram.
 *
 * The bucket layout is the histogram's of stats/histogram.ts (lowest discernible value 1, 3
 * significant digits: 2,048 sub-buckets, the lower half of each bucket after the first covered by
 * the one before). A histogram filled by `addTo` holds what recording each value would have left
 * in it: the same counts (each bucket's count recorded at the bucket's lowest value), total, array
 * size (it grows by the largest value's bucket) and the exact smallest non-zero and largest values
 * (each recorded as it is, once). test/unit/stats/bucket-counts.test.ts compares the two on random
 * values, encodings included.
 */
import type { Histogram } from './histogram.js';

/** log2 of half the sub-buckets (3 significant digits: 2^11 = 2,048 sub-buckets) */
const HALF_MAGNITUDE = 10;
const HALF = 1 << HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * HALF - 1;
const TWO_TO_32 = 2 ** 32;
const POW2 = Float64Array.from({ length: 64 }, (_, k) => 2 ** k);

/** the counts index of integer value v >= 0 (< 2^53) */
export function bucketIndexOf(v: number): number {
  if (v <= SUB_BUCKET_MASK) return v;
  if (v < TWO_TO_32) {
    // (bucket: floor(log2(v)) - 10; the sub-bucket is v's top 11 bits)
    const bucket = 21 - Math.clz32(v);
    return ((bucket + 1) << HALF_MAGNITUDE) + (v >>> bucket) - HALF;
  }
  const bucket = 53 - Math.clz32(Math.floor(v / TWO_TO_32));
  return ((bucket + 1) << HALF_MAGNITUDE) + Math.floor(v / POW2[bucket]) - HALF;
}

/** the lowest value of counts index `index` */
export function lowestValueOf(index: number): number {
  let bucket = (index >> HALF_MAGNITUDE) - 1;
  let sub = (index & (HALF - 1)) + HALF;
  if (bucket < 0) {
    sub -= HALF;
    bucket = 0;
  }
  return sub * POW2[bucket];
}

export class BucketCounts {
  private counts = new Float64Array(4096);
  /** the largest value counted (-1 before any) and the smallest non-zero one (Infinity before any) */
  maxValue = -1;
  minNonZeroValue = Infinity;

  /** counts integer value v, 0 <= v < 2^53 */
  record(v: number): void {
    const i = bucketIndexOf(v);
    if (i >= this.counts.length) this.grow(i);
    this.counts[i]++;
    if (v > this.maxValue) this.maxValue = v;
    if (v > 0 && v < this.minNonZeroValue) this.minNonZeroValue = v;
  }

  /** Adds every value counted to `h` (a histogram that grows: stats/histogram.ts), once: it uses up the counts. */
  addTo(h: Histogram): void {
    if (this.maxValue < 0) return;
    const counts = this.counts;
    const max = this.maxValue;
    const min = this.minNonZeroValue;
    // the extremes as they are, each once (the histogram keeps them exact); the rest by bucket
    h.recordValue(max);
    counts[bucketIndexOf(max)]--;
    if (min !== Infinity && min !== max) {
      h.recordValue(min);
      counts[bucketIndexOf(min)]--;
    }
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i];
      if (c > 0) h.recordValueWithCount(lowestValueOf(i), c);
    }
  }

  private grow(i: number): void {
    let n = this.counts.length;
    while (n <= i) n *= 2;
    const grown = new Float64Array(n);
    grown.set(this.counts);
    this.counts = grown;
  }
}
