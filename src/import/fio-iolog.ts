/**
 * fio iolog version 2 and 3 (fio HOWTO, iolog.c; trace-formats.md §4):
 *   v2: "fio version 2 iolog", then "FILE ACTION [OFFSET LENGTH]"; "FILE wait USEC" sets the pace.
 *   v3: "fio version 3 iolog", then "USEC FILE ACTION [OFFSET LENGTH]" (µs since the run start).
 * Actions: add/open/close (bookkeeping), read, write, trim (→ punch), sync/datasync (→ fsync).
 */
import { BadInputError } from '../errors.js';
import type { Op, OpKind } from '../model/op.js';
import type { LineCounter } from './accounting.js';
import type { OpSink } from './op-builder.js';

const KINDS: Record<string, OpKind> = { read: 'read', write: 'write', trim: 'punch', sync: 'fsync', datasync: 'fsync' };

export class FioIologParser {
  private version = 0;
  private clockUs = 0;
  private id = 0;
  readonly byKind: Record<string, number> = {};
  readonly byFile: Record<string, Record<string, number>> = {};
  firstTsNs: number | undefined;
  lastTsNs: number | undefined;

  constructor(private readonly name: string, private readonly sink: OpSink, private readonly counter: LineCounter, private readonly lenient: boolean) {}

  line(text: string, start: number, end: number, lineNo: number): void {
    const line = text.slice(start, end).trim();
    if (line === '') {
      this.counter.skip('blank');
      return;
    }
    if (this.version === 0) {
      const m = /^fio version (\d) iolog$/.exec(line);
      if (!m || (m[1] !== '2' && m[1] !== '3')) return this.bad(lineNo, 'expected "fio version 2 iolog" or "fio version 3 iolog" on the first line', line);
      this.version = Number(m[1]);
      this.counter.skip('header');
      return;
    }
    const f = line.split(/\s+/);
    let tsUs: number;
    if (this.version === 3) {
      tsUs = Number(f.shift());
      if (!Number.isFinite(tsUs)) return this.bad(lineNo, 'v3 lines start with a timestamp in µs', line);
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
      const us = Number(off);
      if (!Number.isFinite(us)) return this.bad(lineNo, 'wait needs a time in µs', line);
      this.clockUs += us;
      this.counter.skip('iolog-wait');
      return;
    }
    const kind = KINDS[action];
    if (kind === undefined) return this.bad(lineNo, `unknown action "${action}" (add, open, close, wait, read, write, trim, sync, datasync)`, line);
    const offset = kind === 'fsync' ? 0 : Number(off);
    const length = kind === 'fsync' ? 0 : Number(len);
    if (!Number.isFinite(offset) || !Number.isFinite(length)) return this.bad(lineNo, `${action} needs OFFSET and LENGTH`, line);
    const tsNs = Math.round(tsUs * 1000);
    const key = `file:${file}`;
    const op: Op = { id: this.id++, tsNs, pid: 1, proc: 'pid:1', comm: 'fio', file: key, kind, offset, lengthBytes: length, line: lineNo };
    this.firstTsNs ??= tsNs;
    this.lastTsNs = tsNs;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
    const per = this.byFile[key] ?? (this.byFile[key] = {});
    per[kind] = (per[kind] ?? 0) + 1;
    this.counter.use();
    this.sink.op(op);
  }

  get ops(): number {
    return this.id;
  }

  private bad(lineNo: number, reason: string, line: string): void {
    if (!this.lenient) throw new BadInputError(this.name, lineNo, reason, line);
    this.counter.badLine(`${this.name}:${lineNo}: ${reason}`);
  }
}
