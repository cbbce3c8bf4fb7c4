/**
 * Text traces in the kernel's line layout: tracefs `trace` / `trace_pipe` (dialect "ftrace") and
 * `trace-cmd report` 2.x/3.x (dialect "trace-cmd"). Both share the prefix parser (ftrace-prefix.ts)
 * and the event → op mapping (op-builder.ts); lines of the ftrace `blk` tracer go to the block
 * importer (block.ts). trace-cmd specifics: its header lines, `sys_enter_X: fd: 0x…` syscall bodies
 * (also accepted in ftrace text), `[FAILED TO PARSE]` bodies, a file-name prefix per line with
 * several inputs, and lines out of time order (re-sorted within a window).
 */
import { ReorderQueue } from '../util/reorder-queue.js';
import { keep } from '../util/strings.js';
import { clipText } from '../errors.js';
import { utf8FromLatin1 } from './lines.js';
import type { BadLines, LineCounter } from './accounting.js';
import { deviceProblem, MAX_CPUS, TimeOrder } from './limits.js';
import { type BlockAction, type BlockOpBuilder, parseBlockTail } from './block.js';
import { type EventFields, LineType, newEventFields, parseFtraceBytes, SyscallPhase } from './ftrace-prefix.js';
import { CpusBeyondInputs } from './cpus-beyond-header.js';
import { TraceCmdInputs } from './trace-cmd-inputs.js';
import type { KernelEvent, OpBuilder } from './op-builder.js';
import { type H, HANDLERS } from './event-catalogue.js';

export type TextDialect = 'ftrace' | 'trace-cmd';

export interface FtraceHeader {
  /** CPUs from "#P:N" (ftrace) or "cpus=N" (trace-cmd), when present and not 0 */
  cpus?: number;
  /** a header count that is no count (#P:0 or cpus=0, or more than MAX_HEADER_CPUS): ignored, the count is unknown */
  ignoredCpus?: number;
  /** the header that gave `cpus`, as written ("#P:4", "cpus=4"), and its line */
  cpusFrom?: HeaderCount;
  /** the header ignored (its digits as written: a count of 20 digits is no double) */
  ignoredCpusFrom?: HeaderCount;
  /** the first later header that names another usable count (traces joined end to end): `cpus` stays */
  otherCpus?: HeaderCount;
  /** the events the lost-events markers count, at most Number.MAX_SAFE_INTEGER (see lostEventsOver) */
  lostEvents: number;
  /** the markers' sum, when it passes Number.MAX_SAFE_INTEGER (then lostEvents is that bound) */
  lostEventsOver?: string;
  /** the markers that give no count (trace-cmd's "CPU:N [EVENTS DROPPED]"): events were lost, how many is unknown */
  lostEventsUncounted: number;
  /** the capture's kernel's CONFIG_HZ ("# lockreplay kernel: RELEASE HZ=N", written by lockreplay record) */
  kernelHz?: number;
  /** the first kernel line whose HZ is no CONFIG_HZ (100 to 10,000: "HZ=5", "HZ=0x3e8", "HZ="): ignored, with a note */
  ignoredKernelHz?: { hz: string; line: number };
  /** trace-cmd: places where the re-sort changed the order of the lines */
  reordered: number;
  /** trace-cmd: the input files its header declares ("NAME: cpus=N", one per `-i` input), in its order */
  inputs?: string[];
}

/** Events whose payload may run over several lines (print-style), so a prefix-less line after them is theirs. */
const HANDLED_PREFIXES = ['sys_', 'xfs_', 'ext4_', 'f2fs_', 'iomap_', 'mm_filemap_', 'writeback_', 'mmap_lock_', 'page_cache_', 'page_fault_'];
const REORDER_WINDOW = 4096;

/** an event held in trace-cmd's re-sort window: a kernel event, or a blk tracer action */
interface Held extends KernelEvent {
  line: number;
  block?: BlockAction;
}

/**
 * The most CPUs a trace header may name: what an op stream's footer holds (docs/op-stream.md), so
 * what an import writes its own reader reads. A larger count is ignored with a note, as 0 is.
 */
export const MAX_HEADER_CPUS = MAX_CPUS;

/** PID_MAX_LIMIT: pids of the second and later trace-cmd inputs are moved by a multiple of it */
export const INPUT_PID_STRIDE = 4_194_304;

