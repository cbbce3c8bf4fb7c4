/**
 * What Linux ships (docs/strategies.md#linux): i_rwsem (XFS: IOLOCK) + mapping->invalidate_lock
 * (XFS: MMAPLOCK) + folio locks, with Linux rwsem fairness (a waiting writer blocks new readers).
 * Profiles `xfs`, `ext4`, `generic`; `i-rwsem` is the i_rwsem layer alone (docs/strategies.md#i-rwsem).
 * Order: i_rwsem → mmap_lock → invalidate_lock → folio.
 */
import { isFaultAround, type Op } from '../model/op.js';
import { DEFAULT_HZ } from '../locks/linux-rwsem.js';
import { acquire, isFlushInsideParent, pageAlignedRange, pageByPage, release, WORK_ALL, WORK_ONLY } from './plan-helpers.js';
import { type ChildrenStep, type LockSpec, ORDERED_TAG, type PlanContext, type RuleRow, type Step, type Strategy } from './types.js';

/**
 * How the rwsems behave: `linux` as the kernel runs them (lock stealing, wake and compete, hand-off
 * after a timeout of jiffies, 4-8 ms at HZ 250; locks/linux-rwsem.ts), `fifo` a strict queue with
 * direct hand-off (a textbook fair rwsem, the model before the kernel's own contention events
 * showed the difference).
 */
export type LinuxRwsemModel = 'linux' | 'fifo';
function rwsemSpec(model: LinuxRwsemModel, hz: number): LockSpec {
  return model === 'linux' ? { kind: 'rwsem', fairness: 'linux', hz } : { kind: 'rwsem', fairness: 'fifo' };
}
const FOLIO: LockSpec = { kind: 'range', fairness: 'fifo' };
const CHILDREN: ChildrenStep = { type: 'children' };

/** the whole-file locks of a plan: acquires (and the prefault) before, releases after, and the plan with all the work between */
interface Whole {
  head: readonly Step[];
  tail: readonly Step[];
  plan: readonly Step[];
}
export const LINUX_PROFILES = ['xfs', 'ext4', 'generic'] as const;
export type LinuxProfile = (typeof LINUX_PROFILES)[number];

/** i_rwsem mode per op kind, or undefined for none */
function iRwsemMode(op: Op, profile: LinuxProfile, pageSizeBytes: number): 'S' | 'X' | undefined {
  const aligned = op.offset % pageSizeBytes === 0 && op.lengthBytes % pageSizeBytes === 0;
  switch (op.kind) {
    case 'read': return profile === 'xfs' ? 'S' : undefined;
    case 'write': return 'X';
    case 'dio-read': return 'S';
    case 'dio-write': return profile === 'generic' ? 'X' : aligned ? 'S' : 'X';
    case 'truncate': case 'punch': case 'zero-range': case 'collapse-range': case 'insert-range': case 'fallocate': return 'X';
    default: return undefined;
  }
}

/** invalidate_lock mode per op kind */
function invalidateMode(op: Op, profile: LinuxProfile): 'S' | 'X' | undefined {
  switch (op.kind) {
    // a buffered read fills a missing page under it (filemap_create_folio, filemap_update_page),
    // which orders it against a removal's X; the trace does not tell a read's hits from its misses,
    // so every read takes it. (XFS: MMAPLOCK S inside IOLOCK S, which already orders a read against
    // every removal: left out there.)
    case 'read': return profile === 'xfs' ? undefined : 'S';
    case 'fault-write': return 'S';
    // read faults take it only on a page-cache miss: the importer's exact-page faults (a filemap
    // fault happened) rather than fault-around windows (a minor fault mapping cached pages)
    case 'fault-read': return isFaultAround(op.kind, op.lengthBytes) ? undefined : 'S';
    case 'readahead': return 'S';
    case 'truncate': case 'punch': case 'zero-range': case 'collapse-range': case 'insert-range': case 'fallocate': return 'X';
    default: return undefined;
  }
}

function rules(profile: LinuxProfile | 'i-rwsem'): RuleRow[] {
  const io = profile === 'xfs' ? 'IOLOCK (i_rwsem)' : 'i_rwsem';
  const mm = profile === 'xfs' ? 'MMAPLOCK (invalidate_lock)' : 'invalidate_lock';
  const r: RuleRow[] = [
    { kinds: 'read', locks: profile === 'xfs' || profile === 'i-rwsem' ? `${io} S` : `${mm} S (a page-cache miss fills under it: filemap_create_folio; a trace does not tell hits from misses, so every read takes it)` },
    { kinds: 'write', locks: `${io} X` },
    { kinds: 'dio-read', locks: `${io} S` },
    { kinds: 'dio-write', locks: profile === 'generic' ? `${io} X` : `${io} S if page-aligned, else X` },
    { kinds: 'truncate, punch, zero/collapse/insert-range, fallocate', locks: profile === 'i-rwsem' ? `${io} X` : `${io} X, then ${mm} X` },
  ];
  if (profile !== 'i-rwsem') {
    r.push(
      { kinds: 'fault-write (page_mkwrite)', locks: `${mm} S, folio X` },
      { kinds: 'fault-read', locks: `${mm} S only on a page-cache miss (an exact-page fault), folio X` },
      { kinds: 'readahead', locks: `${mm} S, folio X per page` },
      { kinds: 'write, writeback', locks: 'folio X per page, one at a time (under i_rwsem for writes)' },
      { kinds: 'truncate, punch', locks: 'folio X per page of the range, after i_rwsem and invalidate_lock' },
    );
  }
  r.push({ kinds: 'faults, writeback, fsync', locks: `never ${io} (taken above mmap_lock only)` });
  r.push({ kinds: 'child fault (inside a syscall)', locks: 'its own locks, under the parent\'s i_rwsem (the i_rwsem → mmap_lock order); child writeback: none' });
  return r;
}

