import { describe, expect, it } from 'vitest';
import { loadForReplay, replayStrategies } from '../src/replay/index.js';
import type { StrategyResult } from '../src/model/result.js';
import { verdictOf } from '../src/model/verdict.js';
import { strategyNames } from '../src/strategies/index.js';
import { trace } from './helpers.js';

/** a result with only what the verdict reads */
function run(strategy: string, opsPerSec: number, p99Ms: number, utilisation = 0.5, races = 0): StrategyResult {
  return { strategy, strategyOptions: {}, throughput: { opsPerSec }, all: { latency: { p99: p99Ms * 1e6 } }, cpu: { utilisation }, races: { count: races }, deadlock: null } as unknown as StrategyResult;
}
const verdict = (results: StrategyResult[], mode?: 'open' | 'closed') => verdictOf(results, (r) => r.strategy, mode);
const loadedEmpty = await loadForReplay(trace('xfs-mix.trace.gz'), { taskComms: new Set(['nosuch']) });

describe('the verdict names a winner only when the difference is meaningful', () => {
  it('strategies within 1% of the best throughput are named together; one more than 5% behind is the slowest', () => {
    const v = verdict([run('none', 1000, 10), run('a', 995, 10), run('b', 1000, 10), run('c', 700, 10)]);
    expect(v.fastestByThroughput).toEqual({ strategy: 'b', vsNone: 1, tiedWith: ['a'] });
    expect(v.throughputRanks).toBe(true);
    expect(v.text).toContain('fastest safe by throughput: b and a (within 1% of each other; 1.00x the throughput of none); slowest: c (0.70x the throughput of none).');
  });

  it('when every safe strategy is within 1%, throughput does not rank them, and no winner is named', () => {
    const v = verdict([run('none', 1000, 10), run('a', 999, 10), run('b', 1000, 10)]);
    expect(v.throughputRanks).toBe(false);
    expect(v.text).toContain('throughput does not rank the safe strategies: all within 1% of 1.0k ops/s (none: 1.0k ops/s)');
    expect(v.text).not.toMatch(/fastest safe by throughput/);
  });

  it('p99s all within 10% of none\'s (the lock-free tail) do not rank, even when one is 8% below it', () => {
    const v = verdict([run('none', 1000, 32.49), run('i-mutex', 770, 29.87), run('range-lock', 1000, 33.01)], 'open');
    expect(v.p99Ranks).toBe(false);
    expect(v.text).toContain('p99 does not rank them: every safe strategy\'s p99 is within 10% of none\'s (32.49 ms), a tail with no lock in it (ops due while their own task is still busy');
    expect(v.text).not.toMatch(/by p99: i-mutex/);
  });

  it('a p99 more than 10% worse than none\'s ranks them: the best (with those within 10% of it) and the slowest', () => {
    const v = verdict([run('none', 1000, 10), run('a', 1000, 10.2), run('b', 1000, 10.5), run('c', 1000, 16)]);
    expect(v.p99Ranks).toBe(true);
    expect(v.fastestByP99).toEqual({ strategy: 'a', vsNone: 1.02, tiedWith: ['b'] });
    expect(v.text).toContain('fastest safe by p99: a and b (within 10% of each other; 1.02x the p99 of none); slowest: c (1.60x the p99 of none)');
  });

  it('without none, the p99s are compared with the best', () => {
    expect(verdict([run('a', 1000, 10), run('b', 1000, 10.9)]).p99Ranks).toBe(false);
    const v = verdict([run('a', 1000, 10), run('b', 1000, 12)]);
    expect(v.p99Ranks).toBe(true);
    expect(v.text).toContain('fastest safe by p99: a; slowest: b (1.20x the best)');
  });

  it('says when the simulated CPUs are saturated (none, else the least busy run, over 90% busy)', () => {
    expect(verdict([run('none', 1000, 10, 0.91), run('a', 900, 11, 0.95)]).text).toMatch(/the simulated CPUs are saturated \(none keeps them 91\.0% busy\): differences are mostly CPU queueing/);
    expect(verdict([run('a', 1000, 10, 0.93), run('b', 900, 11, 0.97)]).text).toMatch(/saturated \(a keeps them 93\.0% busy\)/);
    // (99.8% busy is not said to be 100%)
    expect(verdict([run('none', 1000, 10, 0.998), run('a', 900, 11, 0.999)]).text).toMatch(/saturated \(none keeps them 99\.8% busy\)/);
    expect(verdict([run('none', 1000, 10, 0.9), run('a', 900, 11, 0.95)]).cpuSaturated).toBe(false);
  });

  it('with no op replayed (a selection that matches nothing), nothing is ranked and no winner is named', () => {
    const empty = (strategy: string): StrategyResult => ({ ...run(strategy, 0, 0, 0), completedOps: 0 }) as StrategyResult;
    const v = verdict([empty('none'), empty('i-mutex')]);
    expect(v).toEqual({ safe: ['none', 'i-mutex'], unsafe: [], fastestByThroughput: null, throughputRanks: false, fastestByP99: null, p99Ranks: false, cpuSaturated: false, text: 'no op was replayed (the trace or the selection has none): nothing to rank.' });
    // from the command line: --task that matches nothing
    const t = replayStrategies(loadedEmpty, ['none', 'i-mutex'], {});
    expect(t.verdict.text).toBe('no op was replayed (the trace or the selection has none): nothing to rank.');
    expect(t.verdict.fastestByThroughput).toBe(null);
  });

  it('one safe strategy besides none is named, as before', () => {
    const v = verdict([run('none', 1000, 10, 0.5, 3), run('i-mutex', 500, 20), run('range-lock', 1000, 10, 0.5, 1)]);
    expect(v.text).toBe('safe (no races, no deadlock): i-mutex. the only safe strategy besides none: i-mutex (0.50x the throughput of none; 2.00x the p99 of none). not safe: none (3 races), range-lock (1 race).');
    expect(verdict([run('i-mutex', 500, 20), run('range-lock', 1000, 10, 0.5, 1)]).text).toBe('safe (no races, no deadlock): i-mutex. the only safe strategy: i-mutex. not safe: range-lock (1 race).');
  });
});

