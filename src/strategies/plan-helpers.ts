import type { Op } from '../model/op.js';
import type { AcquireStep, LockSpec, PlanContext, Step } from './types.js';

/** The byte range an op covers, page-aligned: [first page start, last page end). */
export function pageAlignedRange(op: Op, pageSizeBytes: number): [number, number] {
  const start = Math.floor(op.offset / pageSizeBytes) * pageSizeBytes;
  const endRaw = op.offset + Math.max(op.lengthBytes, 1);
  const end = Math.ceil(endRaw / pageSizeBytes) * pageSizeBytes;
  return [start, end];
}

export function acquire(lockClass: string, key: string, spec: LockSpec, mode: 'S' | 'X', start: number, end: number, tag: number): AcquireStep {
  return { type: 'acquire', lockClass, key, spec, mode, start, end, tag };
}

/** acquire, all the work, release: the plan of an op under one lock. */
export function underOneLock(step: AcquireStep): Step[] {
  return [step, { type: 'work', fraction: 1 }, { type: 'release', tag: step.tag }];
}

export const WORK_ONLY: readonly Step[] = Object.freeze([{ type: 'work', fraction: 1 }]) as readonly Step[];

/** A page walk longer than this locks its range in this many equal chunks instead of page by page. */
export const MAX_WALK_STEPS = 256;

/**
 * Locks each page of [start, end) in ascending order, one at a time, with an equal share of the
 * work under each: how the page cache walks folios in buffered IO, faults, truncate and writeback.
 * The kernel locks only the folios present in the page cache, which a trace does not list: a walk
 * over more than MAX_WALK_STEPS pages locks MAX_WALK_STEPS equal chunks of the range instead.
 */
export function pageByPage(lockClass: string, key: string, spec: LockSpec, start: number, end: number, pageSizeBytes: number, mode: 'S' | 'X' = 'X'): Step[] {
  const pages = Math.max(1, Math.round((end - start) / pageSizeBytes));
  const chunks = Math.min(pages, MAX_WALK_STEPS);
  const pagesPerChunk = Math.ceil(pages / chunks);
  const steps: Step[] = [];
  for (let c = 0; c * pagesPerChunk < pages; c++) {
    const s = start + c * pagesPerChunk * pageSizeBytes;
    const e = Math.min(end, s + pagesPerChunk * pageSizeBytes);
    steps.push(acquire(lockClass, key, spec, mode, s, e, c), { type: 'work', fraction: (e - s) / (end - start) }, { type: 'release', tag: c });
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
