/**
 * The deterministic replay engine: a discrete-event simulation in virtual nanoseconds.
 *
 * - Each task (pid) is a sequential actor running its top-level ops in trace order.
 * - `closed` mode: an op issues when the task's previous op completed plus the think time the trace
 *   recorded between them. `open` mode: an op is due at its trace timestamp × timeScale; a busy task
 *   starts it late (after the user-space time the trace shows before it, when too short to be a
 *   sleep: Sim.issueAtOf), and the lateness counts in its latency (no coordinated omission).
 * - An op runs its strategy's lock plan: acquire / work / release steps. Work needs one of `cpus`
 *   CPUs (FIFO queue; work of 0 ns needs none). A child op (a fault inside a syscall) runs inside
 *   its parent's plan at its recorded position in the parent's work.
 * - Events are ordered by (time, sequence); every structure iterates in a fixed order, so identical
 *   input and options give identical results. A release hands the lock to the waiters it grants,
 *   and each goes on in an event of its own (after the releasing task's step); a CPU that comes free
 *   goes to the first task queued for one at once; a task's next op issues in an event.
 *   test/unit/engine/reference-sim.test.ts checks the schedule against a reference written from these
 *   rules and docs/costs.md.
 */
import type { Op } from '../model/op.js';
import type { LockRequest } from '../locks/primitives.js';
import type { AcquireStep, Strategy } from '../strategies/types.js';
import { dropCpu, settleCpu, startCpu } from './cpu.js';
import { columnsOf, opTable, type OpTable } from './op-table.js';
import type { OpColumns } from '../model/op-columns.js';
import { Sim } from './sim-state.js';
import { EV_CPU_DONE, EV_ISSUE, EV_SPIN_DONE, EV_SPIN_TIMEOUT, type Frame, type Held, type OpOutcomes, type SimOptions, type SimOutput, type Task, TaskState } from './sim-types.js';
import { checkSpinners } from './spinning.js';
import { advance } from './steps.js';
import { describeBlockedTasks, findCycle, firstOnCycle, mayCloseCycle } from './wait-for.js';

export { CPU_MODELS, type CpuModel, PROGRESS_EVERY, type OpOutcomes, type SimOptions, type SimOutput } from './sim-types.js';
export type { BlockedTask, LockClassStats } from '../model/result.js';

/** The task issues its next op: it is due now (closed mode), or was due at its intended time (open). */
function issue(s: Sim, task: Task, now: number): void {
  const k = task.next;
  const opIndex = task.ops[k];
  const intended = s.open ? s.intendedOf(task, k) : now;
  if (now < s.firstIssueNs) s.firstIssueNs = now;
  s.outcomes.intendedNs[opIndex] = intended;
  s.outcomes.startNs[opIndex] = now;
  task.state = TaskState.Ready;
  s.pushFrame(task, opIndex, undefined, now);
  advance(s, task, now);
}

/**
 * Replays `ops` (with their service times) against `strategy`. `table` is the ops as columns
 * (opTable(ops)); pass it when several strategies replay the same ops, so it is built once.
 * `reuse` is the outcomes of an earlier run whose arrays may be overwritten (fresh memory is
 * expensive: every page is faulted in); the result's outcomes are then those same arrays.
 */
