/**
 * Races on the simulated schedule: two ops on the same file, from different tasks, whose critical
 * sections overlap in time and whose byte ranges overlap, and whose kinds are a data conflict in the
 * conflict matrix (src/model/conflicts.ts, docs/races.md). A critical section runs from the moment
 * the op first does work (its locks taken) to the end of its last work (its releases, and their
 * cost, come after), or for a read, readahead or read fault to the work its plan marks `cached`
 * (the engine ends workEndNs there). A fault-around window maps cached pages and is no side of a
 * race (isFaultAround). Under a strategy that serialises the pair, the sections never overlap.
 */
import { OpColumns } from '../model/op-columns.js';
import { isFaultAroundCode, type Op, OP_KINDS } from '../model/op.js';
import { CONFLICT_CLASSES, conflictClassOf, CONFLICTING_KIND, CONFLICTS_WITH } from '../model/conflicts.js';
import { KIND_CODE, opTable, type OpTable } from './op-table.js';
import { sortIndicesByKey } from '../util/radix-sort.js';
import { NumHeap } from '../util/num-heap.js';
import { type RangeNode, RangeTree } from '../locks/range-tree.js';
import type { OpOutcomes } from './simulator.js';
import type { RaceSide, Race, RaceClassReport, RaceReport } from '../model/result.js';
export type { RaceSide, Race, RaceClassReport, RaceReport } from '../model/result.js';





/** open sections of one kind on a file from which they are indexed by byte range (a scan of a few is faster than the index) */
const INDEX_OPEN_ABOVE = 48;

/**
 * Open sections of one kind indexed by byte range, ended ones removed in the order they end: every
 * section in the index overlaps, in time, the op the sweep is at (it opened before and has not
 * ended). Sections with a range that overlaps nothing (NaN) are left out.
 */
class OpenByRange {
  readonly tree = new RangeTree<number>();
  private readonly ends = new NumHeap();
  private readonly nodes: RangeNode<number>[] = [];

  add(i: number, rStart: Float64Array, rEnd: Float64Array, to: Float64Array): void {
    if (Number.isNaN(rStart[i]) || Number.isNaN(rEnd[i])) return;
    const node = this.tree.node(i, rStart[i], rEnd[i], i);
    this.tree.insert(node);
    this.ends.push(to[i], i, this.nodes.length);
    this.nodes.push(node);
  }

  /** removes the sections ended by `nowNs` (to <= now: they cannot overlap it or anything later) */
  expire(nowNs: number): void {
    const ends = this.ends;
    while (ends.size > 0 && ends.peekKey() <= nowNs) {
      const k = ends.pop();
      this.tree.remove(this.nodes[k]);
    }
  }
}

const FSYNC = KIND_CODE.get('fsync') as number;
const MMAP = KIND_CODE.get('mmap') as number;
const MUNMAP = KIND_CODE.get('munmap') as number;
const TO_EOF = new Uint8Array(OP_KINDS.length);
for (const k of ['truncate', 'collapse-range', 'insert-range'] as const) TO_EOF[KIND_CODE.get(k) as number] = 1;
/** kinds whose zero length means the whole file */
const EMPTY_IS_WHOLE = new Uint8Array(OP_KINDS.length);
for (const k of ['punch', 'zero-range', 'writeback'] as const) EMPTY_IS_WHOLE[KIND_CODE.get(k) as number] = 1;

/**
 * The byte range an op touches for race purposes into `out` ([start, end)); false when it touches
 * none (fsync, mmap, munmap).
 */
function dataRange(t: OpTable, i: number, out: Float64Array): boolean {
  const k = t.kind[i];
  if (k === FSYNC || k === MMAP || k === MUNMAP) return false;
  const offset = t.offset[i];
  const length = t.lengthBytes[i];
  if (TO_EOF[k] === 1) {
    out[0] = offset;
    out[1] = Infinity;
  } else if (length <= 0) {
    out[0] = EMPTY_IS_WHOLE[k] === 1 ? 0 : offset;
    out[1] = EMPTY_IS_WHOLE[k] === 1 ? Infinity : offset + 1;
  } else {
    out[0] = offset;
    out[1] = offset + length;
  }
  return true;
}

/** a fault-around window (isFaultAround): it maps cached pages, so it is no side of any conflict */
function mapsCachedPages(t: OpTable, i: number): boolean {
  return isFaultAroundCode(t.kind[i], t.lengthBytes[i]);
}

/** per kind, the kinds it conflicts with as a bit mask (bit j: OP_KINDS[j]; CONFLICTS_WITH) */
const CONFLICTS_MASK = Int32Array.from(CONFLICTS_WITH, (partners) => partners.reduce((m, j) => m | (1 << j), 0));

