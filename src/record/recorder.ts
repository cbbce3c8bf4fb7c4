/**
 * `lockreplay record`: enables the events the importer uses, runs a command (or waits), drains
 * trace_pipe into a spool file, compresses it once the workload is done, and leaves tracefs as it
 * found it, whatever happens. While the workload runs the recorder keeps off the CPUs it would take
 * from the workload: it drains only when a per-CPU ring buffer is half full (reading trace_pipe
 * makes the kernel render every event as text: on a 2-CPU machine that took nearly half a CPU, and
 * the workload's woken tasks waited for the CPU it held), and it only moves bytes when it does; the
 * per-line work and gzip come after. The traced processes' open files go into the ring buffer
 * itself, as trace_marker lines ("tracing_mark_write: lockreplay fd: TGID FD MAJ:MIN:INO"), so
 * that they stand among the events where they were seen, however late the drain.
 */
import { spawn } from 'node:child_process';
import { closeSync, constants, createWriteStream, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { release } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ExitCode, LockreplayError } from '../errors.js';
import { restore, snapshot, Tracefs, type TracefsState } from './tracefs.js';
import { refuseBufferKbAboveMemory } from './buffer-limit.js';
import { identityHeader, kernelHeader, processTree, readKernelHz, readMounts, scanOpenFiles } from './identity.js';
import { makeDirs, removeMadeDirs } from '../util/make-dirs.js';
import { outputPlace } from '../util/output.js';

/** sched events: traced only for the tasks of one comm (schedFilters), never system-wide */
export const SCHED_EVENTS = ['sched/sched_wakeup', 'sched/sched_switch'];

/**
 * The filters that keep the sched events to tasks named `comm`: wakeups of them, switches from or
 * to them. undefined when the name cannot be put in a filter.
 */
