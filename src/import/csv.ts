/**
 * CSV block traces (trace-formats.md §5) through csv-parse, with presets for the public datasets
 * and a generic column mapping. Units and read/write polarity are always explicit: the summary
 * states them. Each row is one op on its volume ("file").
 */
import { parse } from 'csv-parse';
import { BadInputError, ExitCode, LockreplayError } from '../errors.js';
import type { Op, OpKind } from '../model/op.js';
import type { LineCounter } from './accounting.js';
import type { OpSink } from './op-builder.js';

export type TsUnit = 'ns' | 'us' | 'ms' | 's' | 'filetime';
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
}

export const CSV_PRESETS: Record<string, { summary: string; mapping: CsvMapping }> = {
  msr: {
    summary: 'MSR Cambridge: Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime; FILETIME 100 ns ticks; bytes; Read/Write; no header',
    mapping: { columns: { ts: 0, file: 2, op: 3, offset: 4, length: 5, response: 6 }, tsUnit: 'filetime', responseUnit: 'filetime', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['Read'], writeValues: ['Write'], delimiter: ',', header: false },
  },
  alibaba: {
    summary: 'Alibaba 2020: device_id,opcode,offset,length,timestamp; µs; bytes; R/W; no header',
    mapping: { columns: { file: 0, op: 1, offset: 2, length: 3, ts: 4 }, tsUnit: 'us', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['R'], writeValues: ['W'], delimiter: ',', header: false },
  },
  tencent: {
    summary: 'Tencent CBS: Timestamp,Offset,Size,IOType,VolumeID; seconds; 512-byte sectors; 0 = read, 1 = write; no header',
    mapping: { columns: { ts: 0, offset: 1, length: 2, op: 3, file: 4 }, tsUnit: 's', offsetUnit: 'sectors', lengthUnit: 'sectors', readValues: ['0'], writeValues: ['1'], delimiter: ',', header: false },
  },
  systor: {
    summary: 'SYSTOR \'17: Timestamp,Response,IOType,LUN,Offset,Size; seconds; bytes; R/W; header',
    mapping: { columns: { ts: 0, response: 1, op: 2, file: 3, offset: 4, length: 5 }, tsUnit: 's', responseUnit: 's', offsetUnit: 'bytes', lengthUnit: 'bytes', readValues: ['R'], writeValues: ['W'], delimiter: ',', header: true },
  },
  cloudphysics: {
    summary: 'CloudPhysics (libCacheSim CSV): version,time,op,size,lbn; seconds; lbn in 512-byte sectors, size in bytes; SCSI opcode 28 = read, 2a = write; header',
    mapping: { columns: { ts: 1, op: 2, length: 3, offset: 4 }, tsUnit: 's', offsetUnit: 'sectors', lengthUnit: 'bytes', readValues: ['28', '08', '88', 'a8'], writeValues: ['2a', '0a', '8a', 'aa'], delimiter: ',', header: true },
  },
  disksim: {
    summary: 'DiskSim/MQSim ASCII: arrival_time device lba size_sectors type, space-separated; ns; 512-byte sectors; 1 = read, 0 = write',
    mapping: { columns: { ts: 0, file: 1, offset: 2, length: 3, op: 4 }, tsUnit: 'ns', offsetUnit: 'sectors', lengthUnit: 'sectors', readValues: ['1'], writeValues: ['0'], delimiter: ' ', header: false },
  },
};

const FILETIME_UNIX_EPOCH = 116444736000000000;

function toNs(value: number, unit: TsUnit): number {
  switch (unit) {
    case 'ns': return value;
    case 'us': return value * 1e3;
    case 'ms': return value * 1e6;
    case 's': return value * 1e9;
    default: return (value - FILETIME_UNIX_EPOCH) * 100; // FILETIME: 100 ns ticks since 1601
  }
}

function durationNs(value: number, unit: TsUnit): number {
  return unit === 'filetime' ? value * 100 : toNs(value, unit);
}

