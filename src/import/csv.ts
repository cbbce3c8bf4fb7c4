/**
 * CSV block traces (trace-formats.md §5) through csv-parse, with presets for the public datasets
 * and a generic column mapping. Units and read/write polarity are always explicit: the summary
 * states them. Each row is one op on its volume ("file").
 */
import { CsvError, type Options, type Parser, parse } from 'csv-parse';
import { ExitCode, LockreplayError } from '../errors.js';
import type { Op, OpKind } from '../model/op.js';
import type { BadLines, LineCounter } from './accounting.js';
import { KeptLines } from './kept-lines.js';
import { LONG_LINE, MAX_LINE_BYTES } from './lines.js';
import { asciiValues, ByteFields } from './csv-bytes.js';
import { csvNumber, csvNumberRule } from './csv-numbers.js';
import { noLastRecord, plainSplitter, QUOTE } from './csv-plain.js';
import { dropCrBeforeLf, LoneCrToSpace } from './lone-cr.js';
import { durationProblem, rangeProblem, TimeOrder } from './limits.js';
import { CsvClock, type CsvTimeUnit } from './csv-clock.js';
import type { SelectingSink } from './selection.js';

export type TsUnit = CsvTimeUnit;
export type OffsetUnit = 'bytes' | 'sectors';

export interface CsvMapping {
  /** column index of each field; file is optional (one volume) */
  columns: { ts: number; op: number; offset: number; length: number; file?: number; response?: number };
  tsUnit: TsUnit;
  offsetUnit: OffsetUnit;
  lengthUnit: OffsetUnit;
  /** op column values that mean read (compared case-insensitively) */
  readValues: string[];
  /** op column values that mean write; anything else is a bad row (empty = everything not read) */
  writeValues: string[];
  delimiter: string;
  /** the first row is a header */
  header: boolean;
  /** response-time column unit (msr: filetime ticks) */
  responseUnit?: TsUnit;
  /** how many columns a row has; undefined = as many as the first row (the header, if any) */
  columnCount?: number;
}

export const CSV_PRESETS: Record<string, { summary: string; mapping: CsvMapping }> = {
  msr: {
    summary: 'MSR Cambridge: Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime; FILETIME 100 ns ticks; bytes; Read/Write; no header',
    mapping: { columns: { ts: 0, file: 2, op: 3, offset: 4, length: 5, response: 6 }, tsUnit: 'filetime', responseUnit: 'filetime', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['Read'], writeValues: ['Write'], columnCount: 7, delimiter: ',', header: false },
  },
  alibaba: {
    summary: 'Alibaba 2020: device_id,opcode,offset,length,timestamp; µs; bytes; R/W; no header',
    mapping: { columns: { file: 0, op: 1, offset: 2, length: 3, ts: 4 }, tsUnit: 'us', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['R'], writeValues: ['W'], columnCount: 5, delimiter: ',', header: false },
  },
  tencent: {
    summary: 'Tencent CBS: Timestamp,Offset,Size,IOType,VolumeID; seconds; 512-byte sectors; 0 = read, 1 = write; no header',
    mapping: { columns: { ts: 0, offset: 1, length: 2, op: 3, file: 4 }, tsUnit: 's', offsetUnit: 'sectors', lengthUnit: 'sectors', readValues: ['0'], writeValues: ['1'], columnCount: 5, delimiter: ',', header: false },
  },
  systor: {
    summary: 'SYSTOR \'17: Timestamp,Response,IOType,LUN,Offset,Size; seconds; bytes; R/W; header',
    mapping: { columns: { ts: 0, response: 1, op: 2, file: 3, offset: 4, length: 5 }, tsUnit: 's', responseUnit: 's', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['R'], writeValues: ['W'], columnCount: 6, delimiter: ',', header: true },
  },
  cloudphysics: {
    summary: 'CloudPhysics (libCacheSim CSV): version,time,op,size,lbn; seconds; lbn in 512-byte sectors, size in bytes; SCSI opcode 28 = read, 2a = write; header',
    mapping: { columns: { ts: 1, op: 2, length: 3, offset: 4 }, tsUnit: 's', offsetUnit: 'sectors', lengthUnit: 'bytes', readValues: ['28', '08', '88', 'a8'], writeValues: ['2a', '0a', '8a', 'aa'], columnCount: 5, delimiter: ',', header: true },
  },
  disksim: {
    summary: 'DiskSim/MQSim ASCII: arrival_time device lba size_sectors type, space-separated; ns; 512-byte sectors; 1 = read, 0 = write',
    mapping: { columns: { ts: 0, file: 1, offset: 2, length: 3, op: 4 }, tsUnit: 'ns', offsetUnit: 'sectors', lengthUnit: 'sectors', readValues: ['1'], writeValues: ['0'], columnCount: 5, delimiter: ' ', header: false },
  },
};

