/**
 * Releasing the op builder's finished records in issue order: a record leaves the queue once no
 * task can still open an earlier one. Tasks that fell silent have their fault episodes and
 * fs-event ops closed, and a syscall open for too long is released without its exit, so the
 * queue stays bounded.
 */
import type { ObservedLock, Op } from '../model/op.js';
import type { BuilderState } from './builder-state.js';
import { SYSCALLS } from './event-catalogue.js';
import { lockProblem, opProblem } from './limits.js';
import { utf8FromLatin1 } from './lines.js';
import { type Pending, type Queued, type TaskState, OP_TAG, PKind } from './pending.js';
import { completeSyscall } from './syscalls.js';

/** a fault episode or fs-event op with no event for this long is complete */
const IDLE_CLOSE_NS = 50_000_000;
/**
 * When the oldest record still open began this many input lines ago, it is given up (a syscall is
 * released early): a task blocked for the rest of the trace, or whose exit was lost, must not hold
 * back every later op. Counted in lines, not in records held back: a line makes at most a record or
 * two, so memory stays bounded, and whether lock records are kept (an import, a fidelity check)
 * or not (a replay) does not change which ops the trace gives.
 */
const MAX_BUFFERED = 40_000;

/** Releases what can no longer be preceded by a record still open, or everything (`all`). */
export function flush(st: BuilderState, all: boolean): void {
  for (;;) {
    let watermark = Infinity;
    let oldestLine = Infinity;
    if (!all) {
      // a fault episode or an fs-event op ends at the task's next event; a task that falls
      // silent would hold every later op back, so idle ones are closed here
      const idleBefore = st.stats.lastTsNs - IDLE_CLOSE_NS;
      // records issued since the last scan enter the give-up's index (giving up opens none)
      const open = st.openRecords;
      const newFrom = open.seenBefore;
      open.seenBefore = st.nextSeq;
      let openCount = 0;
      for (const t of st.openTasks) {
        if (t.fault !== undefined && t.fault.lastNs < idleBefore && t.sys === undefined) st.closeFault(t);
        if (t.fsop !== undefined && t.fsop.lastNs < idleBefore) st.closeFsop(t);
        // (each record looked at in turn: an array of the three, made per task and flush, was a
        // twentieth of what an import allocated)
        const sys = t.sys, fault = t.fault, fsop = t.fsop;
        if (sys === undefined && fault === undefined && fsop === undefined) {
          st.openTasks.delete(t);
          continue;
        }
        if (sys !== undefined) {
          if (sys.tsNs < watermark) watermark = sys.tsNs;
          if (sys.line < oldestLine) oldestLine = sys.line;
          if (sys.seq >= newFrom) open.add(t, sys);
          openCount++;
        }
        if (fault !== undefined) {
          if (fault.tsNs < watermark) watermark = fault.tsNs;
          if (fault.line < oldestLine) oldestLine = fault.line;
          if (fault.seq >= newFrom) open.add(t, fault);
          openCount++;
        }
        if (fsop !== undefined) {
          if (fsop.tsNs < watermark) watermark = fsop.tsNs;
          if (fsop.line < oldestLine) oldestLine = fsop.line;
          if (fsop.seq >= newFrom) open.add(t, fsop);
          openCount++;
        }
      }
      open.compact(openCount);
    }
    // (all: no record looked at, the watermark stays Infinity)
    releaseBefore(st, watermark);
    // open too long: give up the record that holds the rest back, and look again (one at a time:
    // giving one up usually lets the rest go)
    if (all || st.line - oldestLine <= MAX_BUFFERED) return;
    giveUpWhileTooOld(st);
  }
}

/**
 * Gives up the oldest open record (giveUp), releases what that lets go, and again, while the oldest
 * line still open is more than MAX_BUFFERED lines back: what a scan of every open task per record
 * given up would do (with thousands of tasks in long syscalls, that was quadratic). The records come
 * from the builder's index of the open records (open-records.ts: by time, then task and record in
 * the scan's order; and by line), kept across flushes: re-sorting every open record at each flush
 * made the cost of a line grow with their number. Giving up opens no record, and the records it
 * closes besides (a syscall's fault) are passed over as closed.
 */
