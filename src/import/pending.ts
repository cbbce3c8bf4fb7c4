/**
 * The records the op builder keeps while events arrive: one per open syscall, fault episode or
 * fs-event op of a task (an op once released), and the observed locks queued beside them.
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
  Lock = 3,
}

export interface Pending {
  pk: PKind;
  seq: number;
  tsNs: number;
  lastNs: number;
  pid: number;
  comm: string;
  proc: string;
  file: string;
  fileStrength: Strength;
  kind: OpKind | undefined;
  offset: number;
  length: number;
  durNs: number;
  line: number;
  nLines: number;
  parent: Pending | undefined;
  id: number;
  // syscall
  sys: string;
  fd: number;
  count: number;
  dio: boolean;
  eventOffset: number;
  eventLength: number;
  // fault episode
  fstate: FaultState;
  write: boolean;
  sawFsFault: boolean;
  sawFilemapFault: boolean;
  exactPage: boolean;
  /** the episode began at page_fault_user: every fault event until the next one belongs to it */
  bounded: boolean;
  // fs-event op (no syscall events)
  endOffset: number;
  event: string;
}

export interface LockRec {
  pk: PKind.Lock;
  lock: ObservedLock;
  /** lines accounted when the record is released */
  nLines: number;
}

export interface TaskState {
  pid: number;
  tgid: number;
  comm: string;
  mm: string;
  sys: Pending | undefined;
  fault: Pending | undefined;
  fsop: Pending | undefined;
  /** a syscall released before its exit: the exit of that name is expected and absorbed */
  earlyExit: string;
}
