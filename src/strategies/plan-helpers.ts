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

/**
 * Locks each page of [start, end) in ascending order, one at a time, with an equal share of the
 * work under each: how the page cache walks folios in buffered IO, faults, truncate and writeback.
 */
export function pageByPage(lockClass: string, key: string, spec: LockSpec, start: number, end: number, pageSizeBytes: number, mode: 'S' | 'X' = 'X'): Step[] {
  const pages = Math.max(1, Math.round((end - start) / pageSizeBytes));
  const share = 1 / pages;
  const steps: Step[] = [];
  for (let p = 0; p < pages; p++) {
    const s = start + p * pageSizeBytes;
    steps.push(acquire(lockClass, key, spec, mode, s, s + pageSizeBytes, p), { type: 'work', fraction: share }, { type: 'release', tag: p });
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
