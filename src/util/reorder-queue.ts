/**
 * Holds records until they can be released in (key, seq) order. Records arrive almost in order
 * (an op is queued when it completes, a little after later-starting records), so inserting by a
 * short backward scan from the tail beats a heap: most inserts are appends. Each record may carry
 * a number beside it (`tag`), so a caller need not wrap a record in an object to say more of it.
 *
 * The records are [head, tail) of four parallel arrays that never shrink: released slots are
 * reused once the live records are moved to the front, so a steady stream of records allocates
 * nothing (splice, slice and regrowing trimmed arrays were a tenth of what an import allocated).
 */
export class ReorderQueue<T> {
  private readonly keys: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: (T | undefined)[] = [];
  private readonly tags: number[] = [];
  private head = 0;
  private tail = 0;
  /** the tag of the record the last `shift` returned */
  shiftedTag = 0;

  get size(): number {
    return this.tail - this.head;
  }

  peekKey(): number {
    return this.head < this.tail ? this.keys[this.head] : Infinity;
  }

  push(key: number, seq: number, item: T, tag = 0): void {
    const keys = this.keys, seqs = this.seqs, items = this.items, tags = this.tags;
    if (this.tail === keys.length && this.head >= COMPACT_AFTER && this.head * 2 >= this.tail) this.compact();
    let i = this.tail;
    while (i > this.head && (keys[i - 1] > key || (keys[i - 1] === key && seqs[i - 1] > seq))) i--;
    // one slot on at the tail (a new one when the arrays are full), the later records moved into it
    let k = this.tail++;
    if (k === keys.length) {
      keys.push(key);
      seqs.push(seq);
      items.push(item);
      tags.push(tag);
    }
    for (; k > i; k--) {
      keys[k] = keys[k - 1];
      seqs[k] = seqs[k - 1];
      items[k] = items[k - 1];
      tags[k] = tags[k - 1];
    }
    keys[i] = key;
    seqs[i] = seq;
    items[i] = item;
    tags[i] = tag;
  }

  shift(): T | undefined {
    if (this.head >= this.tail) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.shiftedTag = this.tags[this.head];
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
    return item;
  }

  /** moves the live records to the front (their old slots hold no record) */
  private compact(): void {
    const n = this.tail - this.head;
    const keys = this.keys, seqs = this.seqs, items = this.items, tags = this.tags;
    for (let k = 0; k < n; k++) {
      const from = k + this.head;
      keys[k] = keys[from];
      seqs[k] = seqs[from];
      items[k] = items[from];
      tags[k] = tags[from];
    }
    for (let k = n; k < this.tail; k++) items[k] = undefined;
    this.head = 0;
    this.tail = n;
  }
}

/** released slots at the front that are worth moving the live records over */
const COMPACT_AFTER = 4096;