/** Arrays the check may overwrite, each at least as long as the ops (see findRaces). */
export interface RaceScratch {
  rStart: Float64Array;
  rEnd: Float64Array;
  /** two halves: the candidates by section start, then grouped by file */
  order: Int32Array;
}
/** 1 for the ops of this run that are candidates (kept per table: a compare's runs reuse it) */
const candidateOf = new WeakMap<OpTable, Uint8Array>();

/** the examples kept per class: (later side's start, earlier op, later op), smallest first */
interface Examples {
  count: number;
  file: number[];
  a: number[];
  b: number[];
}

/** whether overlap (a, b) comes before example k of `ex` in the listing order */
function before(ex: Examples, k: number, from: Float64Array, a: number, b: number): boolean {
  const fb = from[b];
  const fk = from[ex.b[k]];
  if (fb !== fk) return fb < fk;
  if (a !== ex.a[k]) return a < ex.a[k];
  return b < ex.b[k];
}

/**
 * Every conflicting overlap on the schedule `o`, counted per conflict class, with the first
 * `listed` of each class in time. The check is the schedule's last reader: it writes each
 * candidate's section over `o.activeNs` and `o.workEndNs` (an op that never did work gets its
 * start and end there, one none of whose own work took time its end), and its ranges and
 * orderings into `scratch` when given (else into new arrays). `indexOpenAbove`: open sections of a
 * kind on a file from which they are indexed by byte range (the same answer either way).
 */
export function findRaces(ops: readonly Op[] | OpColumns, o: OpOutcomes, listed = 3, table: OpTable = opTable(ops), scratch?: RaceScratch, indexOpenAbove = INDEX_OPEN_ABOVE): RaceReport {
  const n = table.n;
  // (each pass over the ops is a function of its own: a check runs once per replay, and a long
  // loop in one large function entered optimized code through on-stack replacement, then left it
  // again at the code after it, which had not run yet)
  let candidate = candidateOf.get(table);
  if (candidate === undefined) candidateOf.set(table, (candidate = new Uint8Array(n)));
  // only files with two kinds that conflict can race: the kinds each file has, as a bit mask
  const racy = racyFiles(table, o, candidate);
  // each candidate's section and range, in columns; candidates grouped by file (in first-seen order)
  const { rStart, rEnd, order: orders } = scratch ?? { rStart: new Float64Array(n), rEnd: new Float64Array(n), order: new Int32Array(2 * n) };
  // each candidate's section, written over its activeNs and workEndNs (no other reader after the
  // simulation; an op that never did work gets its start and end there)
  const from = o.activeNs;
  const to = o.workEndNs;
  // candidates in index order, sorted below by (section start, index)
  const sorted = orders.subarray(0, n);
  const perFile = new Int32Array(table.files.length);
  const fileOrder: number[] = [];
  const total = sections(table, o, racy, candidate, rStart, rEnd, sorted, perFile, fileOrder);
  const base = new Int32Array(table.files.length);
  let acc = 0;
  for (const f of fileOrder) {
    base[f] = acc;
    acc += perFile[f];
  }
  // by (section start, index), then grouped by file keeping that order
  const byStart = sorted.subarray(0, total);
  // (ops that never did work are not in the activation order: then a sort)
  if (!inActivationOrder(byStart, o, candidate, from)) sortIndicesByKey(byStart, from);
  const order = orders.subarray(n, n + total);
  groupByFile(byStart, table.file, base.slice(), order);

  const examples: Examples[] = CONFLICT_CLASSES.map(() => ({ count: 0, file: [], a: [], b: [] }));
  const kindOf = table.kind;
  const record = (f: number, a: number, b: number): void => {
    const ex = examples[conflictClassOf(kindOf[a], kindOf[b])];
    ex.count++;
    if (listed <= 0) return;
    const len = ex.b.length;
    if (len === listed && !before(ex, len - 1, from, a, b)) return;
    let k = len;
    while (k > 0 && before(ex, k - 1, from, a, b)) k--;
    ex.file.splice(k, 0, f);
    ex.a.splice(k, 0, a);
    ex.b.splice(k, 0, b);
    if (ex.b.length > listed) {
      ex.file.pop();
      ex.a.pop();
      ex.b.pop();
    }
  };
  const sweep: Sweep = {
    kindOf, pid: table.pid, from, to, rStart, rEnd, indexOpenAbove, record,
    open: OP_KINDS.map(() => new Int32Array(64)), openLen: new Int32Array(OP_KINDS.length), pruneAt: new Int32Array(OP_KINDS.length), byRange: OP_KINDS.map(() => undefined), found: [],
  };
  for (const f of fileOrder) sweepFile(sweep, f, order.subarray(base[f], base[f] + perFile[f]));
  let count = 0;
  let ordering = 0;
  const byClass: RaceClassReport[] = [];
  CONFLICT_CLASSES.forEach((c, ci) => {
    const ex = examples[ci];
    if (ex.count === 0) return;
    if (c.severity === 'data') count += ex.count;
    else ordering += ex.count;
    const first: Race[] = ex.a.map((a, k) => ({ file: table.files[ex.file[k]], class: c.id, consequence: c.consequence, a: side(ops, a, rStart, rEnd, from, to), b: side(ops, ex.b[k], rStart, rEnd, from, to) }));
    byClass.push({ class: c.id, severity: c.severity, consequence: c.consequence, count: ex.count, first });
  });
  return { count, ordering, byClass };
}

