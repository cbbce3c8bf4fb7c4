/**
 * The Op stream text format, version 1 (docs/op-stream.md): CSV with one header line, read back by
 * csv-parse or any spreadsheet. Ops and observed locks share one table, told apart by `rec`, in
 * time order. The first line names the format and version; the last line carries the import summary.
 */
import { parse } from 'csv-parse';
import { Ajv, type ValidateFunction } from 'ajv';
import { BadInputError, clip, ExitCode, LockreplayError } from '../errors.js';
import { type ObservedLock, type Op, isOpKind } from '../model/op.js';
import { OpColumns } from '../model/op-columns.js';
import { BadLines, LineCounter } from './accounting.js';
import { durationProblem, rangeProblem, TimeOrder } from './limits.js';
import { LineSplitter, LONG_LINE, utf8FromLatin1 } from './lines.js';
import { keep } from '../util/strings.js';
import { csvField } from '../util/csv-field.js';
import { smallDigitsValue } from './csv-numbers.js';
import { schemaPath } from '../util/schema-path.js';
export { csvField } from '../util/csv-field.js';

export const OPSTREAM_MAGIC = '# lockreplay-ops v2';
/** the start of an op stream of any version, for format detection (the reader then checks the version) */
export const OPSTREAM_MAGIC_ANY = /^# lockreplay-ops v/;
/** the whole first line of an op stream of a version this reader reads (1 and 2): "v2.9-future" or "v3" is none */
const VERSION_LINE = /^# lockreplay-ops v[12][ \t]*$/;
/** version 1's columns: version 2 adds spin_ns (a contention record's spin before its wait) */
export const OPSTREAM_COLUMNS_V1 = ['rec', 'id', 'ts_ns', 'dur_ns', 'pid', 'proc', 'comm', 'file', 'kind', 'offset', 'length', 'parent', 'line', 'mode', 'caller'] as const;
export const OPSTREAM_COLUMNS = [...OPSTREAM_COLUMNS_V1, 'spin_ns'] as const;
const SUMMARY_PREFIX = '# summary: ';

export function opStreamHeader(): string {
  return `${OPSTREAM_MAGIC}\n${OPSTREAM_COLUMNS.join(',')}\n`;
}

export function opRow(op: Op): string {
  return `op,${op.id},${op.tsNs},${op.durNs ?? ''},${op.pid},${csvField(op.proc)},${csvField(op.comm)},${csvField(op.file)},${op.kind},${op.offset},${op.lengthBytes},${op.parent ?? ''},${op.line},,,\n`;
}

export function lockRow(lock: ObservedLock): string {
  return `lock,,${lock.tsNs},${lock.waitNs ?? ''},${lock.pid},,${csvField(utf8FromLatin1(lock.comm))},${csvField(lock.target)},${csvField(lock.event)},,,,${lock.line},${csvField(lock.mode)},${csvField(lock.caller)},${lock.spinNs ?? ''}\n`;
}

export function opStreamFooter(summary: unknown): string {
  return `${SUMMARY_PREFIX}${JSON.stringify(summary)}\n`;
}


export interface ReadOpStream {
  /** as columns: a stream of millions of ops is not held as Op objects */
  ops: OpColumns;
  locks: ObservedLock[];
  /** for each of `locks`, how many op rows came before it in the stream (to write them back in the same order) */
  opsBeforeLock: number[];
  summary: unknown;
  /** the footer's line (the last comment line), 0 without one */
  footerLine: number;
  /** why the last line, a summary footer, cannot be read (not JSON, cut short), if it cannot */
  footerUnreadable?: string;
}