export function linuxStrategy(profile: LinuxProfile | 'i-rwsem', rwsem: LinuxRwsemModel = 'linux', hz: number = DEFAULT_HZ): Strategy {
  const RWSEM = rwsemSpec(rwsem, hz);
  const full = profile !== 'i-rwsem';
  const io = profile === 'xfs' ? 'iolock' : 'i_rwsem';
  const mm = profile === 'xfs' ? 'mmaplock' : 'invalidate_lock';
  const profileForModes: LinuxProfile = profile === 'i-rwsem' ? 'xfs' : profile;
  // the whole-file locks of a plan (and the plan of an op with no folio walk) are the same for every
  // op with the same file, modes and prefault: built once per strategy instance (the engine only
  // reads plans), found by file (the last one kept: ops in a row mostly share it) and mode code
  const byFile = new Map<string, (Whole | undefined)[]>();
  let lastFile: string | undefined;
  let lastSlots: (Whole | undefined)[] = [];
  return {
    name: full ? `linux:${profile}` : 'i-rwsem',
    summary: full
      ? `Linux today, ${profile} profile: i_rwsem + invalidate_lock + folio locks, Linux rwsem fairness.`
      : 'The VFS i_rwsem alone (per inode rwsem, Linux fairness): shared for reads and DIO, exclusive for writes and truncate/fallocate.',
    source: `docs/strategies.md#${full ? 'linux' : 'i-rwsem'} (Documentation/filesystems/locking.rst, fs/xfs/xfs_inode.c, fs/ext4/file.c)`,
    rules: rules(profile),
    options: { rwsem, hz },
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (isFlushInsideParent(op, ctx)) return WORK_ONLY;
      const ioMode = iRwsemMode(op, profileForModes, ctx.pageSizeBytes);
      // a child op runs under its parent's i_rwsem: it never takes i_rwsem itself
      const takesIo = ioMode !== undefined && ctx.parent === undefined;
      const mmMode = full ? invalidateMode(op, profileForModes) : undefined;
      // buffered IO faults the user buffer in before locking folios (fault_in_iov_iter_readable):
      // a child fault runs first, under i_rwsem only
      const prefault = op.kind === 'write' || op.kind === 'read';
      // (i_rwsem none/S/X) × (invalidate_lock none/S/X) × prefault: 18 plans per file at most
      const code = (takesIo ? (ioMode === 'S' ? 6 : 12) : 0) + (mmMode === undefined ? 0 : mmMode === 'S' ? 2 : 4) + (prefault ? 1 : 0);
      if (op.file !== lastFile) {
        lastFile = op.file;
        let slots = byFile.get(op.file);
        if (slots === undefined) byFile.set(op.file, (slots = new Array<Whole | undefined>(18).fill(undefined)));
        lastSlots = slots;
      }
      let whole = lastSlots[code];
      if (whole === undefined) {
        // i_rwsem, then invalidate_lock: ORDERED_TAG, ORDERED_TAG + 1 (a folio walk has the page-walk tags)
        const steps: Step[] = [];
        const releases: Step[] = [];
        let tag = ORDERED_TAG;
        const take = (cls: string, mode: 'S' | 'X'): void => {
          const t = tag++;
          steps.push(acquire(cls, op.file, RWSEM, mode, 0, Infinity, t));
          releases.unshift(release(t));
        };
        if (takesIo) take(io, ioMode);
        // (a read's child faults, copying to the user buffer, run outside invalidate_lock: it
        // covers the page-cache fill, and a fault takes it itself)
        if (prefault) steps.push(CHILDREN);
        if (mmMode !== undefined) take(mm, mmMode);
        whole = { head: steps, tail: releases, plan: [...steps, WORK_ALL, ...releases] };
        lastSlots[code] = whole;
      }
      const folioKinds = full && (op.kind === 'write' || op.kind === 'writeback' || op.kind === 'readahead' || op.kind === 'fault-read' || op.kind === 'fault-write' || op.kind === 'truncate' || op.kind === 'punch');
      if (folioKinds && op.lengthBytes > 0) {
        const [start, end] = op.kind === 'truncate' ? [Math.floor(op.offset / ctx.pageSizeBytes) * ctx.pageSizeBytes, Math.ceil((op.offset + op.lengthBytes) / ctx.pageSizeBytes) * ctx.pageSizeBytes] : pageAlignedRange(op, ctx.pageSizeBytes);
        const walk = pageByPage('folio', op.file, FOLIO, start, end, ctx.pageSizeBytes);
        const out: Step[] = [];
        for (let i = 0; i < whole.head.length; i++) out.push(whole.head[i]);
        for (let i = 0; i < walk.length; i++) out.push(walk[i]);
        for (let i = 0; i < whole.tail.length; i++) out.push(whole.tail[i]);
        return out;
      }
      return whole.plan;
    },
  };
}