/**
 * The files on which two kinds that conflict have completed ops (1), by file; and in `eligible`,
 * 1 for each op that can be a side of a race whatever its file (completed, of a kind in some
 * conflict, not a fault-around window), else 0.
 */
function racyFiles(table: OpTable, o: OpOutcomes, eligible: Uint8Array): Uint8Array {
  const n = table.n;
  const fileOf = table.file;
  const kindOf = table.kind;
  const kindMask = new Int32Array(table.files.length);
  for (let i = 0; i < n; i++) {
    const k = kindOf[i];
    if (o.done[i] === 1 && CONFLICTING_KIND[k] === 1 && !mapsCachedPages(table, i)) {
      eligible[i] = 1;
      kindMask[fileOf[i]] |= 1 << k;
    } else {
      eligible[i] = 0;
    }
  }
  const racy = new Uint8Array(table.files.length);
  for (let f = 0; f < racy.length; f++) racy[f] = masksConflict(kindMask[f]) ? 1 : 0;
  return racy;
}

/**
 * The candidates (eligible ops on a racy file, with a data range and a section of some length),
 * in index order into `sorted`: each one's section over its activeNs and workEndNs (an op that
 * never did work gets its start and end there) and its range into rStart and rEnd, `candidate`
 * left 1 for them only, counted per file (`perFile`; `fileOrder`: the files in first-seen order).
 * Returns how many.
 */
function sections(table: OpTable, o: OpOutcomes, racy: Uint8Array, candidate: Uint8Array, rStart: Float64Array, rEnd: Float64Array, sorted: Int32Array, perFile: Int32Array, fileOrder: number[]): number {
  const n = table.n;
  const fileOf = table.file;
  const from = o.activeNs;
  const to = o.workEndNs;
  const range = new Float64Array(2);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (candidate[i] === 0) continue;
    candidate[i] = 0;
    const f = fileOf[i];
    if (racy[f] === 0) continue;
    if (!dataRange(table, i, range)) continue;
    const wasActive = from[i] >= 0;
    const a = wasActive ? from[i] : o.startNs[i];
    const b = to[i] >= 0 ? to[i] : o.endNs[i];
    if (!(b > a)) continue;
    from[i] = a;
    to[i] = b;
    rStart[i] = range[0];
    rEnd[i] = range[1];
    candidate[i] = 1;
    sorted[total++] = i;
    if (perFile[f]++ === 0) fileOrder.push(f);
  }
  return total;
}

/** `byStart`'s ops into `order`, grouped by file (file f's from fill[f] on), keeping their order */
function groupByFile(byStart: Int32Array, fileOf: Int32Array, fill: Int32Array, order: Int32Array): void {
  for (let k = 0; k < byStart.length; k++) {
    const i = byStart[k];
    order[fill[fileOf[i]]++] = i;
  }
}

/** what the sweep over each file's candidates reads, and its open sections (reset for each file) */
interface Sweep {
  kindOf: Uint8Array;
  pid: OpTable['pid'];
  from: Float64Array;
  to: Float64Array;
  rStart: Float64Array;
  rEnd: Float64Array;
  indexOpenAbove: number;
  record: (f: number, a: number, b: number) => void;
  /**
   * the open sections, one list per kind (op indices in the order they opened), each an
   * Int32Array with its length apart (an array's length set back goes through the runtime); a
   * kind with many sections open at once on the file (thousands of tasks in an open-mode replay)
   * is indexed by byte range instead (OpenByRange), so each op visits the sections it overlaps
   */
  open: Int32Array[];
  openLen: Int32Array;
  pruneAt: Int32Array;
  byRange: (OpenByRange | undefined)[];
  found: RangeNode<number>[];
}

