/**
 * Turns kernel events (already split into pid, time, event name and body) into Ops, whatever the
 * text format they came from (ftrace `trace`, trace-cmd report). The rules are those of
 * trace-formats.md §2 and §7: one syscall enter/exit pair is one op; filesystem events inside it
 * only name its inode and mark it direct; faults are episodes of several events; a fault inside a
 * syscall is that syscall's child; lock events are kept as observed locks.
 */
import { ContentionTracker } from './contention.js';
import { FileIdentity } from './file-identity.js';
import { type ObservedLock, type Op, type OpKind, PAGE_SIZE_BYTES, fileKey } from '../model/op.js';
import { ReorderQueue } from '../util/reorder-queue.js';
import type { BadLines, LineCounter } from './accounting.js';
import { durationProblem, MAX_EXACT_BYTES, opProblem } from './limits.js';
import type { Selection, SelectingSink } from './selection.js';
import { devOf, numAfter, numberAt, numberEnd, rangeAfter, wordAfter } from './fields.js';
import { SyscallPhase } from './ftrace-prefix.js';
import { utf8FromLatin1 } from './lines.js';
import { keep } from '../util/strings.js';

export interface KernelEvent {
  pid: number;
  tgid: number;
  comm: string;
  tsNs: number;
  event: string;
  phase: SyscallPhase;
  body: string;
}

export interface OpSink {
  op(op: Op): void;
  lock(lock: ObservedLock): void;
}

export interface BuilderOptions extends Selection {
  /** keep xfs_ilock/mmap_lock events as observed locks (default true) */
  keepLocks?: boolean;
  /** keep the kernel's lock waits (contention records; default: as keepLocks) */
  keepContention?: boolean;
}

/** Notes on how ops were resolved (the kept ops are counted by the SelectingSink). */
export interface BuildStats {
  /** ops whose file came from an earlier syscall on the same fd, or not at all */
  fdResolvedFromHistory: number;
  /** ops whose file came from the recorder's scan of the process's open files */
  fdResolvedFromScan: number;
  /** provisional keys (fd:TGID:FD, NAME:INO) of released ops → the file the trace later identified */
  fileAliases: Record<string, string>;
  unresolvedFiles: number;
  /** DIO ops seen only as iomap events, whose direction the trace does not say */
  dioDirectionUnknown: number;
  /** syscalls released before their exit to keep memory bounded */
  releasedEarly: number;
  firstTsNs: number;
  lastTsNs: number;
}

const enum Strength {
  None = 0,
  Weak = 1,
  Strong = 2,
}

const enum FaultState {
  None = 0,
  /** fault-around (map_pages) seen before any fault event */
  Pre = 1,
  /** a filesystem or filemap fault event seen */
  Fault = 2,
  /** map_pages after the fault: the retried fault mapped the page */
  Post = 3,
}

const enum PKind {
  Syscall = 0,
  Fault = 1,
  FsOp = 2,
  Lock = 3,
}

interface Pending {
  pk: PKind;
  seq: number;
  tsNs: number;
  lastNs: number;
  pid: number;
  comm: string;
  proc: string;
  file: string;
  fileStrength: Strength;
  kind: OpKind | undefined;
  offset: number;
  length: number;
  durNs: number;
  line: number;
  nLines: number;
  parent: Pending | undefined;
  id: number;
  // syscall
  sys: string;
  fd: number;
  count: number;
  dio: boolean;
  eventOffset: number;
  eventLength: number;
  // fault episode
  fstate: FaultState;
  write: boolean;
  sawFsFault: boolean;
  sawFilemapFault: boolean;
  exactPage: boolean;
  /** the episode began at page_fault_user: every fault event until the next one belongs to it */
  bounded: boolean;
  // fs-event op (no syscall events)
  endOffset: number;
  event: string;
}

interface LockRec {
  pk: PKind.Lock;
  lock: ObservedLock;
  /** lines accounted when the record is released */
  nLines: number;
}

interface TaskState {
  pid: number;
  tgid: number;
  comm: string;
  mm: string;
  sys: Pending | undefined;
  fault: Pending | undefined;
  fsop: Pending | undefined;
  /** a syscall released before its exit: the exit of that name is expected and absorbed */
  earlyExit: string;
}

const SYSCALLS: ReadonlyMap<string, 'read' | 'write' | 'fallocate' | 'ftruncate' | 'truncate' | 'fsync' | 'mmap' | 'munmap'> = new Map([
  ['sys_mmap', 'mmap'], ['sys_munmap', 'munmap'],
  ['sys_read', 'read'], ['sys_pread64', 'read'], ['sys_readv', 'read'], ['sys_preadv', 'read'], ['sys_preadv2', 'read'],
  ['sys_write', 'write'], ['sys_pwrite64', 'write'], ['sys_writev', 'write'], ['sys_pwritev', 'write'], ['sys_pwritev2', 'write'],
  ['sys_fallocate', 'fallocate'], ['sys_ftruncate', 'ftruncate'], ['sys_truncate', 'truncate'],
  ['sys_fsync', 'fsync'], ['sys_fdatasync', 'fsync'],
] as const);

/** fallocate(2) mode bits */
const FALLOC_FL_PUNCH_HOLE = 0x02, FALLOC_FL_COLLAPSE_RANGE = 0x08, FALLOC_FL_ZERO_RANGE = 0x10, FALLOC_FL_INSERT_RANGE = 0x20;

/** How each event is handled. */
const enum H {
  XfsFile, IomapDioBegin, IomapDioComplete, Ext4WriteBegin, Ext4Falloc, Ext4TruncateEnter, XfsFreeSpace,
  Fsync, Ext4Writepages, IomapWriteback, WritebackSingle, DirtyFolio, PageCacheRa, IomapReadahead, GetPages,
  PageFaultUser, FilemapFault, MapPages, XfsFault, XfsFilemapFault, MmapLock, XfsIlock, XfsSetattr, Ext4Other,
  ContentionBegin, ContentionEnd,
}

