/**
 * merge of shards by strategy (a CI matrix of compare -s A, -s B), the merged digest's independence
 * of the order of the shards, and overlapping time shards. CLI tests run the built dist/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/errors.js';
import { cli, trace } from './helpers.js';

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
