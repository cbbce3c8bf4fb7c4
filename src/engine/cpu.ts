/**
 * The simulated CPUs: `cpus` of them, served in FIFO order. A task takes one to run a segment of
 * work or a lock cost (or to spin, or to hold a spinlock), and gives it back when it stops using it.
 * With cpuModel preempt-none a task that woke queues in a second FIFO queue, served first.
 */
import { KIND_CODE } from './op-table.js';
import type { Sim } from './sim-state.js';
import { EV_CPU_DONE, type Frame, type Task, TaskState } from './sim-types.js';

/**
 * Kinds whose work is waiting for the device, not running on a CPU (docs/costs.md): a direct IO,
 * an fsync and writeback submit IO and sleep until it completes (io_schedule), so their work runs
 * off the CPUs, and an owner doing one does not count as running for optimistic spinning.
 */
export const IO_BOUND = new Uint8Array(KIND_CODE.size);
for (const k of ['dio-read', 'dio-write', 'fsync', 'writeback'] as const) IO_BOUND[KIND_CODE.get(k) as number] = 1;

/**
 * Per op, the share of its work it runs asleep: the capture's measure where it has one (a number in
 * [0, 1]), else the kind's rule (IO_BOUND: 1, else 0). Undefined without measures: offFractionOf
 * then reads the kind's rule (no array of one number per op: a replay's memory is counted per op).
 */
export function offFractions(kind: Uint8Array, measured: Float64Array | undefined): Float64Array | undefined {
  if (measured === undefined) return undefined;
  const out = new Float64Array(kind.length);
  for (let i = 0; i < kind.length; i++) {
    const m = i < measured.length ? measured[i] : NaN;
    out[i] = m >= 0 && m <= 1 ? m : IO_BOUND[kind[i]];
  }
  return out;
}

/** the share of op `op`'s work it runs asleep (offFractions) */
export function offFractionOf(s: Sim, op: number): number {
  const f = s.offFraction;
  return f === undefined ? IO_BOUND[s.table.kind[op]] : f[op];
}

/** The task waits `ns` for its IO, asleep: the CPU it held goes to the next task that wants one. */
export function startIo(s: Sim, task: Task, ns: number, now: number): void {
  if (!(ns >= 0 && ns < Infinity)) throw s.fault(task, `IO segment of ${ns} ns is not a finite number >= 0`);
  if (task.cpuHeld) dropCpu(s, task, now);
  task.segmentNs = ns;
  task.state = TaskState.InIo;
  s.schedule(now + ns, task, EV_CPU_DONE);
}

/**
 * The task runs `ns` on a CPU: at once on the one it holds or a free one, else it queues for one
 * (`woken`: it needs the CPU because it woke from a sleep; with cpuModel preempt-none it then
 * queues ahead of the tasks that did not).
 */
export function startCpu(s: Sim, task: Task, ns: number, now: number, woken = false): void {
  if (!(ns >= 0 && ns < Infinity)) throw s.fault(task, `CPU segment of ${ns} ns is not a finite number >= 0`);
  task.segmentNs = ns;
  if (task.cpuHeld) {
    task.state = TaskState.OnCpu;
    s.schedule(now + ns, task, EV_CPU_DONE);
  } else if (s.cpusFree > 0) {
    s.cpusFree--;
    task.cpuHeld = true;
    task.state = TaskState.OnCpu;
    s.schedule(now + ns, task, EV_CPU_DONE);
  } else {
    task.state = TaskState.WaitCpu;
    task.waitSinceNs = now;
    if (woken && s.preemptNone) s.wokenQueue.push(task);
    else s.cpuQueue.push(task);
  }
}

/** A CPU comes free: the first task queued for one (a woken one first: preempt-none) runs its segment on it. */
function releaseCpu(s: Sim, now: number): void {
  const nextTask = s.wokenQueue.shift() ?? s.cpuQueue.shift();
  if (nextTask === undefined) {
    s.cpusFree++;
    return;
  }
  const waited = now - nextTask.waitSinceNs;
  s.cpuWaitTotalNs += waited;
  const f = nextTask.top as Frame;
  f.cpuWaitNs += waited;
  if (s.log !== undefined && waited > 0) s.log.cpuWait(f.op, nextTask.waitSinceNs, now);
  nextTask.cpuHeld = true;
  nextTask.state = TaskState.OnCpu;
  s.schedule(now + nextTask.segmentNs, nextTask, EV_CPU_DONE);
}

/** the task gives up the CPU it holds */
export function dropCpu(s: Sim, task: Task, now: number): void {
  task.cpuHeld = false;
  releaseCpu(s, now);
}

/** A task that holds a CPU it no longer uses (not running, spinning or holding a spinlock) gives it up. */
export function settleCpu(s: Sim, task: Task, now: number): void {
  if (task.cpuHeld && task.state !== TaskState.OnCpu && !task.spinning && task.spinlocksHeld === 0 && !task.claiming) dropCpu(s, task, now);
}

/** a task waits for a CPU: a spinner on a sleeping lock yields (need_resched()) */
export function needResched(s: Sim): boolean {
  return s.cpuQueue.size > 0 || s.wokenQueue.size > 0;
}

/**
 * The task takes a CPU to run its next step on (spin_lock(), or any step with cpuModel
 * preempt-none): a free one (true), or it queues for one (false: `woken` as for startCpu) and comes
 * back to that step on it.
 */
export function claimCpu(s: Sim, task: Task, now: number, woken: boolean): boolean {
  if (s.cpusFree > 0) {
    s.cpusFree--;
    task.cpuHeld = true;
    return true;
  }
  task.claiming = true;
  (task.top as Frame).inCost = true;
  startCpu(s, task, 0, now, woken);
  return false;
}