/** a duration (a response time: small, as a double) in `unit` to ns (times go through CsvClock) */
function durationNs(value: number, unit: TsUnit): number {
  switch (unit) {
    case 'filetime': return value * 100;
    case 'ns': return value;
    case 'us': return value * 1e3;
    case 'ms': return value * 1e6;
    default: return value * 1e9;
  }
}

/** "ts=0,op=3,offset=4,length=5,file=2" → columns */
export function parseColumns(spec: string): CsvMapping['columns'] {
  const cols: Record<string, number> = {};
  for (const part of spec.split(',')) {
    const m = /^\s*(ts|op|offset|length|file|response)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new LockreplayError(`--columns ${spec}: expected NAME=INDEX pairs, NAME one of ts, op, offset, length, file, response`, ExitCode.usage);
    if (cols[m[1]] !== undefined) throw new LockreplayError(`--columns ${spec}: ${m[1]}= is given twice`, ExitCode.usage);
    const index = Number(m[2]);
    if (!Number.isSafeInteger(index)) throw new LockreplayError(`--columns ${spec}: ${m[1]}=${m[2]} is not a column index`, ExitCode.usage);
    const other = Object.keys(cols).find((k) => cols[k] === index);
    if (other !== undefined) throw new LockreplayError(`--columns ${spec}: ${other}= and ${m[1]}= are both column ${index}`, ExitCode.usage);
    cols[m[1]] = index;
  }
  for (const need of ['ts', 'op', 'offset', 'length']) {
    if (cols[need] === undefined) throw new LockreplayError(`--columns ${spec}: ${need}= is required`, ExitCode.usage);
  }
  return cols as CsvMapping['columns'];
}

export function describeMapping(m: CsvMapping): string {
  const c = m.columns;
  return `columns ts=${c.ts} op=${c.op} offset=${c.offset} length=${c.length}${c.file !== undefined ? ` file=${c.file}` : ''}${c.response !== undefined ? ` response=${c.response}` : ''}; ` +
    `time in ${m.tsUnit}; offset in ${m.offsetUnit}, length in ${m.lengthUnit}; read = ${m.readValues.join('|')}, write = ${m.writeValues.length > 0 ? m.writeValues.join('|') : 'anything else'}`;
}

/** Where a CSV record broke (a quote not closed by the end, a stray closing quote). */
interface CsvFailure {
  /** the first line of the broken record (where its quote opened) */
  line: number;
  /** the line csv-parse stopped at */
  endLine: number;
  message: string;
  notClosed: boolean;
  /** a record longer than MAX_LINE_BYTES (a quote left open) */
  tooLong: boolean;
}

/**
 * Streams CSV rows into ops. Rows must be in time order (a timestamp going backwards is a bad line,
 * as in ftrace text), have the mapping's number of columns, and valid numbers (limits.ts). A
 * record csv-parse cannot read (a quote not closed) is a bad line at the line where it starts;
 * with --lenient, reading starts again on the line after it.
 */
