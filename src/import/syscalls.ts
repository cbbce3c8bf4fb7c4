/**
 * The syscall tracker: one enter/exit pair of a tracked syscall is one op (trace-formats.md §2).
 * The enter's arguments give the fd, position and length; events inside the syscall name its
 * file (fs-events.ts); the exit gives the result and the duration. An fd with no such event takes
 * the file of an earlier syscall on it, or the recorder's scan of the process's open files.
 */
import type { BuilderState, KernelEvent } from './builder-state.js';
import { type SyscallFamily, SYSCALLS } from './event-catalogue.js';
import { parseSyscallReturn } from './event-fields.js';
import { numAfter } from './fields.js';
import { EventFields, SyscallPhase } from './ftrace-prefix.js';
import { durationProblem, MAX_EXACT_BYTES } from './limits.js';
import { type PendingSyscall, type TaskState, NO_FD, Strength } from './pending.js';
import { SyscallArgs, syscallReturn } from './syscall-body.js';

/** fallocate(2) mode bits */
const FALLOC_FL_PUNCH_HOLE = 0x02, FALLOC_FL_COLLAPSE_RANGE = 0x08, FALLOC_FL_ZERO_RANGE = 0x10, FALLOC_FL_INSERT_RANGE = 0x20;

/** The syscalls that begin or end an fd's lifetime: the fd they return, or the fd they close. */
const FD_LIFETIME: ReadonlyMap<string, 'open' | 'close' | 'dup'> = new Map([
  ['sys_open', 'open'], ['sys_openat', 'open'], ['sys_openat2', 'open'], ['sys_creat', 'open'], ['sys_open_by_handle_at', 'open'],
  ['sys_close', 'close'], ['sys_dup', 'dup'], ['sys_dup2', 'dup'], ['sys_dup3', 'dup'],
] as const);

/** A syscall enter or exit event. */
export function onSyscall(st: BuilderState, ev: KernelEvent, line: number): void {
  const family = SYSCALLS.get(ev.event);
  if (family === undefined) {
    const lifetime = FD_LIFETIME.get(ev.event);
    if (lifetime === undefined) st.counter.skip('untracked-syscall');
    else onFdLifetime(st, ev, lifetime);
    return;
  }
  const task = st.task(ev);
  if (ev.phase === SyscallPhase.Enter) {
    const args = argsOf(st, ev);
    if (args === undefined) {
      st.badReason = `${ev.event}: syscall arguments are missing or cut short`;
      return;
    }
    if (task.sys !== undefined) {
      st.closeFault(task);
      st.contention.settleRead(task.sys.pid, task.sys.dio);
      st.drop(task.sys, 'syscall-without-exit');
    }
    st.closeFault(task);
    st.closeFsop(task);
    const p = st.newSyscall(ev, task, line);
    parseSyscallArgs(p, family, args);
    task.sys = p;
    return;
  }
  const p = task.sys;
  if (p === undefined || p.sys !== ev.event) {
    if (task.earlyExit === ev.event) {
      task.earlyExit = '';
      st.counter.skip('exit-of-syscall-released-early');
      return;
    }
    st.counter.skip('syscall-exit-without-enter');
    return;
  }
  st.closeFault(task);
  task.sys = undefined;
  // (a read's waits at its start were i_rwsem if it was direct)
  st.contention.settleRead(p.pid, p.dio);
  const badDuration = durationProblem(ev.tsNs - p.tsNs);
  if (badDuration !== undefined) {
    // this exit line is the bad one; the rest of the syscall's lines go with it
    st.drop(p, 'syscall-with-bad-exit');
    st.badReason = `${ev.event}: ${badDuration}`;
    return;
  }
  p.nLines++;
  p.durNs = ev.tsNs - p.tsNs;
  const ret = returnOf(ev);
  if (Number.isNaN(ret) || ret < 0) {
    st.drop(p, 'syscall-failed');
    return;
  }
  completeSyscall(st, p, family, ret, task);
  st.emit(p);
}

/** the radix of a syscall's arguments: hex without a 0x prefix in some renderings (st.sysHex) */
function argRadix(st: BuilderState, body: string): 10 | 16 {
  if (body.indexOf('0x') >= 0) st.sysHex = false;
  else if (/: [0-9]*[a-f][0-9a-f]*(,|$)/.test(body)) st.sysHex = true;
  return st.sysHex ? 16 : 10;
}

