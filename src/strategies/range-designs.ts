/**
 * The range-lock designs proposed since 2012 (docs/strategies.md has a section for each),
 * each as its rules plus the costs that make its structure visible.
 */
import { EXCLUSIVE_KINDS, type Op } from '../model/op.js';
import { acquire, isFlushInsideParent, pageAlignedRange, release, underOneLock, WORK_ALL, WORK_ONLY } from './plan-helpers.js';
import { type ChildrenStep, type CostStep, type LockSpec, type PlanContext, SPINLOCK_TAG, type Step, type Strategy } from './types.js';

const MUTEX: LockSpec = { kind: 'mutex' };
const SPINLOCK: LockSpec = { kind: 'spinlock' };
const RWSEM: LockSpec = { kind: 'rwsem', fairness: 'fifo' };
const FIFO_RANGE: LockSpec = { kind: 'range', fairness: 'fifo' };
/**
 * Where a plan's child ops run, all of them (docs/writing-strategies.md). Before a direct IO's first
 * work it also says that the IO pins its user buffer before it locks: the engine's get_user_pages
 * comes right after it.
 */
const CHILDREN: ChildrenStep = { type: 'children' };

/** [start, end) of an op for range locks: truncate/collapse/insert to infinity, unknown ranges whole */
function opRange(op: Op, page: number): [number, number] {
  if (op.kind === 'truncate' || op.kind === 'collapse-range' || op.kind === 'insert-range') return [Math.floor(op.offset / page) * page, Infinity];
  if (op.lengthBytes <= 0 && (op.kind === 'punch' || op.kind === 'zero-range' || op.kind === 'writeback')) return [0, Infinity];
  return pageAlignedRange(op, page);
}

/** the serialising critical section of a tree under one spinlock: spinlock, walk, unlock (tag: SPINLOCK_TAG + the lock's) */
function spinTreeWalk(file: string, treeClass: string, ctx: PlanContext, tag: number): Step[] {
  const walk: CostStep = { type: 'cost', baseNs: ctx.costs.spinBaseNs, perNodeNs: ctx.costs.perNodeNs, nodesOf: { lockClass: treeClass, key: file }, logNodes: true };
  return [acquire('tree_spinlock', file, SPINLOCK, 'X', 0, Infinity, tag), walk, { type: 'release', tag }];
}

/** Jan Kara's 2013 mapping range lock: exclusive-only, page granular, FIFO, under one spinlock. */
export function kara2013Strategy(): Strategy {
  return {
    name: 'kara-2013',
    summary: 'Jan Kara 2013 mapping range lock: exclusive-only interval tree (FIFO, page granular) under one per-mapping spinlock; i_mutex kept for buffered writes and truncate.',
    source: 'docs/strategies.md#kara-2013 ([PATCH 0/6 RFC] Mapping range lock, 2013)',
    rules: [
      { kinds: 'read, readahead, fault-read, fault-write', locks: 'mapping range X on the page(s), only around page-cache insertion (a fraction of the op), then unlocked' },
      { kinds: 'dio-read, dio-write', locks: 'pins its buffer first (its child ops, its flush among them, then get_user_pages: mmap_lock S), then mapping range X on the range, for the whole IO' },
      { kinds: 'write', locks: 'i_mutex X (unchanged by the RFC)' },
      { kinds: 'truncate, punch, zero/collapse/insert-range', locks: 'i_mutex X, then mapping range X on the range' },
      { kinds: 'every range lock/unlock', locks: 'tree_spinlock X for spinBase + perNode × (1+R)·log2(R+2) ns: one serialising critical section per mapping' },
    ],
    options: {},
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx) || op.kind === 'fsync' || op.kind === 'mmap' || op.kind === 'munmap' || op.kind === 'writeback' || op.kind === 'fallocate') return WORK_ONLY;
      const page = ctx.pageSizeBytes;
      const [start, end] = opRange(op, page);
      const range = (tag: number): Step[] => [...spinTreeWalk(op.file, 'mapping_range', ctx, SPINLOCK_TAG + tag), acquire('mapping_range', op.file, FIFO_RANGE, 'X', start, end, tag)];
      if (op.kind === 'write') return underOneLock(acquire('i_mutex', op.file, MUTEX, 'X', 0, Infinity, 0));
      if (op.kind === 'read' || op.kind === 'readahead' || op.kind === 'fault-read' || op.kind === 'fault-write') {
        // only the page insertion is under the range lock: model it as the first tenth of the work
        return [...range(1), { type: 'work', fraction: 0.1 }, release(1), { type: 'work', fraction: 0.9, cached: true }];
      }
      const dio = op.kind === 'dio-read' || op.kind === 'dio-write';
      const withMutex = !dio && ctx.parent === undefined;
      // the RFC locks a direct IO's range in dio_bio_submit(), after the bio's pages are pinned: a
      // children step first is where the engine pins (its get_user_pages follows it, mmap-lock.ts)
      const steps: Step[] = withMutex ? [acquire('i_mutex', op.file, MUTEX, 'X', 0, Infinity, 0)] : dio ? [CHILDREN] : [];
      steps.push(...range(1), WORK_ALL, release(1));
      if (withMutex) steps.push(release(0));
      return steps;
    },
  };
}