export async function importCsv(chunks: AsyncIterable<Buffer>, name: string, mapping: CsvMapping, out: SelectingSink, counter: LineCounter, badLines: BadLines): Promise<{ firstTsNs?: number; lastTsNs?: number; timeOrigin?: string }> {
  const source = chunks[Symbol.asyncIterator]();
  const rows = new CsvRows(name, mapping, out, counter, badLines);
  // a line too long is emptied before csv-parse sees it: in strict mode it ends the import at once,
  // with --lenient its record is a bad line
  const lines = new LongLinesEmptied((lineNo, excerpt) => {
    if (!badLines.lenient) badLines.report(lineNo, LONG_LINE, excerpt);
    rows.longLines.push(lineNo);
  });
  let prefix: Buffer | undefined;
  for (;;) {
    const kept = new KeptLines();
    kept.firstLine = rows.lastLine + 1;
    const lineBase = rows.lastLine;
    const failure = await parseSegment(prefix, source, lines, kept, lineBase, rows);
    if (failure === undefined) {
      // lines csv-parse never handed over (after the last record) must be blank
      if (kept.blank()) rows.trailingBlank(kept);
      return { firstTsNs: rows.firstTsNs, lastTsNs: rows.lastTsNs, timeOrigin: rows.clock.originNote() };
    }
    badLines.report(failure.line, failure.tooLong ? `not valid CSV (a quoted field is not closed within ${MAX_LINE_BYTES.toLocaleString('en-US')} bytes: a stray quote?)` : `not valid CSV (${failure.message.replace(/ at line \d+/, '')})`);
    // lenient: a quote left open swallowed the lines after it, which are read again; after
    // another quote error csv-parse cannot go on, so reading starts after the line it stopped at
    const restartAfter = failure.notClosed ? failure.line : Math.max(failure.line, failure.endLine);
    if (restartAfter > failure.line) counter.skip('lines-of-a-bad-record', restartAfter - failure.line);
    kept.dropThrough(restartAfter);
    rows.lastLine = restartAfter;
    prefix = kept.bytes();
  }
}

/**
 * Tests set `plainLines` false to read every line with csv-parse, the reference for csv-plain.ts;
 * `bytes` false to read every plain line as a string (the reference for CsvRows.recordBytes).
 */
export const csvReading = { plainLines: true, bytes: true };

/**
 * Parses from `prefix` then the rest of `source`, until the end or a CSV syntax error. Lines are
 * split by csv-plain.ts while they have no quote; from the first piece of input with a quote (or a
 * BOM at the start, or lines cut short) to the end of the segment, csv-parse reads them.
 */
async function parseSegment(prefix: Buffer | undefined, source: AsyncIterator<Buffer>, lines: LongLinesEmptied, kept: KeptLines, lineBase: number, rows: CsvRows): Promise<CsvFailure | undefined> {
  const m = rows.mapping;
  const split = csvReading.plainLines ? plainSplitter(m.delimiter) : undefined;
  const byteRows = csvReading.bytes && rows.bytesReadable();
  /** the lines read so far without csv-parse */
  let plainLine = lineBase;
  /** no byte has been read yet (csv-parse skips a BOM only there) */
  let atStart = true;
  /** reads whole lines without quotes; false when `b` is csv-parse's to read */
  const plain = (b: Buffer, last: boolean): boolean => {
    if (split === undefined || b.indexOf(QUOTE) >= 0) return false;
    if (atStart && b.length > 0 && (b[0] === 0xef || b[0] === 0xff)) return false;
    if (!last && b.length > 0 && b[b.length - 1] !== 10) return false;
    if (b.length > 0) atStart = false;
    let from = 0;
    if (byteRows) {
      // rows of printable ASCII from the bytes; a line recordBytes leaves goes as a string (a LF is
      // no part of any UTF-8 sequence, so a line decodes as it does within its chunk)
      for (let nl = b.indexOf(10); nl >= 0; nl = b.indexOf(10, from)) {
        const end = nl > from && b[nl - 1] === 13 ? nl - 1 : nl;
        ++plainLine;
        if (!rows.recordBytes(b, from, end, plainLine)) rows.record(split(b.toString('utf8', from, end)), plainLine);
        from = nl + 1;
      }
      if (last && from < b.length) {
        const rest = b.toString('utf8', from);
        if (!noLastRecord(rest, m.delimiter)) rows.record(split(rest), ++plainLine);
      }
      kept.dropThrough(plainLine);
      return true;
    }
    const text = b.toString('utf8');
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      rows.record(split(text.slice(from, end)), ++plainLine);
      from = nl + 1;
    }
    if (last && from < text.length) {
      const rest = text.slice(from);
      if (!noLastRecord(rest, m.delimiter)) rows.record(split(rest), ++plainLine);
    }
    kept.dropThrough(plainLine);
    return true;
  };
  const crs = new LoneCrToSpace();
  let reader: CsvParseReader | undefined;
  const write = async (b: Buffer): Promise<void> => {
    kept.push(b);
    const bytes = crs.push(b);
    if (reader === undefined && plain(bytes, false)) return;
    // (a BOM is skipped only at the start of the input)
    reader ??= new CsvParseReader(m, plainLine, atStart, rows, kept);
    atStart = false;
    await reader.write(bytes);
  };
  for (let bytes = prefix; ; ) {
    if (bytes !== undefined) await write(bytes);
    if (reader?.stopped) break;
    const r = await source.next();
    if (r.done) {
      const last = lines.end();
      if (last !== undefined) kept.push(last);
      const rest = crs.end();
      const tail = Buffer.concat([crs.push(last ?? Buffer.alloc(0)), rest ?? Buffer.alloc(0)]);
      if (reader === undefined && plain(tail, true)) return undefined;
      reader ??= new CsvParseReader(m, plainLine, atStart, rows, kept);
      return reader.end(tail);
    }
    // (a copy: the source may reuse its buffer)
    bytes = lines.push(r.value);
  }
  return reader.end(undefined);
}

