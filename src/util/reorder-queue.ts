/**
 * Holds records until they can be released in (key, seq) order. Records arrive almost in order
 * (an op is queued when it completes, a little after later-starting records), so inserting by a
 * short backward scan from the tail beats a heap: most inserts are appends.
 */
export class ReorderQueue<T> {
  private keys: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  peekKey(): number {
    return this.head < this.keys.length ? this.keys[this.head] : Infinity;
  }

  push(key: number, seq: number, item: T): void {
    const keys = this.keys, seqs = this.seqs;
    let i = keys.length;
    while (i > this.head && (keys[i - 1] > key || (keys[i - 1] === key && seqs[i - 1] > seq))) i--;
    if (i === keys.length) {
      keys.push(key);
      seqs.push(seq);
      this.items.push(item);
    } else {
      keys.splice(i, 0, key);
      seqs.splice(i, 0, seq);
      this.items.splice(i, 0, item);
    }
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    (this.items as (T | undefined)[])[this.head] = undefined;
    this.head++;
    if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.keys = this.keys.slice(this.head);
      this.seqs = this.seqs.slice(this.head);
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
