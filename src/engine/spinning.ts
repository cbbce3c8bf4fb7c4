/**
 * Optimistic spinning of sleeping locks (docs/costs.md): who a waiter may spin on, and when a
 * spinner gives up and sleeps.
 */
import { LinuxRwSem } from '../locks/linux-rwsem.js';
import { Mutex, RwSem } from '../locks/primitives.js';
import { KIND_CODE } from './op-table.js';
import { needResched, settleCpu } from './cpu.js';
import type { Sim } from './sim-state.js';
import { type Frame, type Held, type Task, TaskState } from './sim-types.js';

/**
 * Kinds whose work is mostly waiting for the device, not running on a CPU: an owner doing one does
 * not count as running for optimistic spinning (the trace cannot tell CPU time from IO sleep inside
 * an op; docs/costs.md says what is assumed per kind).
 */
const IO_BOUND = new Uint8Array(KIND_CODE.size);
for (const k of ['dio-read', 'dio-write', 'fsync', 'writeback'] as const) IO_BOUND[KIND_CODE.get(k) as number] = 1;

/** whether a task runs on a CPU, for a spinner deciding to spin on it (mutex_spin_on_owner: owner_on_cpu) */
function isRunning(s: Sim, t: Task): boolean {
  if (!t.cpuHeld) return false;
  if (t.spinning) return true;
  if (t.state !== TaskState.OnCpu) return false;
  const f = t.top as Frame;
  return f.inCost || IO_BOUND[s.table.kind[f.op]] === 0;
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

/** a spinner stops spinning and sleeps: its CPU goes to the next task that wants one */
function stopSpinning(s: Sim, t: Task, now: number): void {
  const spun = now - t.spinSinceNs;
  s.spinTotalNs += spun;
  s.cpuBusyNs += spun;
  const w = t.waitingFor as { req: Held };
  w.req.cls.stats.spinNs += spun;
  t.spinning = false;
  w.req.spinning = false;
  t.spinsOnOwner = false;
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
      if (needResched(s) || spinOwnerOf(s, w.req) === undefined) {
        ownerSpinners.splice(i--, 1);
        stopSpinning(s, t, now);
        changed = true;
      }
    }
  }
}
