/**
 * A min-heap of (time, seq) → int payload in typed arrays: the simulator's event queue. Ties on
 * time are broken by seq (insertion order), so the order of events is fully determined.
 */
export class NumHeap {
  private keys = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private vals = new Int32Array(1024);
  size = 0;

  peekKey(): number {
    return this.size > 0 ? this.keys[0] : Infinity;
  }

  /** the minimum's payload (call only when size > 0) */
  peekValue(): number {
    return this.vals[0];
  }

  push(key: number, seq: number, val: number): void {
    if (this.size === this.keys.length) this.grow();
    const keys = this.keys, seqs = this.seqs, vals = this.vals;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p];
      if (pk < key || (pk === key && seqs[p] <= seq)) break;
      keys[i] = pk;
      seqs[i] = seqs[p];
      vals[i] = vals[p];
      i = p;
    }
    keys[i] = key;
    seqs[i] = seq;
    vals[i] = val;
  }

  /** Removes the minimum and returns its payload (call only when size > 0). */
  pop(): number {
    const keys = this.keys, seqs = this.seqs, vals = this.vals;
    const top = vals[0];
    const m = --this.size;
    if (m > 0) {
      const k = keys[m], s = seqs[m], v = vals[m];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= m) break;
        if (c + 1 < m && (keys[c + 1] < keys[c] || (keys[c + 1] === keys[c] && seqs[c + 1] < seqs[c]))) c++;
        if (k < keys[c] || (k === keys[c] && s <= seqs[c])) break;
        keys[i] = keys[c];
        seqs[i] = seqs[c];
        vals[i] = vals[c];
        i = c;
      }
      keys[i] = k;
      seqs[i] = s;
      vals[i] = v;
    }
    return top;
  }

  private grow(): void {
    const n = this.keys.length * 2;
    const k = new Float64Array(n), s = new Float64Array(n), v = new Int32Array(n);
    k.set(this.keys);
    s.set(this.seqs);
    v.set(this.vals);
    this.keys = k;
    this.seqs = s;
    this.vals = v;
  }
}
