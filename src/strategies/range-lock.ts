import type { Op } from '../model/op.js';
import type { RangeFairness } from '../locks/primitives.js';
import { acquire, isFlushInsideParent, pageEnd, pageStart, pageWalk, release, underOneLock, WORK_ALL, WORK_ONLY } from './plan-helpers.js';
import type { ChildrenStep, LockSpec, PlanContext, Step, Strategy } from './types.js';

const CHILDREN_FIRST: ChildrenStep = { type: 'children' };

export interface RangeLockOptions {
  fairness: RangeFairness;
  /** fault the user buffer in before taking the range lock (Linux's fault_in_iov_iter_readable) */
  prefault: boolean;
  /** buffered IO locks its whole syscall range at once, or one page at a time (Jan Kara's 2012 variant) */
  buffered: 'syscall' | 'page';
}

/**
 * One shared/exclusive byte-range lock per inode over page-aligned ranges (the 2012 seed design):
 * exclusive for DIO, truncate ([new size, end)), punch and zero/collapse/insert range; shared for
 * buffered IO, faults, readahead and writeback. FIFO by default (Kara/Bueso): a request waits for
 * every earlier overlapping conflicting request, so a queued exclusive request blocks later
 * overlapping shared ones. A child fault takes its own shared range while its parent holds its
 * range: the "above and below mmap_lock" pattern the seed warns deadlocks under FIFO.
 */
export function rangeLockStrategy(options: Partial<RangeLockOptions> = {}): Strategy {
  const fairness = options.fairness ?? 'fifo';
  const prefault = options.prefault ?? false;
  const buffered = options.buffered ?? 'syscall';
  const spec: LockSpec = { kind: 'range', fairness };
  return {
    name: 'range-lock',
    summary: 'Shared/exclusive byte-range lock per inode, page-aligned; exclusive for DIO/truncate/punch, shared for buffered IO/faults/writeback.',
    source: 'docs/strategies.md#range-lock (the 2012 "Hole punching and mmap races" thread; Kara 2013, Bueso 2017 FIFO semantics)',
    rules: [
      { kinds: 'read, write', locks: buffered === 'page' ? 'range S on each page of the op range, one at a time' : 'range S on the op range (page-aligned), whole op' },
      { kinds: 'readahead, writeback', locks: 'range S on the op range (page-aligned), whole op' },
      { kinds: 'fault-read, fault-write', locks: 'range S on the faulting page(s)' },
      { kinds: 'dio-read, dio-write', locks: 'range X on the op range' },
      { kinds: 'truncate', locks: 'range X on [new size, infinity)' },
      { kinds: 'punch, zero-range', locks: 'range X on the op range' },
      { kinds: 'collapse-range, insert-range', locks: 'range X on [offset, infinity) (shifts everything after)' },
      { kinds: 'fallocate', locks: 'range S on the op range' },
      { kinds: 'fsync, mmap, munmap', locks: 'none' },
      { kinds: 'child fault (inside a syscall)', locks: prefault ? 'its own range S on the page, before the parent takes its range (prefault)' : 'its own range S on the page, nested inside the parent\'s range hold' },
      { kinds: 'child writeback (a syscall flushing its range)', locks: 'none: part of the parent\'s work, under its hold' },
    ],
    options: { fairness, prefault, buffered },
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      const page = ctx.pageSizeBytes;
      if (isFlushInsideParent(op, ctx)) return WORK_ONLY;
      switch (op.kind) {
        case 'fsync':
        case 'mmap':
        case 'munmap':
          return WORK_ONLY;
        case 'truncate':
          return underOneLock(acquire('range', op.file, spec, 'X', Math.floor(op.offset / page) * page, Infinity, 0));
        case 'collapse-range':
        case 'insert-range':
          return underOneLock(acquire('range', op.file, spec, 'X', Math.floor(op.offset / page) * page, Infinity, 0));
        case 'read':
        case 'write': {
          const start = pageStart(op, page);
          const end = pageEnd(op, page);
          if (buffered === 'page') return pageWalk('range', op.file, spec, start, end, page, 'S', prefault ? CHILDREN_FIRST : undefined);
          const a = acquire('range', op.file, spec, 'S', start, end, 0);
          return prefault ? [CHILDREN_FIRST, a, WORK_ALL, release(0)] : [a, WORK_ALL, release(0)];
        }
        default: {
          const whole = op.lengthBytes <= 0 && (op.kind === 'punch' || op.kind === 'zero-range' || op.kind === 'writeback');
          const start = whole ? 0 : pageStart(op, page);
          const end = whole ? Infinity : pageEnd(op, page);
          const exclusive = op.kind === 'dio-read' || op.kind === 'dio-write' || op.kind === 'punch' || op.kind === 'zero-range';
          return underOneLock(acquire('range', op.file, spec, exclusive ? 'X' : 'S', start, end, 0));
        }
      }
    },
  };
}
