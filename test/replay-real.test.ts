import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadForReplay, replayStrategies } from '../src/replay/index.js';
import { resultJson } from '../src/report/json.js';
import { cli, trace } from './helpers.js';
import { strategyNames } from '../src/strategies/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-replay-'));

describe('replay on real captures', () => {
  it('xfs-disjoint-writers, arrivals compressed: range-lock write p99 below i-mutex and within 10% of none', async () => {
    const t = await loadForReplay(trace('xfs-disjoint-writers.trace.gz'));
    const r = replayStrategies(t, ['none', 'i-mutex', 'range-lock'], { mode: 'open', timeScale: 0.05 });
    const p99 = Object.fromEntries(r.results.map((s) => [s.strategy, s.byKind.write.latency.p99]));
    expect(p99['range-lock']).toBeLessThan(p99['i-mutex']);
    expect(p99['range-lock']).toBeLessThanOrEqual(p99.none * 1.1);
    expect(r.results.every((s) => s.deadlock === null)).toBe(true);
    // every write was replayed under every strategy
    for (const s of r.results) expect(s.byKind.write.count).toBe(t.ops.filter((o) => o.kind === 'write').length);
  });

  it('xfs-mix: throughput orders i-mutex <= range-lock <= none (closed and open)', async () => {
    const t = await loadForReplay(trace('xfs-mix.trace.gz'));
    for (const opts of [{}, { mode: 'open' as const, timeScale: 0.05 }]) {
      const r = replayStrategies(t, ['i-mutex', 'range-lock', 'none'], opts);
      const [im, rl, none] = r.results.map((s) => s.throughput.opsPerSec);
      expect(im).toBeLessThanOrEqual(rl);
      expect(rl).toBeLessThanOrEqual(none);
      expect(r.results.every((s) => s.completedOps === t.ops.length)).toBe(true);
    }
  });

  it('no real capture deadlocks under any built-in strategy', async () => {
    for (const name of ['xfs-mix', 'ext4-mix', 'xfs-mmap-truncate', 'ext4-dio-buffered', 'xfs-nested-fault']) {
      const t = await loadForReplay(trace(`${name}.trace.gz`));
      const r = replayStrategies(t, [...strategyNames(), 'range-lock:prefault=true', 'range-lock:fairness=reader-pref', 'range-lock:buffered=page'], { mode: 'open', timeScale: 0.2 });
      for (const s of r.results) expect([name, s.strategy, s.deadlock]).toEqual([name, s.strategy, null]);
    }
  });

  it('two identical runs give byte-identical JSON (same sha256)', () => {
    const a = join(tmp, 'a.json');
    const b = join(tmp, 'b.json');
    expect(cli(['compare', trace('xfs-mix.trace.gz'), '--all', '--mode', 'open', '--time-scale', '0.1', '--out', a]).code).toBe(0);
    expect(cli(['compare', trace('xfs-mix.trace.gz'), '--all', '--mode', 'open', '--time-scale', '0.1', '--out', b]).code).toBe(0);
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    expect(sha(a)).toBe(sha(b));
    const r = JSON.parse(readFileSync(a, 'utf8'));
    expect(r.schema).toBe('lockreplay-result/2');
    expect(r.results.map((s: { strategy: string }) => s.strategy)).toEqual(strategyNames());
    expect(r.results[0].byKind.write.latencyHistogram).toMatch(/^HISTF/);
  });

  it('replay --json and compare CLI', () => {
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', 'range-lock', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.results[0].strategy).toBe('range-lock');
    expect(j.options).toMatchObject({ mode: 'closed', cpus: 2, cpusSource: 'trace' });
    expect(j.serviceTime.observed + j.serviceTime.modelled).toBe(j.input.ops);
    const c = cli(['compare', trace('xfs-mix.trace.gz'), '--strategy', 'i-mutex,range-lock', '--baseline', 'i-mutex']);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/i-mutex .* 1\.000 /);
    expect(cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', 'nope']).code).toBe(2);
    expect(cli(['compare', trace('xfs-mix.trace.gz')]).code).toBe(2);
    expect(cli(['compare', trace('xfs-mix.trace.gz'), '--all', '--baseline', 'nope']).code).toBe(2);
  });

  it('replays an Op stream file exactly like the trace it came from', () => {
    const ops = join(tmp, 'ops.csv');
    expect(cli(['import', trace('xfs-mix.trace.gz'), '--out', ops]).code).toBe(0);
    const a = JSON.parse(cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'range-lock', '--json']).stdout);
    const b = JSON.parse(cli(['replay', ops, '-s', 'range-lock', '--json']).stdout);
    expect(b.results).toEqual(a.results);
  });

  it('strategies lists every strategy with its rules', () => {
    const r = cli(['strategies', '--json']);
    const list = JSON.parse(r.stdout) as { name: string; rules: { kinds: string; locks: string }[] }[];
    expect(list.map((s) => s.name)).toEqual(strategyNames());
    expect(list.every((s) => s.rules.length > 0)).toBe(true);
  });
});

describe('result JSON', () => {
  it('is deterministic in-process too', async () => {
    const t = await loadForReplay(trace('ext4-dio-buffered.trace.gz'));
    const a = resultJson(replayStrategies(t, ['range-lock', 'page-lock'], {}));
    const b = resultJson(replayStrategies(t, ['range-lock', 'page-lock'], {}));
    expect(a).toBe(b);
  });
});
