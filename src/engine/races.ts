/**
 * Races on the simulated schedule: an exclusive-class op (DIO, truncate, punch, zero/collapse/insert
 * range) whose critical section overlaps in time and byte range another op's on the same file, from
 * another task. A critical section runs from the moment the op first does work (its locks taken) to
 * the end of its last work (its releases, and their cost, come after). Under a strategy that
 * serialises them, the sections never overlap.
 */
import { isExclusiveKind, type Op } from '../model/op.js';
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

/** The byte range an op touches for race purposes, or undefined (fsync, mmap, munmap). */
function dataRange(op: Op): [number, number] | undefined {
  switch (op.kind) {
    case 'fsync':
    case 'mmap':
    case 'munmap':
      return undefined;
    case 'truncate':
    case 'collapse-range':
    case 'insert-range':
      return [op.offset, Infinity];
    default:
      if (op.lengthBytes <= 0) return op.kind === 'punch' || op.kind === 'zero-range' || op.kind === 'writeback' ? [0, Infinity] : [op.offset, op.offset + 1];
      return [op.offset, op.offset + op.lengthBytes];
  }
}

interface Span {
  i: number;
  start: number;
  end: number;
  from: number;
  to: number;
  exclusive: boolean;
}

export function findRaces(ops: readonly Op[], o: OpOutcomes, listed = 10): RaceReport {
  // only files with an exclusive-class op can race
  const racyFiles = new Set<string>();
  for (let i = 0; i < ops.length; i++) if (o.done[i] === 1 && isExclusiveKind(ops[i].kind)) racyFiles.add(ops[i].file);
  const byFile = new Map<string, Span[]>();
  for (let i = 0; i < ops.length; i++) {
    if (o.done[i] === 0 || !racyFiles.has(ops[i].file)) continue;
    const r = dataRange(ops[i]);
    if (r === undefined) continue;
    const from = o.activeNs[i] >= 0 ? o.activeNs[i] : o.startNs[i];
    const to = o.workEndNs[i] >= 0 ? o.workEndNs[i] : o.endNs[i];
    if (!(to > from)) continue;
    let list = byFile.get(ops[i].file);
    if (list === undefined) byFile.set(ops[i].file, (list = []));
    list.push({ i, start: r[0], end: r[1], from, to, exclusive: isExclusiveKind(ops[i].kind) });
  }
  let count = 0;
  const first: Race[] = [];
  for (const [file, spans] of byFile) {
    spans.sort((a, b) => a.from - b.from || a.i - b.i);
    const active: Span[] = [];
    for (const cur of spans) {
      // drop the sections that ended before this one starts (in place)
      let k = 0;
      for (let j = 0; j < active.length; j++) if (active[j].to > cur.from) active[k++] = active[j];
      active.length = k;
      for (let j = 0; j < k; j++) {
        const s = active[j];
        if (!(s.exclusive || cur.exclusive)) continue;
        if (!(s.start < cur.end && cur.start < s.end)) continue;
        if (ops[s.i].pid === ops[cur.i].pid) continue;
        count++;
        if (first.length < listed) first.push({ file, a: side(ops, s), b: side(ops, cur) });
      }
      active.push(cur);
    }
  }
  first.sort((x, y) => x.b.fromNs - y.b.fromNs || x.a.opId - y.a.opId);
  return { count, first };
}

function side(ops: readonly Op[], s: Span): RaceSide {
  const op = ops[s.i];
  return { opId: op.id, pid: op.pid, comm: op.comm, kind: op.kind, start: s.start, end: s.end === Infinity ? null : s.end, fromNs: Math.round(s.from), toNs: Math.round(s.to) };
}
