/**
 * findRaces against a reference model written from docs/races.md alone: every pair of ops is
 * judged on its own (O(n^2)), with the conflict classes, severities and consequences read from the
 * page's Conflicts table, byte positions in BigInt, and the listing order the page and the result
 * type state. The code's sweep, its per-kind open lists, its byte-range index, its file filter and
 * its activation-order shortcut must all give the same answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findRaces, type RaceReport, type RaceScratch } from '../../../src/engine/races.js';
import { opTable } from '../../../src/engine/op-table.js';
import { simulate } from '../../../src/engine/simulator.js';
import type { OpOutcomes } from '../../../src/engine/simulator.js';
import { type Op, OP_KINDS, type OpKind } from '../../../src/model/op.js';
import { OpColumns } from '../../../src/model/op-columns.js';
import { createStrategy, strategyNames } from '../../../src/strategies/index.js';
import { ZERO_COSTS } from '../../../src/strategies/types.js';
import { ROOT } from '../../helpers.js';

// ---- the reference, from docs/races.md ----

interface DocClass { id: string; severity: 'data' | 'ordering'; consequence: string; a: string[]; b: string[] }

/** the Conflicts table of docs/races.md, in its order */
function docClasses(): DocClass[] {
  const doc = readFileSync(join(ROOT, 'docs', 'races.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Conflicts'), doc.indexOf('## Never a conflict'));
  const out: DocClass[] = [];
  for (const line of table.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line.split('|').map((c) => c.trim());
    const [a, b] = cells[3].split('×').map((side) => side.split(',').map((k) => k.trim()));
    out.push({ id: cells[1].replace(/`/g, ''), severity: cells[2] === 'race' ? 'data' : 'ordering', consequence: cells[4], a, b });
  }
  return out;
}
const CLASSES = docClasses();

/** the class (index in CLASSES) of two kinds, or -1: "a pair conflicts when one op is of a and the other of b" */
function refClass(x: OpKind, y: OpKind): number {
  const hits = CLASSES.flatMap((c, i) => ((c.a.includes(x) && c.b.includes(y)) || (c.a.includes(y) && c.b.includes(x)) ? [i] : []));
  if (hits.length > 1) throw new Error(`docs/races.md puts ${x} × ${y} in two classes`);
  return hits.length === 0 ? -1 : hits[0];
}

/** what the reference and the generator both know of an op */
interface OpFields {
  file: string;
  pid: number;
  kind: OpKind;
  offset: number;
  length: number;
  done: boolean;
}

/** one op and its outcome, as the reference sees them */
interface RefOp extends OpFields {
  startNs: number;
  endNs: number;
  /** -1 when the op never began a work step */
  activeNs: number;
  /** -1 when none of its own work ran (took time) */
  workEndNs: number;
}

/** [start, end) in exact bytes, end null = to EOF; undefined: no data range */
function refBytes(op: RefOp): [bigint, bigint | null] | undefined {
  if (op.kind === 'fsync' || op.kind === 'mmap' || op.kind === 'munmap') return undefined;
  const off = BigInt(op.offset);
  if (op.kind === 'truncate' || op.kind === 'collapse-range' || op.kind === 'insert-range') return [off, null];
  if (op.length === 0) return op.kind === 'punch' || op.kind === 'zero-range' || op.kind === 'writeback' ? [0n, null] : [off, off + 1n];
  return [off, off + BigInt(op.length)];
}

/**
 * the critical section: [activeNs, workEndNs); an op that never entered a work step starts at
 * startNs, and one none of whose own work ran (its work took no time: a syscall whose time is all
 * its faults') ends at endNs
 */
function refSection(op: RefOp): [number, number] {
  return [op.activeNs >= 0 ? op.activeNs : op.startNs, op.workEndNs >= 0 ? op.workEndNs : op.endNs];
}

/** a read fault longer than one page (4 KiB) maps cached pages: no side of any conflict */
const faultAround = (op: RefOp): boolean => op.kind === 'fault-read' && op.length > 4096;

function bytesMeet(p: [bigint, bigint | null], q: [bigint, bigint | null]): boolean {
  const lo = p[0] > q[0] ? p[0] : q[0];
  const hi = p[1] === null ? q[1] : q[1] === null ? p[1] : p[1] < q[1] ? p[1] : q[1];
  return hi === null || lo < hi;
}

/** the intersection of two half-open sections is not empty */
const timesMeet = (p: [number, number], q: [number, number]): boolean => Math.max(p[0], q[0]) < Math.min(p[1], q[1]);

function referenceRaces(ops: readonly Op[], ref: readonly RefOp[], listed: number): RaceReport {
  const found: { cls: number; early: number; late: number }[] = [];
  for (let i = 0; i < ref.length; i++) {
    for (let j = i + 1; j < ref.length; j++) {
      const p = ref[i];
      const q = ref[j];
      if (p.file !== q.file || p.pid === q.pid || !p.done || !q.done || faultAround(p) || faultAround(q)) continue;
      const cls = refClass(p.kind, q.kind);
      if (cls < 0) continue;
      const bp = refBytes(p);
      const bq = refBytes(q);
      if (bp === undefined || bq === undefined || !bytesMeet(bp, bq)) continue;
      const sp = refSection(p);
      const sq = refSection(q);
      if (!timesMeet(sp, sq)) continue;
      // the earlier side starts first (ties: the earlier op)
      const [early, late] = sq[0] < sp[0] ? [j, i] : [i, j];
      found.push({ cls, early, late });
    }
  }
  const side = (i: number) => {
    const [start, end] = refBytes(ref[i]) as [bigint, bigint | null];
    const [fromNs, toNs] = refSection(ref[i]);
    return { opId: ops[i].id, pid: ops[i].pid, comm: ops[i].comm, kind: ops[i].kind, start: Number(start), end: end === null ? null : Number(end), fromNs: Math.round(fromNs), toNs: Math.round(toNs) };
  };
  const report: RaceReport = { count: 0, ordering: 0, byClass: [] };
  CLASSES.forEach((c, ci) => {
    const mine = found.filter((x) => x.cls === ci);
    if (mine.length === 0) return;
    if (c.severity === 'data') report.count += mine.length;
    else report.ordering += mine.length;
    // listed by the later side's start, then the earlier op, then the later
    mine.sort((x, y) => refSection(ref[x.late])[0] - refSection(ref[y.late])[0] || x.early - y.early || x.late - y.late);
    const first = mine.slice(0, Math.max(0, listed)).map((x) => ({ file: ref[x.early].file, class: c.id, consequence: c.consequence, a: side(x.early), b: side(x.late) }));
    report.byClass.push({ class: c.id, severity: c.severity, consequence: c.consequence, count: mine.length, first });
  });
  return report;
}

// ---- inputs ----

interface Gen extends OpFields {
  /** 0: never entered a work step; 1: entered one, none of its own work ran; else worked */
  worked: number;
  from: number;
  dur: number;
  /** startNs before activeNs, endNs after workEndNs (lock waits, release costs) */
  lead: number;
  tail: number;
  tie: number;
}

const MAX = Number.MAX_SAFE_INTEGER;
const offsetArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 6 }).map((p) => p * 2048) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 16_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 6 }).map((p) => MAX - p * 2048) },
  { weight: 1, arbitrary: fc.constantFrom(0, MAX, MAX - 1, 2 ** 52) },
);
const lengthArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.constantFrom(1, 2048, 4095, 4096, 4097, 8192, 65536) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 30_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(MAX, 2 ** 52) },
);
const genArb: fc.Arbitrary<Gen> = fc.record({
  file: fc.constantFrom('A', 'A', 'A', 'B', 'C'),
  pid: fc.integer({ min: 1, max: 4 }),
  kind: fc.constantFrom(...OP_KINDS),
  offset: offsetArb,
  length: lengthArb,
  done: fc.integer({ min: 0, max: 9 }).map((x) => x !== 0),
  worked: fc.integer({ min: 0, max: 7 }),
  from: fc.integer({ min: 0, max: 40 }).map((t) => t * 5),
  dur: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 }).map((t) => t * 5), fc.integer({ min: 1, max: 90 })),
  lead: fc.integer({ min: 0, max: 20 }),
  tail: fc.integer({ min: 0, max: 20 }),
  tie: fc.integer(),
}).map((g) => ({ ...g, length: Math.min(g.length, MAX - g.offset) }));

/** the ops, the reference's view of them, and a fresh copy of their outcomes for each call */
function made(list: readonly Gen[]): { ops: Op[]; ref: RefOp[]; outcomes: () => OpOutcomes } {
  const ops: Op[] = list.map((g, id) => ({ id: 100 + id, tsNs: g.from, pid: g.pid, proc: `p${g.pid}`, comm: `c${g.pid}`, file: g.file, kind: g.kind, offset: g.offset, lengthBytes: g.length, line: id + 1 }));
  const ref: RefOp[] = list.map((g) => ({
    file: g.file, pid: g.pid, kind: g.kind, offset: g.offset, length: g.length, done: g.done,
    startNs: g.worked === 0 ? g.from : g.from - g.lead, endNs: g.worked === 1 ? g.from + g.dur : g.from + g.dur + g.tail,
    activeNs: g.worked === 0 ? -1 : g.from, workEndNs: g.worked >= 2 ? g.from + g.dur : -1,
  }));
  const outcomes = (): OpOutcomes => {
    const n = list.length;
    const o: OpOutcomes = {
      intendedNs: new Float64Array(n), startNs: Float64Array.from(ref, (r) => r.startNs), endNs: Float64Array.from(ref, (r) => r.endNs),
      lockWaitNs: new Float64Array(n), cpuWaitNs: new Float64Array(n), activeNs: Float64Array.from(ref, (r) => r.activeNs), workEndNs: Float64Array.from(ref, (r) => r.workEndNs),
      activeOrder: new Int32Array(n), activeCount: 0, done: Uint8Array.from(ref, (r) => (r.done ? 1 : 0)),
    };
    // the order the ops became active; ties in any order (the simulation's)
    const order = list.map((_, i) => i).filter((i) => o.activeNs[i] >= 0).sort((a, b) => o.activeNs[a] - o.activeNs[b] || list[a].tie - list[b].tie);
    order.forEach((i, k) => (o.activeOrder[k] = i));
    o.activeCount = order.length;
    return o;
  };
  return { ops, ref, outcomes };
}

function garbageScratch(n: number): RaceScratch {
  return { rStart: new Float64Array(n + 3).fill(-7), rEnd: new Float64Array(n + 3).fill(NaN), order: new Int32Array(2 * n + 5).fill(n + 1) };
}

// ---- the properties ----

describe('findRaces against the reference model of docs/races.md', () => {
  it('reads nine classes off the page, every pair of kinds in at most one', () => {
    expect(CLASSES.map((c) => [c.id, c.severity])).toEqual([
      ['stale-instantiation', 'data'], ['write-into-removal', 'data'], ['dio-stale-cache', 'data'], ['dio-lost-update', 'data'], ['dio-read-dirty', 'data'],
      ['io-to-freed-blocks', 'data'], ['shift-conflict', 'data'], ['dio-write-overlap', 'ordering'], ['torn-write', 'ordering'],
    ]);
    for (const c of CLASSES) for (const k of [...c.a, ...c.b]) expect(OP_KINDS as readonly string[], `${c.id}: ${k}`).toContain(k);
    for (const x of OP_KINDS) for (const y of OP_KINDS) refClass(x, y);
  });

  it('random ops on several files and tasks: the same counts per class, listed examples and totals (scanned, indexed, with a scratch, a shared table)', () => {
    fc.assert(fc.property(fc.array(genArb, { maxLength: 60, size: 'medium' }), fc.integer({ min: 0, max: 6 }), (list, listed) => {
      const { ops, ref, outcomes } = made(list);
      const expected = referenceRaces(ops, ref, listed);
      expect(findRaces(ops, outcomes(), listed)).toEqual(expected);
      expect(findRaces(ops, outcomes(), listed, undefined, undefined, 0)).toEqual(expected);
      expect(findRaces(ops, outcomes(), listed, undefined, undefined, 2)).toEqual(expected);
      expect(findRaces(OpColumns.fromOps(ops), outcomes(), listed)).toEqual(expected);
      // a compare's runs share the table and the scratch arrays
      const table = opTable(ops);
      const scratch = garbageScratch(ops.length);
      expect(findRaces(ops, outcomes(), listed, table, scratch)).toEqual(expected);
      expect(findRaces(ops, outcomes(), listed, table, scratch)).toEqual(expected);
    }), { numRuns: 400 });
  });

  it('many ops of few kinds on one file (the byte-range index past its threshold)', () => {
    const dense = genArb.map((g) => ({ ...g, file: 'A', kind: (['write', 'dio-write', 'punch', 'read', 'truncate'] as const)[Math.abs(g.tie) % 5] }));
    fc.assert(fc.property(fc.array(dense, { minLength: 60, maxLength: 160 }), fc.integer({ min: 0, max: 4 }), (list, listed) => {
      const { ops, ref, outcomes } = made(list);
      const expected = referenceRaces(ops, ref, listed);
      expect(findRaces(ops, outcomes(), listed)).toEqual(expected);
      expect(findRaces(ops, outcomes(), listed, undefined, undefined, 4)).toEqual(expected);
    }), { numRuns: 60 });
  });

  it('on simulated schedules of every strategy, closed and open (their own sections, `cached` ends included; the scratch a replay gives)', () => {
    const names = strategyNames();
    const row = fc.record({
      pid: fc.integer({ min: 1, max: 4 }),
      kind: fc.constantFrom(...OP_KINDS),
      file: fc.constantFrom('f', 'f', 'f', 'g'),
      offset: fc.integer({ min: 0, max: 6 }).map((p) => p * 4096),
      length: fc.constantFrom(0, 4096, 8192, 16384),
      gap: fc.integer({ min: 0, max: 1500 }),
      dur: fc.integer({ min: 0, max: 20_000 }),
      /** a child (a fault inside a syscall) of the task's last top-level op, when it has one */
      child: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
    });
    fc.assert(fc.property(fc.array(row, { maxLength: 24, size: 'medium' }), fc.constantFrom(...names), fc.boolean(), fc.boolean(), (rows, name, zeroCosts, open) => {
      let t = 0;
      const lastTop = new Map<number, number>();
      const ops: Op[] = rows.map((r, id) => {
        const parent = r.child ? lastTop.get(r.pid) : undefined;
        if (parent === undefined) lastTop.set(r.pid, id);
        const kind: OpKind = parent === undefined ? r.kind : r.kind === 'write' || r.kind === 'fault-write' ? 'fault-write' : 'fault-read';
        return { id, tsNs: (t += r.gap), durNs: r.dur, pid: r.pid, proc: `p${r.pid}`, comm: `c${r.pid}`, file: r.file, kind, offset: r.offset, lengthBytes: r.length, line: id + 1, ...(parent === undefined ? {} : { parent }) };
      });
      const table = opTable(ops);
      const sim = simulate(ops, Float64Array.from(ops, (o) => o.durNs ?? 0), createStrategy(name), { mode: open ? 'open' : 'closed', timeScale: 1, cpus: 4, pageSizeBytes: 4096, ...(zeroCosts ? { costs: ZERO_COSTS } : {}) }, table);
      const o = sim.outcomes;
      const ref: RefOp[] = ops.map((op, i) => ({ file: op.file, pid: op.pid, kind: op.kind, offset: op.offset, length: op.lengthBytes, done: o.done[i] === 1, startNs: o.startNs[i], endNs: o.endNs[i], activeNs: o.activeNs[i], workEndNs: o.workEndNs[i] }));
      const expected = referenceRaces(ops, ref, 3);
      // as a replay calls it: the table shared, the scratch in outcome arrays nothing reads after
      const scratch: RaceScratch = { rStart: o.intendedNs, rEnd: o.lockWaitNs, order: new Int32Array(o.cpuWaitNs.buffer, o.cpuWaitNs.byteOffset, 2 * ops.length) };
      expect(findRaces(ops, o, 3, table, scratch), name).toEqual(expected);
    }), { numRuns: 300 });
  });
});

describe('findRaces: sections and ranges the reference pins down', () => {
  /** a read over [0, 10) and a punch of it from another task at [50, 150) */
  function readAndPunch(read: Partial<RefOp>): { ops: Op[]; o: OpOutcomes } {
    const ref: RefOp[] = [
      { file: 'F', pid: 1, kind: 'read', offset: 0, length: 10, done: true, startNs: 0, endNs: 100, activeNs: 0, workEndNs: 100, ...read },
      { file: 'F', pid: 2, kind: 'punch', offset: 0, length: 10, done: true, startNs: 50, endNs: 150, activeNs: 50, workEndNs: 150 },
    ];
    const ops: Op[] = ref.map((r, id) => ({ id, tsNs: r.startNs, pid: r.pid, proc: `p${r.pid}`, comm: `c${r.pid}`, file: r.file, kind: r.kind, offset: r.offset, lengthBytes: r.length, line: id + 1 }));
    const order = [0, 1].filter((i) => ref[i].activeNs >= 0).sort((a, b) => ref[a].activeNs - ref[b].activeNs);
    const o: OpOutcomes = {
      intendedNs: new Float64Array(2), startNs: Float64Array.from(ref, (r) => r.startNs), endNs: Float64Array.from(ref, (r) => r.endNs), lockWaitNs: new Float64Array(2), cpuWaitNs: new Float64Array(2),
      activeNs: Float64Array.from(ref, (r) => r.activeNs), workEndNs: Float64Array.from(ref, (r) => r.workEndNs), activeOrder: Int32Array.from(order), activeCount: order.length, done: Uint8Array.from(ref, (r) => (r.done ? 1 : 0)),
    };
    return { ops, o };
  }

  it('an op that began a work step but none of whose own work took time runs its section to its end', () => {
    for (const [endNs, races] of [[100, 1], [50, 0], [51, 1]] as const) {
      const { ops, o } = readAndPunch({ startNs: 0, activeNs: 0, workEndNs: -1, endNs });
      expect(findRaces(ops, o).count, String(endNs)).toBe(races);
      expect(referenceRaces(ops, [
        { file: 'F', pid: 1, kind: 'read', offset: 0, length: 10, done: true, startNs: 0, endNs, activeNs: 0, workEndNs: -1 },
        { file: 'F', pid: 2, kind: 'punch', offset: 0, length: 10, done: true, startNs: 50, endNs: 150, activeNs: 50, workEndNs: 150 },
      ], 3).count).toBe(races);
    }
  });

  it('an empty section inside another overlaps nothing', () => {
    const { ops, o } = readAndPunch({ activeNs: 60, workEndNs: 60 });
    expect(findRaces(ops, o)).toEqual({ count: 0, ordering: 0, byClass: [] });
  });

  it('the last bytes a double holds exactly: a read of the last byte and a punch of it race, one of the byte before does not', () => {
    const last = Number.MAX_SAFE_INTEGER - 1;
    for (const [offset, length, races] of [[last, 1, 1], [last - 1, 1, 0], [last, 0, 1], [last - 1, 0, 0]] as const) {
      const { ops, o } = readAndPunch({ offset, length });
      ops[1].offset = last;
      ops[1].lengthBytes = 1;
      expect(findRaces(ops, o).count, `${offset} ${length}`).toBe(races);
    }
  });
});