/** "ts=0,op=3,offset=4,length=5,file=2" → columns */
export function parseColumns(spec: string): CsvMapping['columns'] {
  const cols: Record<string, number> = {};
  for (const part of spec.split(',')) {
    const m = /^\s*(ts|op|offset|length|file|response)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new LockreplayError(`--columns ${spec}: expected NAME=INDEX pairs, NAME one of ts, op, offset, length, file, response`, ExitCode.usage);
    cols[m[1]] = Number(m[2]);
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

/** Streams CSV rows into ops. Rows are expected in time order (the datasets are); ops keep row order. */
export async function importCsv(chunks: AsyncIterable<Buffer>, name: string, mapping: CsvMapping, sink: OpSink, counter: LineCounter, lenient: boolean): Promise<{ ops: number; byKind: Record<string, number>; byFile: Record<string, Record<string, number>>; firstTsNs?: number; lastTsNs?: number }> {
  const parser = parse({
    delimiter: mapping.delimiter === ' ' ? [' ', '\t'] : mapping.delimiter,
    bom: true, relax_column_count: true, skip_empty_lines: false, trim: mapping.delimiter === ' ', ltrim: true, rtrim: true, info: true,
  });
  const feed = (async () => {
    for await (const chunk of chunks) {
      if (!parser.write(Buffer.from(chunk))) await new Promise<void>((r) => parser.once('drain', () => r()));
    }
    parser.end();
  })();
  feed.catch((err) => parser.destroy(err as Error));
  const read = new Set(mapping.readValues.map((v) => v.toLowerCase()));
  const write = new Set(mapping.writeValues.map((v) => v.toLowerCase()));
  const c = mapping.columns;
  const byKind: Record<string, number> = {};
  const byFile: Record<string, Record<string, number>> = {};
  let id = 0;
  let first: number | undefined;
  let last: number | undefined;
  let headerPending = mapping.header;
  const bad = (line: number, reason: string, row: string[]): void => {
    if (!lenient) throw new BadInputError(name, line, reason, row.join(mapping.delimiter));
    counter.badLine(`${name}:${line}: ${reason}`);
  };
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const row = rec.record.filter((f, i) => mapping.delimiter !== ' ' || f !== '' || i === 0);
      const line = rec.info.lines;
      if (row.length === 0 || (row.length === 1 && row[0] === '')) {
        counter.skip('blank');
        continue;
      }
      if (headerPending) {
        headerPending = false;
        if (row.some((f) => /[a-zA-Z]/.test(f) && !read.has(f.toLowerCase()) && !write.has(f.toLowerCase()))) {
          counter.skip('header');
          continue;
        }
      }
      const num = (i: number): number => (i < row.length && row[i] !== '' ? Number(row[i]) : NaN);
      const ts = num(c.ts);
      const offset = num(c.offset);
      const length = num(c.length);
      if (!Number.isFinite(ts) || !Number.isFinite(offset) || !Number.isFinite(length)) {
        bad(line, `row needs numbers in columns ts=${c.ts}, offset=${c.offset}, length=${c.length}`, row);
        continue;
      }
      const opText = (row[c.op] ?? '').toLowerCase();
      let kind: OpKind;
      if (read.has(opText)) kind = 'read';
      else if (write.size === 0 ? opText !== '' : write.has(opText)) kind = 'write';
      else {
        bad(line, `op column ${c.op} is "${row[c.op] ?? ''}": neither a read (${mapping.readValues.join('|')}) nor a write (${mapping.writeValues.join('|') || 'anything else'})`, row);
        continue;
      }
      const tsNs = Math.round(toNs(ts, mapping.tsUnit));
      const scale = (v: number, unit: OffsetUnit): number => (unit === 'sectors' ? v * 512 : v);
      const file = `vol:${c.file !== undefined ? row[c.file] ?? '' : '0'}`;
      const op: Op = { id: id++, tsNs, pid: 1, proc: 'pid:1', comm: name.split('/').pop() ?? name, file, kind, offset: scale(offset, mapping.offsetUnit), lengthBytes: scale(length, mapping.lengthUnit), line };
      if (c.response !== undefined) {
        const r = num(c.response);
        if (Number.isFinite(r) && r > 0) op.durNs = Math.round(durationNs(r, mapping.responseUnit ?? mapping.tsUnit));
      }
      first ??= tsNs;
      last = tsNs;
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      const f = byFile[file] ?? (byFile[file] = {});
      f[kind] = (f[kind] ?? 0) + 1;
      counter.use();
      sink.op(op);
    }
  } catch (err) {
    if (err instanceof LockreplayError) throw err;
    const e = err as Error & { lines?: number };
    throw new BadInputError(name, e.lines ?? 0, `not valid CSV (${e.message})`);
  }
  await feed.catch(() => undefined);
  return { ops: id, byKind, byFile, firstTsNs: first, lastTsNs: last };
}
