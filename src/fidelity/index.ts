/**
 * `lockreplay fidelity`: does a strategy take the locks the real kernel took? On XFS captures, for
 * each op, the IOLOCK and MMAPLOCK modes the strategy's plan predicts against the xfs_ilock events
 * the same task recorded on the same inode inside the op's span (excluding its child ops' spans).
 * Also the lock waits a replay predicts against the gaps the trace shows between an xfs_ilock call
 * and the task's next lock event (an upper bound on the real wait).
 */
import type { ObservedLock, Op } from '../model/op.js';
import { PAGE_SIZE_BYTES } from '../model/op.js';
import type { Strategy } from '../strategies/types.js';
import { DEFAULT_COSTS } from '../strategies/types.js';
import { serviceTimes } from '../engine/service-model.js';
import { type CpuModel, simulate } from '../engine/simulator.js';
import { compareContention, type ContentionRow, kernelClassOf } from './contention.js';
import { measureWakeLatency } from './wake-latency.js';
import { taskWakeLatency } from './task-wakes.js';
import { resampledWakes, withSpread } from './replicates.js';
import { partitionPoint } from '../util/search.js';
import type { XfsLock, KindFidelity, Disagreement, WaitComparison, FidelityMode, FidelityReport, FidelityModes, WakeLatencyUsed } from '../model/fidelity.js';
export type { XfsLock, KindFidelity, Disagreement, WaitComparison, FidelityMode, FidelityReport, WakeLatencyUsed } from '../model/fidelity.js';

type Modes = FidelityModes;

/** locks a kernel path takes without xfs_ilock, so a trace cannot show them */
const NOT_OBSERVABLE: Record<string, XfsLock[]> = {
  // do_truncate takes the VFS inode lock (= IOLOCK) directly
  truncate: ['IOLOCK'],
  // filemap_fault and readahead take filemap_invalidate_lock_shared (= MMAPLOCK) directly
  'fault-read': ['MMAPLOCK'],
  readahead: ['MMAPLOCK'],
};





function classOf(lockClass: string): XfsLock | undefined {
  const c = kernelClassOf(lockClass);
  return c === 'IOLOCK' || c === 'MMAPLOCK' ? c : undefined;
}

function observedModes(flags: string, into: Modes): void {
  for (const f of flags.split('|')) {
    if (f === 'IOLOCK_EXCL') into.IOLOCK ??= 'X';
    else if (f === 'IOLOCK_SHARED') into.IOLOCK ??= 'S';
    else if (f === 'MMAPLOCK_EXCL') into.MMAPLOCK ??= 'X';
    else if (f === 'MMAPLOCK_SHARED') into.MMAPLOCK ??= 'S';
  }
}

/** the index of the first lock at or after `tsNs` in a time-ordered list (its length if none) */
function firstAtOrAfter(list: ObservedLock[], tsNs: number): number {
  return partitionPoint(list.length, (i) => list[i].tsNs < tsNs);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}


/**
 * `mode` is how the replay issues each task's ops: `closed` (the default), each after the task's
 * previous op and its recorded think time, as a workload that issues IO back to back does;
 * `open`, at its recorded time (or when the task's previous op ends, if later), as a rate-limited
 * workload (fio's rate_iops) does. `replicates` (≥ 1): replays of the contention comparison; beyond
 * the first, the wake-up latencies are resampled and each row gets its spread (replicates.ts).
 * `cpuModel`: when a replayed task holds a CPU (SimOptions.cpuModel).
 */
