/**
 * Optimistic spinning of sleeping locks (docs/costs.md): who a waiter may spin on, and when a
 * spinner gives up and sleeps.
 */
import { LinuxRwSem } from '../locks/linux-rwsem.js';
import { Mutex, RwSem } from '../locks/primitives.js';
import { needResched, offFractionOf, settleCpu } from './cpu.js';
import type { Sim } from './sim-state.js';
import { EV_SPIN_TIMEOUT, type Frame, type Held, type Task, TaskState } from './sim-types.js';


/** whether a task runs on a CPU, for a spinner deciding to spin on it (mutex_spin_on_owner: owner_on_cpu) */
function isRunning(s: Sim, t: Task): boolean {
  if (!t.cpuHeld) return false;
  if (t.spinning) return true;
  if (t.state !== TaskState.OnCpu) return false;
  const f = t.top as Frame;
  return f.inCost || offFractionOf(s, f.op) < 1;
}

/**
 * The single running owner a waiter may spin on: the holder of a mutex, or the one writer holding
 * an rwsem, when a writer waits (rwsem readers never spin; a reader-owned rwsem makes writers sleep).
 */
export function spinOwnerOf(s: Sim, req: Held): Task | undefined {
  const lock = req.lock;
  const mutex = lock instanceof Mutex;
  if (!mutex && !((lock instanceof RwSem || lock instanceof LinuxRwSem) && req.mode === 'X')) return undefined;
  const h = lock.holders();
  // (a mutex excludes whatever mode a plan names; an rwsem has a single owner only in write mode)
  if (h.length !== 1 || (!mutex && h[0].mode !== 'X') || h[0].task === req.task) return undefined;
  const owner = s.tasks[h[0].task];
  return isRunning(s, owner) ? owner : undefined;
}

/** a waiting writer's optimistic spin: none, on a running owner, or on a Linux rwsem's readers */
export const SPIN_NONE = 0;
export const SPIN_OWNER = 1;
export const SPIN_READERS = 2;

/**
 * How a waiter may spin now: on a single running owner (spinOwnerOf), or, a writer on a Linux
 * rwsem that readers hold, on the readers for a bounded time (rwsem_optimistic_spin's
 * OWNER_READER: the kernel cannot tell whether readers run, so it spins until a time threshold,
 * then marks the rwsem nonspinnable and sleeps).
 */
export function spinModeOf(s: Sim, req: Held): number {
  if (spinOwnerOf(s, req) !== undefined) return SPIN_OWNER;
  const lock = req.lock;
  if (req.mode === 'X' && lock instanceof LinuxRwSem && lock.readersSpinnable(req)) return SPIN_READERS;
  return SPIN_NONE;
}

/** rwsem_rspin_threshold: (20 + readers, at most 30) / 2 microseconds */
export function readerSpinThresholdNs(readers: number): number {
  return ((20 + Math.min(readers, 30)) * 1000) / 2;
}

/** A writer starts (or goes on) spinning on readers: its deadline, set once per reader phase. */
export function armReaderSpin(s: Sim, t: Task, lock: LinuxRwSem, now: number): void {
  if (t.spinDeadlineNs !== Infinity) return;
  t.spinDeadlineNs = now + readerSpinThresholdNs(lock.readerCount());
  s.schedule(t.spinDeadlineNs, t, EV_SPIN_TIMEOUT);
}

/** a spinner stops spinning and sleeps: its CPU goes to the next task that wants one */
function stopSpinning(s: Sim, t: Task, now: number): void {
  const spun = now - t.spinSinceNs;
  s.spinTotalNs += spun;
  s.cpuBusyNs += spun;
  const w = t.waitingFor as { req: Held };
  w.req.cls.stats.spinNs += spun;
  t.spinning = false;
  w.req.spinning = false;
  w.req.lock.spinStopped?.(w.req);
  t.spinsOnOwner = false;
  t.spinDeadlineNs = Infinity;
  // (a task that holds a spinlock keeps its CPU while it sleeps, as on the sleeping path)
  settleCpu(s, t, now);
}

/**
 * After every event: an optimistic spinner whose lock has no running single owner any more (the
 * owner blocked, sleeps, does IO, or the lock passed to a sleeper or to readers), or whose CPU
 * another task is waiting for, goes to sleep. Repeated until nothing changes (a spinner can be
 * the owner another one spins on).
 */
export function checkSpinners(s: Sim, now: number): void {
  const ownerSpinners = s.ownerSpinners;
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < ownerSpinners.length; i++) {
      const t = ownerSpinners[i];
      const w = t.waitingFor;
      if (!t.spinsOnOwner || w === undefined || w.req.granted) {
        ownerSpinners.splice(i--, 1);
        continue;
      }
      const mode = needResched(s) ? SPIN_NONE : spinModeOf(s, w.req);
      if (mode === SPIN_OWNER) {
        // the threshold starts again when the owner changes from a writer back to readers
        t.spinDeadlineNs = Infinity;
        continue;
      }
      if (mode === SPIN_READERS) {
        const lock = w.req.lock as LinuxRwSem;
        if (t.spinDeadlineNs === Infinity) {
          armReaderSpin(s, t, lock, now);
          continue;
        }
        if (now < t.spinDeadlineNs) continue;
        lock.setNonspinnable();
      }
      ownerSpinners.splice(i--, 1);
      stopSpinning(s, t, now);
      changed = true;
    }
  }
}
