/**
 * Bios ordered by (start sector, arrival): a treap whose nodes carry the smallest and the largest
 * end below them. It answers what the block op builder asks in O(log n) (plus what it returns):
 * the earliest bio at a start, the earliest at or after a start whose end is above (or at most) a
 * sector, and every bio whose start is in a range. Priorities come from a generator seeded at random
 * for each index: the shape never changes an answer, and a trace cannot be made to give it a bad
 * one (with a fixed seed, queued sectors ranked by the known priorities made it a chain thousands
 * deep: each action cost their number, and the recursion overflowed the stack).
 */
import { randomInt } from 'node:crypto';

export interface BioNode<T> {
  readonly item: T;
  readonly start: number;
  /** the bio's end sector; may change while it is not in an index (a split shortens it) */
  end: number;
  readonly seq: number;
  readonly prio: number;
  minEnd: number;
  maxEnd: number;
  left: BioNode<T> | undefined;
  right: BioNode<T> | undefined;
}

function before<T>(a: BioNode<T>, b: BioNode<T>): boolean {
  return a.start < b.start || (a.start === b.start && a.seq < b.seq);
}

function update<T>(t: BioNode<T>): void {
  let lo = t.end;
  let hi = t.end;
  const l = t.left;
  const r = t.right;
  if (l !== undefined) {
    if (l.minEnd < lo) lo = l.minEnd;
    if (l.maxEnd > hi) hi = l.maxEnd;
  }
  if (r !== undefined) {
    if (r.minEnd < lo) lo = r.minEnd;
    if (r.maxEnd > hi) hi = r.maxEnd;
  }
  t.minEnd = lo;
  t.maxEnd = hi;
}

function merge<T>(a: BioNode<T> | undefined, b: BioNode<T> | undefined): BioNode<T> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.prio > b.prio) {
    a.right = merge(a.right, b);
    update(a);
    return a;
  }
  b.left = merge(a, b.left);
  update(b);
  return b;
}

export class BioIndex<T> {
  private root: BioNode<T> | undefined;
  /** xorshift32's state, never 0 */
  private rand = randomInt(1, 2 ** 32 - 1);
  private lo: BioNode<T> | undefined;
  private hi: BioNode<T> | undefined;

  /** A node for `item` (not yet in the index). */
  node(item: T, start: number, end: number, seq: number): BioNode<T> {
    let x = this.rand;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rand = x >>> 0;
    return { item, start, end, seq, prio: this.rand, minEnd: end, maxEnd: end, left: undefined, right: undefined };
  }

  insert(n: BioNode<T>): void {
    n.left = undefined;
    n.right = undefined;
    n.minEnd = n.end;
    n.maxEnd = n.end;
    this.root = this.insertAt(this.root, n);
  }

  remove(n: BioNode<T>): void {
    this.root = this.removeAt(this.root, n);
    n.left = undefined;
    n.right = undefined;
  }

  /**
   * The first node (by start, then arrival) with `from` <= start < `to` and endAbove < end <= endAtMost,
   * if any. Give one of the two end bounds at a time (the other infinite): then a subtree that passes
   * the end test as a whole holds a node that passes it alone, and the search is one path down.
   */
  first(from: number, to: number, endAbove = -Infinity, endAtMost = Infinity): BioNode<T> | undefined {
    return firstAt(this.root, from, to, endAbove, endAtMost);
  }

  /** The nodes with `from` <= start < `to`, appended to `out` by start, then arrival. */
  startingIn(from: number, to: number, out: BioNode<T>[]): void {
    if (from < to) collectAt(this.root, from, to, out);
  }

  private insertAt(t: BioNode<T> | undefined, n: BioNode<T>): BioNode<T> {
    if (t === undefined) return n;
    if (n.prio > t.prio) {
      this.split(t, n);
      n.left = this.lo;
      n.right = this.hi;
      update(n);
      return n;
    }
    if (before(n, t)) t.left = this.insertAt(t.left, n);
    else t.right = this.insertAt(t.right, n);
    update(t);
    return t;
  }

  private split(t: BioNode<T> | undefined, key: BioNode<T>): void {
    if (t === undefined) {
      this.lo = undefined;
      this.hi = undefined;
      return;
    }
    if (before(t, key)) {
      this.split(t.right, key);
      t.right = this.lo;
      update(t);
      this.lo = t;
    } else {
      this.split(t.left, key);
      t.left = this.hi;
      update(t);
      this.hi = t;
    }
  }

  private removeAt(t: BioNode<T> | undefined, n: BioNode<T>): BioNode<T> | undefined {
    if (t === undefined) throw new Error('bio index: removing a node that is not in it');
    if (t === n) return merge(t.left, t.right);
    if (before(n, t)) t.left = this.removeAt(t.left, n);
    else t.right = this.removeAt(t.right, n);
    update(t);
    return t;
  }
}

function firstAt<T>(t: BioNode<T> | undefined, from: number, to: number, endAbove: number, endAtMost: number): BioNode<T> | undefined {
  while (t !== undefined) {
    if (t.maxEnd <= endAbove || t.minEnd > endAtMost) return undefined;
    if (t.start < from) {
      t = t.right;
      continue;
    }
    if (t.start >= to) {
      t = t.left;
      continue;
    }
    const left = firstAt(t.left, from, to, endAbove, endAtMost);
    if (left !== undefined) return left;
    if (t.end > endAbove && t.end <= endAtMost) return t;
    t = t.right;
  }
  return undefined;
}

function collectAt<T>(t: BioNode<T> | undefined, from: number, to: number, out: BioNode<T>[]): void {
  while (t !== undefined) {
    if (t.start < from) {
      t = t.right;
      continue;
    }
    if (t.start >= to) {
      t = t.left;
      continue;
    }
    collectAt(t.left, from, to, out);
    out.push(t);
    t = t.right;
  }
}
