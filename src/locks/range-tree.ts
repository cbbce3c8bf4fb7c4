/**
 * Items with byte ranges, indexed by range: a treap ordered by (start, seq) whose nodes carry the
 * largest end below them (and the smallest and largest seq), so the items overlapping a range are
 * found in O(log n + k) instead of a scan of every item, and the latest of them in about O(log n)
 * where they share a range. A range lock's present requests (thousands of tasks on one file, as an
 * open-mode replay has, made a scan per acquire and release quadratic), the race check's open
 * sections. The treap's priorities come from a generator seeded at random for each tree: the shape
 * never changes an answer (every query returns the same nodes, in tree order, which is (start, seq)
 * order whatever the shape), and a trace cannot be made to give it a bad one (with a fixed seed,
 * requests whose starts ranked as the known priorities did made it a chain thousands deep, and the
 * recursion overflowed the stack).
 */
import { randomInt } from 'node:crypto';

export interface RangeNode<T> {
  readonly item: T;
  readonly start: number;
  readonly end: number;
  /** arrival order (the tie-break of equal starts) */
  readonly seq: number;
  readonly prio: number;
  maxEnd: number;
  /** the smallest and the largest seq below it (latestBefore) */
  minSeq: number;
  maxSeq: number;
  left: RangeNode<T> | undefined;
  right: RangeNode<T> | undefined;
}

type Node = RangeNode<unknown>;

function before(a: Node, b: Node): boolean {
  return a.start < b.start || (a.start === b.start && a.seq < b.seq);
}

function update(t: Node): void {
  let m = t.end;
  let lo = t.seq;
  let hi = t.seq;
  const l = t.left;
  const r = t.right;
  if (l !== undefined) {
    if (l.maxEnd > m) m = l.maxEnd;
    if (l.minSeq < lo) lo = l.minSeq;
    if (l.maxSeq > hi) hi = l.maxSeq;
  }
  if (r !== undefined) {
    if (r.maxEnd > m) m = r.maxEnd;
    if (r.minSeq < lo) lo = r.minSeq;
    if (r.maxSeq > hi) hi = r.maxSeq;
  }
  t.maxEnd = m;
  t.minSeq = lo;
  t.maxSeq = hi;
}

/** a and b merged, every node of a before every node of b */
function merge<T>(a: RangeNode<T> | undefined, b: RangeNode<T> | undefined): RangeNode<T> | undefined {
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

export class RangeTree<T> {
  private root: RangeNode<T> | undefined;
  size = 0;
  /** split's results (no tuple allocated per insert) */
  private lo: RangeNode<T> | undefined;
  private hi: RangeNode<T> | undefined;
  /** xorshift32's state, never 0 */
  private rand = randomInt(1, 2 ** 32 - 1);

  /** A node for `item` on [start, end) (not yet in the tree). */
  node(item: T, start: number, end: number, seq: number): RangeNode<T> {
    // xorshift32: priorities only shape the tree
    let x = this.rand;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rand = x >>> 0;
    return { item, start, end, seq, prio: this.rand, maxEnd: end, minSeq: seq, maxSeq: seq, left: undefined, right: undefined };
  }

  insert(n: RangeNode<T>): void {
    this.root = this.insertAt(this.root, n);
    this.size++;
  }

  remove(n: RangeNode<T>): void {
    this.root = this.removeAt(this.root, n);
    n.left = undefined;
    n.right = undefined;
    this.size--;
  }

  /** How many nodes overlap [start, end). */
  countOverlapping(start: number, end: number): number {
    return countAt(this.root, start, end);
  }

  /**
   * Of the nodes overlapping [start, end) whose seq is below `bound`, the one with the largest seq
   * if it is above `floor`; else undefined. Subtrees that cannot hold a better one are skipped (by
   * their largest end, their smallest and largest seq), so in a queue of requests on one range it
   * is one path down the tree, where counting them visits each.
   */
  latestBefore(start: number, end: number, bound: number, floor = -Infinity): RangeNode<T> | undefined {
    best = undefined;
    bestSeq = floor;
    latestAt(this.root, start, end, bound);
    const found = best as RangeNode<T> | undefined;
    best = undefined;
    return found;
  }

  /** The nodes overlapping [start, end), appended to `out` (in tree order). */
  overlapping(start: number, end: number, out: RangeNode<T>[]): void {
    collectAt(this.root, start, end, out);
  }

  /** Every node, appended to `out`. */
  all(out: RangeNode<T>[]): void {
    collectAt(this.root, -Infinity, Infinity, out);
  }

  private insertAt(t: RangeNode<T> | undefined, n: RangeNode<T>): RangeNode<T> {
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

  /** t split into the nodes before `key` (lo) and the rest (hi) */
  private split(t: RangeNode<T> | undefined, key: RangeNode<T>): void {
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

  private removeAt(t: RangeNode<T> | undefined, n: RangeNode<T>): RangeNode<T> | undefined {
    if (t === undefined) throw new Error('range index: removing a node that is not in it');
    if (t === n) return merge(t.left, t.right);
    if (before(n, t)) t.left = this.removeAt(t.left, n);
    else t.right = this.removeAt(t.right, n);
    update(t);
    return t;
  }
}

function countAt(t: Node | undefined, start: number, end: number): number {
  let n = 0;
  while (t !== undefined && t.maxEnd > start) {
    n += countAt(t.left, start, end);
    if (!(t.start < end)) break;
    if (t.end > start) n++;
    t = t.right;
  }
  return n;
}

/** latestAt's answer so far (its calls do not nest) */
let best: Node | undefined;
let bestSeq = -Infinity;

function latestAt(t: Node | undefined, start: number, end: number, bound: number): void {
  while (t !== undefined && t.maxEnd > start && t.minSeq < bound && t.maxSeq > bestSeq) {
    // (the right subtree starts at t.start or later: past `end`, neither it nor t overlaps)
    if (t.start < end) {
      latestAt(t.right, start, end, bound);
      if (t.end > start && t.seq < bound && t.seq > bestSeq) {
        best = t;
        bestSeq = t.seq;
      }
    }
    t = t.left;
  }
}

function collectAt<T>(t: RangeNode<T> | undefined, start: number, end: number, out: RangeNode<T>[]): void {
  while (t !== undefined && t.maxEnd > start) {
    collectAt(t.left, start, end, out);
    if (!(t.start < end)) return;
    if (t.end > start) out.push(t);
    t = t.right;
  }
}
