/**
 * Virtual time stays exact: every op's latency and the run's makespan within 2^53 ns (about 104
 * days). Each imported duration is (src/import/limits.ts), but their sum is not: 3,000 ops of
 * 2^53 − 1 ns queued for one CPU gave latencies past 2^63 ns, which the histograms refused (an
 * internal error), and two of them a makespan of 2^54 ns, beyond exact virtual time, with exit 0.
 */
import { BadInputError } from '../errors.js';
import { MAX_SPAN_NS } from '../import/limits.js';
import type { OpOutcomes } from '../engine/simulator.js';

/**
 * Refuses (exit 4, naming the input line of the op where it happens) a run whose virtual time
 * went past 2^53 ns: the first op, in op order, whose latency is longer, else the op that ended
 * last of a run whose makespan is longer.
 */
export function refuseInexactTime(o: OpOutcomes, n: number, makespanNs: number, lineOf: (i: number) => number, inputName: string): void {
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (o.done[i] === 0) continue;
    const latencyNs = o.endNs[i] - o.intendedNs[i];
    if (latencyNs > MAX_SPAN_NS) throw new BadInputError(inputName, lineOf(i), `this op's replayed latency, ${latencyNs.toExponential(3)} ns, is beyond 2^53 ns (about 104 days), where virtual time is no longer exact: the service times of the ops before it add up past that (replay a shorter window: --from/--to)`);
    if (last < 0 || o.endNs[i] > o.endNs[last]) last = i;
  }
  if (makespanNs > MAX_SPAN_NS && last >= 0) throw new BadInputError(inputName, lineOf(last), `the replay's makespan, ${makespanNs.toExponential(3)} ns, is beyond 2^53 ns (about 104 days) when this op ends, where virtual time is no longer exact: the service times of the ops add up past that (replay a shorter window: --from/--to)`);
}

/**
 * Refuses (exit 4) a run that stopped at a deadlock or stall past 2^53 ns of virtual time (its ops'
 * latencies and makespan within it: the blocked ops started late), naming the input line of the
 * first blocked task's op: a result's times are within 2^53 ns, and its readers refuse others.
 */
export function refuseInexactStall(stalled: { atNs: number; blocked: { opId: number }[] } | undefined, n: number, idOf: (i: number) => number, lineOf: (i: number) => number, inputName: string): void {
  if (stalled === undefined || !(stalled.atNs > MAX_SPAN_NS)) return;
  const opId = stalled.blocked[0]?.opId;
  let at = 0;
  while (at < n - 1 && idOf(at) !== opId) at++;
  throw new BadInputError(inputName, lineOf(at), `the replay stopped at a deadlock at ${stalled.atNs.toExponential(3)} ns, beyond 2^53 ns (about 104 days), where virtual time is no longer exact: the service times of the ops before it add up past that (replay a shorter window: --from/--to)`);
}

