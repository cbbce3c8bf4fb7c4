/**
 * Result outputs and merge edges from a review: an output over the input trace, all-or-nothing
 * outputs, duplicate and overflowing merges, result validation. CLI tests run the built dist/.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refuseOutputOverInput } from '../src/cli/result-outputs.js';
import { OutputBatch } from '../src/util/output.js';
import { loadResult } from '../src/report/load.js';
import { ExitCode } from '../src/errors.js';
import { cli, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-output-edges-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('an output that is the input trace', () => {
  it('is refused by path or through a link (exit 2), before any work', () => {
    const input = join(tmp, 'in.csv');
    writeFileSync(input, 'x');
    const link = join(tmp, 'link.csv');
    symlinkSync(input, link);
    for (const flag of ['out', 'html', 'md', 'perfetto', 'hgrm'] as const) {
      for (const path of [input, link, join(tmp, '.', 'in.csv')]) {
        expect(() => refuseOutputOverInput({ [flag]: path }, input), `${flag} ${path}`).toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: `--${flag} ${path} is the input trace ${input}: writing there would replace the trace; name another file` }));
      }
    }
    // another file, a new file, stdout, stdin
    expect(() => refuseOutputOverInput({ out: join(tmp, 'new.json'), html: '-' }, input)).not.toThrow();
    expect(() => refuseOutputOverInput({ out: input }, '-')).not.toThrow();
  });

  it('replay and compare leave the input as it was', () => {
    const input = join(tmp, 'ops.csv');
    expect(cli(['import', trace('xfs-mix.trace.gz'), '--out', input]).code).toBe(0);
    const before = readFileSync(input);
    for (const args of [['replay', input, '-s', 'none', '--out', input], ['compare', input, '-s', 'none,i-mutex', '--html', input]]) {
      const r = cli(args);
      expect([r.code, r.stderr.split('\n')[0]], args.join(' ')).toEqual([ExitCode.usage, expect.stringContaining('is the input trace')]);
      expect(readFileSync(input).equals(before)).toBe(true);
    }
  });
  it('report and merge refuse an --out that is one of their results (by path or link, exit 2) and leave it as it was', () => {
    const result = join(tmp, 'over-input.json');
    expect(cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'none', '--out', result]).code).toBe(0);
    const other = join(tmp, 'over-input-2.json');
    expect(cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'none', '--to', '+0.5', '--out', other]).code).toBe(0);
    const link = join(tmp, 'over-input-link.json');
    symlinkSync(result, link);
    const before = readFileSync(result);
    for (const args of [['report', result, '--format', 'md', '--out', result], ['report', other, result, '--format', 'html', '--out', link], ['merge', other, result, '--out', result], ['merge', other, result, '--out', link]]) {
      const r = cli(args);
      expect([r.code, r.stderr.trim()], args.join(' ')).toEqual([ExitCode.usage, `lockreplay: --out ${args[args.length - 1]} is the input result ${result}: writing there would replace the result; name another file`]);
      expect(readFileSync(result).equals(before)).toBe(true);
    }
  }, 60_000);
});

describe('outputs are all or nothing', () => {
  it('a destination that cannot be written leaves the others as they were (no file replaced, no temporary file left)', async () => {
    const kept = join(tmp, 'kept.json');
    writeFileSync(kept, 'old');
    const batch = new OutputBatch();
    expect(() => {
      batch.add(kept, 'new');
      batch.add('/proc/lockreplay-none/x.html', 'html');
    }).toThrow(expect.objectContaining({ exitCode: ExitCode.outputFailed }));
    batch.abort();
    expect(readFileSync(kept, 'utf8')).toBe('old');
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('compare --out P --html UNWRITABLE exits 6 and P keeps what it held', () => {
    const input = join(tmp, 'small.ops.csv');
    expect(cli(['import', trace('xfs-mix.trace.gz'), '--out', input, '--to', '+0.05']).code).toBe(0);
    const result = join(tmp, 'result.json');
    writeFileSync(result, 'the previous result');
    const r = cli(['compare', input, '-s', 'none,i-mutex', '--out', result, '--html', '/proc/lockreplay-none/x.html']);
    expect(r.code, r.stderr).toBe(ExitCode.outputFailed);
    expect(readFileSync(result, 'utf8')).toBe('the previous result');
    // and with every destination writable, all are written
    const html = join(tmp, 'result.html');
    expect(cli(['compare', input, '-s', 'none,i-mutex', '--out', result, '--html', html]).code).toBe(0);
    expect(JSON.parse(readFileSync(result, 'utf8')).schema).toMatch(/^lockreplay-result/);
    expect(readFileSync(html, 'utf8')).toMatch(/<html/i);
  });
});

describe('merge', () => {
  /** two consecutive shards of a small op stream, replayed with two strategies */
  const shards = (() => {
    let made: { first: string; second: string } | undefined;
    return (): { first: string; second: string } => {
      if (made !== undefined) return made;
      const input = join(tmp, 'shards.ops.csv');
      expect(cli(['import', trace('xfs-mix.trace.gz'), '--out', input, '--to', '+0.1']).code).toBe(0);
      made = { first: join(tmp, 'shard1.json'), second: join(tmp, 'shard2.json') };
      expect(cli(['compare', input, '-s', 'none,i-mutex', '--to', '+0.05', '--out', made.first]).code).toBe(0);
      expect(cli(['compare', input, '-s', 'none,i-mutex', '--from', '+0.05', '--out', made.second]).code).toBe(0);
      return made;
    };
  })();

  it('the same shard twice (the same file, a copy, or inside a merged result) is refused naming it (exit 11)', () => {
    const { first, second } = shards();
    const copy = join(tmp, 'shard1-copy.json');
    writeFileSync(copy, readFileSync(first));
    const merged = join(tmp, 'merged12.json');
    expect(cli(['merge', first, second, '--out', merged]).code).toBe(0);
    for (const [args, says] of [
      [[first, first], `${first} is given twice: merging a shard twice counts its ops twice`],
      [[first, second, copy], `${copy} is the same result as ${first}`],
      [[merged, second], `${second} holds the same ops as ${merged} (opsDigest `],
    ] as const) {
      const r = cli(['merge', ...args, '--out', join(tmp, 'never.json')]);
      expect([r.code, r.stderr], args.join(' ')).toEqual([ExitCode.incompatible, expect.stringContaining(says)]);
    }
  });

  it('results of different traces or lockreplay versions are merged with a warning', () => {
    const { first, second } = shards();
    const other = join(tmp, 'other-trace.json');
    const r2 = JSON.parse(readFileSync(second, 'utf8'));
    writeFileSync(other, JSON.stringify({ ...r2, input: { ...r2.input, trace: 'another.trace' }, tool: { ...r2.tool, version: '0.0.1' } }));
    const out = join(tmp, 'merged-other.json');
    const r = cli(['merge', first, other, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: merge: the results are of 2 different traces \(.*shards\.ops\.csv, another\.trace\): they are added as if they were slices of one\nwarning: merge: the results were made by different lockreplay versions \(.*: 0\.0\.1\): their models may differ\n$/);
    expect(JSON.parse(readFileSync(out, 'utf8')).warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^merge: the results are of 2 different traces/)]));
  });
});