export function schedFilters(comm: string): Record<string, string> | undefined {
  if (comm === '' || /["\\\n]/.test(comm)) return undefined;
  return { 'sched/sched_wakeup': `comm == "${comm}"`, 'sched/sched_switch': `prev_comm == "${comm}" || next_comm == "${comm}"` };
}

/** the longest comm a task has: TASK_COMM_LEN - 1 bytes */
export const COMM_MAX_BYTES = 15;

/**
 * `name` as a task's comm, as the trace text has it: its UTF-8 bytes, one char per byte (latin1, as
 * the spool is read), cut to COMM_MAX_BYTES bytes (the kernel cuts it so)
 */
export function commOf(name: string): string {
  return Buffer.from(name).subarray(0, COMM_MAX_BYTES).toString('latin1');
}

/** the comm a command's tasks get: its file name, cut to COMM_MAX_BYTES bytes */
export function commOfCommand(argv0: string): string {
  return Buffer.from(basename(argv0)).subarray(0, COMM_MAX_BYTES).toString('latin1');
}

/** The events the importer understands (those this kernel lacks are skipped and listed). */
export const DEFAULT_EVENTS = [
  'xfs/xfs_file_buffered_read', 'xfs/xfs_file_buffered_write', 'xfs/xfs_file_direct_read', 'xfs/xfs_file_direct_write',
  'xfs/xfs_read_fault', 'xfs/xfs_write_fault', 'xfs/xfs_filemap_fault', 'xfs/xfs_free_file_space', 'xfs/xfs_zero_file_space',
  // every xfs inode lock event the importer and fidelity read: a trylock (nowait) and a demotion
  // (EXCL to SHARED) change who holds the lock as much as xfs_ilock does
  'xfs/xfs_ilock', 'xfs/xfs_ilock_nowait', 'xfs/xfs_ilock_demote', 'xfs/xfs_iunlock', 'xfs/xfs_setattr', 'xfs/xfs_itruncate_extents_start', 'xfs/xfs_file_fsync',
  'ext4/ext4_da_write_begin', 'ext4/ext4_write_begin', 'ext4/ext4_punch_hole', 'ext4/ext4_zero_range', 'ext4/ext4_collapse_range',
  'ext4/ext4_insert_range', 'ext4/ext4_truncate_enter', 'ext4/ext4_truncate_exit', 'ext4/ext4_writepages', 'ext4/ext4_sync_file_enter',
  'ext4/ext4_fallocate_enter',
  'filemap/mm_filemap_fault', 'filemap/mm_filemap_get_pages', 'filemap/mm_filemap_map_pages',
  'writeback/writeback_single_inode', 'writeback/writeback_dirty_folio',
  'iomap/iomap_dio_rw_begin', 'iomap/iomap_dio_complete', 'iomap/iomap_writeback_folio', 'iomap/iomap_readahead',
  'readahead/page_cache_sync_ra', 'readahead/page_cache_async_ra',
  'mmap_lock/mmap_lock_start_locking', 'mmap_lock/mmap_lock_acquire_returned', 'mmap_lock/mmap_lock_released',
  'exceptions/page_fault_user',
  // every contended acquisition of a sleeping lock or spinlock, with its wait (Linux 5.19+)
  'lock/contention_begin', 'lock/contention_end',
  // btrfs's extent lookup names the inode of a punch or truncate, which has no other inode event
  // there; its fsync event the inode of an fsync
  'btrfs/btrfs_get_extent', 'btrfs/btrfs_sync_file',
  ...['pread64', 'pwrite64', 'read', 'write', 'fallocate', 'ftruncate', 'truncate', 'fsync', 'fdatasync', 'mmap', 'munmap',
    // an fd's lifetime (the fd → file mapping comes from /proc/PID/fd, written as "# lockreplay fd:" lines)
    'openat', 'openat2', 'open', 'close', 'dup', 'dup2', 'dup3']
    .flatMap((s) => [`syscalls/sys_enter_${s}`, `syscalls/sys_exit_${s}`]),
  // the scheduler's wake-ups of the traced tasks (a wakeup and the task's next switch-in: the
  // latency fidelity replays each lock waiter's wake with), filtered by the command's comm
  ...SCHED_EVENTS,
];

export const EVENT_PRESETS: Record<string, string[]> = {
  default: DEFAULT_EVENTS,
  /** without the per-lock events: smaller traces when fidelity checks are not needed */
  'no-locks': DEFAULT_EVENTS.filter((e) => !/ilock|iunlock|mmap_lock|contention|sched/.test(e)),
};

export interface RecordOptions {
  out: string;
  events: string;
  bufferKb?: number;
  durationS?: number;
  filterComm?: string;
  command: string[];
  /** the command's standard output to standard error (record --json: stdout is the summary's alone) */
  commandStdoutToStderr?: boolean;
  /** progress and messages */
  log: (line: string) => void;
  /** what the user must know even with --json (default: log) */
  warn?: (line: string) => void;
}

export interface RecordResult {
  out: string;
  events: string[];
  missingEvents: string[];
  eventsByName: Record<string, number>;
  lines: number;
  bytes: number;
  lostEvents: number;
  command?: { argv: string[]; exitCode: number | null; signal: string | null };
  interrupted: boolean;
  durationMs: number;
  /** from tracing on to tracing off */
  tracingMs: number;
  /** CPU time this process used meanwhile (user + system): what the recording took from the workload */
  recorderCpuMs: number;
  /** drains of trace_pipe while tracing (a ring buffer half full), before the one at the end */
  drainsWhileTracing: number;
  /** --duration ran out before the command ended: the capture stopped and the command got SIGTERM */
  stoppedByDuration: boolean;
  /** the largest per-CPU ring buffer while tracing, in KB (undefined when it could not be read) */
  bufferKbPerCpu?: number;
}

const LOCK_FILE = '/run/lockreplay-record.lock';

/**
 * The signals that stop a capture and keep it: Ctrl-C, SIGTERM, and SIGHUP (the terminal closed),
 * which would otherwise end the process with tracefs still set up for the capture.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * A second stop signal while the capture is being read out or compressed (a large ring buffer can
 * take many seconds): the capture is dropped at once; tracefs is still restored.
 */
export class CaptureAbandoned extends Error {
  constructor(readonly out: string, readonly signal: NodeJS.Signals) {
    super(`${signal} again: the capture was dropped (${out} was not written; a file already there is kept); tracefs is restored`);
    this.name = 'CaptureAbandoned';
  }
}

/** the open-file scans' interval: the shortest (while files or processes change) and the longest */
export const SCAN_MIN_MS = 20;
export const SCAN_MAX_MS = 160;

/** how full the fullest per-CPU ring buffer may get before the recorder drains it while the workload runs */
export const DRAIN_AT_FILL = 0.5;

/** the longest one drain while tracing holds the process (signals are heard between drains) */
export const DRAIN_BUDGET_MS = 200;

/**
 * A preset name, a list of SYSTEM/EVENT, or "+EVENT,..." (the default preset plus these), or
 * "PRESET+EVENT,...". The preset's events this kernel lacks are skipped; named events must exist.
 * tracefs's own SYSTEM:EVENT (as set_event lists them) is SYSTEM/EVENT; an event named twice is
 * taken once; a list that names nothing is a usage error.
 */
function resolveEvents(fs: Tracefs, spec: string): { events: string[]; missing: string[] } {
  const plus = spec.indexOf('+');
  const presetName = plus < 0 ? spec : plus === 0 ? 'default' : spec.slice(0, plus);
  // (own names only: "constructor" is no preset)
  const preset = Object.hasOwn(EVENT_PRESETS, presetName) ? EVENT_PRESETS[presetName] : undefined;
  if (plus < 0 && preset !== undefined) {
    return { events: preset.filter((e) => fs.hasEvent(e)), missing: preset.filter((e) => !fs.hasEvent(e)) };
  }
  if (plus >= 0 && preset === undefined) {
    throw new LockreplayError(`--events ${spec}: "${presetName}" is not a preset (${Object.keys(EVENT_PRESETS).join(', ')})`, ExitCode.usage);
  }
  const named = (plus < 0 ? spec : spec.slice(plus + 1)).split(',').map((e) => e.trim().replace(/^([\w-]+):([\w-]+)$/, '$1/$2')).filter((e) => e !== '');
  if (named.length === 0) {
    throw new LockreplayError(`--events ${JSON.stringify(spec)} names no events: give a preset (${Object.keys(EVENT_PRESETS).join(', ')}) or SYSTEM/EVENT,...`, ExitCode.usage);
  }
  const list = [...new Set(named)];
  for (const e of list) {
    if (!/^[\w-]+\/[\w-]+$/.test(e) || !fs.hasEvent(e)) {
      throw new LockreplayError(`event "${e}" does not exist on this kernel (expected SYSTEM/EVENT, e.g. syscalls/sys_enter_pwrite64; see ${fs.path('available_events')}); presets: ${Object.keys(EVENT_PRESETS).join(', ')}`, ExitCode.unknownEvent);
    }
  }
  if (preset === undefined) return { events: list, missing: [] };
  const base = preset.filter((e) => fs.hasEvent(e));
  return { events: [...base, ...list.filter((e) => !base.includes(e))], missing: preset.filter((e) => !fs.hasEvent(e)) };
}

function claimLock(): void {
  if (existsSync(LOCK_FILE)) {
    const pid = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid > 0;
    } catch {
      alive = false;
    }
    if (alive) throw new LockreplayError(`another capture is running (lockreplay record, pid ${pid}): wait for it or stop it`, ExitCode.captureBusy);
  }
  writeFileSync(LOCK_FILE, `${process.pid}\n`);
}

function releaseLock(): void {
  try {
    if (existsSync(LOCK_FILE) && readFileSync(LOCK_FILE, 'utf8').trim() === String(process.pid)) rmSync(LOCK_FILE);
  } catch {
    // nothing to do
  }
}

/**
 * Refuses an --out that names no file, before tracefs is touched or the workload runs: "-" is not
 * standard output here (the capture is spooled beside its file and renamed there), "" is nothing.
 */
function refuseNoFile(out: string): void {
  if (out === '-') throw new LockreplayError('--out -: record cannot write to standard output (it spools beside the file and renames the capture into place): give a file name', ExitCode.usage);
  if (out.trim() === '') throw new LockreplayError('--out is empty: give a file name', ExitCode.usage);
}

/**
 * A failure to write the spool or the capture (a full disk: ENOSPC, EDQUOT, EIO) is the output's:
 * exit 6 naming the file. Errors already meant for the user pass through.
 */
function outputFailure(out: string, err: unknown): unknown {
  if (err instanceof LockreplayError || err instanceof CaptureAbandoned) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined || !/^E[A-Z]+$/.test(code)) return err;
  const why = code === 'ENOSPC' ? 'ENOSPC: no space left on the device' : code === 'EDQUOT' ? 'EDQUOT: disk quota exceeded' : code;
  return new LockreplayError(`${out}: cannot write (${why})`, ExitCode.outputFailed);
}