export function fidelity(ops: Op[], locks: ObservedLock[], strategy: Strategy, trace: string, cpus: number, wakeLatency: 'trace' | 'none' = 'trace', mode: FidelityMode = 'closed', replicates = 1, anchorNs?: number, cpuModel: CpuModel = 'per-segment'): FidelityReport {
  const xfsLocks = locks.filter((l) => l.event === 'xfs_ilock' || l.event === 'xfs_ilock_nowait');
  const xfsFiles = new Set(xfsLocks.map((l) => l.target));
  // observed lock calls per (pid, file), in time order
  const byTask = new Map<string, ObservedLock[]>();
  for (const l of xfsLocks) {
    const k = `${l.pid}\u0000${l.target}`;
    let list = byTask.get(k);
    if (list === undefined) byTask.set(k, (list = []));
    list.push(l);
  }
  // every list is in time order when the import gave the locks in time order (it does); a list
  // that is not is scanned whole, as before
  const timeOrdered = new Set<ObservedLock[]>();
  for (const list of byTask.values()) {
    let ordered = true;
    for (let i = 1; i < list.length && ordered; i++) if (list[i].tsNs < list[i - 1].tsNs) ordered = false;
    if (ordered) timeOrdered.add(list);
  }
  const allByPid = new Map<number, ObservedLock[]>();
  /** each lock's position in its task's list */
  const positionInPid = new Map<ObservedLock, number>();
  for (const l of locks) {
    let list = allByPid.get(l.pid);
    if (list === undefined) allByPid.set(l.pid, (list = []));
    if (!positionInPid.has(l)) positionInPid.set(l, list.length);
    list.push(l);
  }
  const childrenOf = new Map<number, Op[]>();
  const byId = new Map(ops.map((o) => [o.id, o]));
  for (const o of ops) {
    if (o.parent === undefined) continue;
    let list = childrenOf.get(o.parent);
    if (list === undefined) childrenOf.set(o.parent, (list = []));
    list.push(o);
  }
  const sizes = new Map<string, number>();
  for (const o of ops) sizes.set(o.file, Math.max(sizes.get(o.file) ?? 0, o.offset + o.lengthBytes));
  const ctxBase = { pageSizeBytes: PAGE_SIZE_BYTES, fileSizeBytes: (f: string) => sizes.get(f) ?? 0, costs: DEFAULT_COSTS };

  const byKind: Record<string, KindFidelity> = {};
  const first: Disagreement[] = [];
  let count = 0;
  const observedGaps = new Map<string, number[]>();
  const opsWithGap: { op: Op; index: number }[] = [];
  ops.forEach((op, index) => {
    if (!xfsFiles.has(op.file)) return;
    const k = byKind[op.kind] ?? (byKind[op.kind] = { ops: 0, compared: 0, iolockAgree: 0, mmaplockAgree: 0, iolockPct: null, mmaplockPct: null, notObservable: NOT_OBSERVABLE[op.kind] ?? [] });
    k.ops++;
    if (op.durNs === undefined || op.durNs <= 0) return;
    const from = op.tsNs;
    const to = op.tsNs + op.durNs;
    const kids = childrenOf.get(op.id) ?? [];
    const inChild = (t: number): boolean => kids.some((c) => t >= c.tsNs && t <= c.tsNs + (c.durNs ?? 0));
    const observed: Modes = {};
    let firstIolock: ObservedLock | undefined;
    const mineOnFile = byTask.get(`${op.pid}\u0000${op.file}`) ?? [];
    // the op's span in a time-ordered list: from its first lock at or after `from` to `to`
    const ordered = timeOrdered.has(mineOnFile);
    for (let i = ordered ? firstAtOrAfter(mineOnFile, from) : 0; i < mineOnFile.length; i++) {
      const l = mineOnFile[i];
      if (ordered && l.tsNs > to) break;
      if (l.tsNs < from || l.tsNs > to || inChild(l.tsNs)) continue;
      observedModes(l.mode, observed);
      if (firstIolock === undefined && l.mode.includes('IOLOCK')) firstIolock = l;
    }
    const predicted: Modes = {};
    const parent = op.parent === undefined ? undefined : byId.get(op.parent);
    for (const st of strategy.plan(op, { ...ctxBase, parent })) {
      if (st.type !== 'acquire' || st.key !== op.file) continue;
      const c = classOf(st.lockClass);
      if (c !== undefined) predicted[c] ??= st.mode;
    }
    k.compared++;
    const hidden = NOT_OBSERVABLE[op.kind] ?? [];
    const io = hidden.includes('IOLOCK') || predicted.IOLOCK === observed.IOLOCK;
    const mm = hidden.includes('MMAPLOCK') || predicted.MMAPLOCK === observed.MMAPLOCK;
    if (io) k.iolockAgree++;
    if (mm) k.mmaplockAgree++;
    if (!io || !mm) {
      count++;
      if (first.length < 20) first.push({ opId: op.id, kind: op.kind, pid: op.pid, line: op.line, predicted, observed });
    }
    // the gap between the IOLOCK call and the task's next recorded lock event bounds the wait
    if (firstIolock !== undefined) {
      const mine = allByPid.get(op.pid) ?? [];
      const i = positionInPid.get(firstIolock) ?? -1;
      const next = mine[i + 1];
      if (next !== undefined && next.tsNs <= to) {
        let list = observedGaps.get(op.kind);
        if (list === undefined) observedGaps.set(op.kind, (list = []));
        list.push(next.tsNs - firstIolock.tsNs);
        opsWithGap.push({ op, index });
      }
    }
  });
  // (a lock not observable for the kind compares nothing: no share, though it is no disagreement either)
  for (const k of Object.values(byKind)) {
    k.iolockPct = k.compared > 0 && !k.notObservable.includes('IOLOCK') ? Math.round((10000 * k.iolockAgree) / k.compared) / 100 : null;
    k.mmaplockPct = k.compared > 0 && !k.notObservable.includes('MMAPLOCK') ? Math.round((10000 * k.mmaplockAgree) / k.compared) / 100 : null;
  }
  // predicted waits: a replay of the same ops under the strategy
  const service = serviceTimes(ops, PAGE_SIZE_BYTES);
  const sim = simulate(ops, service.ns, strategy, { mode, timeScale: 1, cpus, pageSizeBytes: PAGE_SIZE_BYTES, ...(cpuModel !== 'per-segment' ? { cpuModel } : {}) });
  const waits: Record<string, WaitComparison> = {};
  for (const [kind, gaps] of [...observedGaps].sort()) {
    const predicted = opsWithGap.filter((g) => g.op.kind === kind).map((g) => sim.outcomes.lockWaitNs[g.index]).sort((a, b) => a - b);
    const obs = [...gaps].sort((a, b) => a - b);
    const mean = (xs: number[]): number => (xs.length === 0 ? 0 : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length));
    waits[kind] = { samples: obs.length, observedMeanNs: mean(obs), observedP99Ns: percentile(obs, 99), predictedMeanNs: mean(predicted), predictedP99Ns: Math.round(percentile(predicted, 99)) };
  }
  const contentionWaits = locks.filter((l) => l.event === 'contention');
  const wake = wakeLatency === 'trace' ? measureWakeLatency(locks) : undefined;
  const wakeUsed: WakeLatencyUsed = wake === undefined || wake.samplesNs.length === 0
    ? { source: 'none', waiters: 'none', samples: 0, p50Ns: 0, p90Ns: 0, meanNs: 0 }
    : { source: 'trace', waiters: wake.waiters, samples: wake.samplesNs.length, p50Ns: wake.p50Ns, p90Ns: wake.p90Ns, meanNs: wake.meanNs };
  // the capture's sched wakes inside lock waits, if it has any
  const measured = wakeLatency === 'trace' ? taskWakeLatency(locks) : undefined;
  const own = measured !== undefined && measured.wakes > 0 ? measured : undefined;
  if (own !== undefined) wakeUsed.taskWakes = { wakes: own.wakes, tasks: own.tasks, p50Ns: own.p50Ns, p90Ns: own.p90Ns, meanNs: own.meanNs };
  const pooledNs = wakeUsed.source === 'trace' ? wake?.samplesNs : undefined;
  const compared = contentionWaits.length > 0 ? compareContention(ops, contentionWaits, strategy, cpus, pooledNs, mode, locks, own?.byPid, undefined, cpuModel) : undefined;
  let rows = compared?.rows ?? [];
  if (compared !== undefined && replicates > 1) {
    const others: ContentionRow[][] = [];
    for (let r = 1; r < replicates; r++) {
      const w = resampledWakes(pooledNs, own?.byPid, r);
      others.push(compareContention(ops, contentionWaits, strategy, cpus, w.pooledNs, mode, locks, w.byPid, undefined, cpuModel).rows);
    }
    rows = withSpread(compared.rows, others);
  }
  const contention = compared !== undefined
    ? {
      source: 'contention-events' as const, observedWaits: contentionWaits.length, wakeLatency: wakeUsed, rows, ...(replicates > 1 ? { replicates } : {}),
      ...(anchorNs !== undefined ? { anchored: { windowNs: anchorNs, rows: compareContention(ops, contentionWaits, strategy, cpus, pooledNs, mode, locks, own?.byPid, anchorNs, cpuModel).rows } } : {}),
    }
    : { source: 'none' as const, observedWaits: 0, wakeLatency: wakeUsed, rows };
  const notes: string[] = [];
  if (contentionWaits.length === 0) notes.push('the trace has no lock:contention_begin/end events: contended acquisitions cannot be compared (record with lockreplay record, whose default preset has them)');
  else notes.push(`contention: observed = the kernel's contended acquisitions (lock:contention_* events) inside the ops; predicted = ${mode === 'open' ? 'an' : 'a'} ${mode}-mode replay of the same ops (${mode === 'closed' ? 'each after its task\'s previous op and recorded think time; --mode open for a rate-limited workload' : 'each at its recorded time, or when its task\'s previous op ends'}), with those waits (and the kernel's optimistic spin before each: from the lock call to contention_begin) removed from the service times`);
  if (compared !== undefined && compared.offCpuOps > 0) notes.push(`${compared.offCpuOps} ops' own time asleep (the capture's sched_switch events: their IO, page and log waits) was replayed off the CPUs, the rest of their time on a CPU`);
  if (compared !== undefined && !locks.some((l) => l.event === 'sched-wake' || l.event === 'sched-sleep')) notes.push('the capture has no scheduler events (sched_switch / sched_wakeup of its tasks): the wake-up latency is estimated from its lock waits alone, and each op kind\'s time is replayed on or off the CPUs by the kind\'s rule; on a capture recorded on a busy machine a replay can then miss the kernel\'s contended counts and mean waits by a third or more (README, "fidelity"). `lockreplay record`\'s default preset records them');
  if (compared !== undefined && compared.faultRetries > 0) notes.push(`${compared.faultRetries} read faults were retried after reading their page (an mmap_lock acquisition inside the fault): the retry, which maps the page, is replayed after the fault's locks (the invalidate lock is released before it)`);
  if (xfsFiles.size === 0) notes.push('the trace has no xfs_ilock events: nothing to compare (record XFS with the xfs/xfs_ilock event)');
  if (xfsFiles.size === 0 && contentionWaits.length > 0) {
    const unclassed = contentionWaits.filter((w) => w.caller === 'unknown' && /(^|\|)(READ|WRITE)(\||$)/.test(w.mode)).length;
    const inodeLock = contentionWaits.filter((w) => w.caller === 'IOLOCK').length;
    notes.push(inodeLock > 0
      ? `contention: without xfs_ilock events ${inodeLock} of the kernel's waits are classed IOLOCK (the inode's i_rwsem: the first lock of a write or a direct read, which it waits for before any filesystem event, and waits inside syscalls on that lock once so named) and compared with the strategy's IOLOCK / i_rwsem; MMAPLOCK is not compared (${unclassed} rwsem waits are of no known class)`
      : `contention: without xfs_ilock events the kernel's waits cannot be told IOLOCK from MMAPLOCK (${unclassed} of its rwsem waits are of no known class), so only mmap_lock is compared`);
  }
  notes.push('not observable in a trace (taken without xfs_ilock): IOLOCK of truncate (the VFS inode lock), MMAPLOCK of read faults and readahead (filemap_invalidate_lock_shared)');
  notes.push('observed waits are the gap from the IOLOCK call to the task\'s next lock event: an upper bound that includes the work in between');
  const sortedKinds: Record<string, KindFidelity> = {};
  for (const kind of Object.keys(byKind).sort()) sortedKinds[kind] = byKind[kind];
  return { trace, strategy: strategy.name, mode, ...(cpuModel !== 'per-segment' ? { cpuModel } : {}), xfsFiles: [...xfsFiles].sort(), byKind: sortedKinds, disagreements: { count, first }, waits, contention, notes };
}