export function simulate(source: readonly Op[] | OpColumns, serviceNs: Float64Array, strategy: Strategy, options: SimOptions, table?: OpTable, reuse?: OpOutcomes): SimOutput {
  const ops = columnsOf(source);
  const s = new Sim(ops, serviceNs, strategy, options, table ?? opTable(ops), reuse);
  const { heap, tasks, outcomes } = s;
  for (const t of tasks) {
    if (t.ops.length > 0) s.schedule(s.intendedOf(t, 0), t, EV_ISSUE);
  }

  while (heap.size > 0 && s.deadlock === undefined) {
    const time = heap.peekKey();
    const ev = heap.pop();
    const task = tasks[ev >> 3];
    if (!(time >= s.nowGlobal && time < Infinity)) throw s.fault(task, `virtual time ${time} ns is not finite or goes back (from ${s.nowGlobal} ns)`);
    if (++s.events > s.eventBudget) throw s.fault(task, `the run took more than ${s.eventsPerStep} events per op and plan step (${s.eventBudget}): a loop`);
    s.nowGlobal = time;
    const kind = ev & 7;
    if (kind === EV_ISSUE) {
      issue(s, task, time);
      settleCpu(s, task, time);
    } else if (kind === EV_CPU_DONE && task.retrying) {
      // a woken waiter ran its wakeup (paid once): the lock is its if still free, else it sleeps again
      s.cpuBusyNs += task.segmentNs;
      (task.top as Frame).inCost = false;
      task.retrying = false;
      task.waitSinceNs = task.lockWaitSinceNs;
      const w = task.waitingFor as { req: Held; step: AcquireStep };
      const won = (w.req.lock.retry as (req: LockRequest, nowNs: number) => boolean).call(w.req.lock, w.req, time);
      const keep = task.spinlocksHeld > 0;
      if (won) {
        s.lockGrantedAfterSleep(task, w, time);
        // (preempt-none: it runs on, on the CPU it woke on)
        if (!keep && !s.preemptNone) dropCpu(s, task, time);
        advance(s, task, time);
        settleCpu(s, task, time);
      } else {
        task.state = TaskState.WaitLock;
        if (!keep) dropCpu(s, task, time);
        if (mayCloseCycle(task)) {
          const cycle = findCycle(task, s.tasks);
          if (cycle !== undefined) s.deadlock = { atNs: time, cycle };
        }
      }
    } else if (kind === EV_CPU_DONE) {
      const f = task.top as Frame;
      // (an IO-bound op's work ran asleep, off the CPUs)
      if (task.state !== TaskState.InIo) s.cpuBusyNs += task.segmentNs;
      if (f.inCost) {
        f.inCost = false;
      } else {
        f.workDoneNs += task.segmentNs;
        f.remainingNs -= task.segmentNs;
        if (task.state === TaskState.InIo) f.asleepLeftNs -= task.segmentNs;
        if (f.asleepLeftNs > f.remainingNs) f.asleepLeftNs = f.remainingNs;
        if (!f.sectionEnded) outcomes.workEndNs[f.op] = time;
      }
      task.state = TaskState.Ready;
      // a spinlock holder keeps its CPU; so does a task that queued for one to take a spinlock on
      // (or, preempt-none, to run on), and with preempt-none every task until it sleeps (settleCpu)
      const keep = task.spinlocksHeld > 0 || task.claiming || s.preemptNone;
      task.claiming = false;
      if (!keep && task.cpuHeld) dropCpu(s, task, time);
      // (preempt-none: a task here without a CPU is back from its work asleep: it woke)
      advance(s, task, time, true);
      settleCpu(s, task, time);
    } else if (kind === EV_SPIN_TIMEOUT) {
      // nothing to do here: checkSpinners below puts the spinner to sleep if its deadline has come
    } else if (kind === EV_SPIN_DONE) {
      // a spinner has the lock: no wakeup, its CPU was busy all along
      const w = task.waitingFor as { req: Held; step: AcquireStep };
      const waited = time - task.waitSinceNs;
      const st = w.req.cls.stats;
      st.waitTotalNs += waited;
      if (waited > st.waitMaxNs) st.waitMaxNs = waited;
      const spun = time - task.spinSinceNs;
      st.spinNs += spun;
      s.spinTotalNs += spun;
      s.cpuBusyNs += spun;
      w.req.grantedNs = time;
      (task.top as Frame).lockWaitNs += waited;
      s.onLockWait?.(w.req.cls.name, (task.top as Frame).op, waited, true);
      if (s.log !== undefined) s.log.lockWait((task.top as Frame).op, w.req.cls.name, w.req.mode, w.req.start, w.req.end, task.waitSinceNs, time, true);
      task.waitingFor = undefined;
      task.spinning = false;
      task.spinsOnOwner = false;
      task.state = TaskState.Ready;
      advance(s, task, time);
      settleCpu(s, task, time);
    } else {
      // a lock this task waited for was granted
      const w = task.waitingFor;
      if (w !== undefined && task.state === TaskState.WaitLock && task.spinning) {
        // granted while spinning: it takes the lock once the lock's cache line has come over
        if (w.req.spinlock) task.spinlocksHeld++;
        task.spinsOnOwner = false;
        s.schedule(time + s.cacheMissNs, task, EV_SPIN_DONE);
      } else if (w !== undefined && task.state === TaskState.WaitLock && !w.req.granted) {
        // woken to compete for the lock (a linux rwsem): it runs its wakeup, then tries again
        if (w.req.woken) {
          task.retrying = true;
          task.lockWaitSinceNs = task.waitSinceNs;
          (task.top as Frame).inCost = true;
          startCpu(s, task, s.costs.wakeupNs, time, true);
        }
      } else if (w !== undefined && task.state === TaskState.WaitLock) {
        (task.top as Frame).overheadNs += s.costs.wakeupNs;
        s.lockGrantedAfterSleep(task, w, time);
        advance(s, task, time, true);
        settleCpu(s, task, time);
      }
    }
    if (s.ownerSpinners.length > 0) checkSpinners(s, time);
  }
  outcomes.activeCount = s.activeCount;
  const out: SimOutput = {
    outcomes,
    lockStats: s.lockStats,
    cpuWaitTotalNs: s.cpuWaitTotalNs,
    cpuBusyNs: s.cpuBusyNs,
    spinNs: s.spinTotalNs,
    makespanNs: s.completed > 0 ? s.lastEndNs - Math.min(s.firstIssueNs, s.lastEndNs) : 0,
    completed: s.completed,
  };
  const blocked = s.tasks.filter((t) => t.state === TaskState.WaitLock || t.state === TaskState.WaitCpu);
  // (a blocked task is described by its op: an Op object for a frame whose plan got a view)
  for (const t of blocked) if (t.top !== undefined) t.top.opRef = s.opOf(t.top);
  const deadlock = s.deadlock;
  if (blocked.length > 0) {
    const stopNs = deadlock !== undefined ? deadlock.atNs : s.nowGlobal;
    countUnendedWaits(blocked, stopNs);
    countUnendedHolds(s.tasks, stopNs);
  }
  if (deadlock !== undefined) {
    out.stalled = { atNs: deadlock.atNs, reason: 'cycle', cycle: describeBlockedTasks(deadlock.cycle, s.tasks), blocked: describeBlockedTasks(blocked, s.tasks) };
  } else if (blocked.length > 0) {
    // nothing left to happen: find a cycle among the blocked tasks to report, if there is one
    const first = firstOnCycle(blocked, s.tasks);
    const cycle = first === undefined ? [] : (findCycle(first, s.tasks) as Task[]);
    out.stalled = { atNs: s.nowGlobal, reason: 'stall', cycle: describeBlockedTasks(cycle, s.tasks), blocked: describeBlockedTasks(blocked, s.tasks) };
  }
  return out;
}