describe('the demo\'s verdict (npm run demo: xfs-mix, every strategy, open mode ×0.05)', () => {
  it('names the strategies that are as fast as no locking, i-mutex as the slowest, and does not rank by p99', async () => {
    const r = replayStrategies(await loadForReplay(trace('xfs-mix.trace.gz')), strategyNames(), { mode: 'open', timeScale: 0.05 });
    const v = r.verdict;
    expect(v.safe).toEqual(strategyNames());
    const tp = (name: string): number => (r.results.find((s) => s.strategy === name) as StrategyResult).throughput.opsPerSec;
    const fastest = [v.fastestByThroughput?.strategy as string, ...(v.fastestByThroughput?.tiedWith ?? [])];
    expect(fastest).toContain('range-lock');
    expect(fastest).not.toContain('i-mutex');
    // every one named is within 1% of the fastest of all the safe ones
    const best = Math.max(...strategyNames().filter((n) => n !== 'none').map(tp));
    for (const n of fastest) expect(tp(n)).toBeGreaterThanOrEqual(best * 0.99);
    expect(v.text).toMatch(/slowest: i-mutex \(0\.78x the throughput of none\)/);
    // every p99 is a task's own backlog, the same without locks: no winner by p99
    expect(v.p99Ranks).toBe(false);
    expect(v.text).not.toMatch(/by p99: i-mutex/);
    expect(v.cpuSaturated).toBe(false);
  }, 120_000);
});

describe('ratios of a run that stopped at a deadlock', () => {
  it('are null: a strategy that completed one op before its deadlock is not the fastest', async () => {
    const { compareToBaseline } = await import('../src/model/labels.js');
    const stuck = { ...run('i-mutex', 20_000, 0.01), locks: {}, deadlock: { atNs: 50_000 } } as unknown as StrategyResult;
    const none = { ...run('none', 4_000, 10), locks: {} } as unknown as StrategyResult;
    const c = compareToBaseline([none, stuck], none);
    expect(c[1]).toMatchObject({ strategy: 'i-mutex', throughputRatio: null, p99Ratio: null, lockWaitRatio: null, deadlock: true });
    expect(c[0]).toMatchObject({ throughputRatio: 1, p99Ratio: 1 });
    // and every ratio to a deadlocked baseline
    expect(compareToBaseline([none], stuck)[0]).toMatchObject({ throughputRatio: null, p99Ratio: null, lockWaitRatio: null });
  });
});
