/** The per-op outcome arrays of a run: fresh, or an earlier run's reset for reuse. */
import type { OpOutcomes } from './sim-types.js';

export function newOutcomes(n: number): OpOutcomes {
  return resetOutcomes({
    intendedNs: new Float64Array(n), startNs: new Float64Array(n), endNs: new Float64Array(n), lockWaitNs: new Float64Array(n),
    cpuWaitNs: new Float64Array(n), activeNs: new Float64Array(n), workEndNs: new Float64Array(n), done: new Uint8Array(n),
    activeOrder: new Int32Array(n), activeCount: 0,
  });
}

export function resetOutcomes(o: OpOutcomes): OpOutcomes {
  o.intendedNs.fill(0);
  o.startNs.fill(0);
  o.endNs.fill(0);
  o.lockWaitNs.fill(0);
  o.cpuWaitNs.fill(0);
  o.activeNs.fill(-1);
  o.workEndNs.fill(-1);
  o.done.fill(0);
  o.activeCount = 0;
  return o;
}
