/**
 * What the op builder's handlers share (syscalls.ts, fs-events.ts, fault-episodes.ts,
 * observed-locks.ts): the tasks and their open records, the release queue, what the trace has
 * said about files so far, and the steps every handler needs: open a record, queue it, drop it,
 * close a task's fault episode or fs-event op.
 */
import { ContentionTracker } from './contention.js';
import { OpenRecords } from './open-records.js';
import { SleepTracker, WakeTracker } from './sched-wakes.js';
import { FileIdentity } from './file-identity.js';
import type { ObservedLock } from '../model/op.js';
import { ReorderQueue } from '../util/reorder-queue.js';
import type { BadLines, LineCounter } from './accounting.js';
import type { SelectingSink } from './selection.js';
import { keyNumberAt, numberAt } from './fields.js';
import type { SyscallPhase } from './ftrace-prefix.js';
import {
  type Pending, type PendingFault, type PendingFsOp, type PendingSyscall, type Queued, type TaskState, FaultState, NO_FD, OP_TAG, PKind, Strength,
} from './pending.js';

export interface KernelEvent {
  pid: number;
  tgid: number;
  comm: string;
  tsNs: number;
  event: string;
  phase: SyscallPhase;
  body: string;
}

/** Notes on how ops were resolved (the kept ops are counted by the SelectingSink). */
export interface BuildStats {
  /** ops whose file came from an earlier syscall on the same fd, or not at all */
  fdResolvedFromHistory: number;
  /** ops whose file came from the recorder's scan of the process's open files */
  fdResolvedFromScan: number;
  /** provisional keys (fd:TGID:FD, NAME:INO) of released ops → the file the trace later identified */
  fileAliases: Record<string, string>;
  /** fds tied to their file by a lock they waited on (contention events) */
  fdsFromLockWaits: number;
  /** fd lifetimes ended by a close, or by an open or dup onto a number in use */
  fdLifetimesEnded: number;
  unresolvedFiles: number;
  /** DIO ops seen only as iomap events, whose direction the trace does not say */
  dioDirectionUnknown: number;
  /** syscalls released before their exit to keep memory bounded */
  releasedEarly: number;
  firstTsNs: number;
  lastTsNs: number;
}

export class BuilderState {
  readonly tasks = new Map<number, TaskState>();
  /** tasks that may still have an open record, in the order they entered (their openSeq) */
  readonly openTasks = new Set<TaskState>();
  /** the open records by age and by first line, for the give-up (release.ts) */
  readonly openRecords = new OpenRecords();
  /** finished records (ops and observed locks), released in issue order by release.ts */
  readonly queue = new ReorderQueue<Queued>();
  /** "TGID:FD" → the file an earlier syscall on that fd was on */
  readonly fdFiles = new Map<string, string>();
  /** what the trace says about files named by a device name or only an fd */
  readonly identity = new FileIdentity();
  /** the kernel's lock waits (lock:contention_begin/end) */
  readonly contention = new ContentionTracker();
  /** the scheduler's wake-ups (sched_wakeup → the woken task's next sched_switch) */
  readonly wakes = new WakeTracker();
  /** the traced tasks' sleeps (sched_switch away asleep → the task's next sched_switch in) */
  readonly sleeps = new SleepTracker();
  /** file → its size as far as the trace's writes, truncates and fallocates say */
  readonly fileSizes = new Map<string, number>();
  /** files with per-range writeback events: their writeback_single_inode summaries are not ops */
  readonly fineWriteback = new Set<string>();
  /** the trace prints syscall arguments in hex without a 0x prefix (as far as seen) */
  sysHex = false;
  /** the input line being handled */
  line = 0;
  /** set by a handler when the event body is malformed (the caller reports a bad line) */
  badReason: string | undefined;
  readonly stats: BuildStats = {
    fdResolvedFromHistory: 0, fdResolvedFromScan: 0, fileAliases: {}, fdsFromLockWaits: 0, fdLifetimesEnded: 0, unresolvedFiles: 0, dioDirectionUnknown: 0, releasedEarly: 0,
    firstTsNs: NaN, lastTsNs: NaN,
  };
  /** issue order of records that start at the same time */
  private seq = 0;
  /** the openSeq of the next task to enter openTasks */
  private nextOpenSeq = 0;
  private lastTask: TaskState | undefined;

  constructor(
    readonly out: SelectingSink,
    readonly counter: LineCounter,
    readonly badLines: BadLines,
    /** keep xfs_ilock/mmap_lock events as observed locks */
    readonly keepLocks: boolean,
    /** keep the kernel's lock waits */
    readonly keepContention: boolean,
  ) {}

  task(ev: KernelEvent): TaskState {
    const last = this.lastTask;
    if (last !== undefined && last.pid === ev.pid) {
      if (ev.tgid >= 0) last.tgid = ev.tgid;
      return last;
    }
    let t = this.tasks.get(ev.pid);
    if (t === undefined) {
      t = { pid: ev.pid, tgid: ev.tgid, comm: ev.comm, mm: '', sys: undefined, fault: undefined, fsop: undefined, earlyExit: '', fdCall: undefined, openSeq: 0 };
      this.tasks.set(ev.pid, t);
    } else if (ev.tgid >= 0) {
      t.tgid = ev.tgid;
    }
    this.lastTask = t;
    return t;
  }

