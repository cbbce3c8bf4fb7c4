/**
 * The conflict matrix: which pairs of op kinds harm data when they overlap in time and bytes on one
 * file, from two tasks, with nothing serialising them. It defines a race independently of any
 * locking strategy: a strategy is judged by which of these overlaps its schedule lets happen.
 * docs/races.md prints this table with the reasoning for every cell.
 *
 * Severity `data`: the overlap can leave wrong data (in the page cache, on disk, or returned to a
 * reader) that neither op asked for. Severity `ordering`: two writes of the application overlap
 * with no order between them; the application owns that order (Linux itself allows the direct-IO
 * case under a shared i_rwsem), so these are reported apart and are not races of the strategy.
 */
import { OP_KINDS, type OpKind } from './op.js';

export type ConflictSeverity = 'data' | 'ordering';

export interface ConflictClass {
  /** stable identifier, used in results and in `check` metric names (`races[ID]`) */
  id: string;
  severity: ConflictSeverity;
  /** the two sides, as kinds (a pair conflicts when one op is of `a` and the other of `b`) */
  a: readonly OpKind[];
  b: readonly OpKind[];
  /** what goes wrong, in a few words */
  consequence: string;
  /** why the kernel's behaviour makes this a conflict */
  why: string;
}

const CACHED_READS: readonly OpKind[] = ['read', 'fault-read', 'readahead'];
const BUFFERED_WRITES: readonly OpKind[] = ['write', 'fault-write'];
const REMOVALS: readonly OpKind[] = ['truncate', 'punch', 'zero-range', 'collapse-range', 'insert-range'];
const SHIFTS: readonly OpKind[] = ['collapse-range', 'insert-range'];

/** Every conflicting pair of kinds, by class. A pair of kinds is in at most one class. */
export const CONFLICT_CLASSES: readonly ConflictClass[] = [
  {
    id: 'stale-instantiation', severity: 'data', a: CACHED_READS, b: REMOVALS,
    consequence: 'a page instantiated in a range being removed: stale data survives the removal',
    why: 'the 2012 race: a fault or read fills a page after truncate_inode_pages() dropped the range and before the blocks are freed (invalidate_lock exists to stop it)',
  },
  {
    id: 'write-into-removal', severity: 'data', a: BUFFERED_WRITES, b: REMOVALS,
    consequence: 'data written into a range being removed: the write is lost or its block leaks',
    why: 'a buffered write or page_mkwrite dirties a page the removal has already invalidated, or allocates a block the removal then frees or shifts',
  },
  {
    id: 'dio-stale-cache', severity: 'data', a: ['dio-write'], b: CACHED_READS,
    consequence: 'a direct write under cached pages: the page cache keeps stale data',
    why: 'the direct write invalidates the page cache before its IO; a read or fault that fills a page during the IO caches the old disk data',
  },
  {
    id: 'dio-lost-update', severity: 'data', a: ['dio-write'], b: BUFFERED_WRITES,
    consequence: 'page cache and disk disagree: one of the two writes is lost',
    why: 'the dirty page written back later overwrites the direct write, or the direct write\'s invalidation drops the buffered data',
  },
  {
    id: 'dio-read-dirty', severity: 'data', a: ['dio-read'], b: BUFFERED_WRITES,
    consequence: 'a direct read returns disk data older than a dirty page',
    why: 'the direct read flushes the range before its IO; a page dirtied during the IO is not on disk yet',
  },
  {
    id: 'io-to-freed-blocks', severity: 'data', a: ['dio-read', 'dio-write'], b: REMOVALS,
    consequence: 'direct IO to blocks being freed: reads freed data, or corrupts a block once reused',
    why: 'direct IO maps the blocks before its IO and does not hold them; inode_dio_wait() in truncate and fallocate exists to drain it',
  },
  {
    id: 'shift-conflict', severity: 'data', a: SHIFTS, b: REMOVALS,
    consequence: 'extents shift under another removal: the wrong range is removed or moved',
    why: 'collapse and insert move every extent past the offset; a removal computed against the old layout lands on other data',
  },
  {
    id: 'dio-write-overlap', severity: 'ordering', a: ['dio-write'], b: ['dio-write'],
    consequence: 'overlapping direct writes in no defined order (the application owns it)',
    why: 'Linux runs aligned non-extending direct writes under a shared i_rwsem (XFS, ext4 overwrites): the last write to reach the disk wins',
  },
  {
    id: 'torn-write', severity: 'ordering', a: ['write'], b: ['write'],
    consequence: 'overlapping buffered writes interleave page by page (no write(2) atomicity)',
    why: 'Linux serialises buffered writes with i_rwsem held exclusively; page locks alone let two writes mix their pages',
  },
];

