import * as hdr from 'hdr-histogram-js';
import type { Percentiles } from '../model/result.js';
export type { Percentiles } from '../model/result.js';

export type Histogram = hdr.Histogram;

/** Latencies in integer nanoseconds, 3 significant digits, 64-bit counts (no silent wrap). */
const SHAPE = { bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 3 } as const;

export function newHistogram(): Histogram {
  return hdr.build({ ...SHAPE, useWebAssembly: false });
}

let wasmReady: boolean | undefined;
function webAssembly(): boolean {
  if (wasmReady === undefined) {
    try {
      hdr.initWebAssemblySync();
      wasmReady = true;
    } catch {
      wasmReady = false;
    }
  }
  return wasmReady;
}

/**
 * A histogram to record millions of values into: hdr-histogram-js's WebAssembly build where it
 * loads (about 4x faster to record; the same counts, percentiles and encoding as the JS build).
 * Call destroy() when done with it.
 */
export function newRecordingHistogram(): Histogram {
  return hdr.build({ ...SHAPE, useWebAssembly: webAssembly() });
}


/**
 * HdrHistogram's percentiles (the highest value equivalent to the recorded ones at 3 significant
 * digits), clamped to the maximum: a percentile is never above the largest value recorded. `maxNs`
 * is the exact maximum when the histogram's own is approximate (a decoded or merged one). The
 * mean is `sumNs` / count when the exact sum of the values is given (the histogram's own mean is
 * of its buckets' values: a single value of 33,663,570 ns had a mean of 33,669,120, above the max),
 * else the histogram's, never above the max.
 */
export function percentiles(h: Histogram, maxNs: number = h.maxValue, sumNs?: number): Percentiles {
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p99_9: 0, max: 0, mean: 0 };
  const at = (p: number): number => Math.min(h.getValueAtPercentile(p), maxNs);
  return {
    count: h.totalCount,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p99_9: at(99.9),
    max: maxNs,
    mean: Math.min(maxNs, Math.round(sumNs !== undefined ? sumNs / h.totalCount : h.mean)),
  };
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/**
 * A histogram from its encoding, growing as values are added to it (the decoder's own histogram
 * has the range of the values it was encoded with: adding a shard with larger ones failed).
 * `fast`: in the WebAssembly build where it loads (its mean and percentiles are about 20x faster to
 * read; call destroy() when done with it).
 */
export function decodeHistogram(encoded: string, fast = false): Histogram {
  const h = hdr.decodeFromCompressedBase64(encoded, 64, fast && webAssembly());
  h.autoResize = true;
  return h;
}
