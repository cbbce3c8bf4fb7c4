/**
 * Holds records until they can be released in (key, seq) order. Records arrive almost in order
 * (an op is queued when it completes, a little after later-starting records), so inserting by a
 * short backward scan from the tail beats a heap: most inserts are appends. One that goes further
 * back is placed by a binary search, and the records on the shorter side of its place move (those
 * before it, into a released slot at the front, when they are fewer). Each record may carry
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
    const head = this.head, tail = this.tail;
    // its place: after every record whose (key, seq) is not above its own; a short scan back from
    // the tail, then a binary search (a record older than most held, as an op given up, goes near
    // the head: a scan of the whole queue per such record made them cost the queue's length)
    let i = tail;
    const scanTo = Math.max(head, tail - SHORT_SCAN);
    while (i > scanTo && (keys[i - 1] > key || (keys[i - 1] === key && seqs[i - 1] > seq))) i--;
    if (i === scanTo && i > head) {
      let lo = head, hi = i;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid] > key || (keys[mid] === key && seqs[mid] > seq)) hi = mid;
        else lo = mid + 1;
      }
      i = lo;
    }
    if (head > 0 && i - head < tail - i) {
      // fewer records before its place than after: those move one slot towards the front, into a
      // released one
      let k = --this.head;
      for (; k < i - 1; k++) {
        keys[k] = keys[k + 1];
        seqs[k] = seqs[k + 1];
        items[k] = items[k + 1];
        tags[k] = tags[k + 1];
      }
      keys[k] = key;
      seqs[k] = seq;
      items[k] = item;
      tags[k] = tag;
      return;
    }
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

/** records looked at one by one back from the tail before a binary search */
const SHORT_SCAN = 16;

/** released slots at the front that are worth moving the live records over */
const COMPACT_AFTER = 4096;
