/**
 * Binary search over an ordered sequence: the first index in [0, length) for which `before(i)` is
 * false, or `length` if there is none. `before` must be true for a prefix of the indices and false
 * after it (e.g. "element i's time is earlier than t" over a time-ordered list).
 */
export function partitionPoint(length: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