/** how csv-parse reads CSV text with `delimiter` (a BOM skipped at the start if `bom`) */
export function csvParseOptions(delimiter: string, bom: boolean): Options {
  return {
    // (lines are at most MAX_LINE_BYTES long, but a quoted field goes on past a line break: a stray
    // quote would have csv-parse keep the rest of the input as one field)
    max_record_size: MAX_LINE_BYTES,
    delimiter: delimiter === ' ' ? [' ', '\t'] : delimiter,
    bom, relax_column_count: true, skip_empty_lines: false, trim: delimiter === ' ', ltrim: true, rtrim: true, info: true,
    // lines end at LF (CR LF included), as in every other format: a lone CR is no line break
    record_delimiter: ['\r\n', '\n'],
  };
}

/** csv-parse reading the rest of a segment, from the line after `lineBase` */
class CsvParseReader {
  private readonly parser: Parser;
  private failed: Error | undefined;
  private readonly ended: Promise<void>;

  constructor(m: CsvMapping, private readonly lineBase: number, bom: boolean, private readonly rows: CsvRows, kept: KeptLines) {
    this.parser = parse(csvParseOptions(m.delimiter, bom));
    const parser = this.parser;
    // records are handled as csv-parse makes them ('data' in flowing mode): none waits in a buffer
    // when an error comes, so the line where a broken record starts is known
    parser.on('data', (rec: { record: string[]; info: { lines: number } }) => {
      if (this.failed !== undefined) return;
      try {
        const line = lineBase + rec.info.lines;
        rows.record(rec.record, line);
        kept.dropThrough(line);
      } catch (err) {
        this.failed = err as Error;
        parser.destroy(this.failed);
      }
    });
    this.ended = new Promise<void>((resolve) => {
      parser.once('end', () => resolve());
      parser.once('close', () => resolve());
      parser.once('error', (err) => {
        this.failed ??= err;
        resolve();
      });
    });
  }

  /** csv-parse stopped (an error) */
  get stopped(): boolean {
    return this.parser.destroyed;
  }

