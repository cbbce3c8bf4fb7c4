/**
 * The properties every input must keep, whatever it holds: the run ends within a bound, fails only
 * with a documented exit code and a message (never a crash), a --lenient import never stops at a
 * bad line, every line is accounted for, ops and results hold no NaN, Infinity or negative number,
 * and the same input gives the same output.
 */
import { closeSync, readdirSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { LockreplayError } from '../../src/errors.js';
import { type ImportOptions, type ImportSummary, loadTrace } from '../../src/import/index.js';
import { isOpKind, type Op } from '../../src/model/op.js';
import { type LoadedTrace, replayStrategies, type ReplayOptions } from '../../src/replay/index.js';
import type { ReplayResult } from '../../src/model/result.js';

/** the exit codes README.md documents for import, replay and compare (1 is a bug) */
export const DOCUMENTED_EXIT_CODES: readonly number[] = [0, 2, 3, 4, 5, 6];
/** an in-process import or replay of a fuzz input (a few hundred lines) that takes longer is a hang */
export const RUN_BOUND_MS = 20_000;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Lines counted apart from any parser: line breaks, plus a last line without one. */
export function lineCount(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) n++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) n++;
  return n;
}

/** An error is one the CLI reports with a documented code and a message (not a crash). */
export function expectDocumentedFailure(err: unknown, lenient: boolean): void {
  if (!(err instanceof LockreplayError)) throw new Error(`a crash, not a LockreplayError: ${(err as Error)?.stack ?? String(err)}`);
  expect(DOCUMENTED_EXIT_CODES, err.message).toContain(err.exitCode);
  if (lenient) expect(err.exitCode, `--lenient stopped at a bad line: ${err.message}`).not.toBe(4);
  expect(err.message).not.toContain('\n    at ');
}

export function expectSaneOp(op: Op, lines: number): void {
  const where = `op ${op.id} (${op.kind}, line ${op.line})`;
  expect(isOpKind(op.kind), where).toBe(true);
  for (const [name, v] of [['tsNs', op.tsNs], ['offset', op.offset], ['lengthBytes', op.lengthBytes], ['pid', op.pid]] as const) {
    expect(Number.isFinite(v) && v >= 0, `${where}: ${name} ${v}`).toBe(true);
  }
  expect(op.offset + op.lengthBytes <= MAX_SAFE, `${where}: range end ${op.offset + op.lengthBytes} beyond 2^53`).toBe(true);
  expect(Number.isInteger(op.offset) && Number.isInteger(op.lengthBytes), `${where}: a fractional byte`).toBe(true);
  if (op.durNs !== undefined) expect(Number.isFinite(op.durNs) && op.durNs >= 0 && op.durNs <= MAX_SAFE, `${where}: durNs ${op.durNs}`).toBe(true);
  // (an op stream's line is that of the trace it was made from: no bound here)
  if (lines > 0) expect(op.line >= 1 && op.line <= lines, `${where}: line beyond the input`).toBe(true);
}

/** Every number of a result is finite and 0 or more (a lock range's end may be to-EOF). */
export function expectSaneNumbers(value: unknown, path = ''): void {
  if (typeof value === 'number') {
    if (path.endsWith('.end') && value === Infinity) return;
    if (!(Number.isFinite(value) && value >= 0)) throw new Error(`${path} is ${value}`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) value.forEach((v, i) => expectSaneNumbers(v, `${path}[${i}]`));
  else for (const [k, v] of Object.entries(value)) expectSaneNumbers(v, `${path}.${k}`);
}

export function expectSaneResult(result: ReplayResult, ops: number): void {
  expectSaneNumbers(result, 'result');
  for (const r of result.results) {
    // without a deadlock every op completes
    if (r.deadlock === null) expect(r.completedOps, `${r.strategy}: ops completed`).toBe(ops);
    expect(r.completedOps).toBeLessThanOrEqual(ops);
    expect(r.all.count).toBe(r.completedOps);
  }
}

export interface ImportOutcome {
  trace?: LoadedTrace;
  summary?: ImportSummary;
  error?: LockreplayError;
}

/**
 * Closes the descriptors this process still has open on `path` and returns how many: an import that
 * stopped at a bad line used to leave its input open (test/fuzz-regressions.test.ts, 23), which a
 * long campaign ran out of (Linux only). The properties fail when any is found.
 */
export function closeLeakedFds(path: string): number {
  const target = resolve(path);
  let leaked = 0;
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return 0;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === target) {
        closeSync(Number(fd));
        leaked++;
      }
    } catch {
      // gone meanwhile (the descriptor readdir itself used)
    }
  }
  return leaked;
}