/** Davidlohr Bueso's range reader/writer lock replacing i_rwsem (readers count only writers). */
export function buesoRwStrategy(): Strategy {
  return {
    name: 'bueso-rw',
    summary: 'Bueso/Kara 2017 range reader/writer lock in place of i_rwsem: interval tree under a spinlock, FIFO (a queued writer blocks later overlapping readers), invalidate_lock kept for faults.',
    source: 'docs/strategies.md#bueso-rw (locking: Introduce range reader/writer lock, 2017)',
    rules: [
      { kinds: 'read, dio-read', locks: 'range S on the op range' },
      { kinds: 'write, dio-write', locks: 'range X on the op range' },
      { kinds: 'truncate', locks: 'range X on [new size, ∞), then invalidate_lock X' },
      { kinds: 'punch, zero-range, collapse/insert-range, fallocate', locks: 'range X on the range (collapse/insert: to ∞), then invalidate_lock X' },
      { kinds: 'fault-read, fault-write, readahead', locks: 'invalidate_lock S (never the range lock: it is taken above mmap_lock only)' },
      { kinds: 'every range lock/unlock', locks: 'tree_spinlock X for spinBase + perNode × (1+R)·log2(R+2) ns' },
    ],
    options: {},
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx) || op.kind === 'fsync' || op.kind === 'mmap' || op.kind === 'munmap' || op.kind === 'writeback') return WORK_ONLY;
      if (op.kind === 'fault-read' || op.kind === 'fault-write' || op.kind === 'readahead') return underOneLock(acquire('invalidate_lock', op.file, RWSEM, 'S', 0, Infinity, 0));
      if (ctx.parent !== undefined) return WORK_ONLY;
      const [start, end] = opRange(op, ctx.pageSizeBytes);
      const mode = op.kind === 'read' || op.kind === 'dio-read' ? 'S' : 'X';
      const steps: Step[] = [...spinTreeWalk(op.file, 'range', ctx, SPINLOCK_TAG + 0), acquire('range', op.file, FIFO_RANGE, mode, start, end, 0)];
      const invalidates = mode === 'X' && op.kind !== 'write' && op.kind !== 'dio-write';
      if (invalidates) steps.push(acquire('invalidate_lock', op.file, RWSEM, 'X', 0, Infinity, 1));
      steps.push(WORK_ALL);
      if (invalidates) steps.push(release(1));
      steps.push(release(0));
      return steps;
    },
  };
}