  async write(b: Buffer): Promise<void> {
    const parser = this.parser;
    // (CR LF as LF: inside a quoted field csv-parse counted its CR as a line, lone-cr.ts)
    if (parser.destroyed || parser.write(dropCrBeforeLf(b))) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        parser.off('drain', done);
        parser.off('close', done);
        resolve();
      };
      parser.once('drain', done);
      parser.once('close', done);
    });
  }

  /** Ends the input (after `last`) and waits for csv-parse: undefined when it read to the end. */
  async end(last: Buffer | undefined): Promise<CsvFailure | undefined> {
    const parser = this.parser;
    if (last !== undefined && last.length > 0) await this.write(last);
    if (!parser.destroyed) parser.end();
    await this.ended;
    const failed = this.failed;
    if (failed === undefined) return undefined;
    // every csv-parse syntax error is a CsvError (its codes start with CSV_, but for INVALID_OPENING_QUOTE)
    if (failed instanceof LockreplayError || !(failed instanceof CsvError)) throw failed;
    const csvLines = (failed as { lines?: number }).lines ?? 0;
    // a record past max_record_size: a quote left open (lines are shorter), read again from the next line
    const tooLong = failed.code === 'CSV_MAX_RECORD_SIZE';
    return { line: this.rows.lastLine + 1, endLine: this.lineBase + csvLines, message: failed.message, notClosed: failed.code === 'CSV_QUOTE_NOT_CLOSED' || tooLong, tooLong };
  }
}


/**
 * Passes the input's bytes on by whole lines (the partial last line is held, in pieces, until its
 * line break), with each line longer than MAX_LINE_BYTES emptied: its bytes are dropped as they
 * come, its line break is kept (csv-parse sees an empty line where it was, so line numbers hold),
 * and `onLongLine` is told its number. What is held stays below MAX_LINE_BYTES: without this, a
 * long row of commas made csv-parse build a record of millions of fields.
 */
class LongLinesEmptied {
  /** the number of the line the next byte belongs to */
  private lineNo = 1;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private skipping = false;

  constructor(private readonly onLongLine: (lineNo: number, excerpt: string) => void) {}

  /** The bytes to pass on: a new buffer (`chunk` may be reused by its owner). */
  push(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    /** the start of the current line in `chunk` */
    let from = 0;
    /** the start of the bytes passed on as they are */
    let run = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, nl + 1)) {
      if (from === 0 && (this.skipping || this.heldBytes > 0)) {
        // the line begun in an earlier chunk
        if (this.skipping || this.heldBytes + nl > MAX_LINE_BYTES) {
          if (!this.skipping) this.tooLong(chunk.subarray(0, nl));
          this.skipping = false;
          out.push(NEWLINE);
          run = nl + 1;
        } else {
          out.push(...this.held);
          this.held = [];
          this.heldBytes = 0;
        }
      } else if (nl - from > MAX_LINE_BYTES) {
        out.push(chunk.subarray(run, from));
        this.tooLong(chunk.subarray(from, nl));
        this.skipping = false;
        out.push(NEWLINE);
        run = nl + 1;
      }
      this.lineNo++;
      from = nl + 1;
    }
    if (run < from) out.push(chunk.subarray(run, from));
    if (from < chunk.length && !this.skipping) {
      if (this.heldBytes + chunk.length - from > MAX_LINE_BYTES) this.tooLong(chunk.subarray(from));
      else {
        this.held.push(Buffer.from(chunk.subarray(from)));
        this.heldBytes += chunk.length - from;
      }
    }
    return Buffer.concat(out);
  }

  /** What is left at the end of the input: the last line, which no line break ends. */
  end(): Buffer | undefined {
    if (this.skipping) {
      this.skipping = false;
      // (an empty line for csv-parse: the long line's record)
      return NEWLINE;
    }
    if (this.heldBytes === 0) return undefined;
    const last = Buffer.concat(this.held);
    this.held = [];
    this.heldBytes = 0;
    return last;
  }

  private tooLong(more: Buffer): void {
    const head = Buffer.concat([...this.held, more.subarray(0, 200)]);
    this.held = [];
    this.heldBytes = 0;
    this.skipping = true;
    this.onLongLine(this.lineNo, head.toString('utf8', 0, Math.min(head.length, 200)));
  }
}

const NEWLINE = Buffer.of(10);
/** U+FEFF, the byte-order mark */
const BOM = '\uFEFF';
/** the most volume keys recordBytes keeps by their number */
const MAX_VOLUME_KEYS = 4096;

/** a field as a bad line's reason quotes it: its first 40 characters */
function clip(field: string): string {
  return field.length > 40 ? `${field.slice(0, 40)}...` : field;
}