export class FtraceLineParser {
  readonly header: FtraceHeader = { lostEvents: 0, lostEventsUncounted: 0, reordered: 0 };
  private readonly ev: EventFields = newEventFields();
  private readonly time: TimeOrder;
  private lastWasForeignEvent = false;
  /** the line of the kernel comment that gave the capture's HZ */
  private kernelHzLine: number | undefined;
  private readonly blockTail = { action: '', rwbs: '', sector: -1, sectors: 0, comm: '', problem: undefined as string | undefined };
  private readonly window = new ReorderQueue<Held>();
  /** what each event name means, by interned name */
  private readonly names = new Map<string, NameInfo>();
  /** the same, by the name's number (EventFields.eventId): no map lookup per line */
  private readonly namesById: (NameInfo | undefined)[] = [];
  /** trace-cmd: the latest time handed on from the window; an older line comes too late */
  private released = -Infinity;
  /** trace-cmd: the line number handed on last (a smaller one next is a line the re-sort moved) */
  private releasedLine = 0;
  /** trace-cmd: the inputs its header declares ("NAME: cpus=N"), and the per-line prefix */
  private readonly inputs = new TraceCmdInputs();
  /** the text began with tracefs's "# tracer: NAME" header */
  private tracerHeader = false;
  /** lines parsed as events (for format detection) */
  eventLines = 0;
  /** event lines on CPUs the header's count (each trace-cmd input's own) leaves out (a note) */
  readonly cpusBeyond = new CpusBeyondInputs();

  constructor(
    private readonly builder: OpBuilder,
    private readonly blocks: BlockOpBuilder,
    private readonly counter: LineCounter,
    private readonly badLines: BadLines,
    private readonly dialect: TextDialect = 'ftrace',
  ) {
    // tracefs text is in time order; trace-cmd report is re-sorted within a window
    this.time = new TimeOrder(dialect === 'ftrace');
  }

