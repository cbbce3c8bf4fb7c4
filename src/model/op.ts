/**
 * The Op model: the contract between import and replay (see docs/op-stream.md).
 * Byte ranges are [offset, offset + lengthBytes). A lengthBytes of 0 on truncate means "to EOF";
 * strategies lock truncate ranges as [offset, infinity) regardless.
 */
export const OP_KINDS = [
  'read', 'write', 'dio-read', 'dio-write', 'fault-read', 'fault-write', 'readahead', 'writeback',
  'truncate', 'punch', 'zero-range', 'collapse-range', 'insert-range', 'fallocate', 'fsync',
  'mmap', 'munmap',
] as const;
export type OpKind = (typeof OP_KINDS)[number];

const KIND_SET: ReadonlySet<string> = new Set(OP_KINDS);

/** each kind's index in OP_KINDS (the code op columns store) */
export const KIND_CODE: ReadonlyMap<OpKind, number> = new Map(OP_KINDS.map((k, i) => [k, i]));
export function isOpKind(value: string): value is OpKind {
  return KIND_SET.has(value);
}

/**
 * Exclusive class of the seed design: DIO, truncate, punch, zero/collapse/insert range. A locking
 * decision (which ops a proposed lock takes exclusively), not a definition of harm: races are
 * defined by the conflict matrix (conflicts.ts).
 */
export const EXCLUSIVE_KINDS: ReadonlySet<OpKind> = new Set<OpKind>([
  'dio-read', 'dio-write', 'truncate', 'punch', 'zero-range', 'collapse-range', 'insert-range',
]);

export interface Op {
  /** 0-based, in issue-time order within one Op stream */
  id: number;
  tsNs: number;
  /** observed duration (issue to completion) where the trace has one */
  durNs?: number;
  /** the task (thread) id; the sequential actor of the replay */
  pid: number;
  /** the process: tgid where the trace has it, else the mm the task was seen using, else the pid */
  proc: string;
  comm: string;
  /** "MAJ:MIN:INO" (decimal), or "fd:PID:FD" ("fd:PID:FD/N" for a later lifetime of the fd) when the trace never named the inode */
  file: string;
  kind: OpKind;
  offset: number;
  lengthBytes: number;
  /** id of the enclosing op (a fault inside a syscall) */
  parent?: number;
  /** 1-based line of the input where the op starts */
  line: number;
}

/** Lock activity the kernel recorded (xfs_ilock/xfs_iunlock, mmap_lock_*): kept for fidelity checks. */
export interface ObservedLock {
  tsNs: number;
  pid: number;
  comm: string;
  /** "MAJ:MIN:INO" for inode locks, "mm:HASH" for mmap_lock, "" for a sched-wake */
  target: string;
  /** xfs_ilock, xfs_ilock_nowait, xfs_ilock_demote, xfs_iunlock, mmap_lock_start, mmap_lock_acquired, mmap_lock_released, contention, sched-wake */
  event: string;
  /** XFS flags (IOLOCK_EXCL|MMAPLOCK_SHARED...), "write"/"read" for mmap_lock, the contention flags (READ, WRITE, MUTEX, SPIN) */
  mode: string;
  /** XFS caller symbol, or "" (for `contention`: the lock class the wait was attributed to) */
  caller: string;
  line: number;
  /** `contention` records: the wait (contention_begin → contention_end), which ended at tsNs; `sched-wake`: the wake-up latency (sched_wakeup → the task's switch-in at tsNs) */
  waitNs?: number;
  /** `contention` records of IOLOCK / MMAPLOCK: the spin before the wait, from the task's lock call (or its previous wait's end) to contention_begin */
  spinNs?: number;
}

export const PAGE_SIZE_BYTES = 4096;

/**
 * A read fault longer than one page is a fault-around window (the importer gives a fault that went
 * to filemap_fault its one page, a minor fault mapping cached pages the window of map_pages): it
 * maps pages already in the page cache and instantiates none. filemap_map_pages maps only
 * up-to-date folios whose mapping is still the file's, under each folio's lock, and a removal or a
 * direct write's invalidation unmaps them under the same lock: it takes no invalidate_lock, and it
 * cannot leave a stale page behind.
 */
export function isFaultAround(kind: OpKind, lengthBytes: number): boolean {
  return isFaultAroundCode(KIND_CODE.get(kind) as number, lengthBytes);
}

const FAULT_READ_CODE = KIND_CODE.get('fault-read') as number;

/** isFaultAround of a kind given by its code (its OP_KINDS index): no lookup by name */
export function isFaultAroundCode(kindCode: number, lengthBytes: number): boolean {
  return kindCode === FAULT_READ_CODE && lengthBytes > PAGE_SIZE_BYTES;
}

/** "MAJ:MIN" of a "MAJ:MIN:INO" file key, undefined for any other key (fd:, vol:, …) */
export function deviceOfFileKey(file: string): string | undefined {
  const m = /^(\d+:\d+):\d+$/.exec(file);
  return m === null ? undefined : m[1];
}

export function fileKey(major: number, minor: number, ino: number): string {
  return `${major}:${minor}:${ino}`;
}

/** Parses a user's DEV:INO file selector: "7:0:0x85", "7:0:133", "254,0:2154529". */
export function parseFileSelector(text: string): string | undefined {
  const m = /^\s*(\d+)[:,](\d+):(0x[0-9a-fA-F]+|\d+)\s*$/.exec(text);
  if (!m) return undefined;
  // (the inode's exact digits, as the importers key an inode beyond 2^53)
  const ino = BigInt(m[3].startsWith('0X') ? `0x${m[3].slice(2)}` : m[3]).toString();
  return `${Number(m[1])}:${Number(m[2])}:${ino}`;
}
