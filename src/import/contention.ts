/**
 * The kernel's own lock waits: `lock:contention_begin` / `lock:contention_end` (Linux 5.19+) mark
 * every contended acquisition of a sleeping lock or spinlock on the waiting task:
 *
 *   contention_begin: 000000008abe1a57 (flags=WRITE)      READ / WRITE (rwsem), MUTEX, SPIN, ...
 *   contention_end: 000000008abe1a57 (ret=0)
 *
 * The span begin → end is the wait the kernel really had. Which lock it was comes from what the same
 * task did just before: an `xfs_ilock` call (IOLOCK, MMAPLOCK or ILOCK by its flags; a call that
 * takes several is settled by the lock address, once an unambiguous call named it), a
 * `mmap_lock_start_locking` not yet acquired (mmap_lock), an `mm_filemap_fault` (the mapping's
 * invalidate_lock, which is XFS's MMAPLOCK since Linux 5.15: class MMAPLOCK); a SPIN wait is a
 * spinlock (an rwsem's or mutex's own wait_lock inside its slow path, too).
 *
 * Without xfs_ilock events (ext4, btrfs), the inode's i_rwsem (the lock XFS calls IOLOCK, class
 * IOLOCK) by where the wait is: a plain rwsem wait (READ or WRITE, nothing else) in a read or write
 * syscall before any filesystem event of it, on the first lock the syscall waits for there, is
 * i_rwsem, which ext4 and btrfs take first thing for a write and a direct read (a buffered read
 * takes none, though it may wait for the invalidate_lock before its first event: a read's waits
 * are settled when it ends, as direct or not); later plain waits inside a syscall on an address so
 * classed are i_rwsem too (a punch's, an fsync's), and so is one that such a wait names while it
 * still waits (a punch that waited first, a write queued behind it). Anything else is `unknown`,
 * with its flags.
 */
import type { ObservedLock } from '../model/op.js';

/** where in a syscall a task's wait is, for telling i_rwsem without xfs_ilock */
export const enum InodeLockPlace {
  /** not in a syscall */
  None = 0,
  /** in a write (or a read known to be direct), before any filesystem event of it */
  ReadWriteStart = 1,
  /** elsewhere in a syscall */
  Syscall = 2,
  /**
   * in a read, before any filesystem event of it: i_rwsem if the read is direct, which its exit
   * tells (settleRead); a buffered read takes none (filemap_update_page takes the invalidate lock
   * shared before mm_filemap_get_pages)
   */
  ReadStart = 3,
}

/** the lock classes of an observed wait */
export type WaitClass = 'IOLOCK' | 'MMAPLOCK' | 'ILOCK' | 'mmap_lock' | 'spinlock' | 'unknown';

interface Open {
  addr: string;
  flags: string;
  tsNs: number;
  line: number;
  spinNs: number;
  cls: WaitClass;
  target: string;
  /**
   * a plain rwsem wait inside a syscall, unknown when it began: i_rwsem if a read's or write's wait
   * names its address i_rwsem before it ends (a punch that waits first, a write queued behind it)
   */
  inodeLockLater: boolean;
  /** a wait at a read's start: IOLOCK until the read turns out buffered (settleRead) */
  readStart: boolean;
}

interface TaskContext {
  /** the flags and inode of the task's last xfs_ilock call, while nothing else happened since */
  ilockFlags: string;
  ilockTarget: string;
  /** when the task's latest lock call (or its latest wait's end) was: a wait's spin before it slept started there */
  callNs: number;
  /** the mm whose mmap_lock the task started to take and has not got yet */
  mmapPending: string;
  /**
   * the task's waits begun and not yet ended, by lock address (the latest last): a hostile trace can
   * begin thousands on one task, and a search of one list for each end's address took quadratic time
   */
  open: Map<string, Open[]>;
  /** the records of the task's ended waits at its read's start, and their lock addresses, until settleRead */
  readWaits: ObservedLock[];
  readAddrs: string[];
  /** the lock address of the first wait at the start of the task's read or write, and when that syscall began */
  startAddr: string;
  startSyscallNs: number;
}

const XFS_CLASSES: readonly [string, WaitClass][] = [['IOLOCK', 'IOLOCK'], ['MMAPLOCK', 'MMAPLOCK'], ['ILOCK', 'ILOCK']];

