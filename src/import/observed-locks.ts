/**
 * Observed locks: xfs_ilock/iunlock and mmap_lock events are kept as the locks the kernel took
 * (unless the options say not to), lock:contention_begin/end as the waits it made; they also
 * name a syscall's inode, and a read acquisition of mmap_lock inside a syscall bounds a child
 * fault episode.
 */
import type { ObservedLock } from '../model/op.js';
import type { BuilderState, KernelEvent } from './builder-state.js';
import { inodeKey } from './event-fields.js';
import { wordAfter } from './fields.js';
import { type TaskState, Strength } from './pending.js';
import { keep } from '../util/strings.js';
import { H } from './event-catalogue.js';
import { EventFields } from './ftrace-prefix.js';
import { IlockBody } from './ilock-body.js';
import { isSleepState, type Sleep, switchNextPid, switchPrevComm, switchPrevPid, switchPrevState, wakeupComm, wakeupPid } from './sched-wakes.js';

/** lock:contention_end: a finished lock wait, kept as a contention record. */
export function onContentionEnd(st: BuilderState, ev: KernelEvent, task: TaskState): void {
  const malformed = st.contention.endProblem(ev.body);
  if (malformed !== undefined) {
    st.badReason = malformed;
    return;
  }
  const rec = st.contention.end(ev.pid, ev.comm, ev.tsNs, ev.body);
  // a per-inode rwsem waited on inside a syscall on an fd: the lock's address ties the fd to the
  // file of other syscalls that waited on the same lock (btrfs's punch names no inode)
  const sys = task.sys;
  if (rec !== undefined && sys !== undefined && sys.fd >= 0 && rec.caller !== 'mmap_lock' && /(^|\|)(READ|WRITE)(\||$)/.test(rec.mode)) {
    st.identity.noteLockWait(rec.target, `fd:${st.identity.fdKey(task.tgid >= 0 ? task.tgid : task.pid, sys.fd)}`);
  }
  if (rec === undefined) st.counter.skip('contention-end-without-begin');
  else if (st.keepContention) st.queueLock(ev.tsNs, rec, 2);
  else st.counter.skip('lock-event', 2);
}

/** xfs_ilock and friends: an observed inode lock; inside a syscall it also names the file. */
export function onXfsIlock(st: BuilderState, ev: KernelEvent, task: TaskState, line: number): void {
  const f = ilockFields(ev);
  // the latest lock call names the next wait: an xfs_ilock (which can block); an unlock or a
  // nowait call (which cannot) leaves no lock to wait for
  if (ev.event === 'xfs_ilock') st.contention.ilock(ev.pid, f.flags, f.key ?? '', ev.tsNs);
  else st.contention.other(ev.pid);
  const sys = task.sys;
  // lock calls after a fault's last fault event (page_mkwrite takes MMAPLOCK after xfs_write_fault)
  // are still that fault's work: its span runs to them
  if (sys === undefined && task.fault !== undefined && task.fault.file !== '') task.fault.lastNs = ev.tsNs;
  const needFile = sys !== undefined && sys.fileStrength < Strength.Weak;
  if (!st.keepLocks) {
    if (sys !== undefined) {
      sys.nLines++;
      if (needFile) st.resolve(sys, f.key, Strength.Weak);
    } else {
      st.counter.skip('lock-event');
    }
    return;
  }
  const file = f.key;
  if (file === undefined) {
    st.badReason = `${ev.event}: no device and inode in the event body`;
    return;
  }
  if (needFile) st.resolve(sys, file, Strength.Weak);
  const lock: ObservedLock = { tsNs: ev.tsNs, pid: ev.pid, comm: ev.comm, target: file, event: ev.event, mode: f.flags, caller: f.caller, line };
  st.queueLock(ev.tsNs, lock, 1);
}

/** an xfs_ilock body's inode key (undefined when it names none), flags and caller */
interface IlockFields {
  key: string | undefined;
  flags: string;
  caller: string;
}

const ilockBytes = new IlockBody();
const ilockText: IlockFields = { key: undefined, flags: '', caller: '' };

/** Reads an xfs_ilock body from the line's bytes where it can, else as text. */
function ilockFields(ev: KernelEvent): IlockFields {
  if (ev instanceof EventFields && ilockBytes.read(ev.bytes, ev.bodyStart + ev.base, ev.bodyEnd + ev.base, ev.text, ev.base)) return ilockBytes;
  ilockText.key = inodeKey(ev.body, 16);
  ilockText.flags = keep(wordAfter(ev.body, 'flags '));
  ilockText.caller = keep(wordAfter(ev.body, 'caller '));
  return ilockText;
}