const HANDLERS: ReadonlyMap<string, H> = new Map<string, H>([
  ['xfs_file_buffered_read', H.XfsFile], ['xfs_file_buffered_write', H.XfsFile], ['xfs_file_direct_read', H.XfsFile],
  ['xfs_file_direct_write', H.XfsFile], ['xfs_file_dax_read', H.XfsFile], ['xfs_file_dax_write', H.XfsFile],
  ['iomap_dio_rw_begin', H.IomapDioBegin], ['iomap_dio_complete', H.IomapDioComplete],
  ['ext4_da_write_begin', H.Ext4WriteBegin], ['ext4_write_begin', H.Ext4WriteBegin],
  ['ext4_punch_hole', H.Ext4Falloc], ['ext4_zero_range', H.Ext4Falloc], ['ext4_collapse_range', H.Ext4Falloc],
  ['ext4_insert_range', H.Ext4Falloc], ['ext4_fallocate_enter', H.Ext4Falloc],
  ['ext4_truncate_enter', H.Ext4TruncateEnter],
  ['xfs_free_file_space', H.XfsFreeSpace], ['xfs_zero_file_space', H.XfsFreeSpace],
  ['xfs_file_fsync', H.Fsync], ['ext4_sync_file_enter', H.Fsync],
  ['ext4_writepages', H.Ext4Writepages], ['iomap_writeback_folio', H.IomapWriteback], ['iomap_writepage', H.IomapWriteback],
  ['writeback_single_inode', H.WritebackSingle],
  ['writeback_dirty_folio', H.DirtyFolio], ['writeback_dirty_page', H.DirtyFolio],
  ['page_cache_sync_ra', H.PageCacheRa], ['page_cache_async_ra', H.PageCacheRa], ['iomap_readahead', H.IomapReadahead],
  ['mm_filemap_get_pages', H.GetPages],
  ['page_fault_user', H.PageFaultUser], ['mm_filemap_fault', H.FilemapFault], ['mm_filemap_map_pages', H.MapPages],
  ['xfs_read_fault', H.XfsFault], ['xfs_write_fault', H.XfsFault], ['xfs_filemap_fault', H.XfsFilemapFault],
  ['mmap_lock_start_locking', H.MmapLock], ['mmap_lock_acquire_returned', H.MmapLock], ['mmap_lock_released', H.MmapLock],
  ['xfs_ilock', H.XfsIlock], ['xfs_ilock_nowait', H.XfsIlock], ['xfs_ilock_demote', H.XfsIlock], ['xfs_iunlock', H.XfsIlock],
  ['xfs_setattr', H.XfsSetattr], ['xfs_itruncate_extents_start', H.XfsSetattr],
  ['contention_begin', H.ContentionBegin], ['contention_end', H.ContentionEnd],
  ['f2fs_write_begin', H.Ext4WriteBegin], ['f2fs_sync_file_enter', H.Fsync],
  ['f2fs_write_end', H.Ext4Other], ['f2fs_sync_file_exit', H.Ext4Other],
  ['ext4_truncate_exit', H.Ext4Other], ['ext4_writepages_result', H.Ext4Other], ['ext4_sync_file_exit', H.Ext4Other],
  ['ext4_fallocate_exit', H.Ext4Other], ['ext4_da_write_end', H.Ext4Other], ['ext4_write_end', H.Ext4Other],
]);

const FLUSH_EVERY_EVENTS = 2048;
/** a fault episode or fs-event op with no event for this long is complete */
const IDLE_CLOSE_NS = 50_000_000;
/**
 * Beyond this many buffered records, the oldest still-open syscall is released early (memory stays
 * bounded): a task blocked for the rest of the trace, or whose exit was lost, must not hold back
 * every later op.
 */
const MAX_BUFFERED = 40_000;
/** ext4 write_begin chunks of one write follow each other within this gap */
const EXT4_CHUNK_GAP_NS = 20_000;

export class OpBuilder {
  private readonly tasks = new Map<number, TaskState>();
  private readonly openTasks = new Set<TaskState>();
  private readonly heap = new ReorderQueue<Pending | LockRec>();
  private readonly fdFiles = new Map<string, string>();
  /** what the trace says about files named by a device name or only an fd */
  readonly identity = new FileIdentity();
  /** the kernel's lock waits (lock:contention_begin/end) */
  private readonly contention = new ContentionTracker();
  private readonly keepContention: boolean;
  private readonly fileSizes = new Map<string, number>();
  private readonly fineWriteback = new Set<string>();
  private seq = 0;
  private sinceFlush = 0;
  private sysHex = false;
  private readonly keepLocks: boolean;
  readonly stats: BuildStats = {
    fdResolvedFromHistory: 0, fdResolvedFromScan: 0, fileAliases: {}, unresolvedFiles: 0, dioDirectionUnknown: 0, releasedEarly: 0,
    firstTsNs: NaN, lastTsNs: NaN,
  };
  constructor(
    private readonly out: SelectingSink,
    readonly counter: LineCounter,
    private readonly badLines: BadLines,
    options: BuilderOptions = {},
  ) {
    this.keepLocks = options.keepLocks ?? true;
    this.keepContention = options.keepContention ?? this.keepLocks;
  }

  /** set by a handler when the event body is malformed (the caller reports a bad line) */
  private badReason: string | undefined;

  /**
   * Handles one event line. Every call accounts for its line, now or when its op is released,
   * except a malformed one: then it returns the reason and the caller accounts for it as bad.
   */
  handle(ev: KernelEvent, line: number): string | undefined {
    this.badReason = undefined;
    this.dispatch(ev, line);
    return this.badReason;
  }

