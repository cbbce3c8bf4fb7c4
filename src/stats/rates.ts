/** Rates of a replay's summary (ops/s, MiB/s): how the replay derives them, and how a reader checks them. */

/** `amount` per second over `makespanNs`, to 3 decimals; 0 for an empty makespan */
export function perSecond(amount: number, makespanNs: number): number {
  const s = makespanNs / 1e9;
  return s > 0 ? Math.round((amount / s) * 1000) / 1000 : 0;
}