/**
 * Pairs that never conflict, with the reason (for docs/races.md and the tests that keep the table
 * complete: every pair of kinds is either in a class above or covered here).
 */
export const NO_CONFLICT_REASONS: readonly { kinds: string; why: string }[] = [
  { kinds: 'any read kind with any read kind (read, fault-read, readahead, dio-read)', why: 'readers change no data' },
  { kinds: 'fallocate (mode 0, preallocation) with anything', why: 'preallocation adds unwritten extents that read as zeros: no data changes; the block map itself is serialised by the filesystem\'s metadata lock (XFS ILOCK, ext4 i_data_sem), which no strategy replaces' },
  { kinds: 'fsync, mmap, munmap with anything', why: 'they move or map no file data in a range (fsync waits for writeback; mmap_lock is modelled apart)' },
  { kinds: 'writeback with anything', why: 'writeback is serialised by the folio lock and PG_writeback, which every strategy keeps: truncate and punch wait on each folio\'s writeback, direct IO flushes and waits for its range before its IO; a page redirtied during writeback is written again' },
  { kinds: 'buffered read, fault or readahead with a buffered write or fault-write; dio-read with dio-write', why: 'the reader sees old, new or mixed data; nothing is stored wrongly (ext4 allows it for buffered IO, Linux for direct IO under a shared i_rwsem)' },
  { kinds: 'fault-write with write or fault-write', why: 'stores through a mapping have no ordering against write(2) or each other; both land in the same page-cache page under its folio lock' },
  { kinds: 'truncate, punch, zero-range with truncate, punch, zero-range', why: 'both leave zeros (or a shorter file) over the range; each block-map update is serialised by the filesystem\'s metadata lock' },
];

const NONE = 255;
/** KIND × KIND → index into CONFLICT_CLASSES, or NONE */
const MATRIX = new Uint8Array(OP_KINDS.length * OP_KINDS.length).fill(NONE);
const KIND_INDEX = new Map<OpKind, number>(OP_KINDS.map((k, i) => [k, i]));
CONFLICT_CLASSES.forEach((c, ci) => {
  for (const x of c.a) {
    for (const y of c.b) {
      const i = KIND_INDEX.get(x) as number;
      const j = KIND_INDEX.get(y) as number;
      for (const cell of [i * OP_KINDS.length + j, j * OP_KINDS.length + i]) {
        if (MATRIX[cell] !== NONE && MATRIX[cell] !== ci) throw new Error(`conflict matrix: ${x} × ${y} is in two classes`);
        MATRIX[cell] = ci;
      }
    }
  }
});

/** The conflict class index of two kinds (their indices in OP_KINDS), or -1 when they never conflict. */
export function conflictClassOf(kindA: number, kindB: number): number {
  const c = MATRIX[kindA * OP_KINDS.length + kindB];
  return c === NONE ? -1 : c;
}

/** 1 for the kinds (indices in OP_KINDS) that conflict with at least one kind. */
export const CONFLICTING_KIND: Uint8Array = Uint8Array.from(OP_KINDS, (_, i) => {
  for (let j = 0; j < OP_KINDS.length; j++) if (MATRIX[i * OP_KINDS.length + j] !== NONE) return 1;
  return 0;
});

/** the kinds (indices) each kind conflicts with, in OP_KINDS order */
export const CONFLICTS_WITH: readonly (readonly number[])[] = OP_KINDS.map((_, i) => {
  const out: number[] = [];
  for (let j = 0; j < OP_KINDS.length; j++) if (MATRIX[i * OP_KINDS.length + j] !== NONE) out.push(j);
  return out;
});