  private dispatch(ev: KernelEvent, line: number): void {
    if (Number.isNaN(this.stats.firstTsNs)) {
      this.stats.firstTsNs = ev.tsNs;
      this.out.clock(ev.tsNs);
    }
    this.stats.lastTsNs = ev.tsNs;
    if (++this.sinceFlush >= FLUSH_EVERY_EVENTS) {
      this.sinceFlush = 0;
      this.flush(false);
    }
    if (ev.phase !== SyscallPhase.None) {
      this.onSyscall(ev, line);
      return;
    }
    const h = HANDLERS.get(ev.event);
    if (h === undefined) {
      this.counter.skip(ev.event === 'sys_enter' || ev.event === 'sys_exit' ? 'raw-syscall-event' : 'irrelevant-event');
      return;
    }
    const task = this.task(ev);
    if (h === H.FilemapFault) {
      // filemap_fault takes the mapping's invalidate_lock (XFS: MMAPLOCK) shared to fill a page
      this.contention.ilock(ev.pid, 'MMAPLOCK_SHARED', inodeKey(ev.body, 16) ?? '');
    } else if (h !== H.XfsIlock && h !== H.MmapLock && h !== H.ContentionBegin && h !== H.ContentionEnd) {
      this.contention.other(ev.pid);
    }
    switch (h) {
      case H.ContentionBegin:
        this.contention.begin(ev.pid, ev.tsNs, ev.body, line);
        return;
      case H.ContentionEnd: return this.onContentionEnd(ev);
      case H.XfsIlock: return this.onXfsIlock(ev, task, line);
      case H.MmapLock: return this.onMmapLock(ev, task, line);
      case H.PageFaultUser: return this.onPageFaultUser(ev, task, line);
      case H.MapPages:
      case H.FilemapFault:
      case H.XfsFault:
      case H.XfsFilemapFault: return this.onFaultEvent(ev, task, line, h);
      case H.DirtyFolio: return this.onDirtyFolio(ev, task);
      case H.XfsSetattr:
      case H.Ext4Other: return this.onWeak(ev, task, h === H.XfsSetattr ? 'setattr-outside-op' : 'ext4-detail-outside-op');
      case H.GetPages: return this.onGetPages(ev, task, line);
      case H.PageCacheRa:
      case H.IomapReadahead: return this.onReadahead(ev, task, line, h);
      case H.IomapWriteback:
      case H.Ext4Writepages:
      case H.WritebackSingle: return this.onWriteback(ev, task, line, h);
      case H.IomapDioComplete: return this.onDioComplete(ev, task);
      default: return this.onFileIo(ev, task, line, h);
    }
  }

  /** Releases every op still pending; call once at the end of the input. */
  finish(): void {
    for (const task of this.tasks.values()) {
      if (task.sys) {
        this.drop(task.sys, 'syscall-cut-by-trace-end');
        task.sys = undefined;
      }
      this.closeFault(task);
      this.closeFsop(task);
    }
    this.openTasks.clear();
    const unfinished = this.contention.unfinished();
    if (unfinished > 0) this.counter.skip('contention-unfinished', unfinished);
    this.flush(true);
    for (const [from, to] of this.identity.aliases()) this.stats.fileAliases[from] = to;
  }

  // ---- tasks and release order -------------------------------------------------------------

  private lastTask: TaskState | undefined;

  private task(ev: KernelEvent): TaskState {
    const last = this.lastTask;
    if (last !== undefined && last.pid === ev.pid) {
      if (ev.tgid >= 0) last.tgid = ev.tgid;
      return last;
    }
    let t = this.tasks.get(ev.pid);
    if (t === undefined) {
      t = { pid: ev.pid, tgid: ev.tgid, comm: ev.comm, mm: '', sys: undefined, fault: undefined, fsop: undefined, earlyExit: '' };
      this.tasks.set(ev.pid, t);
    } else if (ev.tgid >= 0) {
      t.tgid = ev.tgid;
    }
    this.lastTask = t;
    return t;
  }

  /** writeback events print "bdi MAJ:MIN: ino=DECIMAL", or a device name: "bdi btrfs-1: ino=257" */
  private bdiInodeKey(body: string): string | undefined | null {
    const ino = numAfter(body, 'ino=', 10);
    return Number.isNaN(ino) ? undefined : this.identity.bdiKey(body, ino);
  }

  private proc(task: TaskState): string {
    if (task.tgid >= 0) return `tgid:${task.tgid}`;
    if (task.mm !== '') return `mm:${task.mm}`;
    return `pid:${task.pid}`;
  }

  private newPending(pk: PKind, ev: KernelEvent, task: TaskState, line: number): Pending {
    this.openTasks.add(task);
    return {
      pk, seq: this.seq++, tsNs: ev.tsNs, lastNs: ev.tsNs, pid: ev.pid, comm: ev.comm, proc: this.proc(task),
      file: '', fileStrength: Strength.None, kind: undefined, offset: 0, length: 0, durNs: -1, line, nLines: 1,
      parent: undefined, id: -1, sys: '', fd: -1, count: -1, dio: false, eventOffset: NaN, eventLength: NaN,
      fstate: FaultState.None, write: false, sawFsFault: false, sawFilemapFault: false, exactPage: false, bounded: false,
      endOffset: 0, event: ev.event,
    };
  }

  /** Queues a finished op; it is released in issue order once nothing earlier can still appear. */
  private emit(p: Pending): void {
    this.heap.push(p.tsNs, p.seq, p);
  }

  private drop(p: Pending, reason: string): void {
    p.id = -2;
    this.counter.skip(reason, p.nLines);
  }

  private flush(all: boolean): void {
    let watermark = Infinity;
    if (!all) {
      // a fault episode or an fs-event op ends at the task's next event; a task that falls
      // silent would hold every later op back, so idle ones are closed here
      const idleBefore = this.stats.lastTsNs - IDLE_CLOSE_NS;
      for (const t of this.openTasks) {
        if (t.fault !== undefined && t.fault.lastNs < idleBefore && t.sys === undefined) this.closeFault(t);
        if (t.fsop !== undefined && t.fsop.lastNs < idleBefore) this.closeFsop(t);
        let open = false;
        for (const p of [t.sys, t.fault, t.fsop]) {
          if (p !== undefined) {
            open = true;
            if (p.tsNs < watermark) watermark = p.tsNs;
          }
        }
        if (!open) this.openTasks.delete(t);
      }
    }
    if (!all && this.heap.size > MAX_BUFFERED) this.giveUpOldest();
    while (this.heap.size > 0 && (all || this.heap.peekKey() < watermark)) {
      this.release(this.heap.shift() as Pending | LockRec);
    }
  }

