import { describe, expect, it } from 'vitest';
import { importTrace } from '../src/import/index.js';
import { replayStrategies } from '../src/replay/index.js';
import type { Op } from '../src/model/op.js';
import { synthesize } from '../src/synth/scenarios.js';
import { simulate } from '../src/engine/simulator.js';
import { createStrategy } from '../src/strategies/index.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-synth-'));

/** synth → file → the normal importer */
async function load(scenario: string, opts: { seed?: number; tasks?: number; ops?: number } = {}) {
  const path = join(tmp, `${scenario}-${opts.seed ?? 1}-${opts.tasks ?? 0}-${opts.ops ?? 0}.trace`);
  writeFileSync(path, synthesize(scenario, { seed: opts.seed ?? 1, ...opts }));
  const ops: Op[] = [];
  const summary = await importTrace(path, { op: (o) => ops.push(o), lock: () => undefined }, { keepLocks: false });
  expect(summary.lines.bad).toBe(0);
  return { ops, summary };
}

describe('synth scenarios through the importer', () => {
  it('the same seed gives the same bytes; another seed, other bytes', () => {
    for (const s of ['seed-race', 'seed-deadlock', 'dio-gup-mmap', 'disjoint-writers', 'single-page-storm']) {
      expect(synthesize(s, { seed: 5 })).toBe(synthesize(s, { seed: 5 }));
    }
    expect(synthesize('seed-race', { seed: 5 })).not.toBe(synthesize('seed-race', { seed: 6 }));
  });

  it('--tasks changes the scenarios with N tasks; the fixed casts (seed-deadlock, dio-gup-mmap) refuse another count (their header said tasks=5 of a 2-task trace)', () => {
    const pids = (text: string): number => new Set([...text.matchAll(/^\s*\S+-(\d+)\s/gm)].map((m) => m[1])).size;
    expect(pids(synthesize('disjoint-writers', { seed: 1, tasks: 6, ops: 60 }))).toBe(6);
    for (const [s, n] of [['seed-deadlock', 2], ['dio-gup-mmap', 4]] as const) {
      expect(() => synthesize(s, { seed: 1, tasks: 5 })).toThrow(`--tasks 5: ${s} is a fixed cast of ${n} tasks, each with its own part (--ops repeats the scenario)`);
      expect(synthesize(s, { seed: 1, tasks: n })).toBe(synthesize(s, { seed: 1 }));
      expect(pids(synthesize(s, { seed: 1 }))).toBe(n);
    }
  });

  it('seed-deadlock: the write and its child fault, the punch between them', async () => {
    const { ops } = await load('seed-deadlock');
    expect(ops.map((o) => [o.kind, o.pid, o.parent])).toEqual([['write', 201, undefined], ['punch', 301, undefined], ['fault-read', 201, 0]]);
    expect(ops[2]).toMatchObject({ offset: 8192, lengthBytes: 4096, proc: 'tgid:200' });
  });

  it('seed-deadlock deadlocks under range-lock (fifo, no prefault), naming the two-task cycle', async () => {
    const t = await load('seed-deadlock');
    const r = replayStrategies(t, ['range-lock'], {});
    const d = r.results[0].deadlock!;
    expect(d.reason).toBe('cycle');
    expect(d.cycle.map((b) => [b.pid, b.kind, b.lockClass, b.mode])).toEqual([[201, 'fault-read', 'range', 'S'], [301, 'punch', 'range', 'X']]);
    expect(d.cycle[0].waitsFor).toEqual([301]);
    expect(d.cycle[1].waitsFor).toEqual([201]);
    expect(d.atNs).toBe(50_000);
    expect(r.warnings.join('\n')).toMatch(/2-task wait-for cycle \(201 → 301 → 201\)/);
  });

  it('seed-deadlock completes with prefault, with reader-pref, with nested-shared-ok, and under i-mutex', async () => {
    const t = await load('seed-deadlock');
    const r = replayStrategies(t, ['range-lock:prefault=true', 'range-lock:fairness=reader-pref', 'range-lock:fairness=nested-shared-ok', 'i-mutex'], {});
    for (const s of r.results) {
      expect([s.strategy, s.strategyOptions, s.deadlock]).toEqual([s.strategy, s.strategyOptions, null]);
      expect(s.completedOps).toBe(3);
    }
  });

  it('dio-gup-mmap reports the three-task cycle through mmap_lock', async () => {
    const t = await load('dio-gup-mmap');
    const r = replayStrategies(t, ['range-lock'], {});
    const d = r.results[0].deadlock!;
    expect(d.cycle.map((b) => [b.pid, b.kind, b.lockClass, b.mode])).toEqual([
      [401, 'dio-write', 'mmap_lock', 'S'],
      [403, 'munmap', 'mmap_lock', 'X'],
      [402, 'fault-read', 'range', 'S'],
    ]);
    // without the mmap_lock model there is no cycle
    const off = replayStrategies(t, ['range-lock'], { mmapLock: false });
    expect(off.results[0].deadlock).toBeNull();
  });

  it('seed-race: races > 0 under page-lock and none, exactly 0 under range-lock and i-mutex', async () => {
    for (const seed of [1, 2, 3]) {
      const t = await load('seed-race', { seed });
      const r = replayStrategies(t, ['none', 'page-lock', 'range-lock', 'i-mutex'], {});
      const races = Object.fromEntries(r.results.map((s) => [s.strategy, s.races.count]));
      expect(races.none).toBeGreaterThan(0);
      expect(races['page-lock']).toBeGreaterThan(0);
      expect(races['range-lock']).toBe(0);
      expect(races['i-mutex']).toBe(0);
      expect(r.results.every((s) => s.deadlock === null)).toBe(true);
      // faults filling pages of a range being punched: the 2012 race, by its class
      const classes = r.results[1].races.byClass;
      expect(classes.map((c) => c.class)).toContain('stale-instantiation');
      expect(classes.every((c) => c.severity === 'data' && c.first.length > 0 && c.first.length <= 3)).toBe(true);
      for (const c of classes) {
        for (const first of c.first) {
          expect([first.a.kind, first.b.kind]).toContain('punch');
          expect(first.a.pid).not.toBe(first.b.pid);
          expect(first.class).toBe(c.class);
        }
      }
      expect(classes.reduce((a, c) => a + c.count, 0)).toBe(races['page-lock']);
    }
  });

  it('disjoint-writers and single-page-storm replay without deadlock; storm races only without range exclusion', async () => {
    const w = await load('disjoint-writers', { tasks: 3, ops: 100 });
    expect(w.ops.filter((o) => o.kind === 'write').length).toBe(300);
    const storm = await load('single-page-storm');
    const r = replayStrategies(storm, ['none', 'range-lock', 'i-mutex'], {});
    expect(r.results.map((s) => s.deadlock)).toEqual([null, null, null]);
    expect(r.results[1].races.count).toBe(0);
    expect(r.results[2].races.count).toBe(0);
  });
});