/** mmap_lock events: an observed lock on the address space; a read one inside a syscall bounds a child fault. */
export function onMmapLock(st: BuilderState, ev: KernelEvent, task: TaskState, line: number): void {
  const mm = keep(wordAfter(ev.body, 'mm='));
  if (mm !== '' && task.mm === '') task.mm = mm;
  const write = ev.body.includes('write=true');
  st.contention.mmap(ev.pid, ev.event === 'mmap_lock_start_locking' ? mm : '');
  const sys = task.sys;
  if (sys !== undefined && !write) {
    // inside a syscall, a read acquisition of mmap_lock is a user-copy fault or get_user_pages:
    // it spans one child-fault episode (kept only if a file event falls inside it)
    if (ev.event === 'mmap_lock_start_locking') {
      st.closeFault(task);
      const p = st.newFault(ev, task, line);
      p.nLines = 0; // its lines are lock events, accounted as such
      p.bounded = true;
      task.fault = p;
    } else if (ev.event === 'mmap_lock_released' && task.fault !== undefined && task.fault.bounded) {
      task.fault.lastNs = ev.tsNs;
      st.closeFault(task);
    }
  }
  if (!st.keepLocks) {
    if (sys !== undefined) sys.nLines++;
    else st.counter.skip('lock-event');
    return;
  }
  const event = ev.event === 'mmap_lock_start_locking' ? 'mmap_lock_start' : ev.event === 'mmap_lock_acquire_returned' ? 'mmap_lock_acquired' : 'mmap_lock_released';
  const lock: ObservedLock = { tsNs: ev.tsNs, pid: ev.pid, comm: ev.comm, target: `mm:${mm}`, event, mode: write ? 'write' : 'read', caller: '', line };
  st.queueLock(ev.tsNs, lock, 1);
}
/**
 * sched_wakeup / sched_switch: a wakeup and the woken task's next switch-in are one wake, kept as a
 * `sched-wake` record (with the contention records: tsNs when it ran, waitNs the latency); a task's
 * switch-out asleep (any state but R) and its next switch-in are one sleep, kept as a `sched-sleep`
 * record (tsNs when it ran again, waitNs the time asleep, mode the state).
 */
export function onSched(st: BuilderState, ev: KernelEvent, h: H, line: number): void {
  if (h === H.SchedWakeup) {
    const pid = wakeupPid(ev.body);
    if (Number.isNaN(pid)) {
      st.counter.skip('sched-event-unparsed');
      return;
    }
    if (st.wakes.wakeup(pid, wakeupComm(ev.body), ev.tsNs, line)) st.counter.skip('sched-wakeup-not-run');
    return;
  }
  const prevPid = switchPrevPid(ev.body);
  if (st.wakes.switchFrom(prevPid)) st.counter.skip('sched-wakeup-while-running');
  const pid = switchNextPid(ev.body);
  // this line is accounted for once: by the sleep it ends, else the wake it ends, else (later) by the
  // sleep it starts; a switch that does none of these is skipped
  let claimed = false;
  if (!Number.isNaN(pid)) {
    const sleep = st.sleeps.switchIn(pid, ev.tsNs);
    if (sleep !== undefined) {
      endSleep(st, sleep, ev.tsNs, true);
      claimed = true;
    }
  }
  const wake = Number.isNaN(pid) ? undefined : st.wakes.switchTo(pid, ev.tsNs);
  if (wake !== undefined) {
    // (its wakeup's line, and this one unless the sleep has it)
    const lines = claimed ? 1 : 2;
    claimed = true;
    if (!st.keepContention) st.counter.skip('lock-event', lines);
    else {
      const rec: ObservedLock = {
        tsNs: wake.runNs, pid: wake.pid, comm: keep(wake.comm), target: '', event: 'sched-wake', mode: '', caller: '', line: wake.line, waitNs: wake.runNs - wake.wokenNs,
      };
      st.queueLock(ev.tsNs, rec, lines);
    }
  }
  // the previous task goes to sleep: a record once it runs again
  const state = switchPrevState(ev.body);
  if (!Number.isNaN(prevPid) && isSleepState(state)) {
    const replaced = st.sleeps.switchOut(prevPid, switchPrevComm(ev.body), state, ev.tsNs, line, claimed);
    if (replaced !== undefined && !replaced.lineCounted) st.counter.skip('sched-sleep-not-ended');
    claimed = true;
  }
  if (!claimed) st.counter.skip(Number.isNaN(pid) ? 'sched-event-unparsed' : 'sched-switch-no-wake-or-sleep');
}

/**
 * A task's sleep ended (it switched in again, or has a line of its own): a `sched-sleep` record (tsNs
 * when it ran again, waitNs the time asleep, mode the state it slept in, line its switch-out's). It
 * accounts for its switch-out line unless another record had it, and for the line that ended it
 * when that is its switch-in (`bySwitchIn`; any other line is its own event's).
 */
export function endSleep(st: BuilderState, sleep: Sleep, tsNs: number, bySwitchIn: boolean): void {
  const lines = (sleep.lineCounted ? 0 : 1) + (bySwitchIn ? 1 : 0);
  if (!st.keepContention) {
    if (lines > 0) st.counter.skip('lock-event', lines);
    return;
  }
  const rec: ObservedLock = {
    tsNs: sleep.toNs, pid: sleep.pid, comm: keep(sleep.comm), target: '', event: 'sched-sleep', mode: keep(sleep.state), caller: '', line: sleep.line, waitNs: sleep.toNs - sleep.fromNs,
  };
  st.queueLock(tsNs, rec, lines);
}