  /** A syscall whose exit never came (lost events, or a task blocked for the whole trace). */
  private giveUpOldest(): void {
    let oldest: TaskState | undefined;
    for (const t of this.openTasks) {
      if (t.sys !== undefined && (oldest === undefined || t.sys.tsNs < (oldest.sys as Pending).tsNs)) oldest = t;
    }
    if (oldest === undefined || oldest.sys === undefined) return;
    // released without its exit: the requested length stands for the result, the duration is
    // unknown (the replay models it); the exit, if it comes, is counted as this op's line
    const p = oldest.sys;
    this.closeFault(oldest);
    oldest.sys = undefined;
    oldest.earlyExit = p.sys;
    this.stats.releasedEarly++;
    const family = SYSCALLS.get(p.sys);
    if (family === undefined) {
      this.drop(p, 'syscall-open-too-long');
    } else {
      this.completeSyscall(p, family, p.count > 0 ? p.count : 0, oldest);
      p.durNs = -1;
      this.emit(p);
    }
    this.flush(false);
  }

  private release(item: Pending | LockRec): void {
    if (item.pk === PKind.Lock) {
      const rec = item as LockRec;
      this.out.lock(rec.lock, rec.nLines);
      return;
    }
    const p = item as Pending;
    if (p.kind === undefined) {
      this.drop(p, 'no-op-kind');
      return;
    }
    const op: Op = {
      id: -1, tsNs: p.tsNs, pid: p.pid, proc: p.proc, comm: utf8FromLatin1(p.comm), file: p.file, kind: p.kind,
      offset: p.offset, lengthBytes: p.length, line: p.line,
    };
    if (p.durNs >= 0) op.durNs = p.durNs;
    if (p.parent !== undefined && p.parent.id >= 0) op.parent = p.parent.id;
    // a bad op is bad whatever the selection: it is checked before the filter
    const problem = opProblem(op);
    if (problem !== undefined) {
      p.id = -2;
      this.badLines.reportOp(p.line, `${p.event !== '' ? `${p.event}: ` : ''}${problem}`, p.nLines);
      return;
    }
    const id = this.out.op(op, p.nLines);
    p.id = id >= 0 ? id : -2;
    if (id >= 0) this.identity.noteReleased(p.file);
  }

  // ---- syscalls ----------------------------------------------------------------------------

  private onSyscall(ev: KernelEvent, line: number): void {
    const family = SYSCALLS.get(ev.event);
    if (family === undefined) {
      this.counter.skip('untracked-syscall');
      return;
    }
    const task = this.task(ev);
    if (ev.phase === SyscallPhase.Enter) {
      if (!ev.body.includes(': ')) {
        this.badReason = `${ev.event}: syscall arguments are missing or cut short`;
        return;
      }
      if (task.sys !== undefined) {
        this.closeFault(task);
        this.drop(task.sys, 'syscall-without-exit');
      }
      this.closeFault(task);
      this.closeFsop(task);
      const p = this.newPending(PKind.Syscall, ev, task, line);
      p.sys = ev.event;
      this.parseSyscallArgs(p, family, ev.body);
      task.sys = p;
      return;
    }
    const p = task.sys;
    if (p === undefined || p.sys !== ev.event) {
      if (task.earlyExit === ev.event) {
        task.earlyExit = '';
        this.counter.skip('exit-of-syscall-released-early');
        return;
      }
      this.counter.skip('syscall-exit-without-enter');
      return;
    }
    this.closeFault(task);
    task.sys = undefined;
    const badDuration = durationProblem(ev.tsNs - p.tsNs);
    if (badDuration !== undefined) {
      // this exit line is the bad one; the rest of the syscall's lines go with it
      this.drop(p, 'syscall-with-bad-exit');
      this.badReason = `${ev.event}: ${badDuration}`;
      return;
    }
    p.nLines++;
    p.durNs = ev.tsNs - p.tsNs;
    const ret = parseSyscallReturn(ev.body);
    if (Number.isNaN(ret) || ret < 0) {
      this.drop(p, 'syscall-failed');
      return;
    }
    this.completeSyscall(p, family, ret, task);
    this.emit(p);
  }

  private parseSyscallArgs(p: Pending, family: string, body: string): void {
    if (body.indexOf('0x') >= 0) this.sysHex = false;
    else if (/: [0-9]*[a-f][0-9a-f]*(,|$)/.test(body)) this.sysHex = true;
    const radix = this.sysHex ? 16 : 10;
    const arg = (name: string): number => numAfter(body, `${name}: `, radix);
    p.fd = family === 'truncate' || family === 'munmap' ? -1 : arg('fd');
    switch (family) {
      case 'mmap':
      case 'munmap':
        // the process's address space, not a file: these take mmap_lock exclusively
        p.kind = family;
        p.offset = 0;
        p.length = arg('len');
        p.fd = -1;
        break;
      case 'read':
      case 'write': {
        p.count = arg('count');
        let pos = arg('pos');
        if (Number.isNaN(pos)) pos = arg('pos_l');
        p.offset = pos;
        p.kind = family;
        break;
      }
      case 'fallocate': {
        const mode = arg('mode');
        p.offset = arg('offset');
        p.length = arg('len');
        p.kind = (mode & FALLOC_FL_PUNCH_HOLE) !== 0 ? 'punch'
          : (mode & FALLOC_FL_ZERO_RANGE) !== 0 ? 'zero-range'
          : (mode & FALLOC_FL_COLLAPSE_RANGE) !== 0 ? 'collapse-range'
          : (mode & FALLOC_FL_INSERT_RANGE) !== 0 ? 'insert-range'
          : 'fallocate';
        break;
      }
      case 'ftruncate':
      case 'truncate':
        p.offset = arg('length');
        p.kind = 'truncate';
        break;
      default:
        p.kind = 'fsync';
    }
  }

