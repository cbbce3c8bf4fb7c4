/**
 * The strategy `fidelity` replays when none is named: the Linux profile of the capture's filesystem
 * (issue: "the strategy that matches the capture's filesystem, linux:xfs on XFS"). XFS's own lock
 * events say XFS; otherwise the capture's mounts (lockreplay record's `# lockreplay mount:` lines,
 * ImportSummary.fileSystems) name the filesystem of the device that holds most of the kernel's
 * inode-lock waits (contention records classed IOLOCK: what fidelity compares), or, without such
 * waits, most of the ops. A capture's other files (a root filesystem's background IO) do not
 * decide when the workload's files wait.
 */
import type { ImportSummary } from '../model/import-summary.js';
import { deviceOfFileKey, type ObservedLock, type Op } from '../model/op.js';

export interface ChosenStrategy {
  spec: string;
  /** why, for the report */
  why: string;
}

/** the Linux profile of each filesystem type that has one; any other takes linux:generic */
const PROFILE_OF: Record<string, string> = { xfs: 'linux:xfs', ext4: 'linux:ext4' };

export function fidelityStrategyFor(summary: Pick<ImportSummary, 'fileSystems' | 'ops'>, ops: readonly Op[], locks: readonly ObservedLock[]): ChosenStrategy {
  if (locks.some((l) => l.event === 'xfs_ilock' || l.event === 'xfs_ilock_nowait')) return { spec: 'linux:xfs', why: 'the trace has XFS\'s xfs_ilock events' };
  const fs = summary.fileSystems ?? {};
  // each inode-lock wait on the file of the op its task was in when the wait ended
  const byPid = new Map<number, Op[]>();
  for (const op of ops) {
    let list = byPid.get(op.pid);
    if (list === undefined) byPid.set(op.pid, (list = []));
    list.push(op);
  }
  const waits = new Map<string, number>();
  for (const l of locks) {
    if (l.event !== 'contention' || l.caller !== 'IOLOCK') continue;
    const op = enclosing(byPid.get(l.pid), l.tsNs);
    const dev = op === undefined ? undefined : deviceOfFileKey(op.file);
    if (dev !== undefined && Object.hasOwn(fs, dev)) waits.set(dev, (waits.get(dev) ?? 0) + 1);
  }
  let counted = waits;
  let what = 'inode-lock waits (lock:contention_* events)';
  if (counted.size === 0) {
    counted = new Map();
    for (const [file, kinds] of Object.entries(summary.ops.byFile)) {
      const dev = deviceOfFileKey(file);
      if (dev === undefined || !Object.hasOwn(fs, dev)) continue;
      let n = 0;
      for (const c of Object.values(kinds)) n += c;
      counted.set(dev, (counted.get(dev) ?? 0) + n);
    }
    what = 'ops';
  }
  let best: string | undefined;
  // (the most; a tie goes to the device first in numeric order, so the answer is the same every time)
  for (const dev of [...counted.keys()].sort(byDevice)) if (best === undefined || (counted.get(dev) as number) > (counted.get(best) as number)) best = dev;
  if (best === undefined) return { spec: 'linux:xfs', why: 'the capture names no filesystem of its files (no xfs_ilock events, and no mount line of lockreplay record names their devices): linux:xfs' };
  const type = fs[best];
  const profile = Object.hasOwn(PROFILE_OF, type) ? PROFILE_OF[type] : 'linux:generic';
  const total = [...counted.values()].reduce((x, y) => x + y, 0);
  return { spec: profile, why: `most of the capture's ${what} are on ${type} (device ${best}: ${counted.get(best)} of ${total})${profile === 'linux:generic' ? `; ${type} has no profile of its own` : ''}` };
}

/** the last of a task's ops (in time order) that started at or before `tsNs` and had not ended before it */
function enclosing(list: Op[] | undefined, tsNs: number): Op | undefined {
  if (list === undefined) return undefined;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].tsNs <= tsNs) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo - 1; k >= 0; k--) {
    const op = list[k];
    if (op.tsNs + (op.durNs ?? 0) >= tsNs) return op;
    // (a child op lies inside its parent: the parent, earlier, may still enclose the time)
    if (op.parent === undefined) return undefined;
  }
  return undefined;
}

function byDevice(a: string, b: string): number {
  const [am, an] = a.split(':').map(Number);
  const [bm, bn] = b.split(':').map(Number);
  return am - bm || an - bn;
}
