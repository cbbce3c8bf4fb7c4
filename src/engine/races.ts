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
    scratch = { from: new Float64Array(n), to: new Float64Array(n), rStart: new Float64Array(n), rEnd: new Float64Array(n), sorted: new Int32Array(n), grouped: new Int32Array(n) };
    scratchOf.set(table, scratch);
  }
  const { from, to, rStart, rEnd } = scratch;
  // candidates in index order, sorted below by (section start, index)
  const sorted = scratch.sorted;
  const range = new Float64Array(2);
  const perFile = new Int32Array(table.files.length);
  const fileOrder: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
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
  sortIndicesByKey(byStart, from);
  const order = scratch.grouped.subarray(0, total);
  const fill = base.slice();
  for (let k = 0; k < total; k++) {
    const i = byStart[k];
    order[fill[fileOf[i]]++] = i;
  }

  let count = 0;
  const first: Race[] = [];
  // the sweep's open sections (the sorted list is not needed any more)
  const active = sorted;
  for (const f of fileOrder) {
    const spans = order.subarray(base[f], base[f] + perFile[f]);
    let k = 0;
    for (let s = 0; s < spans.length; s++) {
      const cur = spans[s];
      const curFrom = from[cur];
      // drop the sections that ended before this one starts (in place)
      // and check the others against it
      const curExclusive = exclusive[cur] === 1;
      let kept = 0;
      for (let j = 0; j < k; j++) {
        const a = active[j];
        if (!(to[a] > curFrom)) continue;
        active[kept++] = a;
        if (!(exclusive[a] === 1 || curExclusive)) continue;
        if (!(rStart[a] < rEnd[cur] && rStart[cur] < rEnd[a])) continue;
        if (table.pid[a] === table.pid[cur]) continue;
        count++;
        if (first.length < listed) first.push({ file: table.files[f], a: side(ops, a, rStart, rEnd, from, to), b: side(ops, cur, rStart, rEnd, from, to) });
      }
      k = kept;
      active[k++] = cur;
    }
  }
  first.sort((x, y) => x.b.fromNs - y.b.fromNs || x.a.opId - y.a.opId);
  return { count, first };
}

function side(ops: readonly Op[], i: number, rStart: Float64Array, rEnd: Float64Array, from: Float64Array, to: Float64Array): RaceSide {
  const op = ops[i];
  return { opId: op.id, pid: op.pid, comm: op.comm, kind: op.kind, start: rStart[i], end: rEnd[i] === Infinity ? null : rEnd[i], fromNs: Math.round(from[i]), toNs: Math.round(to[i]) };
}