/**
 * A run stopped with tasks still waiting for a lock: each lock still held then (by any task, on any
 * of its frames) counts in its class's holdTotalNs up to the stop, as a hold that ended counts up to
 * its release (a deadlock's class showed no hold of the locks its cycle holds). A request granted
 * while its task still waits for the grant to reach it (its wait not ended: a wakeup or a spin's
 * hand-off to come) has no grant time yet and is left out.
 */
function countUnendedHolds(tasks: readonly Task[], atNs: number): void {
  for (const t of tasks) {
    const pending = t.waitingFor?.req;
    for (let f = t.top; f !== undefined; f = f.below) {
      for (const h of f.held) {
        if (!h.granted || h === pending) continue;
        h.cls.stats.holdTotalNs += Math.max(0, atNs - h.grantedNs);
      }
    }
  }
}

/**
 * A run stopped with tasks still waiting for a lock (a deadlock, or a stall): each such wait counts in
 * its class's waitTotalNs and waitMaxNs up to the stop (`atNs`), as its acquisition counts in
 * `contentions`. (Its op never completes, so no op's lock wait holds it.) A spin still going is not
 * added to spinNs: the CPU time of the run, cpu.spinNs, has none of it either.
 */
function countUnendedWaits(blocked: readonly Task[], atNs: number): void {
  for (const t of blocked) {
    const w = t.waitingFor;
    if (t.state !== TaskState.WaitLock || w === undefined) continue;
    const waited = Math.max(0, atNs - t.waitSinceNs);
    const st = w.req.cls.stats;
    st.waitTotalNs += waited;
    if (waited > st.waitMaxNs) st.waitMaxNs = waited;
  }
}