  /** The op's process: its thread group, else its address space, else the task alone. */
  proc(task: TaskState): string {
    if (task.tgid >= 0) return `tgid:${task.tgid}`;
    if (task.mm !== '') return `mm:${task.mm}`;
    return `pid:${task.pid}`;
  }

  /** writeback events print "bdi MAJ:MIN: ino=DECIMAL", or a device name: "bdi btrfs-1: ino=257" */
  bdiInodeKey(body: string): string | undefined | null {
    const k = body.indexOf('ino=');
    const ino = k < 0 ? NaN : numberAt(body, k + 4, 10);
    return Number.isNaN(ino) ? undefined : this.identity.bdiKey(body, ino, keyNumberAt(ino, body, k + 4, 10));
  }

  /** the issue number the next record or observed lock will take */
  get nextSeq(): number {
    return this.seq;
  }

  /** A task opens a record: it is one of the open tasks, numbered in the order it entered them. */
  private enterOpen(task: TaskState): void {
    const before = this.openTasks.size;
    this.openTasks.add(task);
    if (this.openTasks.size !== before) task.openSeq = this.nextOpenSeq++;
  }

  /** Opens a syscall record at its enter event. */
  newSyscall(ev: KernelEvent, task: TaskState, line: number): PendingSyscall {
    this.enterOpen(task);
    return {
      pk: PKind.Syscall, seq: this.seq++, tsNs: ev.tsNs, lastNs: ev.tsNs, pid: ev.pid, comm: ev.comm, proc: this.proc(task),
      file: '', kind: undefined, offset: 0, length: 0, durNs: undefined, line, nLines: 1, parent: undefined, opId: undefined,
      event: ev.event, sys: ev.event, fd: NO_FD, count: NaN, dio: false, fileStrength: Strength.None,
      eventOffset: undefined, eventLength: undefined,
    };
  }

  /** Opens a fault episode at its first event. */
  newFault(ev: KernelEvent, task: TaskState, line: number): PendingFault {
    this.enterOpen(task);
    return {
      pk: PKind.Fault, seq: this.seq++, tsNs: ev.tsNs, lastNs: ev.tsNs, pid: ev.pid, comm: ev.comm, proc: this.proc(task),
      file: '', kind: undefined, offset: 0, length: 0, durNs: undefined, line, nLines: 1, parent: undefined, opId: undefined,
      event: ev.event, fstate: FaultState.None, write: false, sawFsFault: false, sawFilemapFault: false, exactPage: false,
      bounded: false,
    };
  }

  /** Opens an fs-event op on `file` at its first event. */
  newFsOp(ev: KernelEvent, task: TaskState, line: number, file: string): PendingFsOp {
    this.enterOpen(task);
    return {
      pk: PKind.FsOp, seq: this.seq++, tsNs: ev.tsNs, lastNs: ev.tsNs, pid: ev.pid, comm: ev.comm, proc: this.proc(task),
      file, kind: undefined, offset: 0, length: 0, durNs: undefined, line, nLines: 1, parent: undefined, opId: undefined,
      event: ev.event, chunkOffset: NaN, endOffset: 0,
    };
  }

  /** Queues a finished op; it is released in issue order once nothing earlier can still appear. */
  emit(p: Pending): void {
    this.queue.push(p.tsNs, p.seq, p, OP_TAG);
  }

  /** Queues an observed lock (or lock wait) seen at `tsNs`, accounting for `nLines` lines. */
  queueLock(tsNs: number, lock: ObservedLock, nLines: number): void {
    this.queue.push(tsNs, this.seq++, lock, nLines);
  }

  /** Gives up a record: its lines are skipped for `reason`. */
  drop(p: Pending, reason: string): void {
    this.counter.skip(reason, p.nLines);
  }

  /** Inside a syscall: an event names the syscall's inode (strong events win over weak ones). */
  resolve(p: PendingSyscall, file: string | undefined, strength: Strength): void {
    if (file !== undefined && strength > p.fileStrength) {
      // (a btrfs lookup's key replaced by an iomap event's: the pair ties the filesystem's id to its device)
      if (p.file !== '') this.identity.pairBtrfs(p.file, file, this.line);
      p.file = file;
      p.fileStrength = strength;
    }
  }

  /** Ends the task's fault episode: an op if it touched a file, else its lines are skipped. */
  closeFault(task: TaskState): void {
    const p = task.fault;
    if (p === undefined) return;
    task.fault = undefined;
    if (p.file === '') {
      this.drop(p, 'fault-not-on-file');
      return;
    }
    p.kind = p.write ? 'fault-write' : 'fault-read';
    p.durNs = p.lastNs - p.tsNs;
    const sys = task.sys;
    if (sys !== undefined) p.parent = sys;
    this.emit(p);
  }

  /** Ends the task's fs-event op (an op with no syscall events around it). */
  closeFsop(task: TaskState): void {
    if (task.fsop !== undefined) {
      this.emit(task.fsop);
      task.fsop = undefined;
    }
  }
}
