// The replay floor: the least a discrete-event replay of these ops can cost in this process, for
// context beside the replay figures (not a target, and not a model anyone should use). Each task
// issues its top-level ops in order (closed: after the previous one plus the recorded think time;
// open: at the trace time scaled), takes one exclusive FIFO lock word per file, runs the op's
// service time on one of the modelled CPUs (FIFO), releases, and completes. Events go through the
// engine's own event heap. No plans, child ops, lock modes or ranges, mmap_lock, lock costs,
// races, histograms or statistics: what the real replay does on top of this loop is what makes it
// a model. Child ops (faults inside syscalls, 10% of xfs-mix-large) run inside their parent's
// service time here, yet its ops/s counts every op, as the replay's does: the floor is that much
// higher than a loop that gave them events of their own.
import { NumHeap } from '../dist/util/num-heap.js';

const ISSUE = 0;
const GRANTED = 1;
const CPU_DONE = 2;
const RELEASE_DONE = 3;

/**
 * Runs the loop over a prepared trace (replay/index.js prepare()); returns ops completed.
 * `releaseCpuNs`, when given, makes the releases' CPU time an event of its own after the work (as the
 * model has it: replay-bound.js); `out.events` gets the events the loop made.
 */
export function replayFloor(prepared, releaseCpuNs = undefined, out = undefined) {
  const t = prepared.table;
  const service = prepared.service.ns;
  const open = prepared.simOptions.mode === 'open';
  const timeScale = prepared.simOptions.timeScale;
  const tasks = t.taskPid.length;
  const next = new Int32Array(tasks);
  const prevEnd = new Float64Array(tasks);
  const holder = new Int32Array(t.files.length).fill(-1);
  const waiters = Array.from({ length: t.files.length }, () => []);
  const cpuQueue = [];
  let cpuHead = 0;
  let cpusFree = prepared.simOptions.cpus;
  const heap = new NumHeap();
  let seq = 0;
  const t0 = t.n > 0 ? t.tsNs[0] : 0;
  const opOf = (task) => t.taskOps[t.taskStart[task] + next[task]];
  const intended = (task) => {
    const i = opOf(task);
    if (open || next[task] === 0) return (t.tsNs[i] - t0) * (open ? timeScale : 1);
    const prev = t.taskOps[t.taskStart[task] + next[task] - 1];
    return prevEnd[task] + Math.max(0, t.tsNs[i] - (t.tsNs[prev] + service[prev]));
  };
  const run = (task, now) => {
    if (cpusFree > 0) {
      cpusFree--;
      heap.push(now + service[opOf(task)], seq++, task * 4 + CPU_DONE);
    } else {
      cpuQueue.push(task);
    }
  };
  for (let task = 0; task < tasks; task++) if (t.taskStart[task + 1] > t.taskStart[task]) heap.push(intended(task), seq++, task * 4 + ISSUE);
  let completed = 0;
  let events = 0;
  while (heap.size > 0) {
    const now = heap.peekKey();
    const ev = heap.pop();
    events++;
    const task = ev >> 2;
    const kind = ev & 3;
    if (kind === ISSUE) {
      const f = t.file[opOf(task)];
      if (holder[f] < 0) {
        holder[f] = task;
        run(task, now);
      } else {
        waiters[f].push(task);
      }
    } else if (kind === GRANTED) {
      run(task, now);
    } else if (kind === CPU_DONE && releaseCpuNs !== undefined) {
      heap.push(now + releaseCpuNs, seq++, task * 4 + RELEASE_DONE);
    } else {
      if (cpuHead < cpuQueue.length) {
        const u = cpuQueue[cpuHead++];
        heap.push(now + service[opOf(u)], seq++, u * 4 + CPU_DONE);
      } else {
        cpusFree++;
      }
      const f = t.file[opOf(task)];
      const w = waiters[f];
      if (w.length > 0) {
        const u = w.shift();
        holder[f] = u;
        heap.push(now, seq++, u * 4 + GRANTED);
      } else {
        holder[f] = -1;
      }
      completed++;
      prevEnd[task] = now;
      next[task]++;
      if (t.taskStart[task] + next[task] < t.taskStart[task + 1]) heap.push(Math.max(now, intended(task)), seq++, task * 4 + ISSUE);
    }
  }
  if (out !== undefined) out.events = events;
  return completed;
}
