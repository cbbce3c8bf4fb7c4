/**
 * The order that made a treap with a fixed seed a chain (block index, range index): the k-th node
 * made drew the k-th priority of xorshift32 from `seed`; give it the start of that priority's rank,
 * highest first, and by start each node lies below the one before. With a seed drawn at random per
 * tree, the same order gives an ordinary tree.
 */
export function chainOrder(seed: number, count: number, step: number): { starts: number[]; byRank: number[] } {
  let x = seed;
  const prios: number[] = [];
  for (let k = 0; k < count; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    prios.push(x);
  }
  const rank = prios.map((p, k) => [p, k] as const).sort((a, b) => b[0] - a[0]);
  const starts = new Array<number>(count);
  rank.forEach(([, k], r) => (starts[k] = r * step));
  // byRank[r]: the node (its k) whose start is r * step
  return { starts, byRank: rank.map(([, k]) => k) };
}
