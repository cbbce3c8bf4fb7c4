/** The library's entry points refuse input its types forbid with a LockreplayError (exit 2), as the CLI's flags are refused. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';
import { check, checkJunit, compare, formatCheck, importTrace, renderReport, replay, underOneLock } from '../src/index.js';
import { ExitCode, LockreplayError } from '../src/errors.js';
import { ROOT, trace } from './helpers.js';

const T = trace('xfs-mix.trace.gz');

async function refusal(f: () => unknown): Promise<{ code: number | undefined; message: string }> {
  try {
    await f();
  } catch (err) {
    return { code: err instanceof LockreplayError ? err.exitCode : undefined, message: (err as Error).message };
  }
  return { code: undefined, message: 'no error' };
}

describe('library input that the types forbid', () => {
  it('a mode other than closed or open (it made a result its own loader refused), an unknown import format, selections not given as Sets, no trace, an unknown report format', async () => {
    const any = (x: unknown): never => x as never;
    expect(await refusal(() => replay(T, 'none', { mode: any('bogus') }))).toEqual({ code: ExitCode.usage, message: 'mode "bogus": expected closed or open' });
    expect(await refusal(() => importTrace(T, { format: any('zzz') }))).toEqual({ code: ExitCode.usage, message: 'format "zzz": expected one of auto, ftrace, trace-cmd, blkparse, csv, fio-iolog, ops' });
    expect(await refusal(() => importTrace(T, { files: any(['7:0:133']) }))).toEqual({ code: ExitCode.usage, message: 'option files: expected a Set, not an array' });
    expect(await refusal(() => compare(any(undefined), ['none']))).toEqual({ code: ExitCode.usage, message: 'trace: expected a path or a trace from importTrace, not undefined' });
    const r = await replay(T, 'none');
    expect(await refusal(() => renderReport([r], any('zzz')))).toEqual({ code: ExitCode.usage, message: 'report format "zzz": expected one of table, md, html, csv, json' });
    // what the types allow still works
    expect(renderReport([r], 'md')).toMatch(/^### lockreplay:/);
    expect((await importTrace(T, { files: new Set(['7:0:133']) })).summary.ops.total).toBeGreaterThan(0);
  }, 60_000);
});

describe('library functions given arguments of the wrong kind', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-library-input-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const any = (x: unknown): never => x as never;

  it('formatCheck, checkJunit and underOneLock name the argument and what is wrong (were: TypeErrors from inside, reading rows of undefined or tag of null)', async () => {
    const notReport = { code: ExitCode.usage, message: 'report.rows: expected an array of check rows, not undefined (is report what check() returns?)' };
    expect(await refusal(() => formatCheck(any({}), false))).toEqual(notReport);
    expect(await refusal(() => checkJunit(any({}), '2026-01-01T00:00:00', 0))).toEqual(notReport);
    expect(await refusal(() => underOneLock(any(null)))).toEqual({ code: ExitCode.usage, message: 'underOneLock step: expected an acquire step (what acquire() returns), not null' });
    const path = join(tmp, 'small.trace');
    writeFileSync(path, lib.synthesize('shared-rw', { seed: 1, tasks: 2, ops: 5 }));
    const r = await replay(path, 'none');
    const report = check(r, r, {});
    expect(await refusal(() => formatCheck({ ...report, rows: [{ ...report.rows[0], metric: any(undefined) }] }, false))).toEqual({ code: ExitCode.usage, message: 'report.rows[0].metric: expected a string, not undefined' });
    expect(await refusal(() => checkJunit(report, '2026-01-01T00:00:00', any('1.5')))).toEqual({ code: ExitCode.usage, message: 'checkJunit timeS: expected a finite number of 0 or more, not string' });
    // (a number was read as a file descriptor: 0 is standard input)
    expect(await refusal(() => lib.loadResult(any(0)))).toEqual({ code: ExitCode.usage, message: 'loadResult path: expected a string, not number 0' });
    // what the types allow still works
    expect(formatCheck(report, false)).toMatch(/^pass: \d+ checks/);
    expect(checkJunit(report, '2026-01-01T00:00:00', 0.5)).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="lockreplay check" tests="\d+" failures="0" skipped="0" time="0.500" timestamp="2026-01-01T00:00:00">/);
    const step = lib.acquire('range', 'k', { kind: 'range', fairness: 'fifo' }, 'X', 0, 10, 1);
    expect(underOneLock(step)).toEqual([step, lib.WORK_ALL, lib.release(1)]);
  });

  it('replay options of the wrong kind are refused naming the option (were: mmapLock: 42 written into a result its own readers refuse, onProgress: {} a TypeError from inside, pageSizeBytes: -4096 an internal engine error)', async () => {
    const path = join(tmp, 'options.trace');
    writeFileSync(path, lib.synthesize('shared-rw', { seed: 1, tasks: 2, ops: 5 }));
    const t = await importTrace(path);
    expect(await refusal(() => replay(t, 'page-lock', { mmapLock: any(42) }))).toEqual({ code: ExitCode.usage, message: 'mmapLock: expected true or false, not number 42' });
    expect(await refusal(() => replay(t, 'page-lock', { onProgress: any({}) }))).toEqual({ code: ExitCode.usage, message: 'onProgress: expected a function, not object' });
    expect(await refusal(() => replay(t, 'page-lock', { pageSizeBytes: -4096 }))).toEqual({ code: ExitCode.usage, message: 'pageSizeBytes must be a whole number of bytes from 1 to 1,073,741,824 (1 GiB, the largest huge page), not number -4096' });
    for (const [option, values] of [['mmapLock', [{}, 42, 'x']], ['spin', [{}, 42, 'x']], ['keepObservedWaits', [{}, 42, 'x']], ['pageSizeBytes', [{}, 'x', 0, 1.5, 2 ** 60]], ['onProgress', [{}, 42, 'x']]] as const) {
      for (const value of values) expect(await refusal(() => replay(t, 'page-lock', { [option]: value })), `${option} ${String(value)}`).toMatchObject({ code: ExitCode.usage, message: expect.stringContaining(option) });
    }
    // what the types allow still works, and is written as a result its readers take
    const r = await replay(t, 'page-lock', { mmapLock: false, spin: false, keepObservedWaits: true, pageSizeBytes: 16384, onProgress: () => undefined });
    expect(JSON.parse(lib.resultJson(r)).options).toMatchObject({ mmapLock: false, spin: false, keepObservedWaits: true, pageSizeBytes: 16384 });
  });

  it('every function the library exports, given {}, null, undefined, a number or a string for any one argument, returns or refuses it with a LockreplayError (never a TypeError from inside)', async () => {
    const path = join(tmp, 'sweep.trace');
    writeFileSync(path, lib.synthesize('shared-rw', { seed: 1, tasks: 2, ops: 5 }));
    const t = await importTrace(path);
    const r = await replay(t, 'none');
    const resultPath = join(tmp, 'sweep.json');
    writeFileSync(resultPath, lib.resultJson(r));
    const report = check(r, r, {});
    const step = lib.acquire('range', 'k', { kind: 'range', fairness: 'fifo' }, 'X', 0, 10, 1);
    const op = t.ops[0];
    // arguments each function takes: the sweep puts a wrong one in each place in turn
    const valid: Record<string, unknown[]> = {
      acquire: ['range', 'k', { kind: 'range', fairness: 'fifo' }, 'X', 0, 10, 1],
      assertComparable: [r, r, 'a.json', 'b.json'],
      check: [r, r, {}, { current: 'a.json', baseline: 'b.json' }],
      checkJunit: [report, '2026-01-01T00:00:00', 0],
      compare: [t, ['none'], {}],
      compareMarkdown: [r],
      createStrategy: ['none'],
      formatCheck: [report, false],
      formatCompare: [r],
      formatReplay: [r],
      hgrmFiles: [r],
      importTrace: [path, {}],
      isFlushInsideParent: [op, { pageSizeBytes: 4096 }],
      jsonRulesStrategy: [join(ROOT, 'examples', 'strategies', 'xfs-like.json')],
      loadResult: [resultPath, ExitCode.badInput, true],
      loadStrategy: ['none'],
      mergeResults: [[r], ['a.json']],
      pageAlignedRange: [op, 4096],
      pageByPage: ['page', 'k', { kind: 'mutex' }, 0, 8192, 4096, 'X'],
      parseCosts: ['atomicNs=1'],
      parseThresholds: ['p99=5%'],
      perfettoSchedules: [t, ['none'], {}],
      release: [1],
      renderReport: [[r], 'md'],
      replay: [t, 'none', {}],
      resultCsv: [[r]],
      resultJson: [r],
      resultsHtml: [[r]],
      scenarioNames: [],
      strategyNames: [],
      streamTrace: [path, { op: () => undefined, lock: () => undefined }, {}],
      synthesize: ['shared-rw', { seed: 1, tasks: 2, ops: 5 }],
      unbalancedStep: [underOneLock(step)],
      underOneLock: [step],
      validateStrategy: [lib.createStrategy('none'), 'mine.js'],
    };
    const functions = Object.entries(lib).filter(([name, v]) => typeof v === 'function' && !/^[A-Z]/.test(name)) as [string, (...args: unknown[]) => unknown][];
    // (a new export needs its arguments here)
    expect(functions.map(([name]) => name).sort()).toEqual(Object.keys(valid).sort());
    const deep: string[] = [];
    for (const [name, f] of functions) {
      await f(...valid[name]);
      for (let i = 0; i < Math.max(valid[name].length, f.length); i++) {
        for (const wrong of [{}, null, undefined, 42, 'x']) {
          const args = [...valid[name]];
          args[i] = wrong;
          try {
            await f(...args);
          } catch (err) {
            if (!(err instanceof LockreplayError)) deep.push(`${name} with argument ${i} ${wrong === null ? 'null' : typeof wrong}: ${String(err)}`);
          }
        }
      }
    }
    expect(deep).toEqual([]);
  }, 60_000);
});
