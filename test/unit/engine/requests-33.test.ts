/**
 * The race check (engine/races.ts findRaces), its passes split into functions of their own and each
 * op's eligibility computed once: on real captures replayed by every built-in strategy, closed and
 * open, it finds what a plain pairwise check of the same rules finds (every pair of candidates on a
 * file whose sections and byte ranges overlap, from different tasks, of kinds in a conflict class),
 * counted per class, with the same first pairs listed; and a second check of the same schedule
 * (which the first wrote its sections over) gives the same report.
 */
import { describe, expect, it } from 'vitest';
import { findRaces, type RaceReport } from '../../../src/engine/races.js';
import { simulate, type OpOutcomes } from '../../../src/engine/simulator.js';
import { CONFLICT_CLASSES, conflictClassOf, CONFLICTING_KIND } from '../../../src/model/conflicts.js';
import { isFaultAroundCode, OP_KINDS } from '../../../src/model/op.js';
import type { OpTable } from '../../../src/engine/op-table.js';
import { loadForReplay, prepare, type Prepared } from '../../../src/replay/index.js';
import { createStrategy, strategyNames } from '../../../src/strategies/index.js';
import { trace } from '../../helpers.js';

const kindCode = (k: string): number => OP_KINDS.indexOf(k as (typeof OP_KINDS)[number]);
const NO_RANGE = new Set(['fsync', 'mmap', 'munmap'].map(kindCode));
const TO_EOF = new Set(['truncate', 'collapse-range', 'insert-range'].map(kindCode));
const EMPTY_IS_WHOLE = new Set(['punch', 'zero-range', 'writeback'].map(kindCode));

/** per class: how many pairs, and the first `listed` (earlier op, later op) by (later's start, earlier, later) */
interface Pairs {
  count: number[];
  first: [number, number][][];
}

/** every conflicting pair of the schedule, pair by pair (docs/races.md's rules, written out again) */
function pairwise(t: OpTable, o: OpOutcomes, listed: number): Pairs {
  const cands: { i: number; from: number; to: number; start: number; end: number }[] = [];
  for (let i = 0; i < t.n; i++) {
    const k = t.kind[i];
    if (o.done[i] !== 1 || CONFLICTING_KIND[k] !== 1 || isFaultAroundCode(k, t.lengthBytes[i]) || NO_RANGE.has(k)) continue;
    const offset = t.offset[i];
    const length = t.lengthBytes[i];
    const [start, end] = TO_EOF.has(k) ? [offset, Infinity] : length > 0 ? [offset, offset + length] : EMPTY_IS_WHOLE.has(k) ? [0, Infinity] : [offset, offset + 1];
    const from = o.activeNs[i] >= 0 ? o.activeNs[i] : o.startNs[i];
    const to = o.workEndNs[i] >= 0 ? o.workEndNs[i] : o.endNs[i];
    if (to > from) cands.push({ i, from, to, start, end });
  }
  cands.sort((x, y) => x.from - y.from || x.i - y.i);
  const found: { c: number; from: number; a: number; b: number }[] = [];
  const count = CONFLICT_CLASSES.map(() => 0);
  for (let x = 0; x < cands.length; x++) {
    const a = cands[x];
    for (let y = x + 1; y < cands.length && cands[y].from < a.to; y++) {
      const b = cands[y];
      if (t.file[a.i] !== t.file[b.i] || t.pid[a.i] === t.pid[b.i] || !(a.start < b.end && b.start < a.end)) continue;
      const c = conflictClassOf(t.kind[a.i], t.kind[b.i]);
      if (c < 0) continue;
      count[c]++;
      found.push({ c, from: b.from, a: a.i, b: b.i });
    }
  }
  found.sort((p, q) => p.from - q.from || p.a - q.a || p.b - q.b);
  const first = CONFLICT_CLASSES.map((_, c) => found.filter((p) => p.c === c).slice(0, listed).map((p): [number, number] => [p.a, p.b]));
  return { count, first };
}

/** the report in the same terms (ops by index: the captures' op ids are their indices here) */
function asPairs(r: RaceReport, p: Prepared): Pairs {
  const index = new Map<number, number>();
  for (let i = 0; i < p.columns.n; i++) index.set(p.columns.idOf(i), i);
  const count = CONFLICT_CLASSES.map(() => 0);
  const first: [number, number][][] = CONFLICT_CLASSES.map(() => []);
  for (const c of r.byClass) {
    const ci = CONFLICT_CLASSES.findIndex((k) => k.id === c.class);
    count[ci] = c.count;
    first[ci] = c.first.map((race) => [index.get(race.a.opId) as number, index.get(race.b.opId) as number]);
  }
  return { count, first };
}

async function checkEvery(path: string): Promise<number> {
  let races = 0;
  for (const mode of ['closed', 'open'] as const) {
    const p = prepare(await loadForReplay(path), mode === 'open' ? { mode, timeScale: 0.05 } : {});
    for (const name of strategyNames()) {
      const sim = simulate(p.columns, p.service.ns, createStrategy(name), p.simOptions, p.table);
      const expected = pairwise(p.table, sim.outcomes, 3);
      const report = findRaces(p.columns, sim.outcomes, 3, p.table);
      expect(asPairs(report, p), `${name} ${mode}`).toEqual(expected);
      let data = 0;
      let ordering = 0;
      CONFLICT_CLASSES.forEach((c, ci) => (c.severity === 'data' ? (data += expected.count[ci]) : (ordering += expected.count[ci])));
      expect([report.count, report.ordering], `${name} ${mode}`).toEqual([data, ordering]);
      // the first check wrote each candidate's section over activeNs and workEndNs: a second one reads them back
      expect(findRaces(p.columns, sim.outcomes, 3, p.table), `${name} ${mode}, checked again`).toEqual(report);
      races += report.count + report.ordering;
    }
  }
  return races;
}

describe('findRaces on real captures, every strategy, against a pairwise check', () => {
  it('xfs-contended-mixed (thousands of races open, a few dozen closed)', async () => {
    // (the comparison means something only where there are races to find)
    expect(await checkEvery(trace('xfs-contended-mixed.trace.gz'))).toBeGreaterThan(1000);
  }, 300_000);

  it('ext4-fdreuse (files reopened under new descriptors)', async () => {
    expect(await checkEvery(trace('ext4-fdreuse.trace.gz'))).toBeGreaterThan(0);
  }, 300_000);
});
