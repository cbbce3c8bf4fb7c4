import type { Op } from '../model/op.js';
import { isFlushInsideParent, pageEnd, pageStart, pageWalk, WORK_ONLY } from './plan-helpers.js';
import type { ChildrenStep, LockSpec, PlanContext, Step, Strategy } from './types.js';

const PAGE_LOCK: LockSpec = { kind: 'range', fairness: 'fifo' };
/** a buffered read's or write's faults (its user buffer is an mmap) come before its page locks */
const CHILDREN_FIRST: ChildrenStep = { type: 'children' };

/**
 * One exclusive lock per page (PG_locked), FIFO waiters. Buffered IO, faults, readahead and
 * writeback lock one page at a time; truncate, punch and the other range-removing fallocate modes
 * lock each page of the range in ascending order, one at a time (truncate_inode_pages_range); DIO
 * takes no page locks. Nothing serialises a punch against a fault on a page it already passed: the
 * race of the 2012 thread. A fault inside a buffered write or read (its user buffer is an mmap) holds
 * no page lock of the syscall: a write faults its source in before it locks the page
 * (fault_in_iov_iter_readable, then an atomic copy under the lock, retried if short), a read copies
 * out of a page it does not hold locked.
 */
export function pageLockStrategy(): Strategy {
  return {
    name: 'page-lock',
    summary: 'One exclusive FIFO lock per page; buffered IO and faults take one page at a time, truncate/punch walk their range page by page; DIO takes none.',
    source: 'docs/strategies.md#page-lock (folio lock rules of Documentation/filesystems/locking.rst, mm/truncate.c)',
    rules: [
      { kinds: 'read, write, readahead, writeback', locks: 'page lock X on each page of the range, one at a time, ascending' },
      { kinds: 'fault-read, fault-write', locks: 'page lock X on the faulting page(s)' },
      { kinds: 'truncate', locks: 'page lock X on each page from the new size to the old EOF, one at a time' },
      { kinds: 'punch, zero-range, collapse-range, insert-range', locks: 'page lock X on each page of the range, one at a time' },
      { kinds: 'dio-read, dio-write, fallocate, fsync, mmap, munmap', locks: 'none' },
      { kinds: 'child fault (inside a syscall)', locks: 'its own page lock; inside a buffered read or write, before the parent\'s page walk (the source is faulted in before the page is locked)' },
      { kinds: 'child writeback (a syscall flushing its range)', locks: 'none: part of the parent\'s work' },
    ],
    options: {},
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx)) return WORK_ONLY;
      switch (op.kind) {
        case 'dio-read':
        case 'dio-write':
        case 'fallocate':
        case 'fsync':
        case 'mmap':
        case 'munmap':
          return WORK_ONLY;
        default: {
          if (op.lengthBytes <= 0 && (op.kind === 'truncate' || op.kind === 'punch' || op.kind === 'writeback')) return WORK_ONLY;
          const page = ctx.pageSizeBytes;
          return pageWalk('page', op.file, PAGE_LOCK, pageStart(op, page), pageEnd(op, page), page, 'X', op.kind === 'write' || op.kind === 'read' ? CHILDREN_FIRST : undefined);
        }
      }
    },
  };
}