/** Kogan/Dice/Issa list-based range lock: no waiter queue, wake-all and retry. */
export function listRangeStrategy(): Strategy {
  return {
    name: 'list-rl',
    summary: 'List-based lock-free range lock (Kogan/Dice/Issa 2020, FreeBSD): no waiter queue, a release wakes every sleeper to retry; readers share; exclusive requests can starve, and it shows.',
    source: 'docs/strategies.md#list-rl (Kogan, Dice, Issa, EuroSys 2020; FreeBSD kern_rangelock.c)',
    rules: [
      { kinds: 'DIO, truncate, punch, zero/collapse/insert-range', locks: 'range X (no queue: waits until no conflicting range is held, retries on every release)' },
      { kinds: 'buffered IO, faults, readahead, writeback, fallocate', locks: 'range S' },
      { kinds: 'every acquire', locks: 'a list traversal: cacheMiss ns per live range' },
      { kinds: 'child fault', locks: 'its own range S (no queue, so no FIFO deadlock)' },
    ],
    options: {},
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx) || op.kind === 'fsync' || op.kind === 'mmap' || op.kind === 'munmap') return WORK_ONLY;
      const [start, end] = opRange(op, ctx.pageSizeBytes);
      const mode = EXCLUSIVE_KINDS.has(op.kind) ? 'X' : 'S';
      const traverse: CostStep = { type: 'cost', baseNs: ctx.costs.atomicNs, perNodeNs: ctx.costs.cacheMissNs, nodesOf: { lockClass: 'list_range', key: op.file } };
      return [traverse, ...underOneLock(acquire('list_range', op.file, { kind: 'list-range', exclusiveOnly: false }, mode, start, end, 0))];
    },
  };
}

/** Dave Chinner's 2025 segment bitmap: i_rwsem shared + exclusive bits on 64 segments. */
export function segmentBitmapStrategy(segments = 64, minSegmentBytes = 65536): Strategy {
  return {
    name: 'segment-bitmap',
    summary: `Dave Chinner 2025: per inode ${segments} exclusive segment bits (segment = max(${minSegmentBytes / 1024} KiB, EOF/${segments})) under i_rwsem shared; i_rwsem exclusive for truncate/fallocate.`,
    source: 'docs/strategies.md#segment-bitmap (Dave Chinner, linux-xfs, January 2025)',
    rules: [
      { kinds: 'write', locks: 'i_rwsem S, then the bits of every segment the write covers, X (ascending, all at once)' },
      { kinds: 'read, dio-read, dio-write', locks: 'i_rwsem S (reads do not wait on segments: readsWaitOnSegments=false)' },
      { kinds: 'truncate, punch, zero/collapse/insert-range, fallocate', locks: 'i_rwsem X' },
      { kinds: 'faults, writeback, readahead, fsync', locks: 'none' },
      { kinds: 'every bit', locks: 'one atomic' },
    ],
    options: { segments, minSegmentBytes },
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx) || ctx.parent !== undefined) return WORK_ONLY;
      switch (op.kind) {
        case 'write': {
          const seg = Math.max(minSegmentBytes, Math.ceil(ctx.fileSizeBytes(op.file) / segments));
          const first = Math.floor(op.offset / seg);
          const last = Math.floor((op.offset + Math.max(op.lengthBytes, 1) - 1) / seg);
          const bits: CostStep = { type: 'cost', baseNs: ctx.costs.atomicNs * (last - first + 1) };
          return [acquire('i_rwsem', op.file, RWSEM, 'S', 0, Infinity, 0), bits, acquire('segment_bits', op.file, FIFO_RANGE, 'X', first * seg, (last + 1) * seg, 1),
            WORK_ALL, release(1), release(0)];
        }
        case 'read': case 'dio-read': case 'dio-write':
          return underOneLock(acquire('i_rwsem', op.file, RWSEM, 'S', 0, Infinity, 0));
        case 'truncate': case 'punch': case 'zero-range': case 'collapse-range': case 'insert-range': case 'fallocate':
          return underOneLock(acquire('i_rwsem', op.file, RWSEM, 'X', 0, Infinity, 0));
        default:
          return WORK_ONLY;
      }
    },
  };
}

