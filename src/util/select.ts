/**
 * The k-th smallest of values[from, to) (k an index in that range): the element a sort of that
 * part would put at index k. Found by selection (Hoare's quickselect with a three-way partition,
 * so runs of equal values cost nothing), reordering that part of `values`; no sort. For numbers
 * without NaN; -0 and +0 count as one value.
 */
export function selectKth(values: Float64Array, from: number, to: number, k: number): number {
  if (!(k >= from && k < to)) throw new RangeError(`selectKth: index ${k} is outside [${from}, ${to})`);
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    // median of three as the pivot: deterministic, and no quadratic case on sorted input
    const mid = lo + ((hi - lo) >> 1);
    const a = values[lo];
    const b = values[mid];
    const c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // three-way partition: [lo, lt) < pivot, [lt, gt] = pivot, (gt, hi] > pivot
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = values[i];
      if (v < pivot) {
        values[i] = values[lt];
        values[lt] = v;
        lt++;
        i++;
      } else if (v > pivot) {
        values[i] = values[gt];
        values[gt] = v;
        gt--;
      } else {
        i++;
      }
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return values[k];
}
