/**
 * The strategy contract (src/strategies/types.ts, docs/writing-strategies.md): plans are read-only,
 * tags keep to their named ranges, a plan that does not pair its acquires and releases is refused
 * with one line naming the strategy, the op kind and the step, and a JSON rules table takes every
 * lock kind a JS plan does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, replay } from '../src/index.js';
import { LockreplayError } from '../src/errors.js';
import { loadTrace } from '../src/import/index.js';
import type { Op } from '../src/model/op.js';
import { loadForReplay } from '../src/replay/index.js';
import { simulate } from '../src/engine/simulator.js';
import { resultJson } from '../src/report/json.js';
import { createStrategy, strategyNames } from '../src/strategies/index.js';
import { MAX_WALK_STEPS } from '../src/strategies/plan-helpers.js';
import { DEFAULT_COSTS, LOCK_KINDS, MMAP_LOCK_TAG, ORDERED_TAG, PAGE_WALK_TAG, type PlanContext, SPINLOCK_TAG, type Step, type Strategy } from '../src/strategies/types.js';
import { checkedStrategy, loadStrategy, unbalancedStep } from '../src/strategies/user.js';
import { cli, ROOT, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-contract-'));

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

/** the plans of every op of a trace, children with their parent in ctx */
function plans(ops: readonly Op[], s: Strategy): { op: Op; steps: readonly Step[] }[] {
  const byId = new Map(ops.map((o) => [o.id, o]));
  return ops.map((op) => {
    const ctx: PlanContext = { parent: op.parent === undefined ? undefined : byId.get(op.parent), pageSizeBytes: 4096, fileSizeBytes: () => 1 << 30, costs: DEFAULT_COSTS };
    return { op, steps: s.plan(op, ctx) };
  });
}

describe('built-in plans keep the contract', () => {
  it('every plan of every built-in strategy on real captures pairs its steps, and its tags keep to the named ranges', async () => {
    expect(PAGE_WALK_TAG + MAX_WALK_STEPS).toBeLessThanOrEqual(SPINLOCK_TAG);
    expect(SPINLOCK_TAG).toBeLessThan(ORDERED_TAG);
    expect(MMAP_LOCK_TAG).toBeLessThan(0);
    const ops = [...(await loadTrace(trace('xfs-mix.trace.gz'))).ops, ...(await loadTrace(trace('xfs-nested-fault.trace.gz'))).ops];
    const specs = [...strategyNames(), 'range-lock:buffered=page', 'range-lock:prefault=true'];
    // (checked without expect per step: millions of steps)
    const problems: string[] = [];
    for (const spec of specs) {
      const tags = new Set<number>();
      for (const { op, steps } of plans(ops, createStrategy(spec))) {
        const unbalanced = unbalancedStep(steps);
        if (unbalanced !== undefined) problems.push(`${spec}, op ${op.id} (${op.kind}): ${unbalanced}`);
        for (const st of steps) {
          if (st.type !== 'acquire') continue;
          tags.add(st.tag);
          const inWalk = st.tag >= PAGE_WALK_TAG && st.tag < PAGE_WALK_TAG + MAX_WALK_STEPS;
          const inSpin = st.tag >= SPINLOCK_TAG && st.tag < ORDERED_TAG;
          const inOrdered = st.tag >= ORDERED_TAG && st.tag < ORDERED_TAG + 100;
          if (!(inWalk || inSpin || inOrdered)) problems.push(`${spec}: tag ${st.tag} in no range`);
          // spinlock steps, and only they, are in the spinlock range
          if ((st.spec.kind === 'spinlock') !== inSpin) problems.push(`${spec}: ${st.lockClass} (${st.spec.kind}) has tag ${st.tag}`);
        }
      }
      if (spec !== 'none' && tags.size === 0) problems.push(`${spec}: no acquire at all`);
    }
    expect([...new Set(problems)].slice(0, 10)).toEqual([]);
  });

  it('the engine never changes a plan: replays with every plan and step frozen give the same bytes', async () => {
    const t = await loadForReplay(trace('xfs-mix.trace.gz'));
    const specs = ['page-lock', 'range-lock', 'linux:xfs', 'kara-2013', 'btrfs-extent'];
    const frozen = specs.map((spec) => {
      const s = createStrategy(spec);
      return { ...s, plan: (op: Op, ctx: PlanContext) => Object.freeze(s.plan(op, ctx).map((st) => Object.freeze({ ...st }))) };
    });
    const a = await compare(t, specs);
    const b = await compare(t, frozen);
    expect(resultJson(b)).toBe(resultJson(a));
  });
});