/**
 * Removes a temporary file if it is there. Cleaning up must not replace the error being reported:
 * `rmSync` with `force` still throws ENOTDIR where the path goes through a regular file (an --out
 * under a file failed as an internal error instead of exit 6).
 */
function removeIfThere(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // (never made: nothing to remove)
  }
}

/** `write`, with a failure to write reported as the output's (outputFailure) */
function writingTo<T>(out: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    throw outputFailure(out, err);
  }
}

/**
 * The spool's lines, through `keep` (which counts them and filters by comm), into a gzip file at
 * `tmpOut`. A write error (a full disk) rejects instead of leaving the loop waiting for a 'drain'
 * that never comes; `checkAbandoned` is asked between chunks (a second Ctrl-C stops it).
 */
async function compressSpool(spoolPath: string, tmpOut: string, keep: (text: string) => string, finish: () => string, checkAbandoned: () => void): Promise<void> {
  const spooled = openSync(spoolPath, 'r');
  const gzip = createGzip({ level: 6 });
  const file = createWriteStream(tmpOut);
  const written = pipeline(gzip, file);
  let failed = false;
  written.catch(() => (failed = true));
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n = readSync(spooled, buf, 0, buf.length, null); n > 0 && !failed; n = readSync(spooled, buf, 0, buf.length, null)) {
      const out = keep(buf.toString('latin1', 0, n));
      // let gzip take what it was given before more comes (and let a signal in meanwhile)
      // (the text is latin1, one char per byte: written back as those bytes, not re-encoded as UTF-8)
      if (out !== '' && !gzip.write(Buffer.from(out, 'latin1'))) await Promise.race([new Promise((resolve) => gzip.once('drain', resolve)), written]);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      checkAbandoned();
    }
    const last = failed ? '' : finish();
    if (last !== '') gzip.write(Buffer.from(last, 'latin1'));
    gzip.end();
    await written;
  } finally {
    closeSync(spooled);
    gzip.destroy();
    // (closed before the caller removes the temporary file: an open still under way would make it again)
    if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
  }
}

