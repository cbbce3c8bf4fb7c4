/** A binary min-heap ordered by (key, seq): ties keep insertion order, so output is deterministic. */
export class MinHeap<T> {
  private keys: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peekKey(): number {
    return this.keys.length > 0 ? this.keys[0] : Infinity;
  }

  push(key: number, seq: number, item: T): void {
    const keys = this.keys, seqs = this.seqs, items = this.items;
    let i = items.length;
    keys.push(key);
    seqs.push(seq);
    items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] < key || (keys[p] === key && seqs[p] <= seq)) break;
      keys[i] = keys[p];
      seqs[i] = seqs[p];
      items[i] = items[p];
      i = p;
    }
    keys[i] = key;
    seqs[i] = seq;
    items[i] = item;
  }

  pop(): T | undefined {
    const keys = this.keys, seqs = this.seqs, items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0];
    const lastKey = keys.pop() as number;
    const lastSeq = seqs.pop() as number;
    const lastItem = items.pop() as T;
    const m = n - 1;
    if (m > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= m) break;
        if (c + 1 < m && (keys[c + 1] < keys[c] || (keys[c + 1] === keys[c] && seqs[c + 1] < seqs[c]))) c++;
        if (lastKey < keys[c] || (lastKey === keys[c] && lastSeq <= seqs[c])) break;
        keys[i] = keys[c];
        seqs[i] = seqs[c];
        items[i] = items[c];
        i = c;
      }
      keys[i] = lastKey;
      seqs[i] = lastSeq;
      items[i] = lastItem;
    }
    return top;
  }
}