describe('a plan that does not pair its acquires and releases is refused: exit 4, one line naming the strategy, the op kind and the step', () => {
  const acquireStep = "{ type: 'acquire', lockClass: 'm', key: op.file, spec: { kind: 'mutex' }, mode: 'X', start: 0, end: Infinity, tag: 0 }";
  const cases: [string, string, RegExp][] = [
    ['unmatched.mjs', `[${acquireStep}, { type: 'work', fraction: 1 }, { type: 'release', tag: 0 }, { type: 'release', tag: 7 }]`, /unmatched\.mjs: plan\(\) step 3 releases tag 7, which it does not hold for op \d+ \((write|read|dio-read|[a-z-]+), line \d+\)/],
    ['missing.mjs', `[${acquireStep}, { type: 'work', fraction: 1 }]`, /missing\.mjs: plan\(\) leaves tag 0 \(step 0\) held for op \d+ \([a-z-]+, line \d+\)/],
    ['engine-tag.mjs', `[{ ...${acquireStep}, tag: -1 }, { type: 'work', fraction: 1 }, { type: 'release', tag: -1 }]`, /engine-tag\.mjs: plan\(\) step 0 for op \d+ \([a-z-]+\): tag must be a whole number >= 0 \(negative tags are the engine's\)/],
    ['fairness.mjs', `[{ ...${acquireStep}, spec: { kind: 'range', fairness: 'lifo' } }, { type: 'work', fraction: 1 }, { type: 'release', tag: 0 }]`, /fairness\.mjs: plan\(\) step 0 for op \d+ \([a-z-]+\): spec\.fairness: expected "fifo", "reader-pref" or "nested-shared-ok", got "lifo"/],
    ['no-work.mjs', '[]', /no-work\.mjs: plan\(\) for op \d+ \([a-z-]+, line \d+\): its work fractions add up to 0, not 1 \(the op's whole service time must be worked, once\)/],
    ['half-work.mjs', `[${acquireStep}, { type: 'work', fraction: 0.5 }, { type: 'release', tag: 0 }]`, /half-work\.mjs: plan\(\) for op \d+ \([a-z-]+, line \d+\): its work fractions add up to 0\.5, not 1/],
    ['twice-work.mjs', `[{ type: 'work', fraction: 1 }, { type: 'work', fraction: 1 }]`, /twice-work\.mjs: plan\(\) for op \d+ \([a-z-]+, line \d+\): its work fractions add up to 2, not 1/],
  ];
  for (const [file, steps, message] of cases) {
    it(`a JS module: ${file}`, () => {
      const p = write(file, `export default { name: '${file.replace('.mjs', '')}', rules: [], plan: (op) => ${steps} };\n`);
      for (const command of ['replay', 'compare']) {
        const r = cli([command, trace('xfs-mix.trace.gz'), '--strategy', command === 'replay' ? p : `none,${p}`, ...(command === 'compare' ? ['--threads', '2'] : [])]);
        expect(r.code).toBe(4);
        expect(r.stderr).toMatch(new RegExp(`^lockreplay: .*${message.source}`));
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stdout).toBe('');
      }
    });
  }

  it('a JSON rules table with a bad lock spec: exit 4, one line naming the file and the field', () => {
    const bad: [unknown, RegExp][] = [
      [{ kind: 'list-range', exclusiveOnly: 'yes' }, /lr\.json: locks\.l\.exclusiveOnly: expected true or false, got "yes"/],
      [{ kind: 'rwsem', fairness: 'nested-shared-ok' }, /lr\.json: locks\.l\.fairness: expected "fifo", "reader-pref" or "linux", got "nested-shared-ok"/],
      [{ kind: 'queue' }, /lr\.json: locks\.l\.kind: expected "mutex", "spinlock", "rwsem", "range", "list-range" or "two-state", got "queue"/],
    ];
    for (const [lock, message] of bad) {
      const p = write('lr.json', JSON.stringify({ name: 'lr', locks: { l: lock }, rules: { default: [{ lock: 'l', mode: 'X', range: 'op' }] } }));
      const r = cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', p]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(new RegExp(`^lockreplay: .*${message.source}`));
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('an object given to the library\'s replay: a LockreplayError (exit 4) naming `strategy NAME`, the op and the step', async () => {
    const t = await loadForReplay(trace('xfs-mix.trace.gz'));
    const broken: Strategy = {
      name: 'broken', summary: '', source: '', rules: [], options: {},
      plan: (op) => [{ type: 'acquire', lockClass: 'm', key: op.file, spec: { kind: 'mutex' }, mode: 'X', start: 0, end: Infinity, tag: 1 }, { type: 'work', fraction: 1 }, { type: 'release', tag: 2 }],
    };
    const err = await replay(t, broken).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(LockreplayError);
    expect((err as LockreplayError).exitCode).toBe(4);
    expect((err as Error).message).toMatch(/^strategy broken: plan\(\) step 2 releases tag 2, which it does not hold for op 0 \([a-z-]+, line \d+\): every release must name a lock the plan holds/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('built-in and loaded strategies are not wrapped again; an object is checked once', async () => {
    const builtIn = createStrategy('range-lock');
    expect(checkedStrategy(builtIn)).toBe(builtIn);
    const json = await loadStrategy(join(ROOT, 'examples/strategies/xfs-like.json'));
    expect(checkedStrategy(json)).toBe(json);
    const mine: Strategy = { ...createStrategy('i-mutex'), name: 'mine' };
    const checked = checkedStrategy(mine);
    expect(checked).not.toBe(mine);
    expect(checkedStrategy(checked)).toBe(checked);
  });
});

describe('a JSON rules table takes every lock kind a JS plan does', () => {
  it('list-range and two-state locks from JSON replay exactly as the same steps from a JS module', () => {
    expect([...LOCK_KINDS]).toEqual(['mutex', 'spinlock', 'rwsem', 'range', 'list-range', 'two-state']);
    const json = write('kinds.json', JSON.stringify({
      name: 'kinds',
      locks: { pc: { kind: 'two-state' }, ext: { kind: 'list-range', exclusiveOnly: true }, lr: { kind: 'list-range' } },
      rules: {
        'dio-write': [{ lock: 'pc', mode: 'X', range: 'file' }, { lock: 'ext', mode: 'X', range: 'op' }],
        'dio-read': [{ lock: 'pc', mode: 'X', range: 'file' }, { lock: 'lr', mode: 'S', range: 'op' }],
        punch: [{ lock: 'pc', mode: 'X', range: 'file' }, { lock: 'ext', mode: 'X', range: 'op' }],
        default: [{ lock: 'pc', mode: 'S', range: 'file' }],
      },
      children: 'none',
    }));
    const js = write('kinds.mjs', `
const PC = { kind: 'two-state' }, EXT = { kind: 'list-range', exclusiveOnly: true }, LR = { kind: 'list-range', exclusiveOnly: false };
const pageRange = (op) => { const s = Math.floor(op.offset / 4096) * 4096; return op.lengthBytes <= 0 ? [0, Infinity] : [s, Math.ceil((op.offset + Math.max(op.lengthBytes, 1)) / 4096) * 4096]; };
const take = (cls, op, spec, mode, [start, end], tag) => ({ type: 'acquire', lockClass: cls, key: op.file, spec, mode, start, end, tag });
export default { name: 'kinds', rules: [], plan(op, ctx) {
  if (ctx.parent !== undefined) return [{ type: 'work', fraction: 1 }];
  const locks = op.kind === 'dio-write' || op.kind === 'punch' ? [take('pc', op, PC, 'X', [0, Infinity], 1000), take('ext', op, EXT, 'X', pageRange(op), 1001)]
    : op.kind === 'dio-read' ? [take('pc', op, PC, 'X', [0, Infinity], 1000), take('lr', op, LR, 'S', pageRange(op), 1001)]
    : [take('pc', op, PC, 'S', [0, Infinity], 1000)];
  return [...locks, { type: 'work', fraction: 1 }, ...locks.map((l) => ({ type: 'release', tag: l.tag })).reverse()];
} };
`);
    const results = [json, js].map((p) => {
      const r = cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', p, '--mode', 'open', '--time-scale', '0.05', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as { results: { locks: Record<string, { acquisitions: number; contentions: number }> }[] };
    });
    const [fromJson, fromJs] = results.map((r) => r.results[0]);
    expect(fromJson.locks.pc.acquisitions).toBeGreaterThan(0);
    expect(fromJson.locks.pc.contentions).toBeGreaterThan(0);
    expect(fromJson.locks.lr.acquisitions).toBeGreaterThan(0);
    expect(fromJson.locks.ext.acquisitions).toBeGreaterThan(0);
    expect(JSON.stringify(fromJson)).toBe(JSON.stringify(fromJs));
  });
});

describe('a direct IO that pins its buffer before its locks (a children step first: the engine\'s get_user_pages follows it)', () => {
  // a direct write whose buffer maps its own range: its get_user_pages faults page 2 of the range
  const selfMapped: Op[] = [
    { id: 0, tsNs: 0, durNs: 100_000, pid: 201, proc: 'tgid:200', comm: 'dio', file: 'f', kind: 'dio-write', offset: 0, lengthBytes: 16384, line: 1 },
    { id: 1, tsNs: 50_000, durNs: 10_000, pid: 201, proc: 'tgid:200', comm: 'dio', file: 'f', kind: 'fault-read', offset: 8192, lengthBytes: 4096, line: 2, parent: 0 },
  ];
  const table = (dio: unknown[]): string => JSON.stringify({
    name: 'pins', locks: { r: { kind: 'range' } },
    rules: { 'dio-write': dio, 'fault-read': [{ lock: 'r', mode: 'X', range: 'op' }], default: [] },
  });

  it('a JSON rules table says it with "children" in the list: no 1-task cycle, where the same table without it has one', async () => {
    const first = await loadStrategy(write('pins-first.json', table(['children', { lock: 'r', mode: 'X', range: 'op' }])));
    const after = await loadStrategy(write('pins-after.json', table([{ lock: 'r', mode: 'X', range: 'op' }])));
    const ctx: PlanContext = { pageSizeBytes: 4096, fileSizeBytes: () => 1 << 20, costs: DEFAULT_COSTS };
    expect(first.plan(selfMapped[0], ctx).map((s) => s.type)).toEqual(['children', 'acquire', 'work', 'release']);
    expect(first.rules.find((r) => r.kinds === 'dio-write')?.locks).toBe('its child ops, then r X (op)');
    const [a, b] = [first, after].map((s) => simulate(selfMapped, Float64Array.from([100_000, 10_000]), s, { mode: 'closed', timeScale: 1, cpus: 2, pageSizeBytes: 4096 }));
    expect([a.stalled, a.outcomes.done[0], a.outcomes.done[1]]).toEqual([undefined, 1, 1]);
    expect(b.stalled?.cycle.map((c) => [c.pid, c.kind, c.lockClass])).toEqual([[201, 'fault-read', 'r']]);
  });

  it('"children" comes once in a list, and before a "page" step; a JS plan may not use the engine\'s flushesOnly', async () => {
    await expect(loadStrategy(write('twice.json', table(['children', 'children'])))).rejects.toThrow(/twice\.json: rules\.dio-write\[1\]: "children" may come once in a list/);
    await expect(loadStrategy(write('late.json', JSON.stringify({ name: 'late', locks: { p: { kind: 'range' } }, rules: { write: [{ lock: 'p', mode: 'X', range: 'page' }, 'children'] } })))).rejects.toThrow(/late\.json: rules\.write\[0\]\.range: "page" walks the pages around the work, so it must be the last step/);
    await expect(loadStrategy(write('word.json', table(['kids'])))).rejects.toThrow(/word\.json: rules\.dio-write\[0\]: expected \{ lock, mode, range \} or "children"/);
    const js = checkedStrategy({ name: 'flush', summary: '', source: '', rules: [], options: {}, plan: () => [{ type: 'children', flushesOnly: true }, { type: 'work', fraction: 1 }] });
    const ctx: PlanContext = { pageSizeBytes: 4096, fileSizeBytes: () => 1 << 20, costs: DEFAULT_COSTS };
    expect(() => js.plan(selfMapped[0], ctx)).toThrow(/strategy flush: plan\(\) step 0 for op 0 \(dio-write\): children's flushesOnly is the engine's/);
  });
});