export class ContentionTracker {
  private readonly tasks = new Map<number, TaskContext>();
  /** lock address → the class an unambiguous xfs_ilock call named for it */
  private readonly classOfAddr = new Map<string, WaitClass>();
  /** contention_end lines with no begin on their task */
  endsWithoutBegin = 0;
  /** the task looked up last, and its context (consecutive lines are mostly one task's: no map lookup for them) */
  private lastPid = NaN;
  private lastCtx: TaskContext | undefined;

  private ctx(pid: number): TaskContext {
    let c = this.known(pid);
    if (c === undefined) {
      this.tasks.set(pid, (c = { ilockFlags: '', ilockTarget: '', callNs: NaN, mmapPending: '', open: new Map(), readWaits: [], readAddrs: [], startAddr: '', startSyscallNs: NaN }));
      this.lastPid = pid;
      this.lastCtx = c;
    }
    return c;
  }

  /** the task's context, undefined if it has none yet (a context, once made, is kept) */
  private known(pid: number): TaskContext | undefined {
    if (pid === this.lastPid) return this.lastCtx;
    const c = this.tasks.get(pid);
    if (c !== undefined) {
      this.lastPid = pid;
      this.lastCtx = c;
    }
    return c;
  }

  /** the task calls xfs_ilock(flags) on `target` (MAJ:MIN:INO) */
  ilock(pid: number, flags: string, target: string, tsNs: number): void {
    const c = this.ctx(pid);
    c.callNs = tsNs;
    c.ilockFlags = flags;
    c.ilockTarget = target;
  }

  /**
   * the task starts (`mm` set) or has finished (`mm` empty) taking an mmap_lock; starting to take
   * it is the task's latest lock call, so an earlier xfs_ilock no longer names the next wait
   */
  mmap(pid: number, mm: string): void {
    const c = this.ctx(pid);
    c.mmapPending = mm;
    if (mm !== '') c.ilockFlags = '';
  }

  /** any other event of the task: its last xfs_ilock call is no longer what a wait would be on */
  other(pid: number): void {
    const c = this.known(pid);
    if (c !== undefined) c.ilockFlags = '';
  }

  /**
   * `place` and `syscallNs` (when the task's syscall began): where an i_rwsem wait without
   * xfs_ilock can be told (see above); its spin runs from the syscall's start, where i_rwsem is taken
   */
  begin(pid: number, tsNs: number, body: string, line: number, place = InodeLockPlace.None, syscallNs = NaN): string | undefined {
    const m = BEGIN_BODY.exec(body);
    if (m === null) return bodyProblem('contention_begin', body, 'ADDRESS (flags=FLAGS)');
    const addr = m[1];
    const flags = m[2];
    const c = this.ctx(pid);
    let cls: WaitClass = 'unknown';
    let target = `lock:${addr}`;
    const words = flags.split('|');
    // the wait's spin runs from the task's lock call (xfs_ilock, or its latest wait's end)
    let callNs = c.callNs;
    let inodeLockLater = false;
    let readStart = false;
    if (words.includes('SPIN')) {
      cls = 'spinlock';
    } else if (c.ilockFlags !== '' && (words.includes('READ') || words.includes('WRITE'))) {
      // (the inode locks are rwsems: a MUTEX wait is on another lock)
      const named = XFS_CLASSES.filter(([word]) => c.ilockFlags.includes(`${word}_`)).map(([, k]) => k);
      const known = this.classOfAddr.get(addr);
      cls = known !== undefined && named.includes(known) ? known : named[0] ?? 'unknown';
      if (named.length === 1) this.classOfAddr.set(addr, named[0]);
      if (cls !== 'unknown') target = c.ilockTarget;
    } else if (c.mmapPending !== '') {
      cls = 'mmap_lock';
      target = `mm:${c.mmapPending}`;
    } else if (place !== InodeLockPlace.None && words.length === 1 && (words[0] === 'READ' || words[0] === 'WRITE')) {
      // i_rwsem without xfs_ilock (ext4, btrfs): the lock's address stays its target
      let start = place === InodeLockPlace.ReadWriteStart || place === InodeLockPlace.ReadStart;
      // a read or write takes one i_rwsem, before any other lock: a wait on another lock after the
      // syscall's first wait is not on it (btrfs's tree locks in the inode's time update, ext4's
      // i_data_sem when it checks for an overwrite), however few events came before
      if (start && c.startSyscallNs === syscallNs && c.startAddr !== addr) start = false;
      else if (start) {
        c.startSyscallNs = syscallNs;
        c.startAddr = addr;
      }
      if (start) {
        cls = 'IOLOCK';
        // from the syscall's start, or from the end of its latest wait since (ext4 takes i_rwsem
        // shared, then again exclusive: the second spin does not run over the first wait)
        callNs = c.callNs >= syscallNs ? c.callNs : syscallNs;
        // (a read's names its lock i_rwsem once the read is known direct)
        if (place === InodeLockPlace.ReadStart) readStart = true;
        else if (!this.classOfAddr.has(addr)) this.classOfAddr.set(addr, 'IOLOCK');
      } else if (this.classOfAddr.get(addr) === 'IOLOCK') {
        cls = 'IOLOCK';
        // (no lock call in the trace to measure a spin from)
        callNs = NaN;
      } else {
        inodeLockLater = true;
      }
    }
    const spinNs = (cls === 'IOLOCK' || cls === 'MMAPLOCK') && callNs <= tsNs ? tsNs - callNs : 0;
    const waits = c.open.get(addr);
    const o: Open = { addr, flags, tsNs, line, spinNs, cls, target, inodeLockLater, readStart };
    if (waits === undefined) c.open.set(addr, [o]);
    else waits.push(o);
    return undefined;
  }