function elapsedSince(t0: number, what: string): void {
  const ms = performance.now() - t0;
  if (ms > RUN_BOUND_MS) throw new Error(`${what} took ${Math.round(ms)} ms (bound ${RUN_BOUND_MS} ms)`);
}

/** Imports a file (twice: the same bytes give the same ops and summary) and checks the properties. */
export async function checkImport(path: string, bytes: Buffer, options: ImportOptions): Promise<ImportOutcome> {
  const lenient = options.lenient === true;
  const once = async (): Promise<ImportOutcome> => {
    const t0 = performance.now();
    try {
      const r = await loadTrace(path, options);
      elapsedSince(t0, 'the import');
      return { trace: { ops: r.ops, summary: r.summary }, summary: r.summary };
    } catch (err) {
      elapsedSince(t0, 'the import');
      expectDocumentedFailure(err, lenient);
      return { error: err as LockreplayError };
    }
  };
  const first = await once();
  const second = await once();
  const digest = (o: ImportOutcome): string => JSON.stringify([o.trace?.ops, o.summary, o.error?.message, o.error?.exitCode]);
  expect(digest(second), 'the same input gave another import').toBe(digest(first));
  const s = first.summary;
  if (s === undefined) return first;
  const lines = lineCount(bytes);
  const own = s.opStreamLines ?? s.lines;
  const skipped = Object.values(own.skipped).reduce((a, b) => a + b, 0);
  expect(own.used + skipped + own.bad, 'used + skipped + bad').toBe(own.total);
  expect(own.total, 'accounted lines against the line breaks').toBe(lines);
  if (!lenient) expect(own.bad).toBe(0);
  const ops = first.trace?.ops ?? [];
  expect(s.ops.total).toBe(ops.length);
  expect(Object.values(s.ops.byKind).reduce((a, b) => a + b, 0)).toBe(ops.length);
  for (const op of ops) expectSaneOp(op, s.opStreamLines !== undefined ? 0 : lines);
  return first;
}

/**
 * Replays (twice: the same bytes) and checks the result. With `refusable`, a replay may instead
 * refuse the ops because virtual time would pass 2^53 ns (mutated numbers: a duration of 2^53 − 1
 * ns, a trace stretched past 2^53 ns by --time-scale), with a documented error, the same both
 * times; the result is then undefined.
 */
export function checkReplay(trace: LoadedTrace, strategies: string[], options: ReplayOptions, refusable: true): ReplayResult | undefined;
export function checkReplay(trace: LoadedTrace, strategies: string[], options: ReplayOptions): ReplayResult;
export function checkReplay(trace: LoadedTrace, strategies: string[], options: ReplayOptions, refusable = false): ReplayResult | undefined {
  const t0 = performance.now();
  let result: ReplayResult;
  try {
    result = replayStrategies(trace, strategies, options);
  } catch (err) {
    elapsedSince(t0, 'the replay');
    if (!refusable) throw err;
    expectDocumentedFailure(err, false);
    const refusal = err as LockreplayError;
    // (the refusals mutated numbers can cause: virtual time past 2^53 ns; any other is a failure)
    expect(refusal.message, 'a replay refused the ops').toMatch(/beyond 2\^53 ns/);
    let again: unknown;
    try {
      replayStrategies(trace, strategies, options);
    } catch (err2) {
      again = err2;
    }
    expect(again instanceof LockreplayError ? [again.message, again.exitCode] : again, 'the same ops refused otherwise').toEqual([refusal.message, refusal.exitCode]);
    return undefined;
  }
  elapsedSince(t0, 'the replay');
  expectSaneResult(result, trace.ops.length);
  const again = replayStrategies(trace, strategies, options);
  expect(JSON.stringify(again), 'the same ops gave another result').toBe(JSON.stringify(result));
  return result;
}