/** every conflicting overlap among file f's candidates (`spans`, by section start), recorded */
function sweepFile(sw: Sweep, f: number, spans: Int32Array): void {
  const { kindOf, pid, from, to, rStart, rEnd, indexOpenAbove, record, open, openLen, pruneAt, byRange, found } = sw;
  openLen.fill(0);
  pruneAt.fill(Math.min(64, indexOpenAbove));
  byRange.fill(undefined);
  // the kinds with sections open (or possibly open: an index, a list not yet pruned) on this file, as a bit mask
  let openKinds = 0;
  for (let s = 0; s < spans.length; s++) {
    const cur = spans[s];
    const curFrom = from[cur];
    const curStart = rStart[cur];
    const curEnd = rEnd[cur];
    const curPid = pid[cur];
    const k = kindOf[cur];
    // every open section of a kind that conflicts with this one (ended ones dropped as met), the
    // kinds in OP_KINDS order (CONFLICTS_WITH's), skipping those with none open
    let partners = CONFLICTS_MASK[k] & openKinds;
    while (partners !== 0) {
      const low = partners & -partners;
      partners ^= low;
      const pk = 31 - Math.clz32(low);
      const indexed = byRange[pk];
      if (indexed !== undefined) {
        indexed.expire(curFrom);
        found.length = 0;
        indexed.tree.overlapping(curStart, curEnd, found);
        for (const node of found) if (pid[node.item] !== curPid) record(f, node.item, cur);
        continue;
      }
      const list = open[pk];
      const len = openLen[pk];
      let kept = 0;
      for (let i = 0; i < len; i++) {
        const a = list[i];
        if (!(to[a] > curFrom)) continue;
        list[kept++] = a;
        if (rStart[a] < curEnd && curStart < rEnd[a] && pid[a] !== curPid) record(f, a, cur);
      }
      openLen[pk] = kept;
      if (kept === 0) openKinds &= ~low;
    }
    openKinds |= 1 << k;
    const indexed = byRange[k];
    if (indexed !== undefined) {
      indexed.add(cur, rStart, rEnd, to);
      continue;
    }
    let own = open[k];
    let ownLen = openLen[k];
    // sections that ended cannot overlap anything later: dropped now and then from lists that
    // no later op may scan for a while (and the kind indexed if many are left)
    if (ownLen >= pruneAt[k]) {
      let kept = 0;
      for (let i = 0; i < ownLen; i++) if (to[own[i]] > curFrom) own[kept++] = own[i];
      ownLen = kept;
      pruneAt[k] = Math.max(64, 2 * kept);
      if (kept >= indexOpenAbove) {
        const index = new OpenByRange();
        for (let i = 0; i < kept; i++) index.add(own[i], rStart, rEnd, to);
        index.add(cur, rStart, rEnd, to);
        byRange[k] = index;
        openLen[k] = 0;
        continue;
      }
    }
    if (ownLen === own.length) {
      const grown = new Int32Array(2 * own.length);
      grown.set(own);
      open[k] = own = grown;
    }
    own[ownLen] = cur;
    openLen[k] = ownLen + 1;
  }
}

/** whether a file with the kinds of `mask` (bit i = OP_KINDS[i]) has two kinds that conflict */
function masksConflict(mask: number): boolean {
  for (let i = 0; i < OP_KINDS.length; i++) {
    if ((mask & (1 << i)) === 0) continue;
    for (const j of CONFLICTS_WITH[i]) if ((mask & (1 << j)) !== 0) return true;
  }
  return false;
}

/**
 * The candidates by (section start, index) without a sort when every one did work: the simulation
 * lists ops in the order they became active, which is the order of their activeNs; only runs of
 * equal start times are put back in index order. False, with `out` untouched, when some candidate
 * is not in the activation order (it never did work).
 */
export function inActivationOrder(out: Int32Array, o: Pick<OpOutcomes, 'activeOrder' | 'activeCount'>, candidate: Uint8Array, from: Float64Array): boolean {
  // counted first: `out` (the caller's candidates, for its sort) stays as it is unless every one is there
  let active = 0;
  for (let j = 0; j < o.activeCount; j++) if (candidate[o.activeOrder[j]] === 1) active++;
  if (active !== out.length) return false;
  let k = 0;
  for (let j = 0; j < o.activeCount; j++) {
    const i = o.activeOrder[j];
    if (candidate[i] === 1) out[k++] = i;
  }
  for (let s = 0; s < k; ) {
    let e = s + 1;
    while (e < k && from[out[e]] === from[out[s]]) e++;
    if (e - s > 1) out.subarray(s, e).sort();
    s = e;
  }
  return true;
}

function side(ops: readonly Op[] | OpColumns, i: number, rStart: Float64Array, rEnd: Float64Array, from: Float64Array, to: Float64Array): RaceSide {
  const op = ops instanceof OpColumns ? ops.at(i) : ops[i];
  return { opId: op.id, pid: op.pid, comm: op.comm, kind: op.kind, start: rStart[i], end: rEnd[i] === Infinity ? null : rEnd[i], fromNs: Math.round(from[i]), toNs: Math.round(to[i]) };
}
