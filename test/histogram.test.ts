import { describe, expect, it } from 'vitest';
import { decodeHistogram, encodeHistogram, newHistogram, percentiles } from '../src/stats/histogram.js';

describe('percentiles', () => {
  it('take the mean from the exact sum when given: the histogram\'s own mean is of its buckets and was above the max', () => {
    const h = newHistogram();
    h.recordValue(33_663_570);
    expect(Math.round(h.mean)).toBeGreaterThan(33_663_570);
    expect(percentiles(h, h.maxValue, 33_663_570).mean).toBe(33_663_570);
    // without the sum, the histogram's mean, but never above the max
    expect(percentiles(h).mean).toBeLessThanOrEqual(percentiles(h).max);
    const two = newHistogram();
    two.recordValue(1_000);
    two.recordValue(2_001);
    expect(percentiles(two, two.maxValue, 3_001).mean).toBe(1_501);
  });

  it('are never above the maximum recorded (HdrHistogram reports the highest equivalent value)', () => {
    const h = newHistogram();
    h.recordValue(28_105_710);
    for (let i = 0; i < 99; i++) h.recordValue(1_000);
    const p = percentiles(h);
    expect(h.getValueAtPercentile(99.9)).toBeGreaterThan(28_105_710);
    expect(p.max).toBe(28_105_710);
    expect(p.p99_9).toBe(28_105_710);
    expect(p.p50).toBeLessThanOrEqual(p.p90);
    // a decoded histogram's maximum is approximate: the exact one is passed in
    const back = percentiles(decodeHistogram(encodeHistogram(h)), 28_105_710);
    expect(back.p99_9).toBe(28_105_710);
    expect(back.max).toBe(28_105_710);
  });
});