  /** why a `contention_end` body is malformed ("ADDRESS (ret=N)" is not), undefined when it is not */
  endProblem(body: string): string | undefined {
    return END_BODY.test(body) ? undefined : bodyProblem('contention_end', body, 'ADDRESS (ret=N)');
  }

  /**
   * The wait that `contention_end` closes, as an observed lock record at the end's time (its wait in
   * `waitNs`), or undefined when the task had no wait open on that address.
   */
  end(pid: number, comm: string, tsNs: number, body: string): ObservedLock | undefined {
    const c = this.known(pid);
    const addr = firstWord(body);
    const waits = c?.open.get(addr);
    const o = waits?.pop();
    if (c === undefined || waits === undefined || o === undefined) {
      this.endsWithoutBegin++;
      return undefined;
    }
    if (waits.length === 0) c.open.delete(addr);
    c.callNs = tsNs;
    // (no spin: as for a later wait on an address already named)
    const cls = o.inodeLockLater && this.classOfAddr.get(addr) === 'IOLOCK' ? 'IOLOCK' : o.cls;
    const rec: ObservedLock = { tsNs, pid, comm, target: o.target, event: 'contention', mode: o.flags, caller: cls, line: o.line, waitNs: tsNs - o.tsNs };
    if (o.spinNs > 0) rec.spinNs = o.spinNs;
    if (o.readStart) {
      c.readWaits.push(rec);
      c.readAddrs.push(addr);
    }
    return rec;
  }

  /**
   * The task's read syscall has ended (or was given up): a direct read's waits at its start were
   * i_rwsem, and name their locks so; a buffered read's were not (its record, still held in the
   * import's queue while the read was open, becomes `unknown`, without a spin).
   */
  settleRead(pid: number, direct: boolean): void {
    const c = this.known(pid);
    if (c === undefined || c.readWaits.length === 0) return;
    c.readWaits.forEach((rec, k) => {
      if (direct) {
        const addr = c.readAddrs[k];
        if (!this.classOfAddr.has(addr)) this.classOfAddr.set(addr, 'IOLOCK');
      } else {
        rec.caller = 'unknown';
        delete rec.spinNs;
      }
    });
    c.readWaits = [];
    c.readAddrs = [];
  }

  /** waits still open at the end of the trace (their begin lines) */
  unfinished(): number {
    let n = 0;
    for (const c of this.tasks.values()) for (const waits of c.open.values()) n += waits.length;
    return n;
  }
}

function firstWord(body: string): string {
  const s = body.trimStart();
  const sp = s.indexOf(' ');
  return sp < 0 ? s : s.slice(0, sp);
}

/**
 * the kernel's layouts: "%p (flags=%s)" (the flags as names joined by "|", unknown bits in hex) and
 * "%p (ret=%d)"; anything else (a body cut short: "(flags=WRITE" without its parenthesis) is a bad line
 */
const BEGIN_BODY = /^\s*(\S+) \(flags=([^()\s]*)\)\s*$/;
const END_BODY = /^\s*\S+ \(ret=-?\d+\)\s*$/;

/** what is wrong with a contention event's body, in words */
function bodyProblem(event: string, body: string, layout: string): string {
  const open = body.lastIndexOf('(');
  const cut = open >= 0 && body.indexOf(')', open) < 0;
  return `${event}: the body is not "${layout}"${cut ? ' (its parenthesis is not closed: a line cut short?)' : ''}`;
}