/** --buffer-kb: each CPU's ring buffer size; one the kernel cannot allocate is the user's to choose again */
export function setBufferKb(tracefs: Pick<Tracefs, 'write'>, kbPerCpu: number): void {
  try {
    tracefs.write('buffer_size_kb', String(kbPerCpu));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOMEM') throw err;
    throw new LockreplayError(`--buffer-kb ${kbPerCpu}: cannot allocate ${kbPerCpu} KB per CPU for the ring buffer (ENOMEM): choose a smaller --buffer-kb`, ExitCode.usage);
  }
}

export async function record(opts: RecordOptions): Promise<RecordResult> {
  // (a size no machine has is the user's to choose again before anything is touched)
  if (opts.bufferKb !== undefined) refuseBufferKbAboveMemory(opts.bufferKb);
  refuseNoFile(opts.out);
  if (opts.command.length === 0 && opts.durationS === undefined) {
    throw new LockreplayError('nothing to record: give a command after --, or --duration S', ExitCode.usage);
  }
  // the capture is a gzipped file made beside its place and renamed there: not a device or FIFO
  const place = outputPlace(opts.out);
  if (place.inPlace) throw new LockreplayError(`--out ${opts.out}: not a regular file (record writes a gzipped trace file and renames it into place)`, ExitCode.usage);
  const outPath = place.path;
  const filterComm = opts.filterComm === undefined ? undefined : commOf(opts.filterComm);
  // a longer name matches no task (the kernel's comm is cut): it would keep nothing
  if (filterComm !== undefined && opts.filterComm !== undefined && Buffer.byteLength(opts.filterComm) > COMM_MAX_BYTES) {
    (opts.warn ?? opts.log)(`--filter-comm ${JSON.stringify(opts.filterComm)} is longer than a task's comm (${COMM_MAX_BYTES} bytes): using ${JSON.stringify(Buffer.from(filterComm, 'latin1').toString('utf8'))}`);
  }
  const tracefs = Tracefs.open();
  const started = Date.now();
  let state: TracefsState | undefined;
  let lockClaimed = false;
  const tmpOut = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.tmp`);
  const tmpSpool = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.spool`);
  let spool: number | undefined;
  /** directories made for --out (as every output makes them, like mkdir -p), removed again on failure */
  let madeDirs: string[] = [];
  let interrupted = false;
  /** the second stop signal, once one came: reading out and compressing stop at their next step */
  let abandonedBy: NodeJS.Signals | undefined;
  let stopRequested: (() => void) | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  const childRunning = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) {
      // the user does not want to wait for the read-out: the workload goes too, whatever it ignores
      abandonedBy = signal;
      if (childRunning()) child?.kill('SIGKILL');
      return;
    }
    interrupted = true;
    if (childRunning()) child?.kill(signal);
    stopRequested?.();
  };
  const throwIfAbandoned = (): void => {
    if (abandonedBy !== undefined) throw new CaptureAbandoned(opts.out, abandonedBy);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    // the spool first, beside the output: a place that cannot be written fails before tracefs is
    // touched or the workload runs
    try {
      madeDirs = makeDirs(dirname(outPath));
      spool = openSync(tmpSpool, 'w');
    } catch (err) {
      throw new LockreplayError(`${opts.out}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, ExitCode.outputFailed);
    }
    const resolved = resolveEvents(tracefs, opts.events);
    const { missing } = resolved;
    let events = resolved.events;
    // the sched events only for the traced command's tasks (by --filter-comm, else the command's
    // name): system-wide, they would be most of a capture
    const schedComm = filterComm ?? (opts.command.length > 0 ? commOfCommand(opts.command[0]) : undefined);
    const sched = schedComm === undefined ? undefined : schedFilters(schedComm);
    if (sched === undefined && events.some((e) => SCHED_EVENTS.includes(e))) {
      events = events.filter((e) => !SCHED_EVENTS.includes(e));
      opts.log(`sched events left out: ${schedComm === undefined ? 'no command or --filter-comm names the tasks to trace them for' : `the comm ${JSON.stringify(schedComm)} cannot be put in an event filter`}`);
    }
    if (events.length === 0) throw new LockreplayError('none of the events exist on this kernel', ExitCode.unknownEvent);
    // another capture: our lock file, or someone else's tracer or events
    claimLock();
    lockClaimed = true;
    const busyEvents = tracefs.read('set_event').split('\n').filter((l) => l.trim() !== '');
    const tracer = tracefs.read('current_tracer').trim();
    if (busyEvents.length > 0 || tracer !== 'nop') {
      throw new LockreplayError(`another capture seems to be using tracefs (${tracer !== 'nop' ? `tracer ${tracer}` : `${busyEvents.length} events enabled, e.g. ${busyEvents[0]}`}): refusing to disturb it`, ExitCode.captureBusy);
    }
    state = snapshot(tracefs, events);
    // set up: stop, clear, size, our events (our own process's events are not traced)
    tracefs.write('tracing_on', '0');
    if (opts.bufferKb !== undefined) setBufferKb(tracefs, opts.bufferKb);
    tracefs.write('trace', '');
    tracefs.write('set_event', '\n');
    // each line names its process (TGID column): the importer keys fds and mmap_lock by process, and
    // the open-file scans are by process too
    if (existsSync(tracefs.path('options/record-tgid'))) tracefs.write('options/record-tgid', '1');
    for (const e of events) tracefs.append('set_event', `${e.replace('/', ':')}\n`);
    const notracePid = existsSync(tracefs.path('set_event_notrace_pid'));
    if (notracePid) tracefs.append('set_event_notrace_pid', String(process.pid));
    for (const e of events) {
      const only = sched?.[e];
      if (!notracePid) tracefs.write(`events/${e}/filter`, only === undefined ? `common_pid != ${process.pid}` : `(${only}) && common_pid != ${process.pid}`);
      else if (only !== undefined) tracefs.write(`events/${e}/filter`, only);
    }
    const cpus = tracefs.cpuCount();

    // while it runs: trace_pipe's bytes as they come into a spool file (no per-line work)
    const spoolFd = spool;
    const spoolWrite = (text: string): void => {
      writingTo(opts.out, () => writeSync(spoolFd, text, null, 'latin1'));
    };
    spoolWrite(`# tracer: nop\n#\n# lockreplay record: ${events.length} events; trace_pipe stream\n# entries-in-buffer/entries-written: 0/0   #P:${cpus}\n${kernelHeader(release(), readKernelHz())}${identityHeader()}#\n`);
    // afterwards: the spool's lines, counted (and filtered by comm), into a gzip temporary file,
    // renamed into place at the end
    const eventsByName: Record<string, number> = {};
    let lines = 0;
    let bytes = 0;
    let carry = '';
    const filter = filterComm;
    /** the spool's text, a chunk at a time: what goes into the capture (whole lines, counted) */
    const consume = (text: string): string => {
      const all = carry + text;
      const cut = all.lastIndexOf('\n');
      carry = cut < 0 ? all : all.slice(cut + 1);
      if (cut < 0) return '';
      const chunk = all.slice(0, cut + 1);
      let out = chunk;
      const kept: string[] = [];
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        const m = /^\s*(.*?)-\d+\s+(?:\([\s\d-]+\)\s+)?\[\d+\][^:]*?\d+\.\d+:\s+([\w]+)/.exec(line);
        // (the recorder's own trace_marker lines are kept: they say which file an fd is; so are the
        // sched events, filtered by the kernel already: a wakeup runs in its waker's context, a
        // switch to a task in the context of the one before it)
        if (filter !== undefined && m && m[1] !== filter && m[2] !== 'tracing_mark_write' && m[2] !== 'sched_wakeup' && m[2] !== 'sched_switch') continue;
        if (m) eventsByName[m[2]] = (eventsByName[m[2]] ?? 0) + 1;
        // (the header and the open-file comments are not trace lines)
        if (line.charCodeAt(0) !== 35) lines++;
        if (filter !== undefined) kept.push(line);
      }
      if (filter !== undefined) out = kept.length > 0 ? `${kept.join('\n')}\n` : '';
      bytes += out.length;
      return out;
    };

    const pipeFd = openSync(tracefs.path('trace_pipe'), constants.O_RDONLY | constants.O_NONBLOCK);
    const buf = Buffer.allocUnsafe(1 << 20);
    /** one read of trace_pipe into the spool, whole lines only; the bytes read (0: nothing more for now) */
    const drainOnce = (): number => {
      let n: number;
      try {
        n = readSync(pipeFd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
        throw err;
      }
      if (n <= 0) return 0;
      // whole lines only, so that an open-file scan written between two drains falls between lines
      const cut = buf.lastIndexOf(10, n - 1);
      if (cut < 0) {
        partial = Buffer.concat([partial, buf.subarray(0, n)]);
        return n;
      }
      if (partial.length > 0) {
        writingTo(opts.out, () => writeSync(spoolFd, partial));
        partial = Buffer.alloc(0);
      }
      writingTo(opts.out, () => writeSync(spoolFd, buf, 0, cut + 1));
      if (cut + 1 < n) partial = Buffer.from(buf.subarray(cut + 1, n));
      return n;
    };
    /**
     * Reads while tracing, for DRAIN_BUDGET_MS at most: a workload that traces faster than the
     * kernel renders text would otherwise keep this loop (and the process's signal handlers) busy
     * until it ends; the next look goes on where this one stopped.
     */
    const drain = (): void => {
      const until = performance.now() + DRAIN_BUDGET_MS;
      while (drainOnce() > 0 && performance.now() < until);
    };
    /**
     * The rest of the ring buffer once tracing is off, a read at a time with the event loop let in
     * between: reading out a large buffer takes seconds, and a second Ctrl-C must be heard meanwhile.
     */
    const drainRest = async (): Promise<void> => {
      while (drainOnce() > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        throwIfAbandoned();
      }
    };
    let partial = Buffer.alloc(0);

    tracefs.write('tracing_on', '1');
    const tracingFrom = performance.now();
    const cpuFrom = process.cpuUsage();
    opts.log(`recording ${events.length} events${missing.length > 0 ? ` (${missing.length} not on this kernel)` : ''}${sched !== undefined && events.some((e) => SCHED_EVENTS.includes(e)) ? ` (sched events for the tasks named ${JSON.stringify(schedComm)}; --filter-comm names others)` : ''} into ${opts.out}`);

    // the command, or the duration
    let commandResult: RecordResult['command'];
    const done = new Promise<void>((resolve, reject) => {
      stopRequested = resolve;
      // stopped while setting up: the workload is not started
      if (interrupted) {
        resolve();
        return;
      }
      if (opts.command.length > 0) {
        child = spawn(opts.command[0], opts.command.slice(1), { stdio: ['inherit', opts.commandStdoutToStderr === true ? 2 : 'inherit', 'inherit'] });
        child.on('error', (err) => {
          const code = (err as NodeJS.ErrnoException).code;
          reject(new LockreplayError(`cannot run ${opts.command[0]}: ${code === 'ENOENT' ? 'command not found' : code ?? err.message}`, code === 'ENOENT' || code === 'EACCES' ? ExitCode.commandNotFound : ExitCode.internal));
        });
        child.on('exit', (exitCode, signal) => {
          commandResult = { argv: opts.command, exitCode, signal };
          resolve();
        });
      }
    });
    // the traced command's open files (each once): into the ring buffer through trace_marker, or
    // if that cannot be written, as comments written before the events drained with them
    const seenFds = new Map<string, string>();
    const mounts = readMounts();
    let markerFd: number | undefined;
    try {
      markerFd = openSync(tracefs.path('trace_marker'), constants.O_WRONLY);
    } catch {
      markerFd = undefined;
    }
    const mark = (text: string): boolean => {
      if (markerFd === undefined) return false;
      try {
        for (const line of text.split('\n')) if (line !== '') writeSync(markerFd, line.replace(/^#\s*/, ''));
        return true;
      } catch {
        closeSync(markerFd);
        markerFd = undefined;
        return false;
      }
    };
    let lastTree = '';
    /** looks at the traced processes' open files; whether anything changed (a file, or a process) */
    const scanFds = (): boolean => {
      if (child?.pid === undefined) return false;
      const tree = processTree(child.pid);
      const text = scanOpenFiles(tree, seenFds, mounts);
      // (drained events are whole lines only at a drain's end: a scan comment goes in after a drain)
      if (text !== '' && !mark(text)) pendingScans += text;
      const treeKey = tree.join(',');
      const changed = text !== '' || treeKey !== lastTree;
      lastTree = treeKey;
      return changed;
    };
    let pendingScans = '';
    const flushScans = (): void => {
      if (pendingScans === '') return;
      spoolWrite(pendingScans);
      pendingScans = '';
    };
    // a drain when a ring buffer is half full (or scan comments wait for one): the ring buffer
    // holds the rest until the workload is done
    let drainsWhileTracing = 0;
    let lastFill = 0;
    let bufferSizes: Map<string, number> = new Map();
    try {
      bufferSizes = tracefs.bufferSizes();
    } catch {
      // unknown sizes: every look drains (fullestBuffer says 1)
    }
    /** a spool write that failed while tracing (a full disk): no more drains; reported at the end */
    let spoolFailure: unknown;
    const poll = setInterval(() => {
      if (spoolFailure !== undefined) return;
      try {
        // half full, or filling so fast that the next two looks could find it full
        const fill = tracefs.fullestBuffer(bufferSizes);
        if (pendingScans !== '' || fill >= DRAIN_AT_FILL || fill + 2 * Math.max(0, fill - lastFill) >= 1) {
          flushScans();
          drain();
          drainsWhileTracing++;
          lastFill = 0;
        } else {
          lastFill = fill;
        }
      } catch (err) {
        // (a look at the buffer that failed: the next look or the read-out at the end tries again)
        if (err instanceof LockreplayError) spoolFailure = err;
      }
    }, 50);
    // short-lived files need closer looks than the drain's: every SCAN_MIN_MS while processes or
    // their files change, and less often (up to SCAN_MAX_MS) while nothing does, since each look
    // is a few /proc reads per traced process and per open file (every 20 ms throughout took 12%
    // of a CPU from fio's seven processes)
    let scanEveryMs = SCAN_MIN_MS;
    let fdPoll: NodeJS.Timeout | undefined;
    /** tracing_on is 0 (the end, or --duration up while the command ends): no more scans */
    let tracingStopped = false;
    const scanLater = (): void => {
      fdPoll = setTimeout(() => {
        if (tracingStopped) return;
        let changed = true;
        try {
          changed = scanFds();
        } catch {
          // a process that ended meanwhile
        }
        scanEveryMs = changed ? SCAN_MIN_MS : Math.min(SCAN_MAX_MS, scanEveryMs * 2);
        scanLater();
      }, scanEveryMs);
    };
    scanLater();
    let recorderCpuMs = 0;
    let tracingMs = 0;
    const stopTracing = (): void => {
      if (tracingStopped) return;
      tracingStopped = true;
      clearTimeout(fdPoll);
      tracefs.write('tracing_on', '0');
      const cpu = process.cpuUsage(cpuFrom);
      recorderCpuMs = Math.round((cpu.user + cpu.system) / 1000);
      tracingMs = Math.round(performance.now() - tracingFrom);
    };
    let durationTimer: NodeJS.Timeout | undefined;
    const durationUp = new Promise<'duration'>((resolve) => {
      if (opts.durationS !== undefined) durationTimer = setTimeout(() => resolve('duration'), opts.durationS * 1000);
    });
    let stoppedByDuration = false;
    try {
      if ((await Promise.race([done, durationUp])) === 'duration' && childRunning()) {
        // "at most S seconds": the capture ends now; the command is asked to end, and waited for
        stoppedByDuration = true;
        stopTracing();
        opts.log(`--duration ${opts.durationS} s is up: the capture stopped; ${opts.command[0]} gets SIGTERM, waiting for it to end`);
        child?.kill('SIGTERM');
        await done;
      }
    } finally {
      // (a pending timer would keep the process alive after a command that ended sooner)
      clearTimeout(durationTimer);
      clearInterval(poll);
      stopTracing();
      if (markerFd !== undefined) closeSync(markerFd);
      try {
        if (spoolFailure !== undefined) throw spoolFailure;
        if (interrupted) opts.log('stopping: reading out what was captured (a second Ctrl-C drops it)');
        flushScans();
        await drainRest();
        if (partial.length > 0) writingTo(opts.out, () => writeSync(spoolFd, partial));
      } finally {
        closeSync(pipeFd);
      }
    }
    const lostEvents = tracefs.lostEvents();
    closeSync(spoolFd);
    spool = undefined;
    // the workload is done: count and compress
    try {
      await compressSpool(tmpSpool, tmpOut, consume, () => (carry !== '' ? consume('\n') : ''), throwIfAbandoned);
      rmSync(tmpSpool, { force: true });
      renameSync(tmpOut, outPath);
    } catch (err) {
      throw outputFailure(opts.out, err);
    }
    return { out: opts.out, events, missingEvents: missing, eventsByName, lines, bytes, lostEvents, command: commandResult, interrupted, durationMs: Date.now() - started, tracingMs, recorderCpuMs, drainsWhileTracing, stoppedByDuration, bufferKbPerCpu: bufferSizes.size > 0 ? Math.max(...bufferSizes.values()) / 1024 : undefined };
  } catch (err) {
    if (spool !== undefined) closeSync(spool);
    removeIfThere(tmpOut);
    removeIfThere(tmpSpool);
    removeMadeDirs(madeDirs);
    throw err;
  } finally {
    if (state !== undefined) restore(tracefs, state);
    if (lockClaimed) releaseLock();
    tracefs.unmountIfOurs();
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
