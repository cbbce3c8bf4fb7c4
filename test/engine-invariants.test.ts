/**
 * The engine defends its invariants (src/engine/invariants.ts): a plan or an input that breaks one
 * stops the run with an internal error (exit 1) naming the strategy, the op and the step, in one
 * line; a user strategy's plan is checked when it is made (exit 4, naming its file).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineInvariantError } from '../src/engine/invariants.js';
import { simulate, type SimOptions } from '../src/engine/simulator.js';
import { ExitCode } from '../src/errors.js';
import type { Op } from '../src/model/op.js';
import { acquire, release, WORK_ALL } from '../src/strategies/plan-helpers.js';
import { DEFAULT_COSTS, type Step, type Strategy } from '../src/strategies/types.js';
import { unbalancedStep, validateStrategy } from '../src/strategies/user.js';
import { cli, trace } from './helpers.js';

const F = '7:0:133';
const MUTEX = { kind: 'mutex' } as const;
const OPTIONS: SimOptions = { mode: 'closed', timeScale: 1, cpus: 2, pageSizeBytes: 4096, costs: DEFAULT_COSTS };

function op(id: number, pid: number, tsNs: number, durNs = 1000): Op {
  return { id, tsNs, durNs, pid, proc: `pid:${pid}`, comm: `t${pid}`, file: F, kind: 'write', offset: 0, lengthBytes: 4096, line: 10 + id };
}

function planned(steps: Step[] | ((o: Op) => Step[])): Strategy {
  return { name: 'broken', summary: '', source: '', rules: [], options: {}, plan: (o) => (typeof steps === 'function' ? steps(o) : steps) };
}

function failure(ops: Op[], strategy: Strategy, service?: number[], options: SimOptions = OPTIONS): EngineInvariantError {
  const ns = Float64Array.from(service ?? ops.map((o) => o.durNs ?? 0));
  try {
    simulate(ops, ns, strategy, options);
  } catch (err) {
    expect(err).toBeInstanceOf(EngineInvariantError);
    const e = err as EngineInvariantError;
    expect(e.exitCode).toBe(ExitCode.internal);
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error('the run did not stop');
}

describe('broken invariants stop the run with an internal error naming strategy, op and step', () => {
  const two = [op(0, 1, 0), op(1, 2, 0)];

  it('a release of a tag the op does not hold', () => {
    const e = failure(two, planned([acquire('m', F, MUTEX, 'X', 0, Infinity, 0), WORK_ALL, release(0), release(7)]));
    expect(e.message).toBe('internal error in the replay engine: strategy broken, op 0 (write, line 10), step 3 of 4 (release): release of tag 7, which no acquire of this op holds');
  });

  it('a lock still held when the op completes', () => {
    const e = failure(two, planned([acquire('m', F, MUTEX, 'X', 0, Infinity, 3), WORK_ALL]));
    expect(e.message).toMatch(/strategy broken, op 0 \(write, line 10\), after its last step \(2\): the op completes holding 1 lock\(s\) its plan did not release \(the last: m X \[0, Infinity\), tag 3\)/);
  });

  for (const fraction of [0, -0.5, 1.5, Number.NaN, Infinity]) {
    it(`a work fraction of ${fraction}`, () => {
      const e = failure(two, planned([{ type: 'work', fraction }]));
      expect(e.message).toContain(`op 0 (write, line 10), step 0 of 1 (work): work fraction ${fraction} is not in (0, 1]`);
    });
  }

  for (const baseNs of [Number.NaN, -5, Infinity]) {
    it(`a cost of ${baseNs} ns`, () => {
      const e = failure(two, planned([{ type: 'cost', baseNs }, WORK_ALL]));
      expect(e.message).toMatch(/step 0 of 2 \(cost\): cost of (NaN|-?\d+|Infinity) ns is not a finite number >= 0/);
    });
  }

  it('a cost whose walk is not a number (perNodeNs NaN)', () => {
    const e = failure(two, planned([{ type: 'cost', baseNs: 10, perNodeNs: Number.NaN, nodesOf: { lockClass: 'm', key: F } }, WORK_ALL]));
    expect(e.message).toContain('cost of NaN ns');
  });

  for (const ns of [Number.NaN, -1, Infinity]) {
    it(`a service time of ${ns} ns`, () => {
      const e = failure(two, planned([WORK_ALL]), [ns, 1000]);
      expect(e.message).toBe(`internal error in the replay engine: strategy broken, op 0 (write, line 10), before its plan: service time ${ns} ns is not a finite number >= 0`);
    });
  }

  it('an acquire of an empty range', () => {
    const e = failure(two, planned([acquire('r', F, { kind: 'range', fairness: 'fifo' }, 'S', 4096, 4096, 0), WORK_ALL, release(0)]));
    expect(e.message).toContain('step 0 of 3 (acquire): acquire of r names an empty or invalid range [4096, 4096)');
  });

  it('virtual time going back (ops not in time order)', () => {
    const e = failure([op(0, 1, 5000), op(1, 2, 0)], planned([WORK_ALL]));
    expect(e.message).toMatch(/op 1 \(write, line 11\), before its plan: virtual time -5000 ns is not finite or goes back/);
  });

  it('mmap_lock steps the engine adds are balanced (a fault under a balanced plan runs)', () => {
    const fault: Op = { ...op(0, 1, 0), kind: 'fault-read' };
    const sim = simulate([fault], Float64Array.of(1000), planned([acquire('m', F, MUTEX, 'X', 0, Infinity, 0), WORK_ALL, release(0)]), OPTIONS);
    expect(sim.completed).toBe(1);
  });
});

describe('a user strategy whose plan does not pair its acquires and releases is refused when the plan is made', () => {
  it('unbalancedStep names the step', () => {
    const a = acquire('m', F, MUTEX, 'X', 0, Infinity, 1);
    expect(unbalancedStep([a, WORK_ALL, release(1)])).toBeUndefined();
    expect(unbalancedStep([a, a, release(1), release(1)])).toBeUndefined();
    expect(unbalancedStep([a, WORK_ALL, release(2)])).toBe('step 2 releases tag 2, which it does not hold');
    expect(unbalancedStep([a, WORK_ALL, release(1), release(1)])).toBe('step 3 releases tag 1, which it does not hold');
    expect(unbalancedStep([WORK_ALL, a])).toBe('leaves tag 1 (step 1) held');
  });

  it('validateStrategy: exit 4 naming the file, the op and the step', () => {
    const s = validateStrategy({ name: 'u', plan: () => [acquire('m', F, MUTEX, 'X', 0, Infinity, 0), WORK_ALL] }, 'u.mjs');
    expect(() => s.plan(op(0, 1, 0), { pageSizeBytes: 4096, fileSizeBytes: () => 0, costs: DEFAULT_COSTS })).toThrow(/^u\.mjs: plan\(\) leaves tag 0 \(step 0\) held for op 0 \(write, line 10\)/);
    const z = validateStrategy({ name: 'z', plan: () => [{ type: 'work', fraction: 0 }] }, 'z.mjs');
    expect(() => z.plan(op(0, 1, 0), { pageSizeBytes: 4096, fileSizeBytes: () => 0, costs: DEFAULT_COSTS })).toThrow(/z\.mjs: plan\(\) step 0 for op 0 \(write\): work needs a fraction in \(0, 1\]/);
    const w = validateStrategy({ name: 'w', plan: () => [{ type: 'work', fraction: 1, cached: 'yes' }] }, 'w.mjs');
    expect(() => w.plan(op(0, 1, 0), { pageSizeBytes: 4096, fileSizeBytes: () => 0, costs: DEFAULT_COSTS })).toThrow(/w\.mjs: plan\(\) step 0 for op 0 \(write\): work's cached, if given, must be true or false/);
    const ok = validateStrategy({ name: 'ok', plan: () => [{ type: 'work', fraction: 1, cached: true }] }, 'ok.mjs');
    expect(ok.plan(op(0, 1, 0), { pageSizeBytes: 4096, fileSizeBytes: () => 0, costs: DEFAULT_COSTS })).toHaveLength(1);
    const c = validateStrategy({ name: 'c', plan: () => [{ type: 'cost', baseNs: -1 }, WORK_ALL] }, 'c.mjs');
    expect(() => c.plan(op(0, 1, 0), { pageSizeBytes: 4096, fileSizeBytes: () => 0, costs: DEFAULT_COSTS })).toThrow(/c\.mjs: plan\(\) step 0 .*cost needs baseNs/);
  });

  it('through the CLI: exit 4, one line, no stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-inv-'));
    const p = join(dir, 'leaky.mjs');
    writeFileSync(p, "export default { name: 'leaky', rules: [], plan: (op) => [{ type: 'acquire', lockClass: 'm', key: op.file, spec: { kind: 'mutex' }, mode: 'X', start: 0, end: Infinity, tag: 0 }, { type: 'work', fraction: 1 }] };\n");
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', p]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^lockreplay: .*leaky\.mjs: plan\(\) leaves tag 0 \(step 0\) held for op \d+ \(\S+, line \d+\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the event bound', () => {
  it('a run past eventsPerStep × (ops + plan steps) events stops, naming the op', () => {
    const ops = [op(0, 1, 0), op(1, 2, 0)];
    const plan = planned([{ type: 'cost', baseNs: 10 }, { type: 'cost', baseNs: 10 }, { type: 'cost', baseNs: 10 }, WORK_ALL]);
    // 2 issues, and 3 cost segments and 1 work segment per op: 10 events, for 2 ops and 8 plan steps
    const e = failure(ops, plan, undefined, { ...OPTIONS, eventsPerStep: 0.5 });
    expect(e.message).toMatch(/op 1 \(write, line 11\), .*: the run took more than 0\.5 events per op and plan step \(5\): a loop$/);
    expect(simulate(ops, Float64Array.of(1000, 1000), plan, { ...OPTIONS, eventsPerStep: 1 }).completed).toBe(2);
  });
});