/** The rows of one CSV input, in order, into ops; every line accounted. */
class CsvRows {
  /** the last line of the last record handled */
  lastLine = 0;
  firstTsNs: number | undefined;
  lastTsNs: number | undefined;
  private headerPending: boolean;
  private columnCount: number | undefined;
  private readonly read: Set<string>;
  private readonly write: Set<string>;
  private readonly time = new TimeOrder(true);
  /** the times, exact; epoch times count from the first one (csv-clock.ts) */
  readonly clock: CsvClock;
  /** the widest mapped column's index: a row must reach it */
  private readonly widest: number;
  /** every op's comm: the input's file name */
  private readonly comm: string;

  constructor(private readonly name: string, readonly mapping: CsvMapping, private readonly out: SelectingSink, private readonly counter: LineCounter, private readonly badLines: BadLines) {
    this.headerPending = mapping.header;
    this.clock = new CsvClock(mapping.tsUnit);
    this.columnCount = mapping.columnCount;
    this.read = new Set(mapping.readValues.map((v) => v.toLowerCase()));
    this.write = new Set(mapping.writeValues.map((v) => v.toLowerCase()));
    this.comm = name.split('/').pop() ?? name;
    this.widest = Math.max(...Object.values(mapping.columns).filter((i): i is number => i !== undefined));
    const d = mapping.delimiter;
    this.delimiterByte = d.length === 1 && d !== ' ' && d.charCodeAt(0) < 128 ? d.charCodeAt(0) : -1;
    this.readBytes = asciiValues(this.read);
    this.writeBytes = asciiValues(this.write);
  }

  /** lines longer than MAX_LINE_BYTES (emptied before csv-parse) not yet accounted for, in order */
  readonly longLines: number[] = [];

  /** recordBytes: the delimiter's byte (-1: rows are not read from bytes), the fields of a line, the op values as bytes */
  private readonly delimiterByte: number;
  private readonly fields = new ByteFields();
  private readonly readBytes: Uint8Array[];
  private readonly writeBytes: Uint8Array[];
  /** volume keys of volume fields of plain digits, by their value (so a row makes no key string) */
  private readonly volumeKeys = new Map<number, string>();

  /** whether recordBytes can read rows of this mapping (a one-byte delimiter that is not a space) */
  bytesReadable(): boolean {
    return this.delimiterByte >= 0;
  }

  /**
   * The row b[from, to) (one line, without its line break), as record() reads it, when it is plain:
   * one record of printable ASCII fields, none empty, the numbers it needs plain digits that are
   * exact as doubles, everything in it valid. False (nothing done) for any other line, which then
   * goes through record(): that is where every reason for a bad line is given.
   */
  recordBytes(b: Buffer, from: number, to: number, endLine: number): boolean {
    if (this.headerPending || this.columnCount === undefined || this.longLines.length > 0 || endLine !== this.lastLine + 1) return false;
    const f = this.fields;
    if (!f.split(b, from, to, this.delimiterByte) || f.count !== this.columnCount || this.widest >= f.count) return false;
    const mapping = this.mapping;
    const c = mapping.columns;
    const offset = f.wholeNumber(b, c.offset);
    const length = f.wholeNumber(b, c.length);
    if (offset < 0 || length < 0 || f.digitCount(b, c.ts) < 0) return false;
    let kind: OpKind;
    if (this.opIn(b, c.op, this.readBytes)) kind = 'read';
    else if (this.write.size === 0 || this.opIn(b, c.op, this.writeBytes)) kind = 'write';
    else return false;
    const tsNs = this.clock.plainTsNsOfDigits(b, f.starts[c.ts], f.ends[c.ts]);
    if (tsNs === undefined) return false;
    const offsetBytes = mapping.offsetUnit === 'sectors' ? offset * 512 : offset;
    const lengthBytes = mapping.lengthUnit === 'sectors' ? length * 512 : length;
    if (rangeProblem(offsetBytes, lengthBytes) !== undefined) return false;
    let durNs = 0;
    if (c.response !== undefined) {
      const r = f.wholeNumber(b, c.response);
      if (r < 0) return false;
      durNs = Math.round(durationNs(r, mapping.responseUnit ?? mapping.tsUnit));
      if (durationProblem(durNs) !== undefined) return false;
    }
    // (last: it keeps the time when it takes it)
    if (this.time.check(tsNs, endLine) !== undefined) return false;
    this.lastLine = endLine;
    const op: Op = { id: -1, tsNs, pid: 1, proc: 'pid:1', comm: this.comm, file: c.file !== undefined ? this.volumeKey(b, c.file) : 'vol:0', kind, offset: offsetBytes, lengthBytes, line: endLine };
    if (durNs > 0) op.durNs = durNs;
    this.emit(op);
    return true;
  }