/**
 * open/close/dup: an fd's lifetime (FileIdentity.closeFd/openFd). A close ends it at its enter
 * (the fd is released even when close reports an error); an open or dup starts a new one on the
 * fd it returns, and a dup's new fd is the old one's file. Each line is used, but for an exit
 * whose enter the trace does not have, a failed call's exit, and a close naming no fd.
 */
function onFdLifetime(st: BuilderState, ev: KernelEvent, lifetime: 'open' | 'close' | 'dup'): void {
  const task = st.task(ev);
  const tgid = task.tgid >= 0 ? task.tgid : task.pid;
  if (ev.phase === SyscallPhase.Enter) {
    const radix = argRadix(st, ev.body);
    if (lifetime === 'close') {
      const fd = numAfter(ev.body, 'fd: ', radix);
      if (!(fd >= 0)) {
        st.counter.skip('fd-syscall-unparsed');
        return;
      }
      st.fdFiles.delete(st.identity.closeFd(tgid, fd));
    } else if (lifetime === 'dup') {
      // dup(fildes), dup2/dup3(oldfd, newfd)
      const old = numAfter(ev.body, ev.event === 'sys_dup' ? 'fildes: ' : 'oldfd: ', radix);
      task.fdCall = { event: ev.event, oldFd: Number.isNaN(old) ? NO_FD : old };
    } else {
      task.fdCall = { event: ev.event, oldFd: NO_FD };
    }
    st.counter.use();
    return;
  }
  const call = task.fdCall;
  if (lifetime === 'close') {
    st.counter.use();
    return;
  }
  if (call === undefined || call.event !== ev.event) {
    st.counter.skip('syscall-exit-without-enter');
    return;
  }
  task.fdCall = undefined;
  const fd = parseSyscallReturn(ev.body);
  if (!(fd >= 0)) {
    st.counter.skip('syscall-failed');
    return;
  }
  // dup2(fd, fd) changes nothing
  if (call.oldFd === fd) {
    st.counter.use();
    return;
  }
  const ended = st.identity.openFd(tgid, fd);
  if (ended !== undefined) st.fdFiles.delete(ended);
  if (call.oldFd >= 0) {
    // the new fd is the old one's file: what is known of it, or its provisional key
    const oldKey = st.identity.fdKey(tgid, call.oldFd);
    const newKey = st.identity.fdKey(tgid, fd);
    const known = st.fdFiles.get(oldKey) ?? st.identity.scannedFd(tgid, call.oldFd);
    if (known !== undefined) st.fdFiles.set(newKey, known);
    st.identity.sameFile(`fd:${newKey}`, `fd:${oldKey}`);
  }
  st.counter.use();
}

/** an enter's arguments by name (NaN when absent): from the line's bytes, or from the body's text */
interface ArgSource {
  arg(name: string): number;
}

/** the body's text, searched for "NAME: " per argument in the radix the trace uses */
class TextArgs implements ArgSource {
  body = '';
  radix: 10 | 16 = 10;
  arg(name: string): number {
    return numAfter(this.body, `${name}: `, this.radix);
  }
}

const byteArgs = new SyscallArgs();
const textArgs = new TextArgs();

/** an enter's arguments, read from the line's bytes where it can; undefined when the body has none */
function argsOf(st: BuilderState, ev: KernelEvent): ArgSource | undefined {
  if (ev instanceof EventFields && byteArgs.read(ev.bytes, ev.bodyStart + ev.base, ev.bodyEnd + ev.base)) {
    // (a value printed with 0x: the text reader's test, argRadix, says the same)
    st.sysHex = false;
    return byteArgs;
  }
  const body = ev.body;
  if (!body.includes(': ')) return undefined;
  textArgs.body = body;
  textArgs.radix = argRadix(st, body);
  return textArgs;
}

/** an exit's value (NaN when it is none), read from the line's bytes where it can */
function returnOf(ev: KernelEvent): number {
  if (ev instanceof EventFields) {
    const v = syscallReturn(ev.bytes, ev.bodyStart + ev.base, ev.bodyEnd + ev.base);
    if (v !== undefined) return v;
  }
  return parseSyscallReturn(ev.body);
}

