/**
 * A locking strategy written in TypeScript against lockreplay's Strategy interface: the inode's
 * i_rwsem shared for IO (exclusive only to change the file's extent) with a byte-range lock under
 * it, so that IO to different ranges of one file runs in parallel while a punch or truncate still
 * excludes everything. The contract a plan keeps: docs/writing-strategies.md.
 */
import { acquire, type AcquireStep, isFlushInsideParent, type LockSpec, type Op, ORDERED_TAG, pageAlignedRange, type PlanContext, release, type Step, type Strategy, WORK_ALL, WORK_ONLY } from 'lockreplay';

const RWSEM: LockSpec = { kind: 'rwsem', fairness: 'fifo' };
const RANGE: LockSpec = { kind: 'range', fairness: 'fifo' };

/** takes the locks in order (tags ORDERED_TAG + position), does all the work, releases in reverse */
function under(...locks: AcquireStep[]): readonly Step[] {
  return [...locks, WORK_ALL, ...locks.map((l) => release(l.tag)).reverse()];
}

export const rwsemRange: Strategy = {
  name: 'rwsem-range',
  summary: 'i_rwsem shared for IO and exclusive for extent changes, with a FIFO byte-range lock under it.',
  source: 'examples/library/rwsem-range.ts',
  rules: [
    { kinds: 'read, dio-read', locks: 'i_rwsem S, then range S on the op range' },
    { kinds: 'write, dio-write', locks: 'i_rwsem S, then range X on the op range' },
    { kinds: 'fault-read, fault-write, readahead', locks: 'range S on the page(s)' },
    { kinds: 'truncate, punch, zero/collapse/insert-range, fallocate', locks: 'i_rwsem X, then range X (truncate/collapse/insert: to the end)' },
    { kinds: 'writeback, fsync, mmap, munmap; a child op', locks: 'none (a child runs under its parent\'s locks)' },
  ],
  options: {},
  plan(op: Op, ctx: PlanContext): readonly Step[] {
    if (isFlushInsideParent(op, ctx) || ctx.parent !== undefined) return WORK_ONLY;
    const page = ctx.pageSizeBytes;
    const [start, end] = pageAlignedRange(op, page);
    const iRwsem = (mode: 'S' | 'X'): AcquireStep => acquire('i_rwsem', op.file, RWSEM, mode, 0, Infinity, ORDERED_TAG);
    const range = (mode: 'S' | 'X', from = start, to = end): AcquireStep => acquire('range', op.file, RANGE, mode, from, to, ORDERED_TAG + 1);
    switch (op.kind) {
      case 'read': case 'dio-read': return under(iRwsem('S'), range('S'));
      case 'write': case 'dio-write': return under(iRwsem('S'), range('X'));
      case 'fault-read': case 'fault-write': case 'readahead': return under(range('S'));
      case 'truncate': case 'collapse-range': case 'insert-range': return under(iRwsem('X'), range('X', Math.floor(op.offset / page) * page, Infinity));
      case 'punch': case 'zero-range': case 'fallocate': return under(iRwsem('X'), op.lengthBytes > 0 ? range('X') : range('X', 0, Infinity));
      default: return WORK_ONLY;
    }
  },
};
