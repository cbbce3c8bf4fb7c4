/**
 * Filesystem events (trace-formats.md §2 and §7). Inside a syscall they only name its inode, give
 * a position or mark it direct; outside one they are ops of their own: an fs-event op (a
 * filesystem's read, write, DIO, fallocate, truncate or fsync events with no syscall events
 * around them, continued by the task's next events on the same file), readahead, or writeback.
 */
import { PAGE_SIZE_BYTES } from '../model/op.js';
import type { BuilderState, KernelEvent } from './builder-state.js';
import { H } from './event-catalogue.js';
import { bodyInodeKey, decimalField, inodeKeyOfEvent } from './event-fields.js';
import { numAfter, rangeAfter, wordAfter } from './fields.js';
import { type PendingFsOp, type TaskState, PKind, Strength } from './pending.js';

/** ext4 write_begin chunks of one write follow each other within this gap */
const EXT4_CHUNK_GAP_NS = 20_000;

/** A DIO op begun by iomap_dio_rw_begin whose iomap_dio_complete has not come yet. */
function awaitingDioComplete(fs: PendingFsOp): boolean {
  return (fs.kind === 'dio-read' || fs.kind === 'dio-write') && fs.durNs === undefined;
}

/** A filesystem read, write, DIO, fallocate, truncate or fsync event: names a syscall's file, or is (or continues) an fs-event op. */
export function onFileIo(st: BuilderState, ev: KernelEvent, task: TaskState, line: number, h: H): void {
  const file = inodeKeyOfEvent(ev);
  if (file === undefined) {
    st.badReason = `${ev.event}: no device and inode in the event body`;
    return;
  }
  const body = ev.body;
  const sys = task.sys;
  if (sys !== undefined) {
    // inside a syscall: this event names the inode, gives a position, or marks it direct
    sys.nLines++;
    st.resolve(sys, file, Strength.Strong);
    if (h === H.IomapDioBegin || ev.event === 'xfs_file_direct_read' || ev.event === 'xfs_file_direct_write') sys.dio = true;
    if (sys.eventOffset === undefined) {
      const pos = h === H.IomapDioBegin ? numAfter(body, 'offset ', 16) : h === H.Ext4WriteBegin ? decimalField(body, 'pos') : h === H.XfsFile ? numAfter(body, 'pos ', 16) : NaN;
      if (!Number.isNaN(pos)) sys.eventOffset = pos;
    }
    return;
  }
  st.closeFault(task);
  const fs = task.fsop;
  // continuation of an op that started with an earlier event of this task
  if (fs !== undefined && fs.file === file) {
    if (h === H.IomapDioBegin && awaitingDioComplete(fs)) {
      fs.nLines++;
      fs.lastNs = ev.tsNs;
      return;
    }
    if (h === H.Ext4WriteBegin && fs.kind === 'write' && fs.event === ev.event && ev.tsNs - fs.lastNs <= EXT4_CHUNK_GAP_NS) {
      const pos = decimalField(body, 'pos');
      const len = decimalField(body, 'len');
      // the next page of the same write, or ext4 retrying a short copy at the same position
      if (pos === fs.endOffset && fs.endOffset % PAGE_SIZE_BYTES === 0 || pos === fs.chunkOffset) {
        fs.nLines++;
        fs.lastNs = ev.tsNs;
        fs.chunkOffset = pos;
        if (pos + len > fs.endOffset) fs.endOffset = pos + len;
        fs.length = fs.endOffset - fs.offset;
        return;
      }
    }
  }
  st.closeFsop(task);
  const p = st.newFsOp(ev, task, line, file);
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
      st.stats.dioDirectionUnknown++;
      p.offset = numAfter(body, 'offset ', 16);
      p.length = numAfter(body, 'length ', 16);
      break;
    case H.Ext4WriteBegin:
      p.kind = 'write';
      p.offset = decimalField(body, 'pos');
      p.length = decimalField(body, 'len');
      p.chunkOffset = p.offset;
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
      p.length = st.fileSizes.get(file) ?? 0;
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
  if (Number.isNaN(p.offset) || Number.isNaN(p.length)) {
    // an event that always prints its range (a write's pos and len, a fallocate's offset and len)
    // without it, or with a value that is no number: a bad line, not an op at offset 0
    if (h === H.XfsFile || h === H.IomapDioBegin || h === H.Ext4WriteBegin || h === H.Ext4Falloc) {
      st.badReason = `${ev.event}: no ${Number.isNaN(p.offset) ? 'position' : 'length'} in the event body (a number was expected)`;
      return;
    }
    if (Number.isNaN(p.offset)) p.offset = 0;
    if (Number.isNaN(p.length)) p.length = 0;
  }
  task.fsop = p;
}

