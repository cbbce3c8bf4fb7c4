/**
 * Turns kernel events (already split into pid, time, event name and body) into Ops, whatever the
 * text format they came from (ftrace `trace`, trace-cmd report). The rules are those of
 * trace-formats.md §2 and §7: one syscall enter/exit pair is one op (syscalls.ts); filesystem
 * events inside it only name its inode and mark it direct, outside one they are ops of their own
 * (fs-events.ts); faults are episodes of several events, and a fault inside a syscall is that
 * syscall's child (fault-episodes.ts); lock events are kept as observed locks (observed-locks.ts).
 * Finished ops are released in issue order (release.ts).
 */
import type { ObservedLock, Op } from '../model/op.js';
import type { BadLines, LineCounter } from './accounting.js';
import { BuilderState, type BuildStats, type KernelEvent } from './builder-state.js';
import { H, HANDLERS } from './event-catalogue.js';
import { bodyInodeKey } from './event-fields.js';
import { onFaultEvent, onPageFaultUser } from './fault-episodes.js';
import { SyscallPhase } from './ftrace-prefix.js';
import type { FileIdentity } from './file-identity.js';
import { onBtrfsExtent, onDioComplete, onDirtyFolio, onFileIo, onGetPages, onReadahead, onWeak, onWriteback } from './fs-events.js';
import { endSleep, onContentionEnd, onMmapLock, onSched, onXfsIlock } from './observed-locks.js';
import { flush } from './release.js';
import type { Selection, SelectingSink } from './selection.js';
import { onSyscall } from './syscalls.js';
import { SYSCALLS } from './event-catalogue.js';
import { Strength, type TaskState } from './pending.js';
import { InodeLockPlace } from './contention.js';

export type { BuildStats, KernelEvent } from './builder-state.js';

export interface OpSink {
  op(op: Op): void;
  lock(lock: ObservedLock): void;
}

export interface BuilderOptions extends Selection {
  /** keep xfs_ilock/mmap_lock events as observed locks (default true) */
  keepLocks?: boolean;
  /** keep the kernel's lock waits (contention records; default: as keepLocks) */
  keepContention?: boolean;
}

const FLUSH_EVERY_EVENTS = 2048;

export class OpBuilder {
  private readonly st: BuilderState;
  private sinceFlush = 0;
  /** what the trace says about files named by a device name or only an fd */
  readonly identity: FileIdentity;
  readonly stats: BuildStats;
  constructor(
    out: SelectingSink,
    readonly counter: LineCounter,
    badLines: BadLines,
    options: BuilderOptions = {},
  ) {
    const keepLocks = options.keepLocks ?? true;
    this.st = new BuilderState(out, counter, badLines, keepLocks, options.keepContention ?? keepLocks);
    this.identity = this.st.identity;
    this.stats = this.st.stats;
  }

  /**
   * Handles one event line. Every call accounts for its line, now or when its op is released,
   * except a malformed one: then it returns the reason and the caller accounts for it as bad.
   */
  handle(ev: KernelEvent, line: number): string | undefined {
    return this.handleKnown(ev, line, HANDLERS.get(ev.event));
  }

  /** The same, for an event whose handler the caller looked up (HANDLERS of its name). */
  handleKnown(ev: KernelEvent, line: number, h: H | undefined): string | undefined {
    this.st.badReason = undefined;
    this.dispatch(ev, line, h);
    return this.st.badReason;
  }