function giveUpWhileTooOld(st: BuilderState): void {
  const open = st.openRecords;
  for (;;) {
    if (st.line - open.oldestLine() <= MAX_BUFFERED) return;
    const i = open.oldest();
    if (i < 0) return;
    const p = open.record(i);
    giveUp(st, open.owner(i), p.tsNs, p.pk);
    // what it lets go: everything before the oldest record still open
    const next = open.oldest();
    releaseBefore(st, next < 0 ? Infinity : open.record(next).tsNs);
  }
}

/** Hands the queued records issued before `watermark` to the sink, in issue order. */
function releaseBefore(st: BuilderState, watermark: number): void {
  while (st.queue.size > 0 && st.queue.peekKey() < watermark) {
    const q = st.queue.shift() as Queued;
    const tag = st.queue.shiftedTag;
    if (tag === OP_TAG) release(st, q as Pending);
    else releaseLock(st, q as ObservedLock, tag);
  }
}

/**
 * The record that holds every later one back, given up: the oldest open record of any task. A
 * fault episode or an fs-event op is complete at its task's next event, and a task silent this long
 * has none yet: it is closed as it stands. A syscall is one whose exit never came (lost events, or
 * a task blocked for the whole trace). (Releasing the oldest syscall whatever held the queue back
 * released a short write of another task without its exit, and the write's filesystem event
 * then made a second op of it.)
 */
function giveUp(st: BuilderState, oldest: TaskState, oldestNs: number, which: PKind): void {
  if (which !== PKind.Syscall || oldest.sys === undefined) {
    if (oldest.fault !== undefined && oldest.fault.tsNs === oldestNs) st.closeFault(oldest);
    else st.closeFsop(oldest);
    return;
  }
  // released without its exit: the requested length stands for the result, the duration is
  // unknown (durNs stays undefined: the replay models it); the exit, if it comes, is counted as
  // this op's line
  const p = oldest.sys;
  st.closeFault(oldest);
  oldest.sys = undefined;
  st.contention.settleRead(p.pid, p.dio);
  oldest.earlyExit = p.sys;
  st.stats.releasedEarly++;
  const family = SYSCALLS.get(p.sys);
  if (family === undefined) {
    st.drop(p, 'syscall-open-too-long');
  } else {
    completeSyscall(st, p, family, p.count > 0 ? p.count : 0, oldest);
    st.emit(p);
  }
}

/** Hands an observed lock accounting for `nLines` lines to the sink. */
function releaseLock(st: BuilderState, lock: ObservedLock, nLines: number): void {
  // a record with no usable task id, time or wait is a bad line, as an op would be
  const problem = lockProblem(lock);
  if (problem !== undefined) st.badLines.reportOp(lock.line, `${lock.event}: ${problem}`, nLines);
  else st.out.lock(lock, nLines);
}

/** Hands an op to the sink (checked first: a bad op is a bad line). */
function release(st: BuilderState, p: Pending): void {
  if (p.kind === undefined) {
    st.drop(p, 'no-op-kind');
    return;
  }
  const op: Op = {
    id: -1, tsNs: p.tsNs, pid: p.pid, proc: p.proc, comm: utf8FromLatin1(p.comm), file: p.file, kind: p.kind,
    offset: p.offset, lengthBytes: p.length, line: p.line,
  };
  // a span of events whose times went backwards is no duration either
  if (p.durNs !== undefined && p.durNs >= 0) op.durNs = p.durNs;
  if (p.parent !== undefined && p.parent.opId !== undefined) op.parent = p.parent.opId;
  // a bad op is bad whatever the selection: it is checked before the filter
  const problem = opProblem(op);
  if (problem !== undefined) {
    st.badLines.reportOp(p.line, `${p.event !== '' ? `${p.event}: ` : ''}${problem}`, p.nLines);
    return;
  }
  const id = st.out.op(op, p.nLines);
  if (id >= 0) {
    p.opId = id;
    st.identity.noteReleased(p.file);
  }
}