/** iomap_dio_complete: the end (and so the duration) of an fs-event DIO op. */
export function onDioComplete(st: BuilderState, ev: KernelEvent, task: TaskState): void {
  if (task.sys !== undefined) {
    task.sys.nLines++;
    return;
  }
  const fs = task.fsop;
  if (fs !== undefined && awaitingDioComplete(fs)) {
    fs.nLines++;
    fs.durNs = ev.tsNs - fs.tsNs;
    st.closeFsop(task);
    return;
  }
  st.counter.skip('dio-complete-without-begin');
}

/** Events that only say which inode a syscall works on. */
export function onWeak(st: BuilderState, ev: KernelEvent, task: TaskState, reasonOutside: string): void {
  const sys = task.sys;
  if (sys !== undefined) {
    sys.nLines++;
    if (sys.fileStrength < Strength.Weak) st.resolve(sys, inodeKeyOfEvent(ev), Strength.Weak);
    return;
  }
  if (task.fsop !== undefined) {
    task.fsop.nLines++;
    return;
  }
  st.counter.skip(reasonOutside);
}

/** A page dirtied: part of the task's open op, which it may name the file of. */
export function onDirtyFolio(st: BuilderState, ev: KernelEvent, task: TaskState): void {
  const owner = task.sys ?? task.fault ?? task.fsop;
  if (owner === undefined) {
    st.counter.skip('dirty-folio-outside-op');
    return;
  }
  owner.nLines++;
  if (owner === task.fault) owner.lastNs = ev.tsNs;
  const sys = task.sys;
  if (owner === sys && sys.fileStrength < Strength.Weak) st.resolve(sys, st.bdiInodeKey(ev.body) ?? undefined, Strength.Weak);
}