  /** Hands a row's op on (record and recordBytes alike). */
  private emit(op: Op): void {
    if (this.firstTsNs === undefined) {
      // (epoch times count from the first row's: --from/--to past 2^53 ns are times since 1970)
      const originNs = this.clock.countsFromNs;
      if (originNs !== undefined) this.out.countsFrom(originNs);
    }
    this.firstTsNs ??= op.tsNs;
    this.lastTsNs = op.tsNs;
    this.out.op(op, 1);
  }

  /** whether field i is one of `values` (lowered ASCII op values), ignoring ASCII case */
  private opIn(b: Buffer, i: number, values: Uint8Array[]): boolean {
    for (let k = 0; k < values.length; k++) if (this.fields.equalsLowered(b, i, values[k])) return true;
    return false;
  }

  /** the volume key of field i, as record() makes it ("vol:" and the field) */
  private volumeKey(b: Buffer, i: number): string {
    const from = this.fields.starts[i], to = this.fields.ends[i];
    // (a value with a leading zero is not the key of its number: "vol:07" is not "vol:7")
    const value = b[from] === 48 && to - from > 1 ? -1 : this.fields.wholeNumber(b, i);
    if (value < 0) return `vol:${b.toString('latin1', from, to)}`;
    let key = this.volumeKeys.get(value);
    if (key === undefined) {
      key = `vol:${b.toString('latin1', from, to)}`;
      if (this.volumeKeys.size < MAX_VOLUME_KEYS) this.volumeKeys.set(value, key);
    }
    return key;
  }

