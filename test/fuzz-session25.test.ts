/**
 * A session-25 hostile-input pass on merge, check, report, fidelity, synth and the library API:
 * result files that are schema-valid but disagree with themselves, flags at their edges, and
 * arguments a JS caller may pass. Each finding a regression test; the inputs are made here.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/errors.js';
import type { ReplayResult } from '../src/model/result.js';
import * as lib from '../src/index.js';
import { importTrace } from '../src/index.js';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz25-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** a result of seed-race's trace under none (races), i-mutex and range-lock */
let racePath = '';
let RACE: ReplayResult;

beforeAll(() => {
  const traceFile = join(tmp, 'race.trace');
  expect(cli(['synth', 'seed-race', '--tasks', '4', '--ops', '20', '-o', traceFile]).code).toBe(0);
  racePath = join(tmp, 'race.json');
  const r = cli(['compare', traceFile, '-s', 'none,i-mutex,range-lock', '-o', racePath]);
  expect(r.code, r.stderr).toBe(0);
  RACE = JSON.parse(readFileSync(racePath, 'utf8')) as ReplayResult;
}, 60_000);

function edited(name: string, change: (r: ReplayResult) => void): string {
  const r = structuredClone(RACE);
  change(r);
  return write(name, JSON.stringify(r));
}

