/**
 * merge of shards by strategy (a CI matrix of compare -s A, -s B), the merged digest's independence
 * of the order of the shards, and overlapping time shards. CLI tests run the built dist/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/errors.js';
import { cli, trace } from './helpers.js';
import { loadResult, mergeResults } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-merge-shards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const OPTIONS = ['--mode', 'open', '--time-scale', '0.05'];
const read = (path: string): { input: { opsDigest: string; ops: number }; results: { strategy: string }[]; baseline: string | null; warnings: string[] } => JSON.parse(readFileSync(path, 'utf8'));

function compare(out: string, ...args: string[]): string {
  const path = join(tmp, out);
  const r = cli(['compare', trace('xfs-contended-small.trace.gz'), ...OPTIONS, ...args, '--out', path]);
  expect(r.code, r.stderr).toBe(0);
  return path;
}

describe('shards by strategy', () => {
  it('results of the same ops and options with other strategies merge into one result, each strategy entry as compare -s A,B writes it', () => {
    const all = compare('all.json', '-s', 'none,i-mutex,range-lock');
    const a = compare('a.json', '-s', 'none,range-lock');
    const b = compare('b.json', '-s', 'i-mutex');
    const merged = join(tmp, 'ab.json');
    const r = cli(['merge', a, b, '--out', merged]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const m = read(merged);
    // the order given, then each file's
    expect(m.results.map((s) => s.strategy)).toEqual(['none', 'range-lock', 'i-mutex']);
    const whole = JSON.parse(readFileSync(all, 'utf8')) as { results: { strategy: string }[] };
    for (const s of m.results) expect(JSON.stringify(s)).toBe(JSON.stringify(whole.results.find((w) => w.strategy === s.strategy)));
    expect(m.input).toEqual(read(all).input);
    // in compare's own order, the merged file is compare's, byte for byte (baseline, ratios, verdict, warnings included)
    const ordered = compare('ordered.json', '-s', 'none,range-lock,i-mutex');
    expect(cli(['merge', a, b, '--out', join(tmp, 'ab2.json')]).code).toBe(0);
    expect(readFileSync(join(tmp, 'ab2.json'), 'utf8')).toBe(readFileSync(ordered, 'utf8'));
    // the other order: i-mutex first, and the baseline is chosen by compare's rule again
    expect(cli(['merge', b, a, '--out', join(tmp, 'ba.json')]).code).toBe(0);
    expect([read(join(tmp, 'ba.json')).results.map((s) => s.strategy), read(join(tmp, 'ba.json')).baseline]).toEqual([['i-mutex', 'none', 'range-lock'], 'i-mutex']);
  }, 120_000);

  it('a strategy in two shards of the same ops, or shards by strategy mixed with shards by time, are refused (exit 11) saying why', () => {
    const a = compare('a2.json', '-s', 'none,range-lock');
    const c = compare('c2.json', '-s', 'range-lock,i-mutex');
    const both = cli(['merge', a, c, '--out', join(tmp, 'never.json')]);
    expect([both.code, both.stderr.trim()]).toEqual([ExitCode.incompatible, `lockreplay: ${c} cannot be merged with ${a}: its strategies differ (range-lock, i-mutex vs none, range-lock); they replay the same ops, so they can be shards by strategy, but range-lock is in both`]);
    const slice = compare('slice2.json', '-s', 'i-mutex', '--to', '+0.01');
    const mixed = cli(['merge', a, slice, '--out', join(tmp, 'never.json')]);
    expect([mixed.code, mixed.stderr.trim()]).toEqual([ExitCode.incompatible, `lockreplay: ${slice} cannot be merged with ${a}: its strategies differ (i-mutex vs none, range-lock); they replay other ops too (a shard by time or selection needs the same strategies, a shard by strategy the same ops): merge the strategy shards of each slice first, then the slices`]);
  }, 120_000);
});

describe('shards by strategy of other service times', () => {
  it('the same ops imported without the kernel\'s lock waits replay other service times: refused (exit 11)', () => {
    const ops = join(tmp, 'nolocks.ops.csv');
    expect(cli(['import', trace('xfs-contended-small.trace.gz'), '--no-locks', '--out', ops]).code).toBe(0);
    const a = compare('st-a.json', '-s', 'none');
    const b = join(tmp, 'st-b.json');
    expect(cli(['compare', ops, ...OPTIONS, '-s', 'i-mutex', '--out', b]).code).toBe(0);
    expect(read(a).input.opsDigest).toBe(read(b).input.opsDigest);
    const r = cli(['merge', a, b, '--out', join(tmp, 'never.json')]);
    expect(r.code).toBe(ExitCode.incompatible);
    expect(r.stderr).toMatch(/st-b\.json cannot be merged with .*st-a\.json: they replay other service times: serviceTime\.observedWaits differs/);
  }, 120_000);
});

describe('time shards', () => {
  const mix = (out: string, ...args: string[]): string => {
    const path = join(tmp, out);
    const r = cli(['compare', trace('xfs-mix.trace.gz'), '-s', 'none', ...OPTIONS, ...args, '--out', path]);
    expect(r.code, r.stderr).toBe(0);
    return path;
  };

  it('the merged digest is the same whatever order the shards are given in, nested or not, and says it is a merge', () => {
    const t1 = mix('t1.json', '--to', '+0.3');
    const t2 = mix('t2.json', '--from', '+0.300000001', '--to', '+0.66');
    const t3 = mix('t3.json', '--from', '+0.660000001');
    const digest = (...args: string[]): string => {
      const out = join(tmp, `m-${args.length}-${Math.random().toString(36).slice(2)}.json`);
      const r = cli(['merge', ...args, '--out', out]);
      expect([r.code, r.stderr], args.join(' ')).toEqual([0, '']);
      return read(out).input.opsDigest;
    };
    const d = digest(t1, t2, t3);
    expect(d).toMatch(/^merged\([0-9a-f]+-\d+,[0-9a-f]+-\d+,[0-9a-f]+-\d+\)$/);
    expect(digest(t3, t1, t2)).toBe(d);
    const t12 = join(tmp, 't12.json');
    expect(cli(['merge', t2, t1, '--out', t12]).code).toBe(0);
    const nested = join(tmp, 'nested.json');
    const r = cli(['merge', t3, t12, '--out', nested]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/t12\.json are shards of the same trace and .*t12\.json is merged already: whether they overlap cannot be checked/);
    expect(read(nested).input.opsDigest).toBe(d);
    expect(read(nested).input.ops).toBe(5872);
  }, 120_000);

  it('overlapping time shards are refused naming both (exit 11); other selections of one trace merge with a warning that overlap cannot be checked', () => {
    const early = mix('early.json', '--to', '+0.66');
    const late = mix('late.json', '--from', '+0.5');
    const r = cli(['merge', early, late, '--out', join(tmp, 'never.json')]);
    expect([r.code, r.stderr.trim()]).toEqual([ExitCode.incompatible, expect.stringMatching(new RegExp(`^lockreplay: ${early} and ${late} overlap: they used \\d+ and \\d+ of the same \\d+ lines of \\S+xfs-mix.trace.gz, so at least \\d+ in both \\(their --from/--to windows overlap\\); merging them counts those ops twice$`))]);
    const task = mix('task.json', '--task', 'fio');
    const w = cli(['merge', early, task, '--out', join(tmp, 'warned.json')]);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).toContain(`warning: merge: ${early} and ${task} are shards of the same trace with other --file/--task selections ([] vs ["fio"]): whether they overlap cannot be checked (results do not record their --from/--to windows)`);
    // and their ops ran at the same time: the merged throughput is not one replay's
    expect(w.stderr).toContain(`warning: merge: ${early} and ${task} are other --file/--task selections of the same trace, whose ops ran at the same time: merge adds their makespans`);
  }, 120_000);
});

describe('the merged timeline of time shards', () => {
  // ops every 20 ms for a second, a second with none, a second of them again (an op stream)
  const gapped = join(tmp, 'gapped.ops.csv');
  const rows = ['# lockreplay-ops v2', 'rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns'];
  const times = [...Array.from({ length: 50 }, (_, k) => k * 20_000_000), ...Array.from({ length: 50 }, (_, k) => 2_000_000_000 + k * 20_000_000)];
  times.forEach((t, i) => rows.push(`op,${i},${1_000_000_000_000 + t},100000,${100 + (i % 2)},pid:${100 + (i % 2)},fio,7:0:133,write,${(i % 8) * 4096},4096,,${i + 3},,,`));
  writeFileSync(gapped, `${rows.join('\n')}\n`);
  type Timeline = { intervalNs: number; startNs: number; opsPerSec: number[]; p99Ns: number[] };
  const timelines = (path: string): Timeline[] => (JSON.parse(readFileSync(path, 'utf8')) as { results: { timeline: Timeline }[] }).results.map((s) => s.timeline);
  const shard = (out: string, ...args: string[]): string => {
    const path = join(tmp, out);
    const r = cli(['compare', gapped, '-s', 'none,i-mutex', '--mode', 'open', '--time-scale', '1', '--cpus', '1', ...args, '--out', path]);
    expect(r.code, r.stderr).toBe(0);
    return path;
  };
  const merge = (out: string, ...shards: string[]): { path: string; stderr: string } => {
    const path = join(tmp, out);
    const r = cli(['merge', ...shards, '--out', path]);
    expect(r.code, r.stderr).toBe(0);
    return { path, stderr: r.stderr };
  };
  const runs = (n: number, value: number): number[] => new Array<number>(n).fill(value);

  it('a shard with no op between two others keeps the second it spans: intervals with no op where it was, the third shard where its ops were in the trace (was: the first\'s intervals and the third\'s one after the other, a second of the trace gone)', () => {
    const t1 = shard('g1.json', '--to', '+0.999');
    const t2 = shard('g2.json', '--from', '+1', '--to', '+1.999');
    const t3 = shard('g3.json', '--from', '+2');
    expect(timelines(t2).map((t) => t.opsPerSec.length)).toEqual([0, 0]);
    // 20 ms intervals: 50 with an op each, 50 with none (the empty shard's second), 50 with one each
    const expected = (p99Ns: number): Timeline => ({ intervalNs: 20_000_000, startNs: 0, opsPerSec: [...runs(50, 50), ...runs(50, 0), ...runs(50, 50)], p99Ns: [...runs(50, p99Ns), ...runs(50, 0), ...runs(50, p99Ns)] });
    const merged = merge('g123.json', t1, t2, t3).path;
    expect(timelines(merged)).toEqual([expected(100_000), expected(100_040)]);
    // (where each run's virtual 0 is on the trace's clock: its first op; the merge's, the earliest)
    expect([t1, t2, t3, merged].map((f) => JSON.parse(readFileSync(f, 'utf8')).input.firstOpTsNs)).toEqual([1_000_000_000_000, null, 1_002_000_000_000, 1_000_000_000_000]);
    // the same in any order, nested, and without the empty shard (the trace's clock places them, not the shard between)
    expect(timelines(merge('g321.json', t3, t2, t1).path)).toEqual(timelines(merged));
    expect(timelines(merge('g31.json', t3, t1).path)).toEqual(timelines(merged));
    expect(timelines(merge('g1-23.json', t1, merge('g23.json', t2, t3).path).path)).toEqual(timelines(merged));
  }, 120_000);

  it('shards with intervals of other lengths are put on the clock in intervals both divide (was: no timeline); a shard of an earlier version, which does not say where its ops start, leaves the merged result without one, with a warning', () => {
    const t1 = shard('h1.json', '--to', '+0.999');
    const t3 = shard('h3.json', '--from', '+2', '--to', '+2.399');
    expect([timelines(t1)[0].intervalNs, timelines(t3)[0].intervalNs]).toEqual([20_000_000, 10_000_000]);
    const merged = timelines(merge('h13.json', t1, t3).path)[0];
    expect(merged).toEqual({ intervalNs: 20_000_000, startNs: 0, opsPerSec: [...runs(50, 50), ...runs(50, 0), ...runs(20, 50)], p99Ns: [...runs(50, 100_000), ...runs(50, 0), ...runs(20, 100_000)] });
    const old = join(tmp, 'h3-old.json');
    const r3 = JSON.parse(readFileSync(t3, 'utf8')) as { input: Record<string, unknown> };
    delete r3.input.firstOpTsNs;
    writeFileSync(old, JSON.stringify(r3));
    const { path, stderr } = merge('h13-old.json', t1, old);
    expect(timelines(path).map((t) => t.opsPerSec.length)).toEqual([0, 0]);
    const warning = `merge: ${old} does not record where its first op is in the trace (input.firstOpTsNs: a result of an earlier lockreplay version), so the shards' timelines cannot be put on the trace's clock: the merged result has no timeline (replay that shard again to have one)`;
    expect(stderr).toBe(`warning: ${warning}\n`);
    expect(JSON.parse(readFileSync(path, 'utf8')).warnings).toContain(warning);
  }, 120_000);

  it('shards far apart in the trace make at most 1,000 intervals, longer ones that hold every op, not an array of millions', () => {
    const t1 = loadResult(shard('f1.json', '--to', '+0.999'));
    const far = loadResult(shard('f3.json', '--from', '+2'));
    // (as if its ops came 1,000 s of the trace later: 50,000 intervals of 20 ms)
    far.input.firstOpTsNs = (far.input.firstOpTsNs as number) + 1e12;
    const merged = mergeResults([t1, far], ['f1.json', 'f3.json']).results[0].timeline;
    expect(merged.opsPerSec.length).toBeLessThanOrEqual(1000);
    expect(merged.intervalNs % 20_000_000).toBe(0);
    expect(merged.intervalNs).toBeGreaterThanOrEqual(1e12 / 1000);
    // every op in it (to the 0.1 op/s each interval's rate is rounded to): the first shard's in the
    // first interval, the other's 1,002 s later
    const ops = merged.opsPerSec.map((x) => (x * merged.intervalNs) / 1e9);
    expect(Math.abs(ops.reduce((n, x) => n + x, 0) - 100)).toBeLessThan(0.05 * merged.intervalNs / 1e9 * 3);
    const busy = ops.flatMap((x, k) => (x > 0 ? [k] : []));
    expect(busy[0]).toBe(0);
    expect(busy.slice(1).every((k) => Math.abs(k * merged.intervalNs - 1_002e9) <= 2 * merged.intervalNs)).toBe(true);
    expect(merged.p99Ns.filter((p) => p > 0).every((p) => p === 100_000)).toBe(true);
  }, 60_000);
});
