/** fidelity --replicates: the resampled wake-up latencies, and each row's spread over the replays. */
import { describe, expect, it } from 'vitest';
import { resampledWakes, withSpread } from '../../../src/fidelity/replicates.js';
import type { ContentionRow } from '../../../src/model/fidelity.js';

const dist = (count: number) => ({ count, p50Ns: 0, p99Ns: 0, meanNs: 0, totalNs: 0 });
const row = (kind: string, countRatio: number | null, meanRatio: number | null, observed = 10, lockClass = 'IOLOCK'): ContentionRow => ({ lockClass, kind, observed: dist(observed), predicted: dist(0), countRatio, meanRatio });

describe('resampledWakes', () => {
  const pooled = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const byPid = new Map([[7, { wokenNs: Float64Array.from([10, 20, 30, 40, 50]), latencyNs: Float64Array.from([100, 200, 300, 400, 500]) }]]);

  it('the same latencies in another order, the wakes at their times; a seed gives one order', () => {
    const a = resampledWakes(pooled, byPid, 1);
    const sorted = (x: Float64Array | undefined): number[] => [...(x ?? [])].sort((p, q) => p - q);
    expect(sorted(a.pooledNs)).toEqual([...pooled]);
    expect(sorted(a.byPid?.get(7)?.latencyNs)).toEqual([100, 200, 300, 400, 500]);
    expect([...(a.byPid?.get(7)?.wokenNs ?? [])]).toEqual([10, 20, 30, 40, 50]);
    expect(a).toEqual(resampledWakes(pooled, byPid, 1));
    const orders = new Set([1, 2, 3, 4].map((s) => [...(resampledWakes(pooled, byPid, s).pooledNs ?? [])].join()));
    expect(orders.size).toBeGreaterThan(1);
    expect([...orders].some((o) => o !== [...pooled].join())).toBe(true);
    // the inputs are left as they were
    expect([...pooled]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...byPid.get(7)!.latencyNs]).toEqual([100, 200, 300, 400, 500]);
  });

  it('nothing to resample: nothing out', () => {
    expect(resampledWakes(undefined, undefined, 3)).toEqual({ pooledNs: undefined, byPid: undefined });
  });
});

describe('withSpread', () => {
  it('each row\'s smallest, median and largest ratio over the replays, the first included; a replay without the row predicted none', () => {
    const base = [row('write', 1.2, 0.9), row('punch', 1, 1.1), row('read', null, null, 0)];
    // (a row of another lock class with the same op kind is another row)
    const others = [[row('punch', 9, 9, 10, 'MMAPLOCK'), row('write', 1.6, 0.7), row('punch', 0.8, 1.3)], [row('write', 1.4, 1.0), row('punch', 9, 9, 10, 'MMAPLOCK')], [row('write', 0.9, 0.8), row('punch', 1.1, 1.0)]];
    const out = withSpread(base, others);
    // the rows themselves are the first replay's
    expect(out.map(({ spread, ...x }) => x)).toEqual(base);
    expect(out[0].spread).toEqual({ replicates: 4, countRatio: { min: 0.9, median: 1.3, max: 1.6 }, meanRatio: { min: 0.7, median: 0.85, max: 1 } });
    // the second replay had no punch row: count ratio 0, no mean
    expect(out[1].spread).toEqual({ replicates: 4, countRatio: { min: 0, median: 0.9, max: 1.1 }, meanRatio: { min: 1, median: 1.1, max: 1.3 } });
    // nothing observed: no ratio in any replay
    expect(out[2].spread).toEqual({ replicates: 4, countRatio: null, meanRatio: null });
  });
});
