/**
 * fio iolog version 2 and 3 (fio HOWTO, iolog.c; trace-formats.md §4):
 *   v2: "fio version 2 iolog", then "FILE ACTION [OFFSET LENGTH]"; "FILE wait USEC" sets the pace.
 *   v3: "fio version 3 iolog", then "USEC FILE ACTION [OFFSET LENGTH]" (µs since the run start).
 * Actions: add/open/close (bookkeeping), read, write, trim (→ punch), sync/datasync (→ fsync).
 */
import type { Op, OpKind } from '../model/op.js';
import type { BadLines, LineCounter } from './accounting.js';
import { MAX_SPAN_NS, rangeProblem, TimeOrder } from './limits.js';
import type { SelectingSink } from './selection.js';
import { utf8FromLatin1 } from './lines.js';

const KINDS: Record<string, OpKind> = { read: 'read', write: 'write', trim: 'punch', sync: 'fsync', datasync: 'fsync' };

export class FioIologParser {
  private version = 0;
  private clockUs = 0;
  firstTsNs: number | undefined;
  lastTsNs: number | undefined;
  /** v3 timestamps must not go backwards (as in ftrace text); v2 is paced by its wait lines */
  private readonly time = new TimeOrder(true);

  constructor(private readonly out: SelectingSink, private readonly counter: LineCounter, private readonly badLines: BadLines) {}

  line(text: string, start: number, end: number, lineNo: number): void {
    const line = text.slice(start, end).trim();
    if (line === '') {
      this.counter.skip('blank');
      return;
    }
    if (this.version === 0) {
      // (a UTF-8 byte order mark before the header, as latin1 text)
      const m = /^(?:\u00EF\u00BB\u00BF)?fio version (\d) iolog$/.exec(line);
      if (!m || (m[1] !== '2' && m[1] !== '3')) return this.bad(lineNo, 'expected "fio version 2 iolog" or "fio version 3 iolog" on the first line', line);
      this.version = Number(m[1]);
      // relative --from/--to count from the start of the run (v2) or the first timestamp (v3)
      if (this.version === 2) this.out.clock(0);
      this.counter.skip('header');
      return;
    }
    const f = line.split(/\s+/);
    let tsUs: number;
    if (this.version === 3) {
      const field = f.shift() ?? '';
      tsUs = number(field);
      if (!Number.isFinite(tsUs)) return this.bad(lineNo, 'v3 lines start with a timestamp in µs', line);
      const badTime = this.time.check(Math.round(tsUs * 1000), lineNo);
      if (badTime !== undefined) return this.bad(lineNo, badTime, line);
      this.out.clock(Math.round(tsUs * 1000));
    } else {
      tsUs = this.clockUs;
    }
    const [file, action, off, len] = f;
    if (file === undefined || action === undefined) return this.bad(lineNo, 'expected FILE ACTION [OFFSET LENGTH]', line);
    if (action === 'add' || action === 'open' || action === 'close') {
      this.counter.skip(`iolog-${action}`);
      return;
    }
    if (action === 'wait') {
      if (this.version === 3) return this.bad(lineNo, '"wait" is not allowed in a v3 iolog (timestamps pace it)', line);
      const us = number(off);
      if (!Number.isFinite(us) || us < 0) return this.bad(lineNo, 'wait needs a time in µs, 0 or more', line);
      if ((this.clockUs + us) * 1000 > MAX_SPAN_NS) return this.bad(lineNo, `wait ${off} µs takes the clock beyond 2^53 ns (about 104 days) from the start`, line);
      this.clockUs += us;
      this.counter.skip('iolog-wait');
      return;
    }
    const kind = KINDS[action];
    if (kind === undefined) return this.bad(lineNo, `unknown action "${action}" (add, open, close, wait, read, write, trim, sync, datasync)`, line);
    const offset = kind === 'fsync' ? 0 : number(off);
    const length = kind === 'fsync' ? 0 : number(len);
    if (Number.isNaN(offset) || Number.isNaN(length)) return this.bad(lineNo, `${action} needs OFFSET and LENGTH`, line);
    const badRange = rangeProblem(offset, length);
    if (badRange !== undefined) return this.bad(lineNo, `${action}: ${badRange}`, line);
    const tsNs = Math.round(tsUs * 1000);
    if (this.version === 2) {
      // v2 has no timestamps on its lines: its ops are its events
      const badTime = this.time.check(tsNs, lineNo);
      if (badTime !== undefined) return this.bad(lineNo, badTime, line);
    }
    // (the line is latin1 text of the file's bytes: a path in UTF-8 is decoded back, as block comms are)
    const op: Op = { id: -1, tsNs, pid: 1, proc: 'pid:1', comm: 'fio', file: `file:${this.pathOf(file)}`, kind, offset, lengthBytes: length, line: lineNo };
    this.firstTsNs ??= tsNs;
    this.lastTsNs = tsNs;
    this.out.op(op, 1);
  }

  /** each path as UTF-8 text, decoded once per distinct path */
  private readonly paths = new Map<string, string>();

  private pathOf(latin1: string): string {
    let p = this.paths.get(latin1);
    if (p === undefined) this.paths.set(latin1, (p = utf8FromLatin1(latin1)));
    return p;
  }

  private bad(lineNo: number, reason: string, line: string): void {
    this.badLines.report(lineNo, reason, line);
  }
}

/**
 * a number field in decimal digits, as fio writes it (and reads it, with sscanf's %llu): NaN when
 * absent or empty (Number('') is 0), and for 0x1000, 1e3 or 4.096e3, which Number would take but
 * fio reads as 0, 1 or 4 (a minus sign is read, to be refused as negative)
 */
function number(field: string | undefined): number {
  return field === undefined || !/^-?\d+$/.test(field) ? NaN : Number(field);
}
