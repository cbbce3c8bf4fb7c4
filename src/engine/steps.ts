/**
 * An op's lock plan, step by step: acquire (grant, or wait: sleep or spin), release (wake the
 * waiters it grants), work and lock costs (on a CPU), children (a fault inside a syscall), and the
 * op's completion.
 */
import { RangeLock } from '../locks/range-lock.js';
import { claimCpu, needResched, offFractionOf, startCpu, startIo } from './cpu.js';
import type { Sim } from './sim-state.js';
import { EV_ISSUE, type Frame, Held, PROGRESS_EVERY, type Task, TaskState } from './sim-types.js';
import { armReaderSpin, SPIN_NONE, SPIN_READERS, spinModeOf } from './spinning.js';
import type { LinuxRwSem } from '../locks/linux-rwsem.js';
import { findCycle, mayCloseCycle } from './wait-for.js';
import { createLock } from '../locks/factory.js';
import { KIND_CODE, OP_KINDS } from '../model/op.js';

/** the kinds that instantiate pages: their race section ends at work on cached pages (WorkStep.cached) */
const READ_SIDE = new Uint8Array(OP_KINDS.length);
for (const k of ['read', 'fault-read', 'readahead'] as const) READ_SIDE[KIND_CODE.get(k) as number] = 1;
const WRITEBACK = KIND_CODE.get('writeback') as number;

/**
 * Runs the task's steps at time `now` until it blocks, runs on a CPU, or finishes its op. With
 * cpuModel preempt-none it first takes a CPU if it holds none (queueing for one if none is free;
 * `woken`: it needs one because it woke, not to start its op: startCpu).
 */