const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** the footer's fields an import reads back (an ImportSummary's), and what they may be */
const FOOTER_SCHEMA = {
  type: 'object',
  properties: {
    input: { type: 'string' },
    // (0: no count, as older imports wrote it; it is ignored)
    cpus: { type: 'integer', minimum: 0, maximum: 65536 },
    kernelHz: { type: 'integer', minimum: 100, maximum: 10000 },
    lostEvents: count,
    bytes: count,
    lines: {
      type: 'object',
      properties: { total: count, used: count, bad: count, skipped: { type: 'object', additionalProperties: count }, badSamples: { type: 'array', items: { type: 'string' } } },
      required: ['total', 'used', 'bad', 'skipped', 'badSamples'],
    },
    notes: { type: 'array', items: { type: 'string' } },
    ops: { type: 'object', properties: { total: count } },
    fileAliases: { type: 'object', additionalProperties: { type: 'string' } },
    fileSystems: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

let footerValidator: ValidateFunction | undefined;

/**
 * Why an op stream's summary footer cannot be taken as it is, or undefined: the import reads its
 * CPU count, line accounting, notes and file aliases back, so they must be what an import writes.
 */
export function footerProblem(summary: unknown): string | undefined {
  if (summary === undefined) return undefined;
  footerValidator ??= new Ajv().compile(FOOTER_SCHEMA);
  if (!footerValidator(summary)) {
    const e = (footerValidator.errors ?? [])[0];
    return `summary footer: ${e === undefined ? 'not valid' : `${schemaPath(e.instancePath) || 'the summary'} ${e.message ?? 'is not valid'}`}`;
  }
  const lines = (summary as { lines?: { total: number; used: number; bad: number; skipped: Record<string, number> } }).lines;
  if (lines !== undefined) {
    const sum = lines.used + lines.bad + Object.values(lines.skipped).reduce((a, b) => a + b, 0);
    if (sum !== lines.total) return `summary footer: lines do not add up (used ${lines.used} + skipped + bad ${lines.bad} = ${sum}, total ${lines.total})`;
  }
  return undefined;
}

/**
 * Why a valid footer is not the footer of these rows, or undefined: it counts the op rows the import
 * wrote (`ops.total`), so fewer or more op rows mean a stream cut short or edited. Of `badRows` rows
 * that were bad (--lenient), any may have been an op row.
 */
export function footerOpsProblem(summary: unknown, opRows: number, badRows: number): string | undefined {
  const total = (summary as { ops?: { total?: unknown } } | undefined)?.ops?.total;
  if (typeof total !== 'number' || (total >= opRows && total <= opRows + badRows)) return undefined;
  return `summary footer: ops.total is ${total}, but the stream has ${opRows} op rows${badRows > 0 ? ` and ${badRows} bad lines` : ''} (the stream was cut short or edited)`;
}

/**
 * How readOpStream reports bad records and accounts for lines (an import passes its own): without
 * it, the first bad record stops the read. `lines` is set to the number of lines read.
 */
export interface OpStreamChecks {
  badLines: BadLines;
  counter: LineCounter;
  lines?: number;
}

/** The last bytes of a stream (where the summary footer is), as chunks that add up to at least `keepBytes` (the reference reader: csv-parse does not hand over comment lines). */
class Tail {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  constructor(private readonly keepBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.chunks.length > 1 && this.bytes - this.chunks[0].length >= this.keepBytes) this.bytes -= (this.chunks.shift() as Buffer).length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

/**
 * The longest a record whose quoted field goes on past a line break is held open, in bytes: a field
 * the writer quotes over lines (a task name or a CSV trace's device name with a line break) is short;
 * a quote still open after this many bytes is a stray one (and what is held stays bounded).
 */
export const MAX_QUOTED_RECORD_BYTES = 64 * 1024;

/** a line of a record held open by a quote: its text, number, and whether a CR ended it */
interface HeldLine {
  text: string;
  lineNo: number;
  endsCr: boolean;
}

/**
 * Reads an Op stream file's text (already decompressed) back into ops, and its lock records when
 * `keepLocks` (a replay needs only the kernel's lock waits and the tasks' sleeps: 'contention'). Repeated strings (process, comm, file, lock mode and
 * caller) are kept once per value. Fields follow RFC 4180 (the writer quotes a field with a comma,
 * a quote or a line break); a line starting with '#' is a comment. readOpStreamWithCsvParse is the
 * reference it is tested against.
 *
 * A quote that a line leaves open is taken for a field with a line break only when the record it
 * starts closes within MAX_QUOTED_RECORD_BYTES with the header's number of fields. Otherwise it is a
 * stray quote: the line it is on is one bad line and the lines after it are read again on their
 * own (a stray quote once swallowed every later row and the footer).
 */
export async function readOpStream(text: AsyncIterable<Buffer>, fileName: string, keepLocks: boolean | 'contention' = true, checks: OpStreamChecks = strictChecks(fileName)): Promise<ReadOpStream> {
  const fields: string[] = [];
  const counter = checks.counter;
  const records = new RecordReader(fileName, keepLocks, text8, checks);
  /** the lines so far of a record whose quoted field goes on past a line break (none: no open record) */
  let held: HeldLine[] = [];
  let heldBytes = 0;
  /** lines to read again after a stray quote, the next one last (a stack: a nested stray quote puts its lines on top) */
  const again: HeldLine[] = [];
  /** the last line, when it is a comment (the summary footer is the last line), and its number */
  let lastComment: string | undefined;
  let lastCommentLine = 0;
  let failure: Error | undefined;

  /**
   * A summary footer with a line after it (`lineNo`) is no footer of the stream (its rows go on, or
   * a second stream follows): a bad line, not a comment passed over.
   */
  const footerNotLast = (lineNo: number): void => {
    if (lastComment === undefined || !isFooterLine(lastComment)) return;
    const footer = lastComment;
    lastComment = undefined;
    counter.unskip('comment');
    checks.badLines.report(lastCommentLine, `summary footer before the end of the stream (line ${lineNo} follows it): the footer is the last line`, footer);
  };

  /** the held record is no record: its first line is bad, the others are read again */
  const strayQuote = (reason: string): void => {
    const lines = held;
    held = [];
    heldBytes = 0;
    for (let i = lines.length - 1; i >= 1; i--) again.push(lines[i]);
    checks.badLines.report(lines[0].lineNo, `not a valid op stream (${reason})`, lines[0].text);
  };

  /** the held lines as one record (a CR before a line break inside a quoted field is data) */
  const heldRecord = (): string => {
    let record = held[0].text;
    for (let i = 1; i < held.length; i++) record += `${held[i - 1].endsCr ? '\r\n' : '\n'}${held[i].text}`;
    return record;
  };

  const line = (t: string, start: number, end: number, lineNo: number): void => {
    if (lineNo === 1) refuseOtherVersion(t.slice(start, end), fileName);
    if (held.length === 0) {
      if (start === end) {
        counter.skip('blank');
        return;
      }
      footerNotLast(lineNo);
      lastComment = t.charCodeAt(start) === 35 /* # */ ? t.slice(start, end) : undefined;
      if (lastComment !== undefined) {
        lastCommentLine = lineNo;
        counter.skip('comment');
        return;
      }
      if (splitQuoted(t, start, end, fields)) {
        records.add(fields, lineNo);
        return;
      }
      held.push({ text: t.slice(start, end), lineNo, endsCr: t.charCodeAt(end) === 13 });
      heldBytes = end - start + 1;
      return;
    }
    held.push({ text: t.slice(start, end), lineNo, endsCr: t.charCodeAt(end) === 13 });
    heldBytes += end - start + 1;
    // the record can only close on a line with a quote: no re-parse of a long open record on
    // every line (a stray quote made the rest of the file quadratic)
    const q = t.indexOf('"', start);
    if (q >= 0 && q < end) {
      const record = heldRecord();
      if (splitQuoted(record, 0, record.length, fields)) {
        if (fields.length !== records.fieldCount) {
          strayQuote(`a quote opens a field that this line does not close; closed on line ${lineNo}, the record has ${fields.length} fields, not ${records.fieldCount}: a stray quote`);
          return;
        }
        // a quoted field with line breaks: the record's first line stands for it
        const first = held[0].lineNo;
        counter.skip('quoted-line-break', held.length - 1);
        held = [];
        heldBytes = 0;
        records.add(fields, first);
        return;
      }
    }
    if (heldBytes > MAX_QUOTED_RECORD_BYTES) strayQuote(`a quote opens a field that is not closed within ${MAX_QUOTED_RECORD_BYTES / 1024} KiB: a stray quote`);
  };

  /** a line of the input, then the lines a stray quote gave back */
  const readLine = (t: string, start: number, end: number, lineNo: number): void => {
    if (failure !== undefined) return;
    try {
      line(t, start, end, lineNo);
      for (let h = again.pop(); h !== undefined; h = again.pop()) line(h.endsCr ? `${h.text}\r` : h.text, 0, h.text.length, h.lineNo);
    } catch (err) {
      failure = err as Error;
    }
  };

  /** a line longer than MAX_LINE_BYTES: a bad line (a record held open before it is no record: it cannot close within its bound) */
  const longLine = (lineNo: number, excerpt: string): void => {
    if (failure !== undefined) return;
    try {
      if (lineNo === 1) throw new LockreplayError(`${fileName}:1: not an op stream this version reads: its first line is not the version line (a ${LONG_LINE})`, ExitCode.unknownFormat);
      while (held.length > 0) {
        strayQuote(`a quote opens a field that is not closed within ${MAX_QUOTED_RECORD_BYTES / 1024} KiB: a stray quote`);
        for (let h = again.pop(); h !== undefined; h = again.pop()) line(h.endsCr ? `${h.text}\r` : h.text, 0, h.text.length, h.lineNo);
      }
      footerNotLast(lineNo);
      lastComment = undefined;
      checks.badLines.report(lineNo, `not a valid op stream (${LONG_LINE})`, excerpt);
    } catch (err) {
      failure = err as Error;
    }
  };

  const splitter = new LineSplitter((t, start, end, lineNo) => readLine(t, start, end, lineNo), undefined, longLine);
  for await (const chunk of text) {
    splitter.push(chunk);
    if (failure !== undefined) throw failure;
  }
  const lines = splitter.end();
  if (failure !== undefined) throw failure;
  checks.lines = lines;
  // a quote still open at the end: its line is bad, and the lines after it are read on their own
  while (held.length > 0 && failure === undefined) {
    try {
      strayQuote('a quoted field is not closed');
    } catch (err) {
      failure = err as Error;
    }
    const h = again.pop();
    if (h !== undefined) readLine(h.endsCr ? `${h.text}\r` : h.text, 0, h.text.length, h.lineNo);
  }
  if (failure !== undefined) throw failure;
  if (!records.sawHeader) throw new LockreplayError(`${fileName}:${lines}: not a valid op stream (no header line)`, ExitCode.unknownFormat);
  return records.result(lastComment ?? '', lastComment === undefined ? 0 : lastCommentLine);
}

/**
 * A first line that is not the version line of a version this reader reads: not an op stream it can
 * read (exit 5, even with --lenient: a later version's rows may mean something else). A stream
 * without one was read as version 2, whatever it was.
 */
function refuseOtherVersion(firstLine: string, fileName: string): void {
  if (VERSION_LINE.test(firstLine)) return;
  const found = OPSTREAM_MAGIC_ANY.test(firstLine) ? `its version line is "${clip(firstLine, 60)}"` : `its first line is not the version line ("${clip(firstLine, 60)}")`;
  throw new LockreplayError(`${fileName}:1: not an op stream this version reads: ${found}, not "${OPSTREAM_MAGIC}" (or v1)`, ExitCode.unknownFormat);
}

function strictChecks(fileName: string): OpStreamChecks {
  const counter = new LineCounter();
  return { counter, badLines: new BadLines(fileName, false, counter) };
}

/** a text field of the (UTF-8) op stream, read as latin1: decoded, kept once per value */
function text8(field: string): string {
  return keep(utf8FromLatin1(field));
}

/**
 * Splits the record line[from, to) into fields ("a ""b"", c" is one field); false while a quoted
 * field is still open at the end (its record goes on past a line break).
 */
function splitQuoted(line: string, from: number, to: number, fields: string[]): boolean {
  fields.length = 0;
  let i = from;
  for (;;) {
    let value = '';
    if (i < to && line.charCodeAt(i) === 34 /* " */) {
      let at = i + 1;
      for (;;) {
        const q = line.indexOf('"', at);
        if (q < 0 || q >= to) return false;
        value += line.slice(at, q);
        if (q + 1 >= to || line.charCodeAt(q + 1) !== 34) {
          i = q + 1;
          break;
        }
        value += '"';
        at = q + 2;
      }
    }
    // unquoted text (or, leniently, text after a closing quote) up to the next comma
    let comma = line.indexOf(',', i);
    if (comma < 0 || comma > to) comma = to;
    value += line.slice(i, comma);
    fields.push(value);
    if (comma >= to) return true;
    i = comma + 1;
  }
}

/**
 * The reference reader, on csv-parse: what readOpStream must give for every op stream the writer
 * makes (the tests compare the two). csv-parse with line numbers took 5 s for the op stream of
 * xfs-mix-large, more than importing the trace itself (1 s).
 */
export async function readOpStreamWithCsvParse(text: AsyncIterable<Buffer>, fileName: string, keepLocks = true): Promise<ReadOpStream> {
  const parser = parse({ comment: '#', columns: false, relax_column_count: false, info: true, skip_empty_lines: true });
  const records = new RecordReader(fileName, keepLocks, keep, strictChecks(fileName));
  const tail = new Tail(1 << 20);
  let newlines = 0;
  const feed = (async () => {
    for await (const chunk of text) {
      const own = Buffer.from(chunk); // the source may reuse its buffer
      tail.push(own);
      for (let i = own.indexOf(10); i >= 0; i = own.indexOf(10, i + 1)) newlines++;
      // parsed records wait in the parser until read: without this, the whole file did
      if (!parser.write(own)) await new Promise((resolve) => parser.once('drain', resolve));
    }
    parser.end();
  })();
  feed.catch((err) => parser.destroy(err as Error));
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) records.add(rec.record, rec.info.lines);
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    throw new BadInputError(fileName, (err as { lines?: number }).lines ?? 0, `not a valid op stream (${(err as Error).message})`);
  }
  await feed.catch(() => undefined);
  const tailText = tail.text();
  const lastLines = tailText.trimEnd().split('\n');
  const last = lastLines[lastLines.length - 1] ?? '';
  // (the last line's number: the line breaks, and one more for a last line without one)
  return records.result(last, last.startsWith('#') ? newlines + (tailText.endsWith('\n') ? 0 : 1) : 0);
}

/**
 * A number column as the writer writes it: decimal digits, a fraction and a negative exponent only as
 * JavaScript writes a number (Number() also took "0x7d0", "2e3", " 2000 " and "Infinity"). A minus
 * sign is read, so that a negative value is refused by its column's rule, with its reason.
 */
const DECIMAL_NUMBER = /^-?\d+(?:\.\d+)?(?:e-\d+)?$/;

/** the lock events an import writes (docs/op-stream.md, the kind column of lock rows) */
const LOCK_EVENTS: ReadonlySet<string> = new Set(['xfs_ilock', 'xfs_ilock_nowait', 'xfs_ilock_demote', 'xfs_iunlock', 'mmap_lock_start', 'mmap_lock_acquired', 'mmap_lock_released', 'contention', 'sched-wake', 'sched-sleep']);

/** the columns (index, name) a lock row leaves empty, and those an op row leaves empty */
const EMPTY_IN_LOCK_ROW: readonly (readonly [number, string])[] = [[1, 'id'], [5, 'proc'], [9, 'offset'], [10, 'length'], [11, 'parent']];
const EMPTY_IN_OP_ROW: readonly (readonly [number, string])[] = [[13, 'mode'], [14, 'caller']];

/** the first of `columns` that is not empty in `r`, as a problem of a `rec` row */
function filledColumnProblem(r: string[], columns: readonly (readonly [number, string])[], rec: string): string | undefined {
  for (const [i, name] of columns) {
    if (r[i] !== '') return `column ${name}: ${rec === 'op' ? 'an op row' : 'a lock row'} has none (it holds "${clip(r[i], 40)}")`;
  }
  return undefined;
}

/** an op or lock row's `pid` and `line`: whole numbers, 0 or more */
function taskAndLineProblem(pid: number, line: number): string | undefined {
  if (!Number.isSafeInteger(pid) || pid < 0) return `column pid: ${pid} is not a task id (a whole number, 0 or more)`;
  if (!Number.isSafeInteger(line) || line < 0) return `column line: ${line} is not a line number (a whole number, 0 or more)`;
  return undefined;
}

/** The records of a stream, header first, into ops and lock records; `text` decodes a text field. */
class RecordReader {
  sawHeader = false;
  /** fields per record: the header's (version 1 has no spin_ns) */
  private width: number = OPSTREAM_COLUMNS.length;

  /** the number of fields a record has (the header's) */
  get fieldCount(): number {
    return this.width;
  }
  private readonly ops = new OpColumns();
  private readonly locks: ObservedLock[] = [];
  private readonly opsBeforeLock: number[] = [];
  /** ids read so far → the op's pid, or -1 for a child op */
  private readonly seen = new Map<number, number>();
  private readonly time = new TimeOrder(true);
  /** lock records are in time order among themselves (written as the import released them) */
  private readonly lockTime = new TimeOrder(true);

  constructor(private readonly fileName: string, private readonly keepLocks: boolean | 'contention', private readonly text: (field: string) => string, private readonly checks: OpStreamChecks) {}

  /** the record `r` starting at line `line` */
  add(r: string[], line: number): void {
    if (!this.sawHeader) {
      // no column header: not an op stream this version reads (a format error, exit 5, even with --lenient: no line can be read without it)
      const header = r.join(',');
      if (header === OPSTREAM_COLUMNS_V1.join(',')) this.width = OPSTREAM_COLUMNS_V1.length;
      else if (header !== OPSTREAM_COLUMNS.join(',')) throw new LockreplayError(`${this.fileName}:${line}: op stream header does not match the columns of version 2 (${OPSTREAM_COLUMNS.join(',')}) or 1 (without spin_ns)`, ExitCode.unknownFormat);
      this.sawHeader = true;
      this.checks.counter.skip('header');
      return;
    }
    const problem = this.record(r);
    if (problem !== undefined) this.checks.badLines.report(line, problem);
  }

  /** reads one record; returns why it is bad, if it is */
  private record(r: string[]): string | undefined {
    if (r.length !== this.width) return `not a valid op stream (a record of ${r.length} fields, not ${this.width})`;
    const spin = this.width > OPSTREAM_COLUMNS_V1.length ? r[OPSTREAM_COLUMNS_V1.length] : '';
    const text = this.text;
    // (the first column that is no number names the problem: an empty or non-numeric field is
    // never read as 0 or NaN)
    let notNumber: string | undefined;
    const num = (i: number, name: string): number => {
      const field = r[i];
      // (most fields are a few plain digits: their value without a regular expression)
      const small = smallDigitsValue(field);
      if (small >= 0) return small;
      if (DECIMAL_NUMBER.test(field)) return Number(field);
      notNumber ??= field !== '' && Number.isFinite(Number(field)) ? `column ${name}: "${clip(field, 40)}" is not a number in decimal digits` : `column ${name} is not a number`;
      return NaN;
    };
    if (r[0] === 'op') {
      const kind = r[8];
      if (!isOpKind(kind)) return `unknown op kind "${kind}"`;
      const filled = filledColumnProblem(r, EMPTY_IN_OP_ROW, 'op');
      if (filled !== undefined) return filled;
      const op: Op = {
        id: num(1, 'id'), tsNs: num(2, 'ts_ns'), pid: num(4, 'pid'), proc: text(r[5]), comm: text(r[6]), file: text(r[7]), kind,
        offset: num(9, 'offset'), lengthBytes: num(10, 'length'), line: num(12, 'line'),
      };
      if (r[3] !== '') op.durNs = num(3, 'dur_ns');
      if (r[11] !== '') op.parent = num(11, 'parent');
      if (spin !== '') return 'column spin_ns: only a contention record has one, not an op row';
      const problem = notNumber ?? this.opProblem(op);
      if (problem !== undefined) return problem;
      this.seen.set(op.id, op.parent !== undefined ? -1 : op.pid);
      this.ops.push(op);
    } else if (r[0] === 'lock') {
      const event = text(r[8]);
      if (!LOCK_EVENTS.has(event)) return `unknown lock event "${clip(event, 40)}"`;
      const filled = filledColumnProblem(r, EMPTY_IN_LOCK_ROW, 'lock');
      if (filled !== undefined) return filled;
      const lock: ObservedLock = { tsNs: num(2, 'ts_ns'), pid: num(4, 'pid'), comm: text(r[6]), target: text(r[7]), event, mode: text(r[13]), caller: text(r[14]), line: num(12, 'line') };
      if (r[3] !== '') lock.waitNs = num(3, 'dur_ns');
      if (spin !== '') {
        if (event !== 'contention') return `column spin_ns: only a contention record has one, not a ${event} record`;
        lock.spinNs = num(OPSTREAM_COLUMNS_V1.length, 'spin_ns');
      }
      const problem = notNumber ?? this.lockProblem(lock);
      if (problem !== undefined) return problem;
      if (this.keepLocks === true || (this.keepLocks === 'contention' && (event === 'contention' || event === 'sched-sleep'))) {
        this.locks.push(lock);
        this.opsBeforeLock.push(this.ops.n);
      } else {
        this.checks.counter.skip('lock-record');
      }
    } else {
      return `unknown record type "${r[0]}"`;
    }
    return undefined;
  }

  /** a lock record's rules (docs/op-stream.md): whole pid and line, a time in order among the lock records, a wait and a spin of 0 or more */
  private lockProblem(lock: ObservedLock): string | undefined {
    const badTask = taskAndLineProblem(lock.pid, lock.line);
    if (badTask !== undefined) return badTask;
    const badTime = this.lockTime.check(lock.tsNs);
    if (badTime !== undefined) return `column ts_ns: ${badTime}`;
    if (lock.waitNs !== undefined) {
      const badWait = durationProblem(lock.waitNs);
      if (badWait !== undefined) return `column dur_ns (the lock wait): ${badWait}`;
    }
    if (lock.spinNs !== undefined) {
      const badSpin = durationProblem(lock.spinNs);
      if (badSpin !== undefined) return `column spin_ns: ${badSpin}`;
    }
    return undefined;
  }

  /** the rules of docs/op-stream.md: valid numbers, time order, a parent that is an earlier top-level op */
  private opProblem(op: Op): string | undefined {
    if (!Number.isSafeInteger(op.id) || op.id < 0) return `column id: ${op.id} is not an op id (a whole number, 0 or more)`;
    if (this.seen.has(op.id)) return `column id: ${op.id} repeats the id of an earlier op`;
    const badTask = taskAndLineProblem(op.pid, op.line);
    if (badTask !== undefined) return badTask;
    const badTime = this.time.check(op.tsNs);
    if (badTime !== undefined) return `column ts_ns: ${badTime}`;
    const badRange = rangeProblem(op.offset, op.lengthBytes);
    if (badRange !== undefined) return badRange;
    if (op.durNs !== undefined) {
      const badDuration = durationProblem(op.durNs);
      if (badDuration !== undefined) return `column dur_ns: ${badDuration}`;
    }
    if (op.parent !== undefined) {
      if (op.parent === op.id) return `column parent: op ${op.id} names itself as its parent`;
      const parentPid = this.seen.get(op.parent);
      if (parentPid === undefined) return `column parent: ${op.parent} is not an earlier op (a parent comes before its children)`;
      if (parentPid < 0) return `column parent: op ${op.parent} is itself a child op; a child's parent must be a top-level op (nested children are not supported)`;
      if (parentPid !== op.pid) return `column parent: op ${op.parent} is task ${parentPid}'s, not task ${op.pid}'s (a child op runs inside its parent, on the same task)`;
    }
    return undefined;
  }

  /** the ops, the lock records and the summary of the footer (the last line of the stream) */
  result(lastLine: string, lastLineNo: number): ReadOpStream {
    const footer = utf8FromLatin1(lastLine);
    const unreadable = footerUnreadable(footer);
    return { ops: this.ops, locks: this.locks, opsBeforeLock: this.opsBeforeLock, summary: summaryFromFooterLine(footer), footerLine: lastLineNo, ...(unreadable !== undefined ? { footerUnreadable: unreadable } : {}) };
  }
}

/**
 * Why a last comment line that is a summary footer, or the start of one, cannot be read: a footer
 * that is not JSON (edited, or cut short mid-line) is a bad footer, not "no footer" (which replayed
 * with 1 CPU where the footer said 2).
 */
export function footerUnreadable(line: string): string | undefined {
  // ("# su": a file cut inside the footer's prefix; "#" or "# " alone may be any comment)
  if (line.length >= 3 && SUMMARY_PREFIX.startsWith(line)) return 'summary footer: cut short (no JSON after "# summary:")';
  if (!line.startsWith(SUMMARY_PREFIX.trimEnd())) return undefined;
  try {
    JSON.parse(line.slice(SUMMARY_PREFIX.trimEnd().length));
    return undefined;
  } catch (err) {
    return `summary footer: not valid JSON, cut short or edited (${(err as Error).message})`;
  }
}

/** a comment line that is a summary footer ("# summary:" and what follows), read or not */
function isFooterLine(line: string): boolean {
  return line.startsWith(SUMMARY_PREFIX.trimEnd());
}

/** Extracts the summary footer of an op stream, if the text has one. */
export function summaryFromFooterLine(line: string): unknown {
  if (!line.startsWith(SUMMARY_PREFIX.trimEnd())) return undefined;
  try {
    return JSON.parse(line.slice(SUMMARY_PREFIX.trimEnd().length));
  } catch {
    return undefined;
  }
}