describe('session 25 fuzz findings', () => {
  it('101: report refuses a result whose baseline, ratios or safe/unsafe lists disagree with its strategies, naming the field (was: report showed one strategy\'s ratios beside another\'s numbers, "safe" for a strategy with races, ratios to a baseline it does not hold)', () => {
    expect(RACE.verdict.unsafe.map((u) => u.strategy)).toContain('none');
    expect(cli(['report', racePath]).code).toBe(0);
    const cases: [string, (r: ReplayResult) => void, RegExp][] = [
      ['swapped.json', (r) => { r.comparison.reverse(); }, /comparison\[0\] is .*"strategy":"range-lock".*, but strategy none against the baseline gives/],
      ['ratio.json', (r) => { r.comparison[1].throughputRatio = 9; }, /comparison\[1\] is .*"throughputRatio":9.*, but strategy i-mutex against the baseline gives/],
      ['baseline.json', (r) => { r.baseline = 'page-lock'; }, /baseline is "page-lock", which is none of its strategies \(none, i-mutex, range-lock\)/],
      ['nobaseline.json', (r) => { r.baseline = null; }, /baseline is null, but the result has strategies/],
      ['safe.json', (r) => { r.verdict.safe = ['none', ...r.verdict.safe]; r.verdict.unsafe = r.verdict.unsafe.filter((u) => u.strategy !== 'none'); }, /verdict\.safe is \["none",.*\], but the strategies' races and deadlocks give/],
      // every strategy removed, the rest left as it was
      ['empty.json', (r) => { r.results = []; }, /baseline is "[^"]+", which is none of its strategies \(none\)/],
    ];
    for (const [name, change, message] of cases) {
      const path = edited(name, change);
      // (every format reads results with one loader: the other formats once)
      const runs = name === 'swapped.json' ? [['report', path, '--format', 'html'], ['report', path, '--format', 'md']] : [['report', path]];
      for (const args of runs) {
        const r = cli(args);
        expect([name, r.code, r.stdout], r.stderr).toEqual([name, ExitCode.badInput, '']);
        expect(r.stderr).toMatch(/the baseline, ratios or verdict do not match the strategies they are derived from: /);
        expect(r.stderr).toMatch(message);
      }
    }
    // check and merge use none of them (merge derives them again): they read such a result
    expect(cli(['check', join(tmp, 'swapped.json'), '--baseline', racePath]).code).toBe(0);
    const merged = join(tmp, 'merged.json');
    expect(cli(['merge', racePath, edited('other-shard.json', (r) => { r.input.opsDigest = 'ffffffffffffffff-60'; r.input.trace = 'other.trace'; r.comparison.reverse(); }), '-o', merged]).code).toBe(0);
    expect(cli(['report', merged]).code).toBe(0);
  });

  it('102: the library\'s selection options that are no time, PID, comm or file are a usage error naming the option (was: fromNs NaN kept every op, fromNs "100000" none, taskPids of strings and a window ending before it starts none: no error)', async () => {
    // 3 tasks writing one file, one op each, 1 ms apart
    const lines = ['# tracer: nop'];
    for (let i = 0; i < 3; i++) {
      lines.push(`fio-${100 + i} [000] ....  10.00${i}000: sys_enter_pwrite64: fd: 0x3, buf: 0x1, count: 0x1000, pos: 0x0`);
      lines.push(`fio-${100 + i} [000] ....  10.00${i}500: sys_exit_pwrite64: 0x1000`);
    }
    const path = write('three.trace', `${lines.join('\n')}\n`);
    expect((await importTrace(path)).summary.ops.total).toBe(3);
    expect((await importTrace(path, { fromNs: 1_000_000, timesRelative: true })).summary.ops.total).toBe(2);
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ fromNs: Number.NaN }, /^option fromNs: expected a finite number of ns, not NaN$/],
      [{ toNs: '2000000', timesRelative: true }, /^option toNs: expected a finite number of ns, not the string "2000000"$/],
      [{ fromNs: 2_000_000, toNs: 1_000_000 }, /^option fromNs 2000000 is after toNs 1000000: the window holds no instant$/],
      [{ fromNs: 0, timesRelative: 'yes' }, /^option timesRelative: expected true or false, not the string "yes"$/],
      [{ taskPids: new Set(['100']) }, /^option taskPids: expected whole numbers \(PIDs\), not the string "100" \(a comm goes in taskComms\)$/],
      [{ taskPids: new Set([-1]) }, /^option taskPids: expected whole numbers \(PIDs\), not -1/],
      [{ taskComms: new Set([100]) }, /^option taskComms: expected strings, not 100$/],
      [{ files: new Set([null]) }, /^option files: expected strings, not null$/],
    ];
    for (const [options, message] of refused) {
      await expect(importTrace(path, options), JSON.stringify(options)).rejects.toThrow(expect.objectContaining({ name: 'LockreplayError', exitCode: ExitCode.usage, message: expect.stringMatching(message) }));
    }
  });

  it('103: the library\'s functions that take results refuse an argument that is no result with a LockreplayError naming it, exit 2 (was: a TypeError from inside, "Cannot read properties of undefined (reading \'opsDigest\')", "results.map is not a function")', () => {
    const result = structuredClone(RACE);
    const cut = structuredClone(RACE) as unknown as { results: { all?: unknown }[] };
    delete cut.results[1].all;
    const calls: [string, () => unknown, RegExp][] = [
      ['check', () => lib.check({} as ReplayResult, result, {}), /^current: not a lockreplay result of schema "lockreplay-result\/2" \(no schema field\)$/],
      ['check', () => lib.check(result, null as unknown as ReplayResult, {}), /^baseline: not a lockreplay result of schema/],
      ['check', () => lib.check(result, cut as unknown as ReplayResult, {}), /^baseline: not a valid lockreplay result \(results\[1\]: must have required property 'all'\)/],
      ['assertComparable', () => lib.assertComparable(result, [] as unknown as ReplayResult, 'a', 'b'), /^baseline: not a lockreplay result/],
      ['mergeResults', () => lib.mergeResults('a.json' as unknown as ReplayResult[], ['a.json']), /^results: expected an array of results, not string$/],
      ['mergeResults', () => lib.mergeResults([result, {} as ReplayResult], ['a', 'b']), /^results\[1\]: not a lockreplay result/],
      ['resultsHtml', () => lib.resultsHtml(result as unknown as ReplayResult[]), /^results: expected an array of results, not object$/],
      ['renderReport', () => lib.renderReport([undefined as unknown as ReplayResult], 'md'), /^results\[0\]: not a lockreplay result/],
      ['resultCsv', () => lib.resultCsv({} as ReplayResult[]), /^results: expected an array/],
      ['compareMarkdown', () => lib.compareMarkdown({} as ReplayResult), /^result: not a lockreplay result/],
      ['formatCompare', () => lib.formatCompare(cut as unknown as ReplayResult), /^result: not a valid lockreplay result/],
      ['formatReplay', () => lib.formatReplay({} as ReplayResult), /^result: not a lockreplay result/],
      ['hgrmFiles', () => lib.hgrmFiles({} as ReplayResult), /^result: not a lockreplay result/],
      ['resultJson', () => lib.resultJson({} as ReplayResult), /^result: not a lockreplay result/],
    ];
    for (const [name, call, message] of calls) {
      expect(call, name).toThrow(expect.objectContaining({ name: 'LockreplayError', exitCode: ExitCode.usage, message: expect.stringMatching(message) }));
    }
    // a result (as compare returns it, or as read back) goes through each of them
    expect(lib.check(result, result, {}).regressions).toBe(0);
    expect(lib.renderReport([result], 'table')).toContain('range-lock');
    expect(lib.mergeResults([result], ['r.json']).results.length).toBe(3);
    expect(lib.hgrmFiles(result).size).toBeGreaterThan(0);
  });

  it('104: library arguments of the wrong kind (null options, a string for the strategies, a number for a spec, a sink without op(), a scenario named toString) are a LockreplayError naming the argument, exit 2 (was: TypeErrors from inside: "Cannot read properties of null (reading \'taskPids\')", "strategies.map is not a function", "spec.trim is not a function")', async () => {
    const path = write('lib-104.trace', lib.synthesize('shared-rw', { seed: 1, tasks: 2, ops: 2 }));
    const trace = await lib.importTrace(path);
    const any = (v: unknown): never => v as never;
    const calls: [string, () => unknown, RegExp][] = [
      ['importTrace', () => lib.importTrace(path, any(null)), /^importTrace options: expected an object of options, not null$/],
      ['importTrace', () => lib.importTrace(any(5)), /^importTrace path: expected a string, not number 5$/],
      ['streamTrace', () => lib.streamTrace(path, any(null)), /^streamTrace sink: expected an object with op\(op\) and lock\(lock\) functions, not null$/],
      ['streamTrace', () => lib.streamTrace(path, any({ op: () => undefined })), /^streamTrace sink: expected an object with op\(op\) and lock\(lock\) functions, not object$/],
      ['compare', () => lib.compare(trace, any('none')), /^strategies: expected an array, not string$/],
      ['compare', () => lib.compare(trace, ['none'], any(null)), /^compare options: expected an object of options, not null$/],
      ['replay', () => lib.replay(trace, 'none', any([])), /^compare options: expected an object of options, not an array$/],
      ['perfettoSchedules', () => lib.perfettoSchedules(any({}), ['none']), /^trace: expected a trace from importTrace, not object$/],
      ['perfettoSchedules', () => lib.perfettoSchedules(trace, any(null)), /^strategies: expected an array, not null$/],
      ['loadStrategy', () => lib.loadStrategy(any(5)), /^strategy spec: expected a string \(a name or a path\) or a strategy object, not number 5$/],
      ['createStrategy', () => lib.createStrategy(any(null)), /^strategy spec: expected a string, not null$/],
      ['jsonRulesStrategy', () => lib.jsonRulesStrategy(any(undefined)), /^jsonRulesStrategy path: expected a string, not undefined$/],
      ['parseCosts', () => lib.parseCosts(any(5)), /^costs spec: expected a string, not number 5$/],
      ['parseThresholds', () => lib.parseThresholds(any({ p99: 5 })), /^thresholds spec: expected a string, not object$/],
      ['synthesize', () => lib.synthesize('shared-rw', any(null)), /^synthesize options: expected an object of options, not null$/],
      ['synthesize', () => lib.synthesize('shared-rw', any(undefined)), /^synthesize options: give \{ seed \} at least/],
      ['synthesize', () => lib.synthesize('toString', { seed: 1 }), /^unknown scenario "toString"; known: seed-race, /],
    ];
    for (const [name, call, message] of calls) {
      let thrown: unknown;
      try {
        await call();
      } catch (err) {
        thrown = err;
      }
      expect(thrown, name).toEqual(expect.objectContaining({ name: 'LockreplayError', exitCode: ExitCode.usage, message: expect.stringMatching(message) }));
    }
  });

  it('105: a strategy, CSV preset or event preset named like an inherited property (toString, constructor, __proto__) is unknown, exit 2 (was: an internal error, exit 1: "Invalid value used in weak set", "factory is not a function")', async () => {
    const path = write('names-105.trace', lib.synthesize('shared-rw', { seed: 1, tasks: 2, ops: 2 }));
    for (const name of ['toString', 'constructor', '__proto__']) {
      const r = cli(['compare', path, '-s', `none,${name}`]);
      expect([r.code, r.stderr.split('\n')[0]]).toEqual([ExitCode.usage, `lockreplay: unknown strategy "${name}"; known: ${lib.strategyNames().join(', ')} (see: lockreplay strategies)`]);
    }
    await expect(lib.importTrace(path, { format: 'csv', csvPreset: 'toString' })).rejects.toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: expect.stringMatching(/^unknown CSV preset "toString"; known: msr, /) }));
  });

  // (record refuses the name before it enables any event; it needs root and tracefs to get that far)
  it.runIf(process.getuid?.() === 0 && existsSync('/sys/kernel/tracing/trace'))('105: record --events constructor is an unknown event, constructor+EVENT an unknown preset (was: an internal error, "preset.filter is not a function")', () => {
    const out = join(tmp, 'rec-105', 'x.trace.gz');
    const unknown = cli(['record', '--events', 'constructor', '--out', out, '--', 'true']);
    expect([unknown.code, unknown.stderr]).toEqual([ExitCode.unknownEvent, expect.stringMatching(/^lockreplay: event "constructor" does not exist on this kernel/)]);
    const preset = cli(['record', '--events', 'constructor+sched/sched_switch', '--out', out, '--', 'true']);
    expect([preset.code, preset.stderr]).toEqual([ExitCode.usage, expect.stringMatching(/^lockreplay: --events constructor\+sched\/sched_switch: "constructor" is not a preset/)]);
    expect(existsSync(join(tmp, 'rec-105'))).toBe(false);
  });

  it('106: merging a time shard with an empty one (no op in its window) keeps the other\'s timeline (was: the merged result had none, intervalNs 0, as if the intervals did not line up)', () => {
    const path = write('shards-106.trace', lib.synthesize('shared-rw', { seed: 1, tasks: 2, ops: 20 }));
    const full = join(tmp, 'full-106.json');
    const empty = join(tmp, 'empty-106.json');
    expect(cli(['compare', path, '-s', 'none,i-mutex', '--from', '+0', '-o', full]).code).toBe(0);
    expect(cli(['compare', path, '-s', 'none,i-mutex', '--from', '+1000', '-o', empty]).code).toBe(0);
    const timelines = (file: string): unknown[] => (JSON.parse(readFileSync(file, 'utf8')) as ReplayResult).results.map((s) => s.timeline);
    expect(timelines(empty).every((t) => (t as { opsPerSec: number[] }).opsPerSec.length === 0)).toBe(true);
    const before = timelines(full);
    expect((before[0] as { opsPerSec: number[] }).opsPerSec.length).toBeGreaterThan(0);
    for (const order of [[full, empty], [empty, full]]) {
      const merged = join(tmp, 'merged-106.json');
      const r = cli(['merge', ...order, '-o', merged]);
      expect(r.code, r.stderr).toBe(0);
      expect(timelines(merged)).toEqual(before);
    }
  });

  it('107: check against a result without strategies says so in words (was: "zero.json: none", read as the strategy none, which the other result has)', () => {
    const none = structuredClone(RACE);
    none.results = [];
    expect(() => lib.check(RACE, none, {}, { current: 'new.json', baseline: 'zero.json' })).toThrow(expect.objectContaining({ exitCode: ExitCode.incompatible, message: 'no strategy of new.json is in zero.json (new.json: none, i-mutex, range-lock; zero.json: no strategies)' }));
    expect(() => lib.check(none, RACE, {}, { current: 'zero.json', baseline: 'base.json' })).toThrow('no strategy of zero.json is in base.json (zero.json: no strategies; base.json: none, i-mutex, range-lock)');
  });
});