  /** text[start, end) is the line; bytes[i + base] is text[i] (see LineHandler) */
  line(text: string, start: number, end: number, lineNo: number, bytes: Uint8Array, base: number): void {
    const ev = this.ev;
    const type = parseFtraceBytes(bytes, base, text, start, end, ev);
    switch (type) {
      case LineType.Event: {
        const badTime = this.time.check(ev.tsNs, lineNo);
        if (badTime !== undefined) {
          // trace-cmd report's lines need not be in time order (tracefs text always is)
          // (tracefs text starts with "# tracer:"; text without it may be trace-cmd's)
          const hint = this.dialect === 'ftrace' && !this.tracerHeader && badTime.startsWith('timestamp goes backwards') ? ' (trace-cmd report output? --format trace-cmd re-sorts it)' : '';
          this.bad(lineNo, badTime + hint, text, start, end);
          this.inputs.eventLineDone();
          return;
        }
        this.eventLines++;
        if (ev.cpu >= this.cpusBeyond.limit) {
          // (trace-cmd with declared inputs: the line's input, whose own count applies)
          const input = this.inputs.names.length > 0 ? this.inputs.inputOf(text, ev.commStart, ev.commEnd) : -1;
          this.cpusBeyond.see(input, ev.cpu, text, ev.cpuStart, ev.cpuEnd, lineNo);
        }
        this.event(ev, text, start, end, lineNo, bytes, base);
        this.inputs.eventLineDone();
        return;
      }
      case LineType.Blank:
        this.counter.skip('blank');
        return;
      case LineType.Comment: {
        const line = text.slice(start, end);
        // lockreplay record's kernel line: CONFIG_HZ, which the Linux rwsem's hand-off timeout counts in
        if (line.startsWith('# lockreplay kernel:')) {
          const hz = Number(/\sHZ=(\d+)\s*$/.exec(line)?.[1]);
          if (!(hz >= 100 && hz <= 10_000)) {
            // (a line without HZ=, which record writes when it cannot read the kernel's config, says nothing of it)
            const named = /\sHZ=(.*?)\s*$/.exec(line);
            if (named !== null) this.header.ignoredKernelHz ??= { hz: utf8FromLatin1(named[1]), line: lineNo };
          } else {
            // (a capture has one kernel: another HZ is a bad line, and the first is kept)
            const earlier = this.header.kernelHz;
            if (earlier !== undefined && earlier !== hz) {
              this.bad(lineNo, `HZ=${hz} here but HZ=${earlier} on line ${this.kernelHzLine} (one kernel in a capture)`, text, start, end);
              return;
            }
            this.header.kernelHz = hz;
            this.kernelHzLine ??= lineNo;
          }
          this.counter.skip('kernel-comment');
          return;
        }
        // lockreplay record's mounts, device names and open-file scans say which file is which
        if (line.startsWith('# lockreplay ') && this.identityComment(line, lineNo, text, start, end)) return;
        this.counter.skip('header-comment');
        if (line.startsWith('# tracer:')) this.tracerHeader = true;
        const m = /#P:(\d+)/.exec(line);
        if (m) this.headerCpus({ text: m[0], digits: m[1], line: lineNo });
        return;
      }
      case LineType.Marker:
        this.counter.skip('buffer-marker');
        return;
      case LineType.LostEvents:
        this.lostEvents(ev.note);
        return;
      default: {
        const line = text.slice(start, end);
        const trimmed = line.trim();
        if (trimmed.startsWith('=>')) {
          this.counter.skip('stack-trace-continuation');
          return;
        }
        // trace-cmd report headers
        // (with several inputs, each input's count is prefixed with its name: "host.dat: cpus=2")
        const cpus = /^(?:(\S+): )?cpus=(\d+)$/.exec(trimmed);
        if (cpus) {
          const input = cpus[1] !== undefined && this.dialect === 'trace-cmd' ? keep(cpus[1]) : undefined;
          const count: HeaderCount = { text: cpus[0].slice(cpus[0].indexOf('cpus=')), digits: cpus[2], line: lineNo, ...(input !== undefined ? { input } : {}) };
          if (input !== undefined) {
            const k = this.inputs.declare(input);
            this.header.inputs = this.inputs.names;
            // (each input's event lines are checked against its own count)
            const n = Number(count.digits);
            if (n >= 1 && n <= MAX_HEADER_CPUS) this.cpusBeyond.inputCount(k, n, { name: input, cpus: n, text: count.text, line: lineNo });
          }
          this.headerCpus(count);
          this.counter.skip('header-trace-cmd');
          return;
        }
        // trace-cmd's drop marker after an input's prefix ("guest.dat: CPU:0 [5 EVENTS DROPPED]"): as without one
        if (this.dialect === 'trace-cmd' && this.prefixedDropMarker(text, start, end, bytes, base)) return;
        if (/^version = \d+$/.test(trimmed) || /^CPU \d+ is empty$/.test(trimmed) || /^CPU:\d+ \[\d+ EVENTS DROPPED\]$/.test(trimmed)) {
          this.counter.skip('header-trace-cmd');
          return;
        }
        if (this.lastWasForeignEvent && !/\[\d{3}\]/.test(line)) {
          this.counter.skip('payload-continuation');
          return;
        }
        this.bad(lineNo, ev.note, text, start, end);
      }
    }
  }

  /** the events a lost-events marker counts (its digits, '' for none), added up */
  private lostEvents(digits: string): void {
    this.counter.skip('lost-events-marker');
    if (digits === '') {
      this.header.lostEventsUncounted++;
      return;
    }
    // (exact: a sum past 2^53 is kept as digits, and lostEvents holds the bound)
    const sum = BigInt(this.header.lostEventsOver ?? this.header.lostEvents) + BigInt(digits);
    if (sum <= BigInt(Number.MAX_SAFE_INTEGER)) this.header.lostEvents = Number(sum);
    else {
      this.header.lostEvents = Number.MAX_SAFE_INTEGER;
      this.header.lostEventsOver = sum.toString();
    }
  }

  /**
   * trace-cmd: a drop marker after an input's (or a buffer's) prefix, "NAME: CPU:N [K EVENTS
   * DROPPED]": counted as without the prefix, and true; false when the line is no such marker.
   * trace-cmd prints the prefix once, then the marker, a line break and the event: the next event
   * line, without a prefix, is the named input's.
   */
  private prefixedDropMarker(text: string, start: number, end: number, bytes: Uint8Array, base: number): boolean {
    const m = /^[ \t]*(\S+): +CPU:/.exec(text.slice(start, Math.min(end, start + 1024)));
    if (m === null) return false;
    const ev = this.ev;
    if (parseFtraceBytes(bytes, base, text, start + m[0].length - 4, end, ev) !== LineType.LostEvents) return false;
    this.inputs.dropMarker(keep(m[1]));
    this.lostEvents(ev.note);
    return true;
  }