  /** the record whose last line is `endLine` */
  record(record: string[], endLine: number): void {
    const mapping = this.mapping;
    const line = this.lastLine + 1;
    // a quoted field with line breaks: the record's first line stands for it, the others are skipped
    if (endLine > line) this.counter.skip('quoted-line-break', endLine - line);
    this.lastLine = endLine;
    const long = this.longLineIn(line, endLine);
    if (long !== undefined) return this.badLines.report(line, long === line ? LONG_LINE : `its record goes on to line ${long}, a ${LONG_LINE}`);
    // space-separated: runs of spaces, leading ones too, are one separator (DiskSim detection allows them)
    const row = mapping.delimiter === ' ' ? record.filter((f) => f !== '') : record;
    if (row.length === 0 || (row.length === 1 && row[0] === '')) {
      this.counter.skip('blank');
      return;
    }
    if (this.headerPending) {
      this.headerPending = false;
      if (row.some((f) => /[a-zA-Z]/.test(f) && !this.read.has(f.toLowerCase()) && !this.write.has(f.toLowerCase()))) {
        this.columnCount ??= row.length;
        this.counter.skip('header');
        return;
      }
    }
    this.columnCount ??= row.length;
    if (row.length !== this.columnCount) return this.bad(line, `a row of ${row.length} columns, not ${this.columnCount}`, row);
    const c = mapping.columns;
    // a mapped column the row does not have (--columns file=9 on rows of 7)
    if (this.widest >= row.length) {
      const [name, index] = (Object.entries(c) as [string, number | undefined][]).find(([, i]) => i !== undefined && i >= row.length) as [string, number];
      return this.bad(line, `column ${name}=${index} is beyond the row's ${row.length} columns`, row);
    }
    const ts = csvNumber(row[c.ts], 'time');
    const offset = csvNumber(row[c.offset], 'whole');
    const length = csvNumber(row[c.length], 'whole');
    if (!Number.isFinite(ts) || !Number.isFinite(offset) || !Number.isFinite(length)) {
      const notNumbers = ([['ts', c.ts, ts, 'time'], ['offset', c.offset, offset, 'whole'], ['length', c.length, length, 'whole']] as const)
        .filter(([, , v]) => !Number.isFinite(v))
        .map(([name, i, , kind]) => `${name}=${i}${row[i] === '' ? ' (empty)' : `: "${clip(row[i])}" is not ${csvNumberRule(kind)}`}`);
      return this.bad(line, `row needs numbers in column${notNumbers.length > 1 ? 's' : ''} ${notNumbers.join('; ')}`, row);
    }
    const opText = (row[c.op] ?? '').toLowerCase();
    let kind: OpKind;
    if (this.read.has(opText)) kind = 'read';
    else if (this.write.size === 0 ? opText !== '' : this.write.has(opText)) kind = 'write';
    else {
      return this.bad(line, `op column ${c.op} is "${row[c.op] ?? ''}": neither a read (${mapping.readValues.join('|')}) nor a write (${mapping.writeValues.join('|') || 'anything else'})`, row);
    }
    const tsNs = this.clock.tsNs(row[c.ts], ts);
    if (typeof tsNs === 'string') return this.bad(line, `column ts=${c.ts}: ${tsNs}`, row);
    const badTime = this.time.check(tsNs, line);
    if (badTime !== undefined) return this.bad(line, `column ts=${c.ts}: ${badTime}`, row);
    const scale = (v: number, unit: OffsetUnit): number => (unit === 'sectors' ? v * 512 : v);
    const offsetBytes = scale(offset, mapping.offsetUnit);
    const lengthBytes = scale(length, mapping.lengthUnit);
    const badRange = rangeProblem(offsetBytes, lengthBytes);
    if (badRange !== undefined) return this.bad(line, badRange, row);
    // a byte-order mark is the input's first bytes (csv-parse drops it there): anywhere else (files
    // joined with cat, the second with one) it made a volume of its own, "vol:\uFEFF2" beside "vol:2"
    if (c.file !== undefined && row[c.file].includes(BOM)) return this.bad(line, `file column ${c.file}: a byte-order mark (U+FEFF) inside the input, not at its start (files joined together?)`, row);
    const file = `vol:${c.file !== undefined ? row[c.file] : '0'}`;
    const op: Op = { id: -1, tsNs, pid: 1, proc: 'pid:1', comm: this.comm, file, kind, offset: offsetBytes, lengthBytes, line };
    if (c.response !== undefined && row[c.response] !== '') {
      // a response time of 0 says nothing; one that is not a number, negative or too long is bad
      const r = csvNumber(row[c.response], 'time');
      const durNs = Math.round(durationNs(r, mapping.responseUnit ?? mapping.tsUnit));
      const badDuration = Number.isNaN(r) ? `is not ${csvNumberRule('time')}` : durationProblem(durNs);
      if (badDuration !== undefined) return this.bad(line, `response column ${c.response}: ${badDuration}`, row);
      if (durNs > 0) op.durNs = durNs;
    }
    this.emit(op);
  }

  /** the lines after the last record, which csv-parse did not hand over: blank */
  trailingBlank(kept: KeptLines): void {
    const text = kept.bytes();
    if (text.length === 0) return;
    let lines = 0;
    for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) lines++;
    if (text[text.length - 1] !== 10) lines++;
    if (lines > 0) this.counter.skip('blank', lines);
    this.lastLine += lines;
  }

  /** the first line longer than MAX_LINE_BYTES in [from, to], if any (those before `from` went with a broken record) */
  private longLineIn(from: number, to: number): number | undefined {
    const long = this.longLines;
    if (long.length === 0 || long[0] > to) return undefined;
    let found: number | undefined;
    let i = 0;
    for (; i < long.length && long[i] <= to; i++) if (found === undefined && long[i] >= from) found = long[i];
    long.splice(0, i);
    return found;
  }

  private bad(line: number, reason: string, row: string[]): void {
    this.badLines.report(line, reason, row.join(this.mapping.delimiter));
  }
}