/** bcachefs pagecache add/block: a two-state shared lock, plus i_rwsem and the DIO count for direct writes and removals. */
export function twoStateStrategy(): Strategy {
  return {
    name: 'two-state',
    summary: 'bcachefs two-state lock: "add" (buffered IO, faults) and "block" (DIO, truncate, fallocate) states share within and exclude across; wake-all at zero, no queue; i_rwsem X and a drain of in-flight direct writes (inode_dio_wait) for truncate/fallocate.',
    source: 'docs/strategies.md#two-state (fs/bcachefs/two_state_shared_lock.h, fs-io.c, fs-io-direct.c)',
    rules: [
      { kinds: 'read, write, readahead, fault-read, fault-write', locks: 'pagecache lock, add state (S)' },
      { kinds: 'dio-write', locks: 'i_rwsem X, then i_dio_count S (inode_dio_begin) and pagecache lock, block state; i_rwsem released before the IO (a write that does not extend the file); the other two held until the IO ends' },
      { kinds: 'dio-read', locks: 'pagecache lock, block state (X: shared among blockers)' },
      { kinds: 'truncate, punch, zero/collapse/insert-range, fallocate', locks: 'i_rwsem X, then a wait for in-flight direct writes to drain (inode_dio_wait: i_dio_count X, released at once), then pagecache lock, block state' },
      { kinds: 'writeback, fsync', locks: 'none' },
    ],
    options: {},
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx) || op.kind === 'writeback' || op.kind === 'fsync' || op.kind === 'mmap' || op.kind === 'munmap') return WORK_ONLY;
      const pc = (mode: 'S' | 'X', tag: number): Step => acquire('pagecache_add_block', op.file, { kind: 'two-state' }, mode, 0, Infinity, tag);
      const inodeLock = acquire('i_rwsem', op.file, RWSEM, 'X', 0, Infinity, 1);
      const dioCount = (mode: 'S' | 'X'): Step => acquire('i_dio_count', op.file, RWSEM, mode, 0, Infinity, 2);
      // bch2_direct_write: inode_lock → inode_dio_begin → pagecache_block_get, inode_unlock before the
      // IO unless the write extends the file (the trace gives no file size at the time: never here);
      // block put and inode_dio_end when the IO is done
      if (op.kind === 'dio-write' && ctx.parent === undefined) return [inodeLock, dioCount('S'), pc('X', 0), release(1), WORK_ALL, release(0), release(2)];
      if (EXCLUSIVE_KINDS.has(op.kind) || op.kind === 'fallocate') {
        // a direct read: the block state, as the strategy was defined (bcachefs's bch2_read_iter takes no
        // lock for one: docs/strategies.md#two-state); a child op runs under its parent's i_rwsem
        if (op.kind === 'dio-read' || op.kind === 'dio-write' || ctx.parent !== undefined) return [pc('X', 0), WORK_ALL, release(0)];
        // inode_lock → inode_dio_wait (in-flight direct writes drain; none can start: they need the inode lock) → pagecache_block_get
        return [inodeLock, dioCount('X'), release(2), pc('X', 0), WORK_ALL, release(0), release(1)];
      }
      return [pc('S', 0), WORK_ALL, release(0)];
    },
  };
}