  /**
   * trace-cmd: an event line's task, its input's prefix ("NAME: ") read off: the comm without it,
   * and the pid (tgid) of the second and later inputs moved by a multiple of INPUT_PID_STRIDE
   */
  private traceCmdTask(ev: EventFields, text: string): { pid: number; tgid: number; comm: string } {
    // several inputs (-i A -i B), or one input's buffer instances; read only where it is
    // unambiguous (trace-cmd-inputs.ts: a comm may contain ": ")
    const pre = this.inputs.split(text, ev.commStart, ev.commEnd);
    const input = pre !== undefined ? pre.input : this.inputs.afterDropMarker();
    let pid = ev.pid;
    let tgid = ev.tgid;
    // each input is another trace, perhaps of another machine (a host and its guest): its
    // tasks are its own, whatever their pids (a buffer instance of one input has its tasks)
    if (input > 0) {
      pid += input * INPUT_PID_STRIDE;
      if (tgid >= 0) tgid += input * INPUT_PID_STRIDE;
    }
    return { pid, tgid, comm: pre !== undefined ? keep(pre.comm) : ev.comm };
  }

  /**
   * A comment of `lockreplay record` saying which file is which (in the header, or written into the
   * ring buffer): accounted for (skipped, or a bad line when it contradicts an earlier one or is not
   * in its layout) and true,
   * or false when the line is no such comment.
   */
  private identityComment(comment: string, lineNo: number, text: string, start: number, end: number, tgidShift = 0): boolean {
    const said = this.builder.identity.comment(comment, lineNo, tgidShift);
    if (typeof said === 'string') this.bad(lineNo, said, text, start, end);
    else if (said) this.counter.skip('file-identity-comment');
    return said !== false;
  }

  private event(ev: EventFields, text: string, start: number, end: number, lineNo: number, bytes: Uint8Array, base: number): void {
    let name = ev.event;
    // lockreplay record writes the traced processes' open files into the ring buffer (trace_marker)
    if (name === 'tracing_mark_write' && ev.body.trimStart().startsWith('lockreplay ')) {
      // (trace-cmd: a scan of its input's processes, whose pids are moved as its event lines' are)
      const tgidShift = this.dialect === 'trace-cmd' ? this.traceCmdTask(ev, text).pid - ev.pid : 0;
      if (this.identityComment(`# ${ev.body.trimStart()}`, lineNo, text, start, end, tgidShift)) return;
    }
    const id = ev.eventId;
    let info = id >= 0 ? this.namesById[id] : undefined;
    if (info === undefined) {
      info = this.names.get(name);
      if (info === undefined) this.names.set(name, (info = nameInfo(name)));
      if (id >= 0) this.namesById[id] = info;
    }
    // the ftrace blk tracer: "MAJ,MIN ACTION RWBS ..." where the event name would be
    if (info.dev) {
      const comma = name.indexOf(',');
      if (!parseBlockTail(ev.body, this.blockTail)) {
        this.bad(lineNo, 'blk tracer line without an action', text, start, end);
        return;
      }
      const t = this.blockTail;
      if (t.problem !== undefined) {
        this.bad(lineNo, t.problem, text, start, end);
        return;
      }
      const [major, minor] = [Number(name.slice(0, comma)), Number(name.slice(comma + 1))];
      const badDevice = deviceProblem(major, minor);
      if (badDevice !== undefined) {
        this.bad(lineNo, badDevice, text, start, end);
        return;
      }
      this.lastWasForeignEvent = false;
      // (trace-cmd: the input's prefix read off, as for every event line)
      const task = this.dialect === 'trace-cmd' ? this.traceCmdTask(ev, text) : ev;
      const block: BlockAction = {
        tsNs: ev.tsNs, pid: task.pid, comm: t.comm !== '' && t.action !== 'C' ? t.comm : task.comm, major, minor,
        action: t.action, rwbs: t.rwbs, sector: t.sector, sectors: t.sectors, line: lineNo,
      };
      // trace-cmd's lines go through the re-sort window, blk tracer lines too
      if (this.dialect === 'trace-cmd') this.hold({ pid: task.pid, tgid: task.tgid, comm: block.comm, tsNs: ev.tsNs, event: name, phase: SyscallPhase.None, body: '', line: lineNo, block }, text, start, end);
      else this.blocks.handle(block);
      return;
    }
    this.lastWasForeignEvent = !info.handled;
    if (hasFailedToParse(bytes, base, ev)) {
      this.counter.skip('failed-to-parse');
      return;
    }
    let phase = ev.phase;
    // perf/trace-cmd rendering of syscalls: sys_enter_pread64: fd: 0x..., sys_exit_pread64: 0x...
    if (info.syscall !== SyscallPhase.None) {
      name = info.name;
      phase = info.syscall;
    }
    if (this.dialect !== 'trace-cmd' && name === ev.event) {
      // the common case: the parsed fields go to the builder as they are (body cut only if read)
      const malformed = this.builder.handleKnown(ev, lineNo, info.handler);
      if (malformed !== undefined) this.bad(lineNo, malformed, text, start, end);
      return;
    }
    const body = info.syscall !== SyscallPhase.None ? ev.body.trim() : ev.body;
    const comm = ev.comm;
    if (this.dialect === 'trace-cmd') {
      const { pid, tgid, comm: taskComm } = this.traceCmdTask(ev, text);
      this.hold({ pid, tgid, comm: taskComm, tsNs: ev.tsNs, event: name, phase, body: body.trimStart(), line: lineNo }, text, start, end);
      return;
    }
    // a renamed syscall event (the common case went to the builder above)
    const malformed = this.builder.handle({ pid: ev.pid, tgid: ev.tgid, comm, tsNs: ev.tsNs, event: name, phase, body }, lineNo);
    if (malformed !== undefined) this.bad(lineNo, malformed, text, start, end);
  }

