import { describe, expect, it } from 'vitest';
import { loadTrace } from '../src/import/index.js';
import { faultRetries } from '../src/replay/fault-retry.js';
import { trace } from './helpers.js';


describe('a read fault\'s retry', () => {
  it('on a real capture: most exact-page read faults were retried, each retry inside its fault', async () => {
    const { ops, locks } = await loadTrace(trace('xfs-contended-faults.trace.gz'), { keepLocks: true });
    const service = Float64Array.from(ops.map((o) => o.durNs ?? 0));
    const r = faultRetries(ops, locks, service, 4096);
    const exact = ops.filter((o) => o.kind === 'fault-read' && o.lengthBytes === 4096 && o.parent === undefined);
    expect(r.faults).toBe(1741);
    expect(r.faults).toBeGreaterThan(0.8 * exact.length);
    ops.forEach((o, i) => {
      if (r.afterPlanNs[i] > 0) {
        expect(o.kind).toBe('fault-read');
        expect(r.afterPlanNs[i]).toBeLessThanOrEqual(o.durNs as number);
      }
    });
  });
});