function parseSyscallArgs(p: PendingSyscall, family: SyscallFamily, args: ArgSource): void {
  p.fd = family === 'truncate' || family === 'munmap' ? NO_FD : args.arg('fd');
  switch (family) {
    case 'mmap':
    case 'munmap':
      // the process's address space, not a file: these take mmap_lock exclusively
      p.kind = family;
      p.offset = 0;
      p.length = args.arg('len');
      p.fd = NO_FD;
      break;
    case 'read':
    case 'write': {
      p.count = args.arg('count');
      let pos = args.arg('pos');
      if (Number.isNaN(pos)) pos = args.arg('pos_l');
      p.offset = pos;
      p.kind = family;
      break;
    }
    case 'fallocate': {
      const mode = args.arg('mode');
      p.offset = args.arg('offset');
      p.length = args.arg('len');
      p.kind = (mode & FALLOC_FL_PUNCH_HOLE) !== 0 ? 'punch'
        : (mode & FALLOC_FL_ZERO_RANGE) !== 0 ? 'zero-range'
        : (mode & FALLOC_FL_COLLAPSE_RANGE) !== 0 ? 'collapse-range'
        : (mode & FALLOC_FL_INSERT_RANGE) !== 0 ? 'insert-range'
        : 'fallocate';
      break;
    }
    case 'ftruncate':
    case 'truncate':
      p.offset = args.arg('length');
      p.kind = 'truncate';
      break;
    default:
      p.kind = 'fsync';
  }
}

/**
 * Settles a syscall's file, range and length once its result `ret` is known (at its exit, or
 * when released without one), and what it teaches about its fd and its file's size.
 */
export function completeSyscall(st: BuilderState, p: PendingSyscall, family: SyscallFamily, ret: number, task: TaskState): void {
  // the process as the task is known now: an mm (or tgid) first seen inside the syscall names it,
  // as it names the syscall's child ops and, for mmap/munmap, the file
  p.proc = st.proc(task);
  if (family === 'mmap' || family === 'munmap') {
    p.file = st.proc(task);
    if (Number.isNaN(p.length)) p.length = 0;
    return;
  }
  const tgid = task.tgid >= 0 ? task.tgid : task.pid;
  const fdKey = p.fd >= 0 ? st.identity.fdKey(tgid, p.fd) : `${tgid}:${p.fd}`;
  // the recorder's scan says what the fd is: it wins over a weak event inside the syscall, which
  // can name another inode (btrfs's metadata inode in a punch, a page of another file)
  if (p.fileStrength <= Strength.Weak && p.fd >= 0) {
    const scanned = st.identity.scannedFd(tgid, p.fd);
    if (scanned !== undefined && scanned !== p.file) {
      if (p.file === '') st.stats.fdResolvedFromScan++;
      p.file = scanned;
      p.fileStrength = Strength.Strong;
    }
  }
  if (p.file === '') {
    const known = p.fd >= 0 ? st.fdFiles.get(fdKey) : undefined;
    if (known !== undefined) {
      p.file = known;
      st.stats.fdResolvedFromHistory++;
    } else {
      p.file = `fd:${fdKey}`;
      st.stats.unresolvedFiles++;
    }
  } else if (p.fd >= 0) {
    st.fdFiles.set(fdKey, p.file);
    st.identity.learn(`fd:${fdKey}`, p.file);
  }
  if (family === 'read' || family === 'write') {
    if (p.dio) p.kind = family === 'read' ? 'dio-read' : 'dio-write';
    if (Number.isNaN(p.offset)) p.offset = p.eventOffset ?? 0;
    p.length = ret > 0 ? ret : p.count > 0 ? p.count : p.eventLength ?? 0;
    if (family === 'write' && ret > 0) growSize(st, p.file, p.offset + ret);
  } else if (p.kind === 'truncate') {
    if (Number.isNaN(p.offset)) p.offset = 0;
    const size = st.fileSizes.get(p.file) ?? 0;
    p.length = size > p.offset ? size - p.offset : 0;
    st.fileSizes.set(p.file, p.offset);
  } else if (p.kind === 'fsync') {
    p.offset = 0;
    p.length = 0;
  } else {
    if (Number.isNaN(p.offset)) p.offset = 0;
    if (Number.isNaN(p.length)) p.length = 0;
    if (p.kind === 'fallocate') growSize(st, p.file, p.offset + p.length);
  }
}

function growSize(st: BuilderState, file: string, endBytes: number): void {
  // an op beyond the supported range is refused when released: it must not size the file either
  if (endBytes > MAX_EXACT_BYTES || !Number.isFinite(endBytes)) return;
  if (endBytes > (st.fileSizes.get(file) ?? 0)) st.fileSizes.set(file, endBytes);
}