  /** trace-cmd: puts an event in the re-sort window (a line too late for it is bad) */
  private hold(e: Held, text: string, start: number, end: number): void {
    // older than a line already handed on: the window cannot put it back in order (the builder
    // needs each task's events in time order)
    if (e.tsNs < this.released) {
      this.bad(e.line, `out of time order by more than the re-sort window of ${REORDER_WINDOW} lines (${(this.released - e.tsNs) / 1e9} s older than a line already read)`, text, start, end);
      return;
    }
    this.window.push(e.tsNs, e.line, e);
    if (this.window.size > REORDER_WINDOW) this.flushWindow(REORDER_WINDOW);
  }

  /** trace-cmd: hands events to the builder in time order, keeping `keep` back for late lines. */
  private flushWindow(keep: number): void {
    while (this.window.size > (keep === Infinity ? 0 : keep)) {
      const e = this.window.shift() as Held;
      if (e.tsNs > this.released) this.released = e.tsNs;
      // a line handed on after a later one: one place the re-sort changed (a line moved by 200
      // places is one, not the 200 it passed)
      if (e.line < this.releasedLine) this.header.reordered++;
      this.releasedLine = e.line;
      if (e.block !== undefined) {
        this.blocks.handle(e.block);
        continue;
      }
      const malformed = this.builder.handle(e, e.line);
      if (malformed !== undefined) this.bad(e.line, malformed, `${e.comm}-${e.pid} ${e.event}: ${e.body}`, 0, Infinity);
    }
  }

  /** Call at the end of the input. */
  finish(): void {
    this.flushWindow(Infinity);
  }

  /**
   * A header's CPU count: the first usable one counts (a count of 0, or more than MAX_HEADER_CPUS, is
   * none: the replay's default applies; the last such before a usable one is kept for a note); a
   * later usable one that differs is kept for a note.
   */
  private headerCpus(from: HeaderCount): void {
    const h = this.header;
    const n = Number(from.digits);
    const usable = n >= 1 && n <= MAX_HEADER_CPUS;
    if (h.cpus !== undefined) {
      if (usable && n !== h.cpus) h.otherCpus ??= from;
    } else if (usable) {
      h.cpus = n;
      h.cpusFrom = from;
      this.cpusBeyond.headerCount(n);
    } else {
      h.ignoredCpus = n;
      h.ignoredCpusFrom = from;
    }
  }

  private bad(lineNo: number, reason: string, text: string, start: number, end: number): void {
    // (the excerpt in UTF-8, as the line was written: lines are read as latin1)
    this.badLines.report(lineNo, reason, utf8FromLatin1(text.slice(start, end)));
  }
}

interface NameInfo {
  /** a blk tracer device ("MAJ,MIN") where the event name would be */
  dev: boolean;
  handled: boolean;
  /** sys_enter_X / sys_exit_X: the phase, and name is sys_X */
  syscall: SyscallPhase;
  name: string;
  /** how the op builder handles the event (HANDLERS), undefined if it does not */
  handler: H | undefined;
}