describe('wait-for graph and stalls', () => {
  it('a task waiting on a lock its own parent op holds is a one-task cycle, reported, never a hang', () => {
    // (a fault inside a punch that holds its page: no kernel path does this; it is the smallest plan whose child waits on its own parent)
    const ops: Op[] = [
      { id: 0, tsNs: 0, durNs: 10_000, pid: 1, proc: 'pid:1', comm: 'w', file: 'f', kind: 'punch', offset: 0, lengthBytes: 4096, line: 1 },
      { id: 1, tsNs: 2_000, durNs: 1_000, pid: 1, proc: 'pid:1', comm: 'w', file: 'f', kind: 'fault-read', offset: 0, lengthBytes: 4096, line: 2, parent: 0 },
    ];
    const sim = simulate(ops, Float64Array.from([10_000, 1_000]), createStrategy('page-lock'), { mode: 'closed', timeScale: 1, cpus: 1, pageSizeBytes: 4096 });
    expect(sim.stalled?.reason).toBe('cycle');
    expect(sim.stalled?.cycle.map((b) => b.pid)).toEqual([1]);
  });

  it('compare marks deadlocks and shows a races column; the CLI exits 0 and prints the cycle', () => {
    const path = join(tmp, 'cli-deadlock.trace');
    writeFileSync(path, synthesize('seed-deadlock', { seed: 1 }));
    const r = cli(['compare', path, '--strategy', 'range-lock,range-lock:prefault=true,i-mutex']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/races\s+deadlock/);
    expect(r.stdout).toMatch(/range-lock .*DEADLOCK \(2-task cycle\)/);
    expect(r.stdout).toMatch(/task 201 \(writer\) in op 2 fault-read .* held or queued ahead by task 301/);
    const synth = cli(['synth', 'seed-deadlock']);
    expect(synth.stdout).toBe(synthesize('seed-deadlock', { seed: 1 }));
    expect(cli(['synth', 'nope']).code).toBe(2);
  });
});