/** filemap_get_pages: a buffered read's range, inside a syscall or as an fs-event read op. */
export function onGetPages(st: BuilderState, ev: KernelEvent, task: TaskState, line: number): void {
  const file = bodyInodeKey(ev, 16);
  const range = rangeAfter(ev.body, 'ofs=');
  const sys = task.sys;
  if (sys !== undefined) {
    sys.nLines++;
    if (sys.fileStrength < Strength.Weak) st.resolve(sys, file, Strength.Weak);
    if (range !== undefined && sys.eventOffset === undefined) {
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
    st.badReason = `${ev.event}: no device and inode in the event body`;
    return;
  }
  st.closeFault(task);
  st.closeFsop(task);
  const p = st.newFsOp(ev, task, line, file);
  p.kind = 'read';
  p.offset = range[0];
  p.length = range[1] - range[0] + 1;
  task.fsop = p;
}

/** Readahead: part of the read or fault that triggered it, else an op of its own. */
export function onReadahead(st: BuilderState, ev: KernelEvent, task: TaskState, line: number, h: H): void {
  const sys = task.sys;
  const owner = sys ?? task.fault ?? task.fsop;
  if (owner !== undefined && (owner === sys || owner.pk === PKind.Fault || owner.kind === 'readahead' || owner.kind === 'read')) {
    owner.nLines++;
    if (owner === sys && sys.fileStrength < Strength.Weak) st.resolve(sys, bodyInodeKey(ev, 16), Strength.Weak);
    return;
  }
  if (h === H.IomapReadahead) {
    st.counter.skip('readahead-without-range');
    return;
  }
  const file = bodyInodeKey(ev, 16);
  const index = numAfter(ev.body, 'index=', 10);
  if (file === undefined || Number.isNaN(index)) {
    st.badReason = `${ev.event}: no device and inode in the event body`;
    return;
  }
  st.closeFsop(task);
  const p = st.newFsOp(ev, task, line, file);
  p.kind = 'readahead';
  p.offset = index * PAGE_SIZE_BYTES;
  const pages = numAfter(ev.body, 'req_count=', 10);
  p.length = (Number.isNaN(pages) || pages <= 0 ? 1 : pages) * PAGE_SIZE_BYTES;
  task.fsop = p;
}

/** Writeback of a file's range (or a whole inode): an op, a child of the syscall that caused it. */
export function onWriteback(st: BuilderState, ev: KernelEvent, task: TaskState, line: number, h: H): void {
  const body = ev.body;
  const key = h === H.WritebackSingle ? st.bdiInodeKey(body) : bodyInodeKey(ev, h === H.Ext4Writepages ? 10 : 16);
  if (key === null) {
    // the filesystem writing back its own metadata: no file's data
    if (task.sys !== undefined) task.sys.nLines++;
    else st.counter.skip('filesystem-metadata');
    return;
  }
  const file = key;
  if (file === undefined && body.includes('(unknown)')) {
    // writeback of a device without a name (e.g. "bdi (unknown)"): not a file we can key
    st.counter.skip('writeback-unknown-bdi');
    return;
  }
  if (file === undefined) {
    st.badReason = `${ev.event}: no device and inode in the event body`;
    return;
  }
  if (h === H.Ext4Writepages) {
    const start = numAfter(body, 'range_start ', 10);
    const end = numAfter(body, 'range_end ', 10);
    if (end < start) {
      st.badReason = `${ev.event}: range_end ${end} is before range_start ${start}`;
      return;
    }
  }
  const sys = task.sys;
  if (h === H.WritebackSingle) {
    // a summary printed after the inode was written: an op only when nothing finer was traced
    if (st.fineWriteback.has(file) || numAfter(body, 'wrote=', 10) === 0) {
      if (sys !== undefined) sys.nLines++;
      else st.counter.skip('writeback-summary');
      return;
    }
  } else {
    st.fineWriteback.add(file);
  }
  if (sys !== undefined && sys.kind === 'fsync' && (sys.file === file || sys.file === '')) {
    sys.nLines++;
    st.resolve(sys, file, Strength.Weak);
    return;
  }
  if (sys === undefined) {
    st.closeFault(task);
    st.closeFsop(task);
  }
  const p = st.newFsOp(ev, task, line, file);
  p.kind = 'writeback';
  if (h === H.IomapWriteback) {
    p.offset = numAfter(body, 'offset ', 16);
    p.length = numAfter(body, 'length ', 16);
  } else if (h === H.Ext4Writepages) {
    const start = numAfter(body, 'range_start ', 10);
    const end = numAfter(body, 'range_end ', 10);
    const size = st.fileSizes.get(file) ?? 0;
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
  st.emit(p);
}

/**
 * btrfs_get_extent ("FSID: root=5(FS_TREE) ino=272 start=0 len=…"): btrfs looked up the extents
 * of an inode; btrfs_sync_file ("FSID: root=5(FS_TREE) ino=272 parent=256 datasync=0"): it syncs
 * one. Inside a syscall either names the syscall's inode: a punch, a zero-range or a truncate on
 * btrfs has no other inode event, and without it an fd opened just for them (fio's
 * `openfiles=1`) stays unidentified. Elsewhere it is part of the task's open fault or fs-event op.
 */
export function onBtrfsExtent(st: BuilderState, ev: KernelEvent, task: TaskState): void {
  const sys = task.sys;
  const fault = task.fault;
  // a fault inside the syscall (its user buffer is a mapping of another file) looks up that
  // file's extents, not the syscall's: between the read acquisition of mmap_lock and its release,
  // or, where the trace has no mmap_lock events (the recorder's no-locks preset), a lookup of the
  // inode the fault's own event named
  if (sys !== undefined) {
    const key = st.identity.btrfsKey(ev.body) ?? undefined;
    if (fault !== undefined && (fault.bounded || sameInodeNumber(fault.file, key))) {
      fault.nLines++;
      return;
    }
    sys.nLines++;
    // (a syscall an iomap event already named: the pair ties the filesystem's id to its device)
    if (key !== undefined && sys.file !== '') st.identity.pairBtrfs(sys.file, key, st.line);
    if (sys.fileStrength < Strength.Weak) st.resolve(sys, key, Strength.Weak);
    return;
  }
  const owner = task.fault ?? task.fsop;
  if (owner !== undefined) {
    owner.nLines++;
    return;
  }
  st.counter.skip('btrfs-extent-outside-op');
}

/** two keys end in one inode number ("0:40:400", "FSID:400") */
function sameInodeNumber(a: string, b: string | undefined): boolean {
  if (a === '' || b === undefined) return false;
  return a.slice(a.lastIndexOf(':') + 1) === b.slice(b.lastIndexOf(':') + 1);
}