  private completeSyscall(p: Pending, family: string, ret: number, task: TaskState): void {
    // the process as the task is known now: an mm (or tgid) first seen inside the syscall names it,
    // as it names the syscall's child ops and, for mmap/munmap, the file
    p.proc = this.proc(task);
    if (family === 'mmap' || family === 'munmap') {
      p.file = this.proc(task);
      if (Number.isNaN(p.length)) p.length = 0;
      return;
    }
    const tgid = task.tgid >= 0 ? task.tgid : task.pid;
    const fdKey = `${tgid}:${p.fd}`;
    // the recorder's scan says what the fd is: it wins over a weak event inside the syscall, which
    // can name another inode (btrfs's metadata inode in a punch, a page of another file)
    if (p.fileStrength <= Strength.Weak && p.fd >= 0) {
      const scanned = this.identity.scannedFd(tgid, p.fd);
      if (scanned !== undefined && scanned !== p.file) {
        if (p.file === '') this.stats.fdResolvedFromScan++;
        p.file = scanned;
        p.fileStrength = Strength.Strong;
      }
    }
    if (p.file === '') {
      const known = p.fd >= 0 ? this.fdFiles.get(fdKey) : undefined;
      if (known !== undefined) {
        p.file = known;
        this.stats.fdResolvedFromHistory++;
      } else {
        p.file = `fd:${tgid}:${p.fd}`;
        this.stats.unresolvedFiles++;
      }
    } else if (p.fd >= 0) {
      this.fdFiles.set(fdKey, p.file);
      this.identity.learn(`fd:${tgid}:${p.fd}`, p.file);
    }
    if (family === 'read' || family === 'write') {
      if (p.dio) p.kind = family === 'read' ? 'dio-read' : 'dio-write';
      if (Number.isNaN(p.offset)) p.offset = Number.isNaN(p.eventOffset) ? 0 : p.eventOffset;
      p.length = ret > 0 ? ret : p.count > 0 ? p.count : Number.isNaN(p.eventLength) ? 0 : p.eventLength;
      if (family === 'write' && ret > 0) this.growSize(p.file, p.offset + ret);
    } else if (p.kind === 'truncate') {
      if (Number.isNaN(p.offset)) p.offset = 0;
      const size = this.fileSizes.get(p.file) ?? 0;
      p.length = size > p.offset ? size - p.offset : 0;
      this.fileSizes.set(p.file, p.offset);
    } else if (p.kind === 'fsync') {
      p.offset = 0;
      p.length = 0;
    } else {
      if (Number.isNaN(p.offset)) p.offset = 0;
      if (Number.isNaN(p.length)) p.length = 0;
      if (p.kind === 'fallocate') this.growSize(p.file, p.offset + p.length);
    }
  }

  private growSize(file: string, endBytes: number): void {
    // an op beyond the supported range is refused when released: it must not size the file either
    if (endBytes > MAX_EXACT_BYTES || !Number.isFinite(endBytes)) return;
    if (endBytes > (this.fileSizes.get(file) ?? 0)) this.fileSizes.set(file, endBytes);
  }

  /** Inside a syscall: an event names the syscall's inode (strong events win over weak ones). */
  private resolve(p: Pending, file: string | undefined, strength: Strength): void {
    if (file !== undefined && strength > p.fileStrength) {
      p.file = file;
      p.fileStrength = strength;
    }
  }

  // ---- file IO events ----------------------------------------------------------------------

  private onFileIo(ev: KernelEvent, task: TaskState, line: number, h: H): void {
    const file = inodeKey(ev.body, isDecimalFs(ev.event) ? 10 : 16);
    if (file === undefined) {
      this.badReason = `${ev.event}: no device and inode in the event body`;
      return;
    }
    const body = ev.body;
    const sys = task.sys;
    if (sys !== undefined) {
      // inside a syscall: this event names the inode, gives a position, or marks it direct
      sys.nLines++;
      this.resolve(sys, file, Strength.Strong);
      if (h === H.IomapDioBegin || ev.event === 'xfs_file_direct_read' || ev.event === 'xfs_file_direct_write') sys.dio = true;
      if (Number.isNaN(sys.eventOffset)) {
        const pos = h === H.IomapDioBegin ? numAfter(body, 'offset ', 16) : h === H.Ext4WriteBegin ? field(body, 'pos') : h === H.XfsFile ? numAfter(body, 'pos ', 16) : NaN;
        if (!Number.isNaN(pos)) sys.eventOffset = pos;
      }
      return;
    }
    this.closeFault(task);
    const fs = task.fsop;
    // continuation of an op that started with an earlier event of this task
    if (fs !== undefined && fs.file === file) {
      if (h === H.IomapDioBegin && (fs.kind === 'dio-read' || fs.kind === 'dio-write') && fs.durNs < 0) {
        fs.nLines++;
        fs.lastNs = ev.tsNs;
        return;
      }
      if (h === H.Ext4WriteBegin && fs.kind === 'write' && fs.event === ev.event && ev.tsNs - fs.lastNs <= EXT4_CHUNK_GAP_NS) {
        const pos = field(body, 'pos');
        const len = field(body, 'len');
        // the next page of the same write, or ext4 retrying a short copy at the same position
        if (pos === fs.endOffset && fs.endOffset % PAGE_SIZE_BYTES === 0 || pos === fs.eventOffset) {
          fs.nLines++;
          fs.lastNs = ev.tsNs;
          fs.eventOffset = pos;
          if (pos + len > fs.endOffset) fs.endOffset = pos + len;
          fs.length = fs.endOffset - fs.offset;
          return;
        }
      }
    }
    this.closeFsop(task);
    const p = this.newPending(PKind.FsOp, ev, task, line);
    p.file = file;
    switch (h) {
      case H.XfsFile: {
        const e = ev.event;
        p.kind = e.endsWith('_read') ? (e.includes('direct') ? 'dio-read' : 'read') : e.includes('direct') ? 'dio-write' : 'write';
        p.offset = numAfter(body, 'pos ', 16);
        p.length = numAfter(body, 'bytecount ', 16);
        if (Number.isNaN(p.offset)) {
          p.offset = numAfter(body, 'offset ', 16);
          p.length = numAfter(body, 'count ', 16);
        }
        break;
      }
      case H.IomapDioBegin:
        p.kind = 'dio-write';
        this.stats.dioDirectionUnknown++;
        p.offset = numAfter(body, 'offset ', 16);
        p.length = numAfter(body, 'length ', 16);
        break;
      case H.Ext4WriteBegin:
        p.kind = 'write';
        p.offset = field(body, 'pos');
        p.length = field(body, 'len');
        p.eventOffset = p.offset;
        p.endOffset = p.offset + p.length;
        break;
      case H.Ext4Falloc: {
        p.offset = numAfter(body, 'offset ', 10);
        p.length = numAfter(body, 'len ', 10);
        const e = ev.event;
        const mode = wordAfter(body, 'mode ');
        p.kind = e === 'ext4_punch_hole' ? 'punch' : e === 'ext4_zero_range' ? 'zero-range' : e === 'ext4_collapse_range' ? 'collapse-range'
          : e === 'ext4_insert_range' ? 'insert-range'
          : mode.includes('PUNCH_HOLE') ? 'punch' : mode.includes('ZERO_RANGE') ? 'zero-range' : mode.includes('COLLAPSE_RANGE') ? 'collapse-range'
          : mode.includes('INSERT_RANGE') ? 'insert-range' : 'fallocate';
        break;
      }
      case H.Ext4TruncateEnter:
        // ext4 does not print the new size: the range is unknown, so the op covers the whole file
        p.kind = 'truncate';
        p.offset = 0;
        p.length = this.fileSizes.get(file) ?? 0;
        break;
      case H.XfsFreeSpace:
        // xfs_free_file_space carries no range
        p.kind = ev.event === 'xfs_zero_file_space' ? 'zero-range' : 'punch';
        p.offset = 0;
        p.length = 0;
        break;
      default:
        p.kind = 'fsync';
        p.offset = 0;
        p.length = 0;
    }
    if (Number.isNaN(p.offset)) p.offset = 0;
    if (Number.isNaN(p.length)) p.length = 0;
    task.fsop = p;
  }

