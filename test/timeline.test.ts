import { describe, expect, it } from 'vitest';
import { loadForReplay, replayStrategies } from '../src/replay/index.js';
import { resultsHtml } from '../src/report/html.js';
import { niceIntervalNs } from '../src/replay/timeline.js';
import { trace } from './helpers.js';

describe('timeline', () => {
  it('intervals are round and cut a run into at most 60', () => {
    expect(niceIntervalNs(66_530_000)).toBe(2_000_000);
    expect(niceIntervalNs(100)).toBe(2);
    expect(niceIntervalNs(6e9)).toBe(100_000_000);
    for (const span of [1, 7, 1234, 9.99e6, 3.3e10]) expect(span / niceIntervalNs(span)).toBeLessThanOrEqual(60);
  });

  it('per interval throughput adds up to the ops completed; p99 per interval never exceeds the run\'s max latency', async () => {
    const t = await loadForReplay(trace('xfs-mix.trace.gz'));
    const r = replayStrategies(t, ['none', 'i-mutex'], { mode: 'open', timeScale: 0.05 });
    for (const s of r.results) {
      const tl = s.timeline;
      expect(tl.opsPerSec.length).toBeGreaterThan(10);
      expect(tl.opsPerSec.length).toBe(tl.p99Ns.length);
      const ops = tl.opsPerSec.reduce((a, v) => a + (v * tl.intervalNs) / 1e9, 0);
      expect(Math.round(ops)).toBe(s.completedOps);
      expect(Math.max(...tl.p99Ns)).toBeLessThanOrEqual(s.all.latency.max);
      expect(tl.startNs + tl.opsPerSec.length * tl.intervalNs).toBeGreaterThanOrEqual(s.throughput.makespanNs);
    }
    // i-mutex serialises: its run is longer, so it has more intervals of the same length
    expect(r.results[1].timeline.opsPerSec.length).toBeGreaterThan(r.results[0].timeline.opsPerSec.length);
    const html = resultsHtml([r]);
    expect(html).toContain('<h3>Timeline</h3>');
    expect(html).toContain('throughput over time');
    // kinds with few ops (2 fsync, 1 fallocate) are rows of one table, not charts of their own
    expect(html).toMatch(/Other kinds \(fewer than \d+ ops each\)/);
    expect(html).not.toContain('>fsync latency<');
    expect(html).toContain('>write latency<');
  });
});