export function advance(s: Sim, task: Task, now: number, woken = false): void {
  const childList = s.table.childList;
  const o = s.outcomes;
  // (cpuModel preempt-none) the task's kernel code runs on a CPU: at its op's start and when it wakes
  if (s.preemptNone && !task.cpuHeld && !claimCpu(s, task, now, woken)) return;
  for (;;) {
    const frame = task.top as Frame;
    const steps = frame.steps;
    if (frame.idx >= steps.length) {
      if (frame.nextChild < frame.childEnd) {
        s.pushFrame(task, childList[frame.nextChild++], frame, now);
        continue;
      }
      if (frame.overheadNs > 0) {
        // the releases' cost, before the op completes
        const ns = frame.overheadNs;
        frame.overheadNs = 0;
        frame.inCost = true;
        frame.idx = steps.length;
        startCpu(s, task, ns, now);
        return;
      }
      if (frame.afterNs > 0) {
        // the op's time after its plan, holding none of its locks
        const ns = frame.afterNs;
        frame.afterNs = 0;
        frame.inCost = true;
        startCpu(s, task, ns, now);
        return;
      }
      // the op is complete: a plan releases every lock it takes
      if (frame.held.length !== 0) {
        const h = frame.held[frame.held.length - 1];
        throw s.fault(task, `the op completes holding ${frame.held.length} lock(s) its plan did not release (the last: ${h.cls.name} ${h.mode} [${h.start}, ${h.end}), tag ${h.tag})`);
      }
      const op = frame.op;
      o.endNs[op] = now;
      o.lockWaitNs[op] = frame.lockWaitNs;
      o.cpuWaitNs[op] = frame.cpuWaitNs;
      o.done[op] = 1;
      s.completed++;
      if (s.onProgress !== undefined && s.completed % PROGRESS_EVERY === 0) s.onProgress(s.completed);
      if (now > s.lastEndNs) s.lastEndNs = now;
      const below = frame.below;
      frame.below = s.freeFrames;
      s.freeFrames = frame;
      task.top = below;
      if (below !== undefined) continue;
      task.prevEndNs = now;
      task.next++;
      if (task.next < task.ops.length) {
        task.state = TaskState.Idle;
        s.schedule(Math.max(now, s.issueAtOf(task, task.next)), task, EV_ISSUE);
      } else {
        task.state = TaskState.Done;
      }
      return;
    }
    const step = steps[frame.idx];
    const type = step.type;
    if (type === 'work') {
      if (frame.remainingNs < 0) {
        const fraction = step.fraction;
        if (!(fraction > 0 && fraction <= 1)) throw s.fault(task, `work fraction ${fraction} is not in (0, 1]`);
        const workNs = Math.round(fraction * frame.ownNs);
        frame.remainingNs = workNs + frame.overheadNs;
        frame.overheadNs = 0;
        const off = offFractionOf(s, frame.op);
        // (the share asleep is of the op's work: the lock costs owed with it are CPU time)
        frame.asleepLeftNs = off > 0 ? Math.round(off * workNs) : 0;
        if (o.activeNs[frame.op] < 0) {
          o.activeNs[frame.op] = now;
          o.activeOrder[s.activeCount++] = frame.op;
        }
        if (step.cached === true && !frame.sectionEnded && READ_SIDE[s.table.kind[frame.op]] === 1) {
          // the pages are in the cache: the race section (instantiation) ends here
          o.workEndNs[frame.op] = now;
          frame.sectionEnded = true;
        }
      }
      const hasChild = frame.nextChild < frame.childEnd && !frame.childrenStep;
      const childAt = hasChild ? frame.childPos[frame.nextChild - frame.childBase] : Infinity;
      if (hasChild && childAt <= frame.workDoneNs) {
        s.pushFrame(task, childList[frame.nextChild++], frame, now);
        continue;
      }
      if (frame.remainingNs <= 0) {
        frame.idx++;
        frame.remainingNs = -1;
        continue;
      }
      const segment = childAt < frame.workDoneNs + frame.remainingNs ? childAt - frame.workDoneNs : frame.remainingNs;
      if (offFractionOf(s, frame.op) === 0) startCpu(s, task, segment, now);
      else {
        // the costs owed and the CPU share on a CPU, then the share asleep (a spinlock holder stays on its CPU)
        const cpuLeft = frame.remainingNs - frame.asleepLeftNs;
        if (cpuLeft > 0 || task.spinlocksHeld > 0) startCpu(s, task, cpuLeft > 0 ? Math.min(segment, cpuLeft) : segment, now);
        else startIo(s, task, segment, now);
      }
      return;
    }
    if (type === 'acquire') {
      const spinlock = step.spec.kind === 'spinlock';
      // spin_lock() runs on a CPU
      if (spinlock && !task.cpuHeld && !claimCpu(s, task, now, false)) return;
      if (!(step.start < step.end)) throw s.fault(task, `acquire of ${step.lockClass} names an empty or invalid range [${step.start}, ${step.end})`);
      const c = s.classOf(step.lockClass);
      const key = step.key;
      let lock = c.lastLock;
      if (key !== c.lastKey || lock === undefined) {
        lock = c.instances.get(key);
        if (lock === undefined) {
          lock = createLock(step.spec);
          c.instances.set(key, lock);
        }
        c.lastKey = key;
        c.lastLock = lock;
      }
      const req = new Held(task.index, step.mode, step.start, step.end, now, step.tag, lock, c, spinlock);
      const st = c.stats;
      st.acquisitions++;
      frame.overheadNs += s.atomicNs;
      frame.held.push(req);
      frame.idx++;
      let spinMode = SPIN_NONE;
      if (!lock.acquire(req)) {
        st.contentions++;
        task.state = TaskState.WaitLock;
        task.waitSinceNs = now;
        task.waitingFor = { req, step };
        if (spinlock) {
          // a spinlock waiter keeps its CPU busy until the lock comes to it
          st.spins++;
          task.spinning = true;
          task.spinSinceNs = now;
        } else if (s.optimisticSpin && (task.cpuHeld || s.cpusFree > 0) && !needResched(s) && (spinMode = spinModeOf(s, req)) !== SPIN_NONE) {
          // optimistic spinning: the owner runs, so the lock should come soon
          if (!task.cpuHeld) {
            s.cpusFree--;
            task.cpuHeld = true;
          }
          st.spins++;
          task.spinning = true;
          req.spinning = true;
          lock.spinStarted?.(req);
          task.spinsOnOwner = true;
          task.spinSinceNs = now;
          s.ownerSpinners.push(task);
          task.spinDeadlineNs = Infinity;
          if (spinMode === SPIN_READERS) armReaderSpin(s, task, req.lock as LinuxRwSem, now);
        }
        if (mayCloseCycle(task)) {
          const cycle = findCycle(task, s.tasks);
          if (cycle !== undefined) s.deadlock = { atNs: now, cycle };
        }
        return;
      }
      if (spinlock) task.spinlocksHeld++;
      continue;
    }
    if (type === 'release') {
      const held = frame.held;
      let hi = held.length - 1;
      while (hi >= 0 && held[hi].tag !== step.tag) hi--;
      if (hi < 0) throw s.fault(task, `release of tag ${step.tag}, which no acquire of this op holds`);
      frame.idx++;
      const h = held[hi];
      if (hi === held.length - 1) held.pop();
      else held.splice(hi, 1);
      h.cls.stats.holdTotalNs += now - h.grantedNs;
      if (h.spinlock) task.spinlocksHeld--;
      frame.overheadNs += s.atomicNs;
      if (s.log !== undefined) s.log.lockHold(frame.op, h.cls.name, h.mode, h.start, h.end, h.grantedNs, now);
      s.wakeAll(h.lock.release(h, now), now, frame.op);
      continue;
    }
    if (type === 'children') {
      // (flushesOnly: a direct IO's leading child writebacks, before it pins its buffer: mmap-lock.ts)
      if (frame.nextChild < frame.childEnd && (step.flushesOnly !== true || s.table.kind[childList[frame.nextChild]] === WRITEBACK)) {
        s.pushFrame(task, childList[frame.nextChild++], frame, now);
        continue;
      }
      frame.idx++;
      continue;
    }
    // cost
    let nodes = 0;
    if (step.nodesOf !== undefined) {
      const inst = s.findClass(step.nodesOf.lockClass)?.instances.get(step.nodesOf.key);
      nodes = inst === undefined ? 0 : inst instanceof RangeLock ? inst.present() : inst.holders().length;
    }
    const walk = step.logNodes ? (1 + nodes) * Math.log2(nodes + 2) : nodes;
    const ns = Math.round(step.baseNs + (step.perNodeNs ?? 0) * walk + frame.overheadNs);
    if (!(ns >= 0 && ns < Infinity)) throw s.fault(task, `cost of ${ns} ns is not a finite number >= 0`);
    frame.overheadNs = 0;
    frame.idx++;
    if (ns > 0) {
      frame.inCost = true;
      startCpu(s, task, ns, now);
      return;
    }
  }
}
