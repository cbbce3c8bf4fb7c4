/**
 * The records the op builder keeps while events arrive: one per open syscall, fault episode or
 * fs-event op of a task (an op once released), and the observed locks queued beside them. A
 * record is one of the variants of `Pending`, told apart by `pk`. What is not known yet is
 * `undefined`, a file not named yet is '', and a number an event body did not print is NaN (as in
 * fields.ts) until the record settles it; the one named sentinel is NO_FD.
 */
import type { ObservedLock, OpKind } from '../model/op.js';

/** How surely an event inside a syscall names the syscall's file. */
export const enum Strength {
  None = 0,
  Weak = 1,
  Strong = 2,
}

export const enum FaultState {
  None = 0,
  /** fault-around (map_pages) seen before any fault event */
  Pre = 1,
  /** a filesystem or filemap fault event seen */
  Fault = 2,
  /** map_pages after the fault: the retried fault mapped the page */
  Post = 3,
}

export const enum PKind {
  Syscall = 0,
  Fault = 1,
  FsOp = 2,
}

/**
 * The fd of a syscall that works on none (truncate(2) by path, mmap, munmap). It is printed in
 * the provisional file key fd:TGID:-1 of such a syscall whose file no event named.
 */
export const NO_FD = -1;

/** What every pending op has: the Op it becomes, and its place in the release order. */
interface PendingBase {
  /** issue order among records that start at the same time */
  seq: number;
  tsNs: number;
  /** the time of the record's latest event (a fault episode or fs-event op idles out from it) */
  lastNs: number;
  pid: number;
  comm: string;
  proc: string;
  /** the op's file; '' while no event has named it */
  file: string;
  /** undefined until the record knows what op it is (released without one, it is dropped) */
  kind: OpKind | undefined;
  offset: number;
  length: number;
  /** undefined while unknown: the op is released without a duration (the replay models it) */
  durNs: number | undefined;
  /** the first line of the op, and how many lines it accounts for when released */
  line: number;
  nLines: number;
  /** the syscall this op happened inside */
  parent: PendingSyscall | undefined;
  /**
   * the op's id once released and kept by the sink: its children name it as their parent.
   * undefined before the release, or when the op was dropped, refused or not selected.
   */
  opId: number | undefined;
  /** the event that opened the record (named in a bad op's message) */
  event: string;
}

/**
 * A syscall between its enter and exit (syscalls.ts). Its offset and length come from its
 * arguments (NaN where they did not print one) and are settled when it completes.
 */
export interface PendingSyscall extends PendingBase {
  pk: PKind.Syscall;
  /** the syscall's event name (sys_pwrite64): its exit must have the same */
  sys: string;
  /** the fd argument, NO_FD when the syscall has none (NaN if its arguments did not print it) */
  fd: number;
  /** the byte count a read or write asked for (NaN if not printed; unused by other syscalls) */
  count: number;
  /** an event inside it marked it direct IO */
  dio: boolean;
  fileStrength: Strength;
  /** the position and length filesystem events inside it gave, if any (when the arguments did not) */
  eventOffset: number | undefined;
  eventLength: number | undefined;
}

/** A page fault's events (fault-episodes.ts). */
export interface PendingFault extends PendingBase {
  pk: PKind.Fault;
  fstate: FaultState;
  write: boolean;
  sawFsFault: boolean;
  sawFilemapFault: boolean;
  /** filemap_fault gave the faulting page: fault-around ranges do not replace it */
  exactPage: boolean;
  /** the episode began at page_fault_user: every fault event until the next one belongs to it */
  bounded: boolean;
}

/** An op seen only as filesystem events (fs-events.ts). */
export interface PendingFsOp extends PendingBase {
  pk: PKind.FsOp;
  /** ext4 write_begin chunks: the latest chunk's position, and the end of the chunks so far (NaN if unprinted) */
  chunkOffset: number;
  endOffset: number;
}

export type Pending = PendingSyscall | PendingFault | PendingFsOp;

/**
 * What the release queue holds: an op's record, or an observed lock, its tag then the lines it
 * accounts for when released (an op's tag is OP_TAG: a lock record needs no object around it).
 */
export type Queued = Pending | ObservedLock;

/** the release queue's tag of an op's record */
export const OP_TAG = -1;

export interface TaskState {
  pid: number;
  tgid: number;
  comm: string;
  /** the task's address space (mmap_lock events), '' until seen */
  mm: string;
  sys: PendingSyscall | undefined;
  fault: PendingFault | undefined;
  fsop: PendingFsOp | undefined;
  /** a syscall released before its exit: the exit of that name is expected and absorbed ('' if none) */
  earlyExit: string;
  /** an open or dup entered and not yet returned: the fd it copies (NO_FD for an open) */
  fdCall: { event: string; oldFd: number } | undefined;
  /**
   * the task's place in the order it entered the builder's open tasks (set when it enters; a task
   * that leaves them and opens a record again comes after every task there)
   */
  openSeq: number;
}