  private onDioComplete(ev: KernelEvent, task: TaskState): void {
    if (task.sys !== undefined) {
      task.sys.nLines++;
      return;
    }
    const fs = task.fsop;
    if (fs !== undefined && (fs.kind === 'dio-read' || fs.kind === 'dio-write') && fs.durNs < 0) {
      fs.nLines++;
      fs.durNs = ev.tsNs - fs.tsNs;
      this.closeFsop(task);
      return;
    }
    this.counter.skip('dio-complete-without-begin');
  }

  private closeFsop(task: TaskState): void {
    if (task.fsop !== undefined) {
      this.emit(task.fsop);
      task.fsop = undefined;
    }
  }

  /** Events that only say which inode a syscall works on. */
  private onWeak(ev: KernelEvent, task: TaskState, reasonOutside: string): void {
    const sys = task.sys;
    if (sys !== undefined) {
      sys.nLines++;
      if (sys.fileStrength < Strength.Weak) this.resolve(sys, inodeKey(ev.body, isDecimalFs(ev.event) ? 10 : 16), Strength.Weak);
      return;
    }
    if (task.fsop !== undefined) {
      task.fsop.nLines++;
      return;
    }
    this.counter.skip(reasonOutside);
  }

  private onDirtyFolio(ev: KernelEvent, task: TaskState): void {
    const owner = task.sys ?? task.fault ?? task.fsop;
    if (owner === undefined) {
      this.counter.skip('dirty-folio-outside-op');
      return;
    }
    owner.nLines++;
    if (owner === task.fault) owner.lastNs = ev.tsNs;
    if (owner === task.sys && owner.fileStrength < Strength.Weak) this.resolve(owner, this.bdiInodeKey(ev.body) ?? undefined, Strength.Weak);
  }

  private onGetPages(ev: KernelEvent, task: TaskState, line: number): void {
    const file = inodeKey(ev.body, 16);
    const range = rangeAfter(ev.body, 'ofs=');
    const sys = task.sys;
    if (sys !== undefined) {
      sys.nLines++;
      if (sys.fileStrength < Strength.Weak) this.resolve(sys, file, Strength.Weak);
      if (range !== undefined && Number.isNaN(sys.eventOffset)) {
        sys.eventOffset = range[0];
        sys.eventLength = range[1] - range[0] + 1;
      }
      return;
    }
    const owner = task.fault ?? task.fsop;
    if (owner !== undefined && owner.file === file) {
      owner.nLines++;
      return;
    }
    if (file === undefined || range === undefined) {
      this.badReason = `${ev.event}: no device and inode in the event body`;
      return;
    }
    this.closeFault(task);
    this.closeFsop(task);
    const p = this.newPending(PKind.FsOp, ev, task, line);
    p.file = file;
    p.kind = 'read';
    p.offset = range[0];
    p.length = range[1] - range[0] + 1;
    task.fsop = p;
  }

  private onReadahead(ev: KernelEvent, task: TaskState, line: number, h: H): void {
    const sys = task.sys;
    const owner = sys ?? task.fault ?? task.fsop;
    if (owner !== undefined && (owner === sys || owner.pk === PKind.Fault || owner.kind === 'readahead' || owner.kind === 'read')) {
      owner.nLines++;
      if (owner === sys && sys.fileStrength < Strength.Weak) this.resolve(sys, inodeKey(ev.body, 16), Strength.Weak);
      return;
    }
    if (h === H.IomapReadahead) {
      this.counter.skip('readahead-without-range');
      return;
    }
    const file = inodeKey(ev.body, 16);
    const index = numAfter(ev.body, 'index=', 10);
    if (file === undefined || Number.isNaN(index)) {
      this.badReason = `${ev.event}: no device and inode in the event body`;
      return;
    }
    this.closeFsop(task);
    const p = this.newPending(PKind.FsOp, ev, task, line);
    p.file = file;
    p.kind = 'readahead';
    p.offset = index * PAGE_SIZE_BYTES;
    const pages = numAfter(ev.body, 'req_count=', 10);
    p.length = (Number.isNaN(pages) || pages <= 0 ? 1 : pages) * PAGE_SIZE_BYTES;
    task.fsop = p;
  }