/** btrfs extent bits: exclusive bit ranges in a tree under a spinlock, wake-all on conflict. */
export function btrfsExtentStrategy(): Strategy {
  return {
    name: 'btrfs-extent',
    summary: 'btrfs extent_io_tree: exclusive extent-bit ranges (wait on the conflicting state, wake-all, retry) under a spinlock, with the inode lock for writes and punch/truncate.',
    source: 'docs/strategies.md#btrfs-extent (fs/btrfs/extent-io-tree.c)',
    rules: [
      { kinds: 'write', locks: 'inode lock X, then its faults (the source buffer faulted in), then extent bits X on the range' },
      { kinds: 'read, readahead, fault-read (a fault inside a syscall too)', locks: 'extent bits X on the range around the mapping lookup only (read_folio / readahead, 6.12+: a tenth of the op; the page is in the cache after it)' },
      { kinds: 'dio-read, dio-write', locks: 'its faults and flush first, then extent bits X on the range, held until the IO ends' },
      { kinds: 'fault-write', locks: 'extent bits X on the page' },
      { kinds: 'truncate, punch, zero/collapse/insert-range', locks: 'inode lock X, invalidate_lock X, then extent bits X on the range' },
      { kinds: 'child fault of a read, write or direct IO', locks: 'its own extent bits, before the parent takes its own: never nested in them' },
      { kinds: 'every extent lock', locks: 'tree_spinlock X for spinBase + perNode × (1+R)·log2(R+2) ns' },
    ],
    options: {},
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx) || op.kind === 'fsync' || op.kind === 'mmap' || op.kind === 'munmap' || op.kind === 'writeback' || op.kind === 'fallocate') return WORK_ONLY;
      const [start, end] = opRange(op, ctx.pageSizeBytes);
      const extent = (tag: number): Step[] => [...spinTreeWalk(op.file, 'extent_bits', ctx, SPINLOCK_TAG + tag), acquire('extent_bits', op.file, { kind: 'list-range', exclusiveOnly: true }, 'X', start, end, tag)];
      // btrfs holds no extent bits while it copies to or from a user buffer, so a fault of that copy
      // (a child) never runs under its parent's: a buffered write faults its source in before it locks
      // (btrfs_buffered_write: fault_in_iov_iter_readable, then an atomic copy), a read copies each page
      // after read_folio unlocked it, and a direct IO pins its buffer with faults disabled, and on a
      // fault drops its locks, faults the buffer in and retries (the 2021 nofault series). Its children
      // run first (a direct IO's flush as well: iomap flushes the range before iomap_begin locks it).
      const childrenFirst: Step[] = op.kind === 'read' || op.kind === 'write' || op.kind === 'dio-read' || op.kind === 'dio-write' ? [CHILDREN] : [];
      // a page read into the cache (read_folio, readahead: a fault's too, inside a syscall or not) locks the extent around the mapping lookup
      if (op.kind === 'read' || op.kind === 'readahead' || op.kind === 'fault-read') return [...childrenFirst, ...extent(0), { type: 'work', fraction: 0.1 }, release(0), { type: 'work', fraction: 0.9, cached: true }];
      if (op.kind === 'dio-read' || op.kind === 'dio-write' || op.kind === 'fault-write' || ctx.parent !== undefined) return [...childrenFirst, ...extent(0), WORK_ALL, release(0)];
      const outer: Step[] = [acquire('inode_lock', op.file, RWSEM, 'X', 0, Infinity, 1)];
      const outerRelease: Step[] = [release(1)];
      if (op.kind !== 'write') {
        outer.push(acquire('invalidate_lock', op.file, RWSEM, 'X', 0, Infinity, 2));
        outerRelease.unshift(release(2));
      }
      return [...outer, ...childrenFirst, ...extent(0), WORK_ALL, release(0), ...outerRelease];
    },
  };
}

/** Lustre llite's write range lock: exclusive FIFO ranges for writes and O_DIRECT reads. */
export function lustreWriteStrategy(): Strategy {
  return {
    name: 'lustre-write',
    summary: 'Lustre llite range_lock: an exclusive FIFO range on [pos, pos+len) for every write and O_DIRECT read, held across the IO; buffered reads and faults take none.',
    source: 'docs/strategies.md#lustre-write (lustre/llite/range_lock.c)',
    rules: [
      { kinds: 'write, dio-write, dio-read', locks: 'range X on the op range (FIFO), whole IO' },
      { kinds: 'truncate, punch, zero/collapse/insert-range', locks: 'range X (truncate/collapse/insert: to ∞)' },
      { kinds: 'read, faults, readahead, writeback, fsync', locks: 'none (cluster locks and folio locks do that work)' },
    ],
    options: {},
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx) || ctx.parent !== undefined) return WORK_ONLY;
      if (op.kind === 'write' || EXCLUSIVE_KINDS.has(op.kind)) {
        const [start, end] = opRange(op, ctx.pageSizeBytes);
        return underOneLock(acquire('lustre_range', op.file, FIFO_RANGE, 'X', start, end, 0));
      }
      return WORK_ONLY;
    },
  };
}