describe('results that cannot be written or read back', () => {
  const shard = (name: string): string => {
    const input = join(tmp, 'one.ops.csv');
    expect(cli(['import', trace('xfs-mix.trace.gz'), '--out', input, '--to', '+0.05']).code).toBe(0);
    const path = join(tmp, name);
    expect(cli(['compare', input, '-s', 'none,i-mutex', '--out', path]).code).toBe(0);
    return path;
  };

  it('merge refuses a sum beyond what a result holds (two makespans of 2^53 − 1 ns: past the time a replay keeps exact), naming the field (exit 11), and writes nothing', () => {
    const base = JSON.parse(readFileSync(shard('big.json'), 'utf8'));
    const paths = ['big1.json', 'big2.json'].map((name, i) => {
      const r = structuredClone(base);
      r.input.opsDigest = `${r.input.opsDigest}-${i}`;
      // (its rates as the makespan gives them: the loader checks them)
      r.results[0].throughput = { ...r.results[0].throughput, makespanNs: Number.MAX_SAFE_INTEGER, opsPerSec: 0, mibPerSec: 0 };
      r.results[0].cpu.utilisation = 0;
      r.results[0].timeline = { intervalNs: 0, startNs: 0, opsPerSec: [], p99Ns: [] };
      const path = join(tmp, name);
      writeFileSync(path, JSON.stringify(r));
      return path;
    });
    const out = join(tmp, 'big-merged.json');
    const r = cli(['merge', ...paths, '--out', out]);
    expect([r.code, r.stderr.trim()]).toEqual([ExitCode.incompatible, `lockreplay: ${paths.join(' + ')} cannot be merged: the merged results[0].throughput.makespanNs: must be <= 9007199254740991 (2^53 − 1 ns, about 104 days: the longest time a replay keeps exact), not 18014398509481982 (the sum is too large)`]);
    expect(readdirSync(tmp)).not.toContain('big-merged.json');
  });

  it('a run that deadlocks past 2^53 ns of virtual time is a bad line naming the blocked op (exit 4): its result would hold a time its readers refuse (was: written, exit 0)', () => {
    // each task's first op ends just before 2^53 ns (the makespan, exact); then the write and the
    // punch of synth's seed-deadlock meet there, 50 µs later: past 2^53 ns
    const longNs = 2 ** 53 - 30_000;
    const rows = [
      ['0', '1000', String(longNs), '201', 'tgid:200', 'writer', '7:0:999', 'fsync', '0', '0', ''],
      ['1', '1000', String(longNs + 23_000), '301', 'tgid:300', 'puncher', '7:0:998', 'fsync', '0', '0', ''],
      ['2', '100000', '100000', '201', 'tgid:200', 'writer', '7:0:133', 'write', '0', '16384', ''],
      ['3', '123000', '30000', '301', 'tgid:300', 'puncher', '7:0:133', 'punch', '0', '16384', ''],
      ['4', '150000', '10000', '201', 'tgid:200', 'writer', '7:0:133', 'fault-read', '8192', '4096', '2'],
    ];
    const path = join(tmp, 'late-deadlock.ops.csv');
    writeFileSync(path, `${['# lockreplay-ops v2', 'rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns', ...rows.map((r, i) => `op,${r.join(',')},${i + 3},,,`)].join('\n')}\n`);
    const out = join(tmp, 'late-deadlock.json');
    const r = cli(['compare', path, '-s', 'range-lock', '--cpus', '2', '--out', out]);
    expect([r.code, r.stderr.trim()]).toEqual([ExitCode.badInput, `lockreplay: ${path}:7: the replay stopped at a deadlock at 9.007e+15 ns, beyond 2^53 ns (about 104 days), where virtual time is no longer exact: the service times of the ops before it add up past that (replay a shorter window: --from/--to)`]);
    expect(readdirSync(tmp)).not.toContain('late-deadlock.json');
    // the same ops 2^53 ns sooner deadlock as seed-deadlock does
    writeFileSync(path, readFileSync(path, 'utf8').replace(String(longNs), '1000000').replace(String(longNs + 23_000), '1023000'));
    const sooner = cli(['compare', path, '-s', 'range-lock', '--cpus', '2', '--out', out]);
    expect(sooner.code, sooner.stderr).toBe(0);
    expect(loadResult(out).results[0].deadlock).toMatchObject({ atNs: 1_050_000, reason: 'cycle' });
  });

  it('a count or a duration below 0 is no valid result', () => {
    const good = JSON.parse(readFileSync(shard('neg.json'), 'utf8'));
    const cases: [(r: typeof good) => void, string][] = [
      [(r) => { r.results[0].completedOps = -1; }, 'results[0].completedOps: must be >= 0'],
      [(r) => { r.results[0].all.latency.p99 = -5; }, 'results[0].all.latency.p99: must be >= 0'],
      [(r) => { r.results[1].throughput.makespanNs = -1; }, 'results[1].throughput.makespanNs: must be >= 0'],
      [(r) => { r.input.lines.bad = -2; }, 'input.lines.bad: must be >= 0'],
    ];
    for (const [mutate, says] of cases) {
      const bad = structuredClone(good);
      mutate(bad);
      const path = join(tmp, 'neg-bad.json');
      writeFileSync(path, JSON.stringify(bad));
      expect(() => loadResult(path), says).toThrow(expect.objectContaining({ exitCode: ExitCode.badInput, message: expect.stringContaining(`(${says})`) }));
    }
    expect(loadResult(join(tmp, 'neg.json')).schema).toBe(good.schema);
  });
});
