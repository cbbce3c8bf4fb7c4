/**
 * Stable sort of indices by a float64 key: an LSD radix sort over the key's bits, 16 bits a pass,
 * skipping the passes where every key has the same digit. For keys >= 0 (and +Infinity) the IEEE
 * bit patterns order like the numbers. Equal keys keep their input order, so indices given in
 * ascending order come out sorted by (key, index). Any negative or NaN key falls back to the
 * comparator sort, which gives the same order.
 */
export function sortIndicesByKey(indices: Int32Array, keys: Float64Array): void {
  const n = indices.length;
  if (n < 2) return;
  for (let j = 0; j < n; j++) {
    const k = keys[indices[j]];
    if (!(k >= 0)) {
      sortIndicesByKeyComparator(indices, keys);
      return;
    }
  }
  if (n < 256) {
    sortIndicesByKeyComparator(indices, keys);
    return;
  }
  const bits = new Float64Array(n);
  for (let j = 0; j < n; j++) bits[j] = keys[indices[j]] + 0; // -0 → +0
  const words = new Uint32Array(bits.buffer);
  const otherBits = new Float64Array(n);
  const otherWords = new Uint32Array(otherBits.buffer);
  let src: Int32Array<ArrayBufferLike> = indices;
  let dst: Int32Array<ArrayBufferLike> = new Int32Array(n);
  let srcWords: Uint32Array<ArrayBufferLike> = words;
  let dstWords: Uint32Array<ArrayBufferLike> = otherWords;
  let srcBits: Float64Array<ArrayBufferLike> = bits;
  let dstBits: Float64Array<ArrayBufferLike> = otherBits;
  const counts = new Int32Array(65536);
  // little-endian words: [lo, hi] per key; digits from the least significant
  const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  for (let pass = 0; pass < 4; pass++) {
    const word = (pass < 2) === littleEndian ? 0 : 1;
    const shift = (pass & 1) * 16;
    counts.fill(0);
    for (let j = 0; j < n; j++) counts[(srcWords[2 * j + word] >>> shift) & 0xffff]++;
    // every key has the same digit: this pass would not move anything
    if (counts[(srcWords[word] >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const at = counts[(srcWords[2 * j + word] >>> shift) & 0xffff]++;
      dst[at] = src[j];
      dstBits[at] = srcBits[j];
    }
    [src, dst] = [dst, src];
    [srcWords, dstWords] = [dstWords, srcWords];
    [srcBits, dstBits] = [dstBits, srcBits];
  }
  if (src !== indices) indices.set(src);
}

/** The reference: the same order by comparison (key, then input position). */
export function sortIndicesByKeyComparator(indices: Int32Array, keys: Float64Array): void {
  const pos = new Map<number, number>();
  let ascending = true;
  for (let j = 1; j < indices.length; j++) if (indices[j] <= indices[j - 1]) ascending = false;
  if (ascending) {
    indices.sort((x, y) => keys[x] - keys[y] || x - y);
    return;
  }
  indices.forEach((v, j) => pos.set(v, j));
  indices.sort((x, y) => keys[x] - keys[y] || (pos.get(x) as number) - (pos.get(y) as number));
}