function nameInfo(event: string): NameInfo {
  const c = event.charCodeAt(0);
  const dev = c >= 48 && c <= 57 && /^\d+,\d+$/.test(event);
  let name = event;
  let syscall = SyscallPhase.None;
  if (event.startsWith('sys_enter_')) {
    name = `sys_${event.slice(10)}`;
    syscall = SyscallPhase.Enter;
  } else if (event.startsWith('sys_exit_')) {
    name = `sys_${event.slice(9)}`;
    syscall = SyscallPhase.Exit;
  }
  return { dev, handled: isHandled(name), syscall, name, handler: HANDLERS.get(event) };
}

const FAILED_TO_PARSE = '[FAILED TO PARSE]';

/**
 * whether the event's body is trace-cmd's "[FAILED TO PARSE] raw fields" (trace-cmd prints the
 * marker first, after the padding: only the first non-blank byte is looked at)
 */
function hasFailedToParse(bytes: Uint8Array, base: number, ev: EventFields): boolean {
  const to = ev.bodyEnd + base;
  let i = ev.bodyStart + base;
  while (i < to && (bytes[i] === 32 || bytes[i] === 9)) i++;
  return i < to && bytes[i] === 91 && i - base + FAILED_TO_PARSE.length <= ev.bodyEnd && ev.text.startsWith(FAILED_TO_PARSE, i - base);
}

function isHandled(event: string): boolean {
  for (const p of HANDLED_PREFIXES) if (event.startsWith(p)) return true;
  return false;
}

/** a header line's CPU count as written ("#P:4", "cpus=4"), its digits, and its line */
export interface HeaderCount {
  text: string;
  digits: string;
  line: number;
  /** trace-cmd with several inputs: the input whose count it is ("NAME: cpus=N") */
  input?: string;
}

/** What the import says of a kernel line whose HZ it ignored (none: undefined). */
export function kernelHzNote(h: FtraceHeader): string | undefined {
  const k = h.ignoredKernelHz;
  if (k === undefined) return undefined;
  const named = `names HZ=${clipText(k.hz, 40)}`;
  const used = h.kernelHz !== undefined ? `HZ=${h.kernelHz} of a later one is used` : 'a replay models HZ 250 (a strategy\'s hz=N sets another)';
  return `the capture's kernel line (line ${k.line}) ${named}, which is no CONFIG_HZ (a whole number from 100 to 10,000): ignored; ${used}`;
}

/** What the import says about the header's CPU count: none, one ignored, or two that disagree. */
export function headerCpusNotes(h: FtraceHeader, dialect: TextDialect): string[] {
  const notes: string[] = [];
  const where = (c: HeaderCount | undefined): string => (c === undefined ? '' : `${c.text}, line ${c.line}`);
  const cpus = (n: number): string => `${n} CPU${n === 1 ? '' : 's'}`;
  if (h.ignoredCpus !== undefined) {
    const why = h.ignoredCpus > MAX_HEADER_CPUS ? ` (a replay models 1 to ${MAX_HEADER_CPUS.toLocaleString('en-US')})` : '';
    const then = h.cpus === undefined ? 'the CPU count is unknown' : `the count is ${h.cpus} (${where(h.cpusFrom)})`;
    notes.push(`the trace header names ${h.ignoredCpusFrom?.digits} CPUs (${where(h.ignoredCpusFrom)}): ignored${why}, ${then}`);
  } else if (h.cpus === undefined) notes.push(`the trace header names no CPU count (${dialect === 'trace-cmd' ? 'cpus=N' : '#P:N'})`);
  const first = h.cpusFrom;
  const other = h.otherCpus;
  if (h.cpus !== undefined && other !== undefined && first?.input !== undefined && other.input !== undefined && first.input !== other.input) {
    // several trace-cmd inputs: each its own trace (a host and its guest), with its own count
    notes.push(`the trace-cmd inputs name different CPU counts: ${utf8FromLatin1(first.input)} ${cpus(h.cpus)} (${where(first)}), ${utf8FromLatin1(other.input)} ${cpus(Number(other.digits))} (${where(other)}); each input is its own trace: a replay models the first count, ${utf8FromLatin1(first.input)}'s ${cpus(h.cpus)} (--cpus sets another count)`);
  } else if (h.cpus !== undefined && h.otherCpus !== undefined) {
    notes.push(`the trace header names ${cpus(h.cpus)} (${where(h.cpusFrom)}) and later ${cpus(Number(h.otherCpus.digits))} (${where(h.otherCpus)}; traces joined end to end?): the count of line ${h.cpusFrom?.line} is used`);
  }
  return notes;
}