describe('check compares races per conflict class', () => {
  it('a class whose count grew fails its own row, even when the total did not change', async () => {
    const { check } = await import('../src/report/check.js');
    const t = await load('seed-race');
    const current = replayStrategies(t, ['page-lock'], {});
    const classes = current.results[0].races.byClass;
    expect(classes.length).toBeGreaterThanOrEqual(2);
    // a baseline with the same total, one race moved from the first class to the second
    const baseline = structuredClone(current);
    baseline.results[0].races.byClass[0].count -= 1;
    baseline.results[0].races.byClass[1].count += 1;
    const report = check(current, baseline, {});
    const rows = Object.fromEntries(report.rows.filter((r) => r.metric.startsWith('races')).map((r) => [r.metric, r.pass]));
    expect(rows).toEqual({ races: true, [`races[${classes[0].class}]`]: false, [`races[${classes[1].class}]`]: true });
    expect(report.regressions).toBe(1);
    // a class the baseline did not have at all is compared against 0
    const without = structuredClone(current);
    without.results[0].races.byClass = without.results[0].races.byClass.slice(1);
    expect(check(current, without, {}).rows.find((r) => r.metric === `races[${classes[0].class}]`)).toMatchObject({ baseline: 0, current: classes[0].count, pass: false });
  });
});

describe('the verdict', () => {
  it('names the safe strategies and the fastest of them, with the unsafe ones and why', async () => {
    const t = await load('seed-race');
    const r = replayStrategies(t, ['none', 'page-lock', 'range-lock', 'i-mutex'], {});
    const v = r.verdict;
    expect(v.safe).toEqual(['range-lock', 'i-mutex']);
    expect(v.unsafe.map((u) => [u.strategy, u.races > 0, u.deadlock])).toEqual([['none', true, false], ['page-lock', true, false]]);
    const best = [...r.results].filter((s) => v.safe.includes(s.strategy)).sort((a, b) => b.throughput.opsPerSec - a.throughput.opsPerSec)[0];
    expect(v.fastestByThroughput?.strategy).toBe(best.strategy);
    expect(v.fastestByThroughput?.vsNone).toBeCloseTo(best.throughput.opsPerSec / r.results[0].throughput.opsPerSec, 3);
    expect(v.text).toMatch(/^safe \(no races, no deadlock\): range-lock, i-mutex\. fastest safe by throughput: /);
    // a deadlock makes a strategy unsafe too
    const d = replayStrategies(await load('seed-deadlock'), ['range-lock', 'i-mutex'], {});
    expect(d.verdict.unsafe).toEqual([{ strategy: 'range-lock', races: 0, deadlock: true }]);
    expect(d.verdict.safe).toEqual(['i-mutex']);
  });
});
