import type { Op } from '../model/op.js';
import { type AcquireStep, type LockSpec, PAGE_WALK_TAG, type PlanContext, type ReleaseStep, type Step, type WorkStep } from './types.js';

/** The start of the first page an op covers. */
export function pageStart(op: Op, pageSizeBytes: number): number {
  return Math.floor(op.offset / pageSizeBytes) * pageSizeBytes;
}

/** The end of the last page an op covers (an empty op covers the byte at its offset). */
export function pageEnd(op: Op, pageSizeBytes: number): number {
  return Math.ceil((op.offset + Math.max(op.lengthBytes, 1)) / pageSizeBytes) * pageSizeBytes;
}

/** The byte range an op covers, page-aligned: [first page start, last page end). */
export function pageAlignedRange(op: Op, pageSizeBytes: number): [number, number] {
  return [pageStart(op, pageSizeBytes), pageEnd(op, pageSizeBytes)];
}

/** An acquire step (see AcquireStep). */
export function acquire(lockClass: string, key: string, spec: LockSpec, mode: 'S' | 'X', start: number, end: number, tag: number): AcquireStep {
  return { type: 'acquire', lockClass, key, spec, mode, start, end, tag };
}

/**
 * Plans are read-only data to the engine, so their common steps are shared: one object for "all
 * the work" and one release step per tag (a replay makes millions of plans; fewer objects, less
 * garbage to collect). They are not frozen: a frozen object or array has hidden classes of its
 * own, and every extra one makes the engine's reads of steps slower (polymorphic).
 */
export const WORK_ALL: WorkStep = { type: 'work', fraction: 1 };
const RELEASES: ReleaseStep[] = [];

/** The release step of `tag`, shared. */
export function release(tag: number): ReleaseStep {
  if (!(Number.isInteger(tag) && tag >= 0 && tag < 1024)) return { type: 'release', tag };
  let r = RELEASES[tag];
  if (r === undefined) {
    for (let t = RELEASES.length; t <= tag; t++) RELEASES.push({ type: 'release', tag: t });
    r = RELEASES[tag];
  }
  return r;
}

/** acquire, all the work, release: the plan of an op under one lock. */
export function underOneLock(step: AcquireStep): readonly Step[] {
  return [step, WORK_ALL, release(step.tag)];
}

export const WORK_ONLY: readonly Step[] = [WORK_ALL];

/** A page walk longer than this locks its range in this many equal chunks instead of page by page. */
export const MAX_WALK_STEPS = 256;

/**
 * Locks each page of [start, end) in ascending order, one at a time, with an equal share of the
 * work under each: how the page cache walks folios in buffered IO, faults, truncate and writeback.
 * The kernel locks only the folios present in the page cache, which a trace does not list: a walk
 * over more than MAX_WALK_STEPS pages locks MAX_WALK_STEPS equal chunks of the range instead.
 * Chunk c is tag PAGE_WALK_TAG + c: the other locks of a plan with a walk use other tag ranges.
 */
export function pageByPage(lockClass: string, key: string, spec: LockSpec, start: number, end: number, pageSizeBytes: number, mode: 'S' | 'X' = 'X'): Step[] {
  return pageWalk(lockClass, key, spec, start, end, pageSizeBytes, mode, undefined);
}

/**
 * pageByPage, after the step `first` when given (a plan's children before its walk). A walk of one
 * page is made as one array literal: a replay plans about a million of them, and growing an array
 * by push, then unshifting a step in front, cost more than the rest of the plan.
 */
export function pageWalk(lockClass: string, key: string, spec: LockSpec, start: number, end: number, pageSizeBytes: number, mode: 'S' | 'X', first: Step | undefined): Step[] {
  const pages = Math.max(1, Math.round((end - start) / pageSizeBytes));
  if (pages === 1 && end > start && end - start <= pageSizeBytes) {
    // (the one chunk is [start, end), all the work: what the loop below makes of it)
    const a = acquire(lockClass, key, spec, mode, start, end, PAGE_WALK_TAG);
    const r = release(PAGE_WALK_TAG);
    return first === undefined ? [a, WORK_ALL, r] : [first, a, WORK_ALL, r];
  }
  const chunks = Math.min(pages, MAX_WALK_STEPS);
  const pagesPerChunk = Math.ceil(pages / chunks);
  const steps: Step[] = [];
  if (first !== undefined) steps.push(first);
  for (let c = 0; c * pagesPerChunk < pages; c++) {
    const s = start + c * pagesPerChunk * pageSizeBytes;
    const e = Math.min(end, s + pagesPerChunk * pageSizeBytes);
    const fraction = (e - s) / (end - start);
    steps.push(acquire(lockClass, key, spec, mode, s, e, PAGE_WALK_TAG + c), fraction === 1 ? WORK_ALL : { type: 'work', fraction }, release(PAGE_WALK_TAG + c));
  }
  return steps;
}

/**
 * Writeback inside a syscall is that syscall flushing its own range (a direct IO or a punch calls
 * filemap_write_and_wait_range before it invalidates the page cache): it is part of the parent's
 * work, done under whatever the parent holds, and takes no lock of its own in any strategy.
 */
export function isFlushInsideParent(op: Op, ctx: PlanContext): boolean {
  return ctx.parent !== undefined && op.kind === 'writeback';
}
