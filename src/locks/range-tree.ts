/**
 * Items with byte ranges, indexed by range: a treap ordered by (start, seq) whose nodes carry the
 * largest end below them, so the items overlapping a range are found in O(log n + k) instead of a
 * scan of every item. A range lock's present requests (thousands of tasks on one file, as an
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
  left: RangeNode<T> | undefined;
  right: RangeNode<T> | undefined;
}

type Node = RangeNode<unknown>;

function before(a: Node, b: Node): boolean {
  return a.start < b.start || (a.start === b.start && a.seq < b.seq);
}

function update(t: Node): void {
  let m = t.end;
  const l = t.left;
  const r = t.right;
  if (l !== undefined && l.maxEnd > m) m = l.maxEnd;
  if (r !== undefined && r.maxEnd > m) m = r.maxEnd;
  t.maxEnd = m;
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
    return { item, start, end, seq, prio: this.rand, maxEnd: end, left: undefined, right: undefined };
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

function collectAt<T>(t: RangeNode<T> | undefined, start: number, end: number, out: RangeNode<T>[]): void {
  while (t !== undefined && t.maxEnd > start) {
    collectAt(t.left, start, end, out);
    if (!(t.start < end)) return;
    if (t.end > start) out.push(t);
    t = t.right;
  }
}
