/**
 * The ftrace text importer: tracefs `trace` / `trace_pipe` files (plain or gzip, path or stdin).
 * Line prefixes are parsed by ftrace-prefix.ts; events become ops in op-builder.ts.
 */
import { BadInputError } from '../errors.js';
import type { LineCounter } from './accounting.js';
import { type EventFields, LineType, newEventFields, parseFtraceLine } from './ftrace-prefix.js';
import type { OpBuilder } from './op-builder.js';

export interface FtraceHeader {
  /** CPUs from "#P:N" in the header, when present */
  cpus?: number;
  lostEvents: number;
}

/** Events whose payload may run over several lines (print-style), so a prefix-less line after them is theirs. */
const HANDLED_PREFIXES = ['sys_', 'xfs_', 'ext4_', 'iomap_', 'mm_filemap_', 'writeback_', 'mmap_lock_', 'page_cache_', 'page_fault_'];

export class FtraceLineParser {
  readonly header: FtraceHeader = { lostEvents: 0 };
  private readonly ev: EventFields = newEventFields();
  private lastTsNs = -Infinity;
  private lastWasForeignEvent = false;
  /** lines parsed as events (for format detection) */
  eventLines = 0;

  constructor(
    private readonly fileName: string,
    private readonly builder: OpBuilder,
    private readonly counter: LineCounter,
    private readonly lenient: boolean,
  ) {}

  line(text: string, start: number, end: number, lineNo: number): void {
    const ev = this.ev;
    const type = parseFtraceLine(text, ev, start, end);
    switch (type) {
      case LineType.Event: {
        if (ev.tsNs < this.lastTsNs) {
          this.bad(lineNo, `timestamp goes backwards (${fmtSec(ev.tsNs)} after ${fmtSec(this.lastTsNs)})`, text, start, end);
          return;
        }
        this.lastTsNs = ev.tsNs;
        this.eventLines++;
        this.lastWasForeignEvent = !isHandled(ev.event);
        const malformed = this.builder.handle(ev, lineNo);
        if (malformed !== undefined) this.bad(lineNo, malformed, text, start, end);
        return;
      }
      case LineType.Blank:
        this.counter.skip('blank');
        return;
      case LineType.Comment: {
        this.counter.skip('header-comment');
        if (this.header.cpus === undefined) {
          const m = /#P:(\d+)/.exec(text.slice(start, end));
          if (m) this.header.cpus = Number(m[1]);
        }
        return;
      }
      case LineType.Marker:
        this.counter.skip('buffer-marker');
        return;
      case LineType.LostEvents:
        this.header.lostEvents += Number(ev.note);
        this.counter.skip('lost-events-marker');
        return;
      default: {
        const line = text.slice(start, end);
        if (line.trimStart().startsWith('=>')) {
          this.counter.skip('stack-trace-continuation');
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

  private bad(lineNo: number, reason: string, text: string, start: number, end: number): void {
    if (!this.lenient) throw new BadInputError(this.fileName, lineNo, reason, text.slice(start, end));
    this.counter.badLine(`${this.fileName}:${lineNo}: ${reason}`);
  }
}

function isHandled(event: string): boolean {
  for (const p of HANDLED_PREFIXES) if (event.startsWith(p)) return true;
  return false;
}

function fmtSec(ns: number): string {
  return `${(ns / 1e9).toFixed(6)}s`;
}