  private dispatch(ev: KernelEvent, line: number, h: H | undefined): void {
    const st = this.st;
    st.line = line;
    if (Number.isNaN(st.stats.firstTsNs)) {
      st.stats.firstTsNs = ev.tsNs;
      st.out.clock(ev.tsNs);
    }
    st.stats.lastTsNs = ev.tsNs;
    if (++this.sinceFlush >= FLUSH_EVERY_EVENTS) {
      this.sinceFlush = 0;
      flush(st, false);
    }
    // a task asleep whose switch-in the trace lacks runs again by its next line (pid 0: the idle task)
    if (st.sleeps.size > 0 && ev.pid !== 0) {
      const sleep = st.sleeps.switchIn(ev.pid, ev.tsNs);
      if (sleep !== undefined) endSleep(st, sleep, ev.tsNs, false);
    }
    if (ev.phase !== SyscallPhase.None) {
      onSyscall(st, ev, line);
      return;
    }
    if (h === undefined) {
      st.counter.skip(ev.event === 'sys_enter' || ev.event === 'sys_exit' ? 'raw-syscall-event' : 'irrelevant-event');
      return;
    }
    // (a wakeup is traced in its waker's context, often an interrupt on whatever task ran: not an
    // event of that task)
    if (h === H.SchedWakeup || h === H.SchedSwitch) return onSched(st, ev, h, line);
    const task = st.task(ev);
    if (h === H.FilemapFault) {
      // filemap_fault takes the mapping's invalidate_lock (XFS: MMAPLOCK) shared to fill a page
      st.contention.ilock(ev.pid, 'MMAPLOCK_SHARED', bodyInodeKey(ev, 16) ?? '', ev.tsNs);
    } else if (h !== H.XfsIlock && h !== H.MmapLock && h !== H.ContentionBegin && h !== H.ContentionEnd) {
      st.contention.other(ev.pid);
    }
    switch (h) {
      case H.ContentionBegin:
        st.badReason = st.contention.begin(ev.pid, ev.tsNs, ev.body, line, inodeLockPlace(task), task.sys?.tsNs ?? NaN);
        return;
      case H.ContentionEnd: return onContentionEnd(st, ev, task);
      case H.XfsIlock: return onXfsIlock(st, ev, task, line);
      case H.MmapLock: return onMmapLock(st, ev, task, line);
      case H.PageFaultUser: return onPageFaultUser(st, ev, task, line);
      case H.MapPages:
      case H.FilemapFault:
      case H.XfsFault:
      case H.XfsFilemapFault: return onFaultEvent(st, ev, task, line, h);
      case H.DirtyFolio: return onDirtyFolio(st, ev, task);
      case H.BtrfsExtent: return onBtrfsExtent(st, ev, task);
      case H.XfsSetattr:
      case H.Ext4Other: return onWeak(st, ev, task, h === H.XfsSetattr ? 'setattr-outside-op' : 'ext4-detail-outside-op');
      case H.GetPages: return onGetPages(st, ev, task, line);
      case H.PageCacheRa:
      case H.IomapReadahead: return onReadahead(st, ev, task, line, h);
      case H.IomapWriteback:
      case H.Ext4Writepages:
      case H.WritebackSingle: return onWriteback(st, ev, task, line, h);
      case H.IomapDioComplete: return onDioComplete(st, ev, task);
      default: return onFileIo(st, ev, task, line, h);
    }
  }

  /** Releases every op still pending; call once at the end of the input. */
  finish(): void {
    const st = this.st;
    for (const task of st.tasks.values()) {
      if (task.sys) {
        st.contention.settleRead(task.sys.pid, task.sys.dio);
        st.drop(task.sys, 'syscall-cut-by-trace-end');
        task.sys = undefined;
      }
      st.closeFault(task);
      st.closeFsop(task);
    }
    st.openTasks.clear();
    const unfinished = st.contention.unfinished();
    if (unfinished > 0) st.counter.skip('contention-unfinished', unfinished);
    const wakesUnfinished = st.wakes.unfinished();
    if (wakesUnfinished > 0) st.counter.skip('sched-wakeup-unfinished', wakesUnfinished);
    const sleepsUnfinished = st.sleeps.unfinishedLines();
    if (sleepsUnfinished > 0) st.counter.skip('sched-sleep-unfinished', sleepsUnfinished);
    flush(st, true);
    for (const [from, to] of st.identity.aliases()) st.stats.fileAliases[from] = to;
    st.stats.fdsFromLockWaits = st.identity.fdsFromLockWaits;
    st.stats.fdLifetimesEnded = st.identity.fdLifetimesEnded;
  }
}

export { fileKey } from '../model/op.js';

/**
 * Where in a syscall a task is, for the inode lock (i_rwsem) a wait there may be: a write or a read
 * whose file no filesystem event has named yet (a filesystem takes i_rwsem first thing: ext4 and
 * btrfs for a write and a direct read, before their first event), another syscall, or none.
 */
function inodeLockPlace(task: TaskState): InodeLockPlace {
  const sys = task.sys;
  if (sys === undefined) return InodeLockPlace.None;
  const family = SYSCALLS.get(sys.sys);
  if (sys.fileStrength !== Strength.None) return InodeLockPlace.Syscall;
  return family === 'write' ? InodeLockPlace.ReadWriteStart : family === 'read' ? InodeLockPlace.ReadStart : InodeLockPlace.Syscall;
}
