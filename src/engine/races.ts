/**
 * Races on the simulated schedule: an exclusive-class op (DIO, truncate, punch, zero/collapse/insert
 * range) whose critical section overlaps in time and byte range another op's on the same file, from
 * another task. A critical section runs from the moment the op first does work (its locks taken) to
 * the end of its last work (its releases, and their cost, come after). Under a strategy that
 * serialises them, the sections never overlap.
 */
import { type Op, OP_KINDS } from '../model/op.js';
import { KIND_CODE, opTable, type OpTable } from './op-table.js';
import { sortIndicesByKey } from '../util/radix-sort.js';
import type { OpOutcomes } from './simulator.js';

export interface RaceSide {
  opId: number;
  pid: number;
  comm: string;
  kind: string;
  /** byte range [start, end); end null = to EOF */
  start: number;
  end: number | null;
  /** critical section in virtual ns */
  fromNs: number;
  toNs: number;
}

export interface Race {
  file: string;
  a: RaceSide;
  b: RaceSide;
}

export interface RaceReport {
  count: number;
  /** the first races in time order (at most `listed`) */
  first: Race[];
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

interface RaceScratch {
  from: Float64Array;
  to: Float64Array;
  rStart: Float64Array;
  rEnd: Float64Array;
  sorted: Int32Array;
  grouped: Int32Array;
  /** 1 for the ops of this run that are candidates */
  candidate: Uint8Array;
  /** the sweep's open shared sections */
  openShared: Int32Array;
}
const scratchOf = new WeakMap<OpTable, RaceScratch>();

export function findRaces(ops: readonly Op[], o: OpOutcomes, listed = 10, table: OpTable = opTable(ops)): RaceReport {
  const n = table.n;
  const fileOf = table.file;
  const exclusive = table.exclusive;
  // only files with an exclusive-class op can race
  const racy = new Uint8Array(table.files.length);
  for (let i = 0; i < n; i++) if (o.done[i] === 1 && exclusive[i] === 1) racy[fileOf[i]] = 1;
  // each candidate's section and range, in columns; candidates grouped by file (in first-seen order)
  // (scratch columns are kept per table: every run of a compare reuses the same memory)
  let scratch = scratchOf.get(table);
  if (scratch === undefined) {
    scratch = { from: new Float64Array(n), to: new Float64Array(n), rStart: new Float64Array(n), rEnd: new Float64Array(n), sorted: new Int32Array(n), grouped: new Int32Array(n), candidate: new Uint8Array(n), openShared: new Int32Array(n) };
    scratchOf.set(table, scratch);
  }
  const { from, to, rStart, rEnd, candidate } = scratch;
  // candidates in index order, sorted below by (section start, index)
  const sorted = scratch.sorted;
  const range = new Float64Array(2);
  const perFile = new Int32Array(table.files.length);
  const fileOrder: number[] = [];
  let total = 0;
  /** candidates that never did work (their section starts when they started) */
  let inactive = 0;
  for (let i = 0; i < n; i++) {
    candidate[i] = 0;
    const f = fileOf[i];
    if (o.done[i] === 0 || racy[f] === 0) continue;
    if (!dataRange(table, i, range)) continue;
    const a = o.activeNs[i] >= 0 ? o.activeNs[i] : o.startNs[i];
    const b = o.workEndNs[i] >= 0 ? o.workEndNs[i] : o.endNs[i];
    if (!(b > a)) continue;
    from[i] = a;
    to[i] = b;
    rStart[i] = range[0];
    rEnd[i] = range[1];
    candidate[i] = 1;
    if (o.activeNs[i] < 0) inactive++;
    sorted[total++] = i;
    if (perFile[f]++ === 0) fileOrder.push(f);
  }
  const base = new Int32Array(table.files.length);
  let acc = 0;
  for (const f of fileOrder) {
    base[f] = acc;
    acc += perFile[f];
  }
  // by (section start, index), then grouped by file keeping that order
  const byStart = sorted.subarray(0, total);
  if (inactive === 0) inActivationOrder(byStart, o, candidate, from);
  else sortIndicesByKey(byStart, from);
  const order = scratch.grouped.subarray(0, total);
  const fill = base.slice();
  for (let k = 0; k < total; k++) {
    const i = byStart[k];
    order[fill[fileOf[i]]++] = i;
  }

  let count = 0;
  const first: Race[] = [];
  const pid = table.pid;
  // the sweep's open sections, as positions in the file's start order: exclusive and shared ones
  // apart, since a shared section races only with exclusive ones (the sorted list is not needed
  // any more: it holds the exclusive ones)
  const openX = sorted;
  const openS = scratch.openShared;
  const race = (f: number, a: number, cur: number): void => {
    count++;
    if (first.length < listed) first.push({ file: table.files[f], a: side(ops, a, rStart, rEnd, from, to), b: side(ops, cur, rStart, rEnd, from, to) });
  };
  for (const f of fileOrder) {
    const spans = order.subarray(base[f], base[f] + perFile[f]);
    let nx = 0;
    let ns = 0;
    let pruneAt = 64;
    for (let s = 0; s < spans.length; s++) {
      const cur = spans[s];
      const curFrom = from[cur];
      const curStart = rStart[cur];
      const curEnd = rEnd[cur];
      const curPid = pid[cur];
      if (exclusive[cur] === 1) {
        // every open section can race with it: both lists, merged back into the order they opened
        // (the order races are found in decides which are listed)
        let i = 0;
        let j = 0;
        let keptX = 0;
        let keptS = 0;
        while (i < nx || j < ns) {
          let pos: number;
          if (j >= ns || (i < nx && openX[i] < openS[j])) {
            pos = openX[i++];
            if (!(to[spans[pos]] > curFrom)) continue;
            openX[keptX++] = pos;
          } else {
            pos = openS[j++];
            if (!(to[spans[pos]] > curFrom)) continue;
            openS[keptS++] = pos;
          }
          const a = spans[pos];
          if (rStart[a] < curEnd && curStart < rEnd[a] && pid[a] !== curPid) race(f, a, cur);
        }
        nx = keptX;
        ns = keptS;
        openX[nx++] = s;
      } else {
        // only the open exclusive sections can race with a shared one
        let keptX = 0;
        for (let i = 0; i < nx; i++) {
          const pos = openX[i];
          const a = spans[pos];
          if (!(to[a] > curFrom)) continue;
          openX[keptX++] = pos;
          if (rStart[a] < curEnd && curStart < rEnd[a] && pid[a] !== curPid) race(f, a, cur);
        }
        nx = keptX;
        // shared sections that ended cannot race with anything later: dropped now and then
        if (ns >= pruneAt) {
          let kept = 0;
          for (let j = 0; j < ns; j++) if (to[spans[openS[j]]] > curFrom) openS[kept++] = openS[j];
          ns = kept;
          pruneAt = Math.max(64, 2 * ns);
        }
        openS[ns++] = s;
      }
    }
  }
  first.sort((x, y) => x.b.fromNs - y.b.fromNs || x.a.opId - y.a.opId);
  return { count, first };
}

/**
 * The candidates by (section start, index) without a sort when every one did work: the simulation
 * lists ops in the order they became active, which is the order of their activeNs; only runs of
 * equal start times are put back in index order.
 */
export function inActivationOrder(out: Int32Array, o: Pick<OpOutcomes, 'activeOrder' | 'activeCount'>, candidate: Uint8Array, from: Float64Array): void {
  let k = 0;
  for (let j = 0; j < o.activeCount; j++) {
    const i = o.activeOrder[j];
    if (candidate[i] === 1) out[k++] = i;
  }
  if (k !== out.length) throw new Error(`race check: ${out.length} candidates, ${k} in activation order`);
  for (let s = 0; s < k; ) {
    let e = s + 1;
    while (e < k && from[out[e]] === from[out[s]]) e++;
    if (e - s > 1) out.subarray(s, e).sort();
    s = e;
  }
}

function side(ops: readonly Op[], i: number, rStart: Float64Array, rEnd: Float64Array, from: Float64Array, to: Float64Array): RaceSide {
  const op = ops[i];
  return { opId: op.id, pid: op.pid, comm: op.comm, kind: op.kind, start: rStart[i], end: rEnd[i] === Infinity ? null : rEnd[i], fromNs: Math.round(from[i]), toNs: Math.round(to[i]) };
}