  private onWriteback(ev: KernelEvent, task: TaskState, line: number, h: H): void {
    const body = ev.body;
    const key = h === H.WritebackSingle ? this.bdiInodeKey(body) : inodeKey(body, h === H.Ext4Writepages ? 10 : 16);
    if (key === null) {
      // the filesystem writing back its own metadata: no file's data
      if (task.sys !== undefined) task.sys.nLines++;
      else this.counter.skip('filesystem-metadata');
      return;
    }
    const file = key;
    if (file === undefined && body.includes('(unknown)')) {
      // writeback of a device without a name (e.g. "bdi (unknown)"): not a file we can key
      this.counter.skip('writeback-unknown-bdi');
      return;
    }
    if (file === undefined) {
      this.badReason = `${ev.event}: no device and inode in the event body`;
      return;
    }
    if (h === H.Ext4Writepages) {
      const start = numAfter(body, 'range_start ', 10);
      const end = numAfter(body, 'range_end ', 10);
      if (end < start) {
        this.badReason = `${ev.event}: range_end ${end} is before range_start ${start}`;
        return;
      }
    }
    const sys = task.sys;
    if (h === H.WritebackSingle) {
      // a summary printed after the inode was written: an op only when nothing finer was traced
      if (this.fineWriteback.has(file) || numAfter(body, 'wrote=', 10) === 0) {
        if (sys !== undefined) sys.nLines++;
        else this.counter.skip('writeback-summary');
        return;
      }
    } else {
      this.fineWriteback.add(file);
    }
    if (sys !== undefined && sys.kind === 'fsync' && (sys.file === file || sys.file === '')) {
      sys.nLines++;
      this.resolve(sys, file, Strength.Weak);
      return;
    }
    if (sys === undefined) {
      this.closeFault(task);
      this.closeFsop(task);
    }
    const p = this.newPending(PKind.FsOp, ev, task, line);
    p.file = file;
    p.kind = 'writeback';
    if (h === H.IomapWriteback) {
      p.offset = numAfter(body, 'offset ', 16);
      p.length = numAfter(body, 'length ', 16);
    } else if (h === H.Ext4Writepages) {
      const start = numAfter(body, 'range_start ', 10);
      const end = numAfter(body, 'range_end ', 10);
      const size = this.fileSizes.get(file) ?? 0;
      p.offset = Number.isNaN(start) ? 0 : start;
      // range_end is LLONG_MAX for whole-file writeback: 0 means "to EOF" when the size is unknown
      p.length = Number.isNaN(end) || end >= Number.MAX_SAFE_INTEGER ? Math.max(0, size - p.offset) : end - p.offset + 1;
    } else {
      p.offset = 0;
      p.length = 0;
    }
    if (Number.isNaN(p.offset)) p.offset = 0;
    if (Number.isNaN(p.length)) p.length = 0;
    if (sys !== undefined) {
      // writeback done inside a syscall (a direct read flushing its range first): a child op
      p.parent = sys;
      sys.nLines++;
      p.nLines = 0;
    }
    this.emit(p);
  }

  // ---- faults --------------------------------------------------------------------------------

  private onPageFaultUser(ev: KernelEvent, task: TaskState, line: number): void {
    // a user-mode fault always starts a new episode; it becomes an op only if a file event follows
    this.closeFault(task);
    this.closeFsop(task);
    const p = this.newPending(PKind.Fault, ev, task, line);
    const code = numAfter(ev.body, 'error_code=', 16);
    p.write = !Number.isNaN(code) && (code & 2) !== 0;
    p.bounded = true;
    task.fault = p;
  }

  private onFaultEvent(ev: KernelEvent, task: TaskState, line: number, h: H): void {
    const file = inodeKey(ev.body, 16);
    if (file === undefined) {
      this.badReason = `${ev.event}: no device and inode in the event body`;
      return;
    }
    let p = task.fault;
    if (p !== undefined && p.file !== '' && p.file !== file) {
      this.closeFault(task);
      p = undefined;
    }
    if (p !== undefined && !p.bounded) {
      // does this event continue the current episode? (map_pages, fs fault, filemap fault, map_pages)
      const st = p.fstate;
      const fits = h === H.MapPages ? st === FaultState.None || st === FaultState.Fault
        : h === H.FilemapFault ? st !== FaultState.Post && !p.sawFilemapFault
        : st !== FaultState.Post && !p.sawFsFault && !p.sawFilemapFault;
      if (!fits) {
        this.closeFault(task);
        p = undefined;
      }
    }
    if (p === undefined) {
      if (task.sys === undefined) this.closeFsop(task);
      p = this.newPending(PKind.Fault, ev, task, line);
      p.nLines = 0;
      task.fault = p;
    }
    p.nLines++;
    p.lastNs = ev.tsNs;
    if (p.file === '') p.file = file;
    const body = ev.body;
    switch (h) {
      case H.MapPages: {
        p.fstate = p.fstate === FaultState.None ? FaultState.Pre : FaultState.Post;
        if (!p.exactPage) {
          const r = rangeAfter(body, 'ofs=');
          if (r !== undefined && p.length === 0) {
            p.offset = r[0];
            p.length = r[1] - r[0] + 1;
          }
        }
        break;
      }
      case H.FilemapFault: {
        p.fstate = FaultState.Fault;
        p.sawFilemapFault = true;
        const ofs = numAfter(body, 'ofs=', 10);
        if (!Number.isNaN(ofs)) {
          p.offset = ofs;
          p.length = PAGE_SIZE_BYTES;
          p.exactPage = true;
        }
        break;
      }
      default:
        p.fstate = FaultState.Fault;
        p.sawFsFault = true;
        if (ev.event === 'xfs_write_fault' || (h === H.XfsFilemapFault && numAfter(body, 'write_fault ', 10) === 1)) p.write = true;
    }
  }

  /** Ends the task's fault episode: an op if it touched a file, else its lines are skipped. */
  private closeFault(task: TaskState): void {
    const p = task.fault;
    if (p === undefined) return;
    task.fault = undefined;
    if (p.file === '') {
      this.drop(p, 'fault-not-on-file');
      return;
    }
    p.kind = p.write ? 'fault-write' : 'fault-read';
    p.durNs = p.lastNs - p.tsNs;
    const sys = task.sys;
    if (sys !== undefined) p.parent = sys;
    this.emit(p);
  }

  // ---- observed locks ----------------------------------------------------------------------

  private onContentionEnd(ev: KernelEvent): void {
    const rec = this.contention.end(ev.pid, ev.comm, ev.tsNs, ev.body);
    if (rec === undefined) this.counter.skip('contention-end-without-begin');
    else if (this.keepContention) this.heap.push(ev.tsNs, this.seq++, { pk: PKind.Lock, lock: rec, nLines: 2 });
    else this.counter.skip('lock-event', 2);
  }

