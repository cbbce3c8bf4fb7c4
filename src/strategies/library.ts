/**
 * The plan helpers as the library exports them, for strategies written in JavaScript, whose callers
 * are not held to the types: a helper that computes from its arguments checks them first, and one
 * of the wrong kind is a LockreplayError (exit 2) naming the helper and the argument, not a
 * TypeError deep inside or a range of NaN. The built-in strategies call plan-helpers.ts directly.
 * (acquire and release only put their arguments into a step: the plan's steps are checked when a
 * user strategy's plans are made, naming the strategy, the op and the step: user.ts.)
 */
import { ExitCode, LockreplayError } from '../errors.js';
import type { Op } from '../model/op.js';
import { expectNumber, expectObject, expectString, kindOf } from '../util/arguments.js';
import { isFlushInsideParent as flushInsideParent, pageAlignedRange as alignedRange, pageByPage as walk, underOneLock as oneLock } from './plan-helpers.js';
import type { AcquireStep, LockSpec, PlanContext, Step } from './types.js';
import { unbalancedStep as unbalanced } from './user.js';

function refuse(what: string, expected: string, value: unknown): never {
  throw new LockreplayError(`${what}: expected ${expected}, not ${kindOf(value)}`, ExitCode.usage);
}

/** an op whose byte range can be computed on: offset and lengthBytes finite numbers, 0 or more */
function expectOpRange(op: unknown, what: string): asserts op is Op {
  expectObject(op, what, 'an op');
  expectNumber(op.offset, `${what}.offset`, 0);
  expectNumber(op.lengthBytes, `${what}.lengthBytes`, 0);
}

function expectPageSize(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) refuse(what, 'a whole number of bytes, 1 or more', value);
}

/** acquire, all the work, release: the plan of an op under one lock */
export function underOneLock(step: AcquireStep): readonly Step[] {
  expectObject(step, 'underOneLock step', 'an acquire step (what acquire() returns)');
  if (step.type !== 'acquire') refuse('underOneLock step.type', '"acquire" (what acquire() returns)', step.type);
  if (typeof step.tag !== 'number' || !Number.isSafeInteger(step.tag) || step.tag < 0) refuse('underOneLock step.tag', 'a whole number, 0 or more', step.tag);
  return oneLock(step);
}

/** the byte range an op covers, page-aligned: [first page start, last page end) */
export function pageAlignedRange(op: Op, pageSizeBytes: number): [number, number] {
  expectOpRange(op, 'pageAlignedRange op');
  expectPageSize(pageSizeBytes, 'pageAlignedRange pageSizeBytes');
  return alignedRange(op, pageSizeBytes);
}

/** whether `op` is writeback inside a syscall: the syscall flushing its own range, under its locks */
export function isFlushInsideParent(op: Op, ctx: PlanContext): boolean {
  expectObject(op, 'isFlushInsideParent op', 'an op');
  expectObject(ctx, 'isFlushInsideParent ctx', 'the plan context plan() was given');
  return flushInsideParent(op, ctx);
}

/** locks each page of [start, end) in ascending order, one at a time (plan-helpers.ts) */
export function pageByPage(lockClass: string, key: string, spec: LockSpec, start: number, end: number, pageSizeBytes: number, mode: 'S' | 'X' = 'X'): Step[] {
  expectString(lockClass, 'pageByPage lockClass');
  expectString(key, 'pageByPage key');
  expectObject(spec, 'pageByPage spec', 'a lock spec ({ kind, ... })');
  expectNumber(start, 'pageByPage start', 0);
  expectNumber(end, 'pageByPage end', start);
  expectPageSize(pageSizeBytes, 'pageByPage pageSizeBytes');
  if (mode !== 'S' && mode !== 'X') refuse('pageByPage mode', '"S" or "X"', mode);
  return walk(lockClass, key, spec, start, end, pageSizeBytes, mode);
}

/** where a plan's acquires and releases do not pair up, described; undefined when they do */
export function unbalancedStep(steps: readonly Step[]): string | undefined {
  if (!Array.isArray(steps)) refuse('unbalancedStep steps', 'an array of plan steps', steps);
  steps.forEach((st: unknown, i) => expectObject(st, `unbalancedStep steps[${i}]`, 'a plan step'));
  return unbalanced(steps);
}
