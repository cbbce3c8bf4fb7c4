/**
 * `check` in process (src/report/check.ts): thresholds, comparability, and each metric's direction
 * (higher throughput is better, everything else lower), on the results of a small replay.
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../src/model/op.js';
import { replayStrategies } from '../src/replay/index.js';
import type { ReplayResult } from '../src/model/result.js';
import { assertComparable, check, CHECK_METRICS, parseThresholds } from '../src/report/check.js';
import { ExitCode } from '../src/errors.js';
import { mergeResults } from '../src/replay/merge.js';
import { checkMarkdown, fmtMetric, formatCheck } from '../src/report/check-format.js';
import { checkJunit, junitTimestamp } from '../src/report/junit.js';
import { loadedTrace } from './fuzz/ops.js';

function ops(): Op[] {
  const list: Op[] = [];
  for (let i = 0; i < 12; i++) {
    const pid = 100 + (i % 3);
    list.push({ id: i, tsNs: 1000 * i, durNs: 5000, pid, proc: `tgid:${pid}`, comm: `t${pid}`, file: '7:0:133', kind: i % 4 === 3 ? 'punch' : 'write', offset: 4096 * (i % 2), lengthBytes: 8192, line: i + 1 });
  }
  return list;
}

const RESULT: ReplayResult = replayStrategies(loadedTrace(ops()), ['none', 'i-mutex'], { cpus: 2 });

function copy(): ReplayResult {
  return structuredClone(RESULT);
}

describe('parseThresholds', () => {
  it('reads relative and absolute thresholds, with spaces', () => {
    expect(parseThresholds(undefined)).toEqual({});
    expect(parseThresholds('  ')).toEqual({});
    expect(parseThresholds('p99=5%, throughput = 3 % ,races=2,p99.9=0.5')).toEqual({
      p99: { relative: true, value: 0.05 }, throughput: { relative: true, value: 0.03 }, races: { relative: false, value: 2 }, 'p99.9': { relative: false, value: 0.5 },
    });
  });

  for (const bad of ['p98=5%', 'p99', 'p99=-1', 'p99=x', '=5', 'p99=5%%', '-p99=5%']) {
    it(`refuses "${bad}" (exit 2)`, () => {
      expect(() => parseThresholds(bad)).toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: expect.stringMatching(/^--threshold .*: expected METRIC=N% or METRIC=N, with METRIC one of throughput, p50/) }));
    });
  }

  it('refuses a value that is not a number', () => {
    expect(() => parseThresholds('p99=1.2.3')).toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: '--threshold p99=1.2.3: not a number' }));
    expect(() => parseThresholds('p50=1, p99=1.2.3 ')).toThrow(expect.objectContaining({ message: '--threshold p99=1.2.3: not a number' }));
  });

  it('refuses a metric given twice (the last silently won) and a number too large to be one', () => {
    expect(() => parseThresholds('p99=0,p99=50%')).toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: '--threshold p99=50%: p99 is given twice (which one counts?): give each metric once' }));
    expect(() => parseThresholds(`p99=${'9'.repeat(400)}`)).toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: expect.stringMatching(/^--threshold p99=9+: too large$/) }));
    expect(() => parseThresholds(`races=${'9'.repeat(400)}%`)).toThrow(/: too large$/);
  });

  it('names the part it refuses without its spaces', () => {
    expect(() => parseThresholds('p50=1, p98=5% ')).toThrow(/^--threshold p98=5%: expected/);
  });
});

describe('assertComparable', () => {
  it('accepts the same ops and options', () => {
    expect(() => assertComparable(copy(), copy(), 'a.json', 'b.json')).not.toThrow();
  });

  it('refuses other ops (exit 11), naming both digests', () => {
    const b = copy();
    b.input.opsDigest = 'other';
    expect(() => assertComparable(copy(), b, 'a.json', 'b.json')).toThrow(expect.objectContaining({ exitCode: ExitCode.incompatible, message: `a.json and b.json cannot be compared: they replay different ops (digest ${RESULT.input.opsDigest} vs other): a different trace or selection` }));
  });

  it('in closed mode --time-scale changes nothing (ops issue after their task\'s previous op): another timeScale is compared only in open mode', () => {
    expect(RESULT.options.mode).toBe('closed');
    const scaled = copy();
    scaled.options.timeScale = 0.05;
    expect(() => assertComparable(copy(), scaled, 'a', 'b')).not.toThrow();
    const open = copy();
    open.options.mode = 'open';
    const openScaled = structuredClone(open);
    openScaled.options.timeScale = 0.05;
    expect(() => assertComparable(open, openScaled, 'a', 'b')).toThrow(/^a and b cannot be compared: option timeScale differs \(1 vs 0\.05\)$/);
  });

  for (const [key, value] of [['mode', 'open'], ['cpus', 7], ['mmapLock', false], ['spin', false], ['cpuModel', 'preempt-none'], ['costs', { atomicNs: 1 }], ['pageSizeBytes', 65536]] as const) {
    it(`refuses another ${key}`, () => {
      const b = copy();
      (b.options as unknown as Record<string, unknown>)[key] = value;
      expect(() => assertComparable(copy(), b, 'a', 'b')).toThrow(new RegExp(`^a and b cannot be compared: option ${key} differs \\(.* vs ${JSON.stringify(JSON.stringify(value)).slice(1, -1).replace(/[{}]/g, '\\$&')}\\)$`));
    });
  }
  it('a result without cpuModel (written only when not the default) is one of per-segment', () => {
    const b = copy();
    expect(b.options.cpuModel).toBeUndefined();
    b.options.cpuModel = 'per-segment';
    expect(() => assertComparable(copy(), b, 'a', 'b')).not.toThrow();
    const c = copy();
    c.options.cpuModel = 'preempt-none';
    expect(() => assertComparable(b, c, 'a', 'b')).toThrow(/^a and b cannot be compared: option cpuModel differs \("per-segment" vs "preempt-none"\)$/);
  });

  it('compares options by value, not by the order of their keys (a baseline reformatted with jq -S); merge too', () => {
    const sorted = copy();
    const costs = sorted.options.costs as unknown as Record<string, number>;
    sorted.options.costs = Object.fromEntries(Object.keys(costs).sort().reverse().map((k) => [k, costs[k]])) as typeof sorted.options.costs;
    expect(JSON.stringify(sorted.options.costs)).not.toBe(JSON.stringify(RESULT.options.costs));
    expect(() => assertComparable(copy(), sorted, 'a', 'b')).not.toThrow();
    sorted.input.opsDigest = `${RESULT.input.opsDigest}-shard2`;
    // (another slice: shards of one trace that used the same lines overlap, and are refused)
    sorted.input.trace = `${RESULT.input.trace}.part2`;
    expect(() => mergeResults([copy(), sorted], ['a', 'b'])).not.toThrow();
    sorted.options.costs = { ...sorted.options.costs, wakeupNs: 1 };
    expect(() => mergeResults([copy(), sorted], ['a', 'b'])).toThrow(/^b cannot be merged with a: option costs differs \(\{"atomicNs"/);
  });

  it('refuses the same ops with other service times (exit 11): the kernel lock waits or task sleeps they replay differ', () => {
    const waits = copy();
    waits.serviceTime.observedWaits = { ...waits.serviceTime.observedWaits, waits: 3, attributed: 3, removedNs: 9000, byKind: { write: { waits: 3, removedNs: 9000 } } };
    expect(() => assertComparable(waits, copy(), 'a.json', 'b.json')).toThrow(expect.objectContaining({
      exitCode: ExitCode.incompatible,
      message: expect.stringMatching(/^a\.json and b\.json cannot be compared: they replay other service times: serviceTime\.observedWaits differs \(the kernel's lock waits removed from service times: 3 waits, 9000 ns removed vs 0 waits, 0 ns removed\)/),
    }));
    const sleeps = copy();
    sleeps.serviceTime.offCpu = { ops: 2, asleepNs: 700, byKind: { write: { ops: 2, asleepNs: 700, serviceNs: 10000 } } };
    expect(() => assertComparable(copy(), sleeps, 'a', 'b')).toThrow(/serviceTime\.offCpu differs \(the tasks' sleeps replayed off the CPUs: none vs 2 ops, 700 ns asleep\)/);
    const modelled = copy();
    modelled.serviceTime.modelled += 1;
    expect(() => assertComparable(copy(), modelled, 'a', 'b')).toThrow(/serviceTime\.modelled differs/);
  });
});

describe('check', () => {
  it('the same result passes every row: each metric, p99 per kind, for each strategy', () => {
    const report = check(copy(), copy(), {});
    expect(report.regressions).toBe(0);
    expect(report.unmatched).toEqual([]);
    expect(report.trace).toBe(RESULT.input.trace);
    expect(report.baselineTrace).toBe(RESULT.input.trace);
    const metrics = report.rows.filter((r) => r.strategy === 'none').map((r) => r.metric);
    // one row per data-conflict class; ordering overlaps (torn-write, dio-write-overlap) do not gate
    const classes = RESULT.results[0].races.byClass.filter((c) => c.severity === 'data').map((c) => `races[${c.class}]`);
    expect(classes.length).toBeGreaterThan(0);
    expect(metrics).toEqual([...CHECK_METRICS, 'p99[punch]', 'p99[write]', ...classes]);
    expect(report.rows.every((r) => r.pass && r.worseBy === 0 && r.allowed === 0)).toBe(true);
  });

  const worse: [string, (r: ReplayResult) => void][] = [
    ['throughput', (r) => { r.results[1].throughput.opsPerSec -= 1; }],
    ['p50', (r) => { r.results[1].all.latency.p50 += 1; }],
    ['p90', (r) => { r.results[1].all.latency.p90 += 1; }],
    ['p99', (r) => { r.results[1].all.latency.p99 += 1; }],
    ['p99.9', (r) => { r.results[1].all.latency.p99_9 += 1; }],
    ['max', (r) => { r.results[1].all.latency.max += 1; }],
    ['mean', (r) => { r.results[1].all.latency.mean += 1; }],
    ['lockwait', (r) => { Object.values(r.results[1].locks)[0].waitTotalNs += 1; }],
    ['races', (r) => { r.results[1].races.count += 1; }],
    ['deadlock', (r) => { r.results[1].deadlock = { atNs: 0, reason: 'stall', cycle: [], blocked: [] }; }],
    ['p99[write]', (r) => { r.results[1].byKind.write.latency.p99 += 1; }],
  ];
  for (const [metric, change] of worse) {
    it(`${metric}: worse by 1 is a regression at threshold 0, not at an absolute threshold of 1, and better is no regression`, () => {
      const current = copy();
      change(current);
      const rows = check(current, copy(), {}).rows.filter((r) => !r.pass);
      expect(rows.map((r) => [r.strategy, r.metric, r.worseBy])).toEqual([['i-mutex', metric, 1]]);
      const key = metric.startsWith('p99[') ? 'p99' : metric;
      expect(check(current, copy(), { [key]: { relative: false, value: 1 } }).regressions).toBe(0);
      expect(check(current, copy(), { [key]: { relative: false, value: 0.999 } }).regressions).toBe(1);
      // the other way round it got better
      expect(check(copy(), current, {}).regressions).toBe(0);
    });
  }

  it('a relative threshold is a fraction of the baseline', () => {
    const current = copy();
    const p99 = RESULT.results[1].all.latency.p99;
    current.results[1].all.latency.p99 = p99 * 1.1;
    const row = (t: number): { pass: boolean; allowed: number } => check(current, copy(), { p99: { relative: true, value: t } }).rows.find((r) => r.strategy === 'i-mutex' && r.metric === 'p99') as { pass: boolean; allowed: number };
    expect(row(0.11).pass).toBe(true);
    expect(row(0.09).pass).toBe(false);
    expect(row(0.1).allowed).toBe(Math.round(p99 * 0.1 * 1000) / 1000);
  });

  it('warns (no refusal) when the results were made by different lockreplay versions', () => {
    expect(check(copy(), copy(), {}).warnings).toEqual([]);
    const old = copy();
    old.tool.version = '0.0.9';
    const report = check(copy(), old, {}, { current: 'new.json', baseline: 'base.json' });
    expect(report.regressions).toBe(0);
    expect(report.warnings).toEqual([`new.json was made by lockreplay ${RESULT.tool.version}, base.json by 0.0.9: their models may differ (make the baseline again with this version)`]);
  });

  it('the library check itself refuses results that cannot be compared (exit 11), naming them', () => {
    const other = copy();
    other.input.opsDigest = 'other';
    expect(() => check(copy(), other, {})).toThrow(expect.objectContaining({ exitCode: ExitCode.incompatible, message: expect.stringMatching(/^the result and the baseline cannot be compared: they replay different ops/) }));
    const waits = copy();
    waits.serviceTime.observedWaits = { ...waits.serviceTime.observedWaits, waits: 1 };
    expect(() => check(copy(), waits, {}, { current: 'new.json', baseline: 'base.json' })).toThrow(/^new\.json and base\.json cannot be compared: they replay other service times/);
  });

  it('the library check refuses a threshold that is no metric (a typo was ignored) or no fraction of 0 or more (exit 2)', () => {
    expect(() => check(copy(), copy(), { throughtput: { relative: true, value: 0.05 } })).toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: expect.stringMatching(/^threshold "throughtput": not a metric \(expected one of throughput, p50/) }));
    for (const bad of [{ relative: true, value: -1 }, { relative: true, value: Number.NaN }, { relative: 'yes', value: 1 }, { value: 1 }, null]) {
      expect(() => check(copy(), copy(), { p99: bad } as never)).toThrow(expect.objectContaining({ exitCode: ExitCode.usage, message: expect.stringMatching(/^threshold "p99": expected \{ relative: boolean, value: a finite number >= 0 \}/) }));
    }
    expect(() => check(copy(), copy(), null as never)).toThrow(expect.objectContaining({ exitCode: ExitCode.usage }));
    expect(check(copy(), copy(), { p99: { relative: true, value: 0.05 } }).regressions).toBe(0);
  });

  it('a strategy missing from the baseline is unmatched; none in common is exit 11', () => {
    const baseline = copy();
    baseline.results = baseline.results.slice(0, 1);
    const report = check(copy(), baseline, {});
    expect(report.unmatched).toEqual(['i-mutex']);
    expect(report.rows.every((r) => r.strategy === 'none')).toBe(true);
    const other = copy();
    other.results = other.results.slice(1);
    expect(() => check(baseline, other, {})).toThrow(expect.objectContaining({ exitCode: ExitCode.incompatible, message: 'no strategy of the result is in the baseline (the result: none; the baseline: i-mutex)' }));
    // the CLI names both files
    expect(() => check(baseline, other, {}, { current: 'new.json', baseline: 'base.json' })).toThrow('no strategy of new.json is in base.json (new.json: none; base.json: i-mutex)');
    const two = copy();
    for (const r of two.results) r.strategy = `${r.strategy}-x`;
    expect(() => check(copy(), two, {})).toThrow('no strategy of the result is in the baseline (the result: none, i-mutex; the baseline: none-x, i-mutex-x)');
  });

  it('a kind missing from the baseline has no p99 row', () => {
    const baseline = copy();
    delete (baseline.results[0].byKind as Record<string, unknown>).punch;
    expect(check(copy(), baseline, {}).rows.filter((r) => r.strategy === 'none').map((r) => r.metric)).not.toContain('p99[punch]');
  });

  it('a kind of the baseline the result has no op of is a failed present[KIND] row (the p99 row was silently left out)', () => {
    const current = copy();
    const count = current.results[1].byKind.punch.count;
    expect(count).toBeGreaterThan(0);
    delete (current.results[1].byKind as Record<string, unknown>).punch;
    const report = check(current, copy(), {});
    const rows = report.rows.filter((r) => r.metric.startsWith('present['));
    expect(rows).toEqual([{ strategy: 'i-mutex', metric: 'present[punch]', baseline: count, current: 0, worseBy: count, allowed: 0, pass: false }]);
    expect(report.regressions).toBe(1);
    // the same result against itself: no such row
    expect(check(copy(), copy(), {}).rows.filter((r) => r.metric.startsWith('present['))).toEqual([]);
  });

  it('race classes: a row per class present on either side', () => {
    expect(RESULT.results[1].races.byClass).toEqual([]);
    const current = copy();
    current.results[1].races.byClass = [{ class: 'write-into-removal', count: 2, first: [] } as never];
    const rows = check(current, copy(), {}).rows.filter((r) => r.strategy === 'i-mutex' && r.metric.startsWith('races['));
    expect(rows.map((r) => [r.metric, r.baseline, r.current, r.pass])).toEqual([['races[write-into-removal]', 0, 2, false]]);
    expect(check(copy(), current, {}).rows.filter((r) => r.strategy === 'i-mutex' && r.metric.startsWith('races[')).map((r) => [r.current, r.pass])).toEqual([[0, true]]);
    // each class its own count
    current.results[1].races.byClass = [{ class: 'write-into-removal', count: 2, first: [] } as never, { class: 'dio-stale-cache', count: 5, first: [] } as never];
    expect(check(current, copy(), {}).rows.filter((r) => r.strategy === 'i-mutex' && r.metric.startsWith('races[')).map((r) => [r.metric, r.current])).toEqual([['races[write-into-removal]', 2], ['races[dio-stale-cache]', 5]]);
    // the races threshold holds for each class
    expect(check(current, copy(), { races: { relative: false, value: 2 } }).rows.find((r) => r.metric === 'races[write-into-removal]')).toMatchObject({ allowed: 2, pass: true });
  });
});

describe('check outputs', () => {
  it('throughput shows its 3 decimals: a change of 0.001 ops/s is visible in a failing row', () => {
    expect(fmtMetric('throughput', 79916.632)).toBe('79916.632 ops/s');
    expect(fmtMetric('throughput', 79916.6)).toBe('79916.6 ops/s');
    expect(fmtMetric('throughput', 0.001)).toBe('0.001 ops/s');
    const slower = copy();
    slower.results[0].throughput.opsPerSec = RESULT.results[0].throughput.opsPerSec + 0.001;
    const text = formatCheck(check(copy(), slower, {}), false);
    expect(text).toMatch(/none\s+throughput\s+[\d.]+ ops\/s\s+[\d.]+ ops\/s\s+0\.001 ops\/s\s+0 ops\/s\s+REGRESSION/);
  });

  it("a strategy's name (a user module names itself anything) cannot break the terminal, the job summary's table or the JUnit XML", () => {
    const evil = 'mine|<b>x</b>\u001b[31mred\r\n';
    const base = copy();
    base.results[0].strategy = evil;
    const cur = copy();
    cur.results[0].strategy = evil;
    cur.results[0].races.count += 1;
    cur.results[1].strategy = 'only-here';
    const report = check(cur, base, {});
    const text = formatCheck(report, true);
    expect(text).not.toMatch(/[\u001b\r]/);
    expect(text).toContain('mine|<b>x</b>?[31mred??');
    const md = checkMarkdown(report);
    expect(md).toContain('| mine\\|\\<b\\>x\\</b\\>?\\[31mred?  | races |');
    expect(md).not.toMatch(/[\u001b\r]/);
    const xml = checkJunit(report, junitTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), 0.1);
    expect(xml).toContain('classname="lockreplay.mine|&lt;b&gt;x&lt;/b&gt;?[31mred\r\n"');
    // strategies only in the result are testcases too (skipped: nothing to compare with)
    expect(xml).toMatch(/<testcase classname="lockreplay.only-here" name="present" time="0">\s*<skipped message="only-here is not in the baseline: not checked"\/>/);
    expect(xml).toMatch(new RegExp(`<testsuites name="lockreplay check" tests="${report.rows.length + 1}" failures="${report.regressions}" skipped="1" time="0.100" timestamp="2026-01-02T03:04:05">`));
  });
});

describe('check: malformed input is refused with a message', () => {
  it('a result with two strategies under one label is refused (exit 11), in the result or in the baseline', () => {
    const twice = copy();
    twice.results[1] = { ...structuredClone(twice.results[0]) };
    expect(() => check(twice, copy(), {}, { current: 'new.json', baseline: 'base.json' })).toThrow(expect.objectContaining({ exitCode: ExitCode.incompatible, message: 'new.json holds two strategies labelled none: which one to compare is ambiguous (compare refuses such runs)' }));
    expect(() => check(copy(), twice, {}, { current: 'new.json', baseline: 'base.json' })).toThrow(/^base\.json holds two strategies labelled none/);
  });

  it('an op kind named like an inherited property is looked up as an own key only', () => {
    const base = copy();
    // (on purpose an own key named like Object.prototype.constructor, which the type says is a Function)
    (base.results[0].byKind as unknown as Record<'constructor', unknown>).constructor = structuredClone(base.results[0].byKind.write);
    const report = check(copy(), base, {});
    expect(report.rows.find((r) => r.metric === 'present[constructor]')).toMatchObject({ strategy: 'none', pass: false });
  });

  it('mergeResults without names is a LockreplayError, not a TypeError', () => {
    expect(() => mergeResults([copy(), copy()], undefined as never)).toThrow(expect.objectContaining({ name: 'LockreplayError', exitCode: ExitCode.usage, message: 'mergeResults: names must name each result (2 names, one per result, for the messages)' }));
  });
});