  private onXfsIlock(ev: KernelEvent, task: TaskState, line: number): void {
    // the latest lock call names the next wait: an xfs_ilock (which can block); an unlock or a
    // nowait call (which cannot) leaves no lock to wait for
    if (ev.event === 'xfs_ilock') this.contention.ilock(ev.pid, wordAfter(ev.body, 'flags '), inodeKey(ev.body, 16) ?? '');
    else this.contention.other(ev.pid);
    const sys = task.sys;
    // lock calls after a fault's last fault event (page_mkwrite takes MMAPLOCK after xfs_write_fault)
    // are still that fault's work: its span runs to them
    if (sys === undefined && task.fault !== undefined && task.fault.file !== '') task.fault.lastNs = ev.tsNs;
    const needFile = sys !== undefined && sys.fileStrength < Strength.Weak;
    if (!this.keepLocks) {
      if (sys !== undefined) {
        sys.nLines++;
        if (needFile) this.resolve(sys, inodeKey(ev.body, 16), Strength.Weak);
      } else {
        this.counter.skip('lock-event');
      }
      return;
    }
    const file = inodeKey(ev.body, 16);
    if (file === undefined) {
      this.badReason = `${ev.event}: no device and inode in the event body`;
      return;
    }
    if (needFile) this.resolve(sys, file, Strength.Weak);
    const lock: ObservedLock = {
      tsNs: ev.tsNs, pid: ev.pid, comm: ev.comm, target: file, event: ev.event,
      mode: keep(wordAfter(ev.body, 'flags ')), caller: keep(wordAfter(ev.body, 'caller ')), line,
    };
    this.heap.push(ev.tsNs, this.seq++, { pk: PKind.Lock, lock, nLines: 1 });
  }

  private onMmapLock(ev: KernelEvent, task: TaskState, line: number): void {
    const mm = keep(wordAfter(ev.body, 'mm='));
    if (mm !== '' && task.mm === '') task.mm = mm;
    const write = ev.body.includes('write=true');
    this.contention.mmap(ev.pid, ev.event === 'mmap_lock_start_locking' ? mm : '');
    const sys = task.sys;
    if (sys !== undefined && !write) {
      // inside a syscall, a read acquisition of mmap_lock is a user-copy fault or get_user_pages:
      // it spans one child-fault episode (kept only if a file event falls inside it)
      if (ev.event === 'mmap_lock_start_locking') {
        this.closeFault(task);
        const p = this.newPending(PKind.Fault, ev, task, line);
        p.nLines = 0; // its lines are lock events, accounted as such
        p.bounded = true;
        task.fault = p;
      } else if (ev.event === 'mmap_lock_released' && task.fault !== undefined && task.fault.bounded) {
        task.fault.lastNs = ev.tsNs;
        this.closeFault(task);
      }
    }
    if (!this.keepLocks) {
      if (sys !== undefined) sys.nLines++;
      else this.counter.skip('lock-event');
      return;
    }
    const event = ev.event === 'mmap_lock_start_locking' ? 'mmap_lock_start' : ev.event === 'mmap_lock_acquire_returned' ? 'mmap_lock_acquired' : 'mmap_lock_released';
    const lock: ObservedLock = { tsNs: ev.tsNs, pid: ev.pid, comm: ev.comm, target: `mm:${mm}`, event, mode: write ? 'write' : 'read', caller: '', line };
    this.heap.push(ev.tsNs, this.seq++, { pk: PKind.Lock, lock, nLines: 1 });
  }
}

/** "MAJ:MIN:INO" from an event body; `radix` is how the subsystem prints ino without a 0x prefix. */
export function inodeKey(body: string, radix: 10 | 16): string | undefined {
  // most events name the same few inodes: reuse the key when the body starts with the same text
  const cache = radix === 16 ? hexCache : decCache;
  if (cache.prefix !== '' && body.startsWith(cache.prefix)) {
    const c = body.charCodeAt(cache.prefix.length);
    if (!(c >= 48 && c <= 57) && !((c | 32) >= 97 && (c | 32) <= 102)) return cache.key;
  }
  const dev = devOf(body);
  if (dev === undefined) return undefined;
  let k = body.indexOf('ino');
  // skip "ino" inside other words (e.g. cgroup_ino)
  while (k > 0 && body.charCodeAt(k - 1) !== 32 && body.charCodeAt(k - 1) !== 44) k = body.indexOf('ino', k + 3);
  if (k < 0) return undefined;
  let at = k + 3;
  while (body.charCodeAt(at) === 32 || body.charCodeAt(at) === 61) at++;
  const ino = numberAt(body, at, radix);
  if (Number.isNaN(ino)) return undefined;
  const key = `${dev}:${ino}`;
  cache.prefix = body.slice(0, numberEnd(body, at));
  cache.key = key;
  return key;
}

const hexCache = { prefix: '', key: '' };
const decCache = { prefix: '', key: '' };

/** ext4 and f2fs print inodes in decimal; xfs, iomap and filemap in hex. */
function isDecimalFs(event: string): boolean {
  return event.startsWith('ext4') || event.startsWith('f2fs');
}

/** A decimal field printed "name N" (ext4), "name=N" or "name = N" (f2fs). */
function field(body: string, name: string): number {
  let k = body.indexOf(`${name} `);
  while (k > 0 && body.charCodeAt(k - 1) !== 32 && body.charCodeAt(k - 1) !== 44) k = body.indexOf(`${name} `, k + 1);
  if (k < 0) {
    const eq = numAfter(body, `${name}=`, 10);
    return eq;
  }
  let at = k + name.length;
  while (body.charCodeAt(at) === 32 || body.charCodeAt(at) === 61) at++;
  return numberAt(body, at, 10);
}


/** "0x1000", "0xfffffffffffffff2" (a negative errno), "-2", "4096" → number (negative on error). */
export function parseSyscallReturn(body: string): number {
  const s = body.trim();
  if (s.startsWith('0x') && s.length === 18 && s.charCodeAt(2) >= 56 /* '8' */) {
    const v = BigInt.asIntN(64, BigInt(s));
    return Number(v);
  }
  return numberAt(s, 0, s.startsWith('0x') ? 16 : 10);
}

export { fileKey };
