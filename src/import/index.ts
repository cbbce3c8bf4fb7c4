/**
 * Import: any supported trace (or an Op stream file) in, ops out through a sink, with a summary
 * that accounts for every input line.
 */
import { ExitCode, LockreplayError } from '../errors.js';
import type { ObservedLock, Op } from '../model/op.js';
import { type LineAccounting, LineCounter } from './accounting.js';
import { FtraceLineParser } from './ftrace.js';
import { LineType, newEventFields, parseFtraceLine } from './ftrace-prefix.js';
import { LineSplitter } from './lines.js';
import { type BuilderOptions, OpBuilder, type OpSink } from './op-builder.js';
import { OPSTREAM_MAGIC, readOpStream } from './opstream.js';
import { type InputSource, openSource } from './source.js';
import { collectGarbage } from '../util/gc.js';

/** input bytes between two forced collections (see util/gc.ts) */
const GC_EVERY_BYTES = 48 << 20;

export const INPUT_FORMATS = ['auto', 'ftrace', 'ops'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface ImportOptions extends BuilderOptions {
  format?: InputFormat;
  /** count bad lines instead of stopping at the first */
  lenient?: boolean;
  /** called about every MiB of input */
  onProgress?: (progress: { lines: number; bytes: number; totalBytes?: number }) => void;
}

export interface ImportSummary {
  schema: 'lockreplay-import/1';
  input: string;
  format: Exclude<InputFormat, 'auto'>;
  /** CPUs named by the trace header (#P:N), if any */
  cpus?: number;
  lostEvents: number;
  bytes: number;
  lines: LineAccounting;
  ops: { total: number; byKind: Record<string, number>; byFile: Record<string, Record<string, number>> };
  observedLocks: number;
  firstTsNs?: number;
  lastTsNs?: number;
  /** things a user should know about how ops were derived */
  notes: string[];
}

export async function importTrace(path: string, sink: OpSink, options: ImportOptions = {}): Promise<ImportSummary> {
  const source = openSource(path);
  const chunks = source.chunks()[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done || first.value.length === 0) {
    throw new LockreplayError(`${source.name}: empty input, not a trace`, ExitCode.unknownFormat);
  }
  const head: Buffer = first.value;
  const format = options.format === undefined || options.format === 'auto' ? detectFormat(head, source.name) : options.format;
  const all = (async function* () {
    yield head;
    for (;;) {
      const r = await chunks.next();
      if (r.done) return;
      yield r.value;
    }
  })();
  if (format === 'ops') return importOpStream(source, all, sink, options);
  return importFtrace(source, all, sink, options);
}

/** Collects everything in memory (for replay). */
export async function loadTrace(path: string, options: ImportOptions = {}): Promise<{ ops: Op[]; locks: ObservedLock[]; summary: ImportSummary }> {
  const ops: Op[] = [];
  const locks: ObservedLock[] = [];
  const summary = await importTrace(path, { op: (o) => ops.push(o), lock: (l) => locks.push(l) }, options);
  return { ops, locks, summary };
}

function detectFormat(head: Buffer, name: string): Exclude<InputFormat, 'auto'> {
  const text = head.toString('latin1', 0, Math.min(head.length, 65536));
  if (text.startsWith(OPSTREAM_MAGIC)) return 'ops';
  const lines = text.split('\n').slice(0, 60);
  if (lines.length > 1) lines.pop(); // maybe cut mid-line
  const ev = newEventFields();
  let events = 0;
  let bad = 0;
  let tracerHeader = false;
  for (const line of lines) {
    const t = parseFtraceLine(line.replace(/\r$/, ''), ev);
    if (t === LineType.Event) events++;
    else if (t === LineType.Bad) bad++;
    else if (t === LineType.Comment && /^#\s*tracer:/.test(line)) tracerHeader = true;
  }
  if (tracerHeader || (events > 0 && events >= bad)) return 'ftrace';
  throw new LockreplayError(
    `${name}: not a recognised trace: its first lines match none of the formats tried ` +
      `(ftrace text: ${events} of ${lines.length} lines parse; lockreplay op stream: no "${OPSTREAM_MAGIC}" header). ` +
      `Name the format with --format if you know it.`,
    ExitCode.unknownFormat,
  );
}

async function importFtrace(source: InputSource, chunks: AsyncIterable<Buffer>, sink: OpSink, options: ImportOptions): Promise<ImportSummary> {
  const counter = new LineCounter();
  const builder = new OpBuilder(sink, counter, options);
  const parser = new FtraceLineParser(source.name, builder, counter, options.lenient ?? false);
  const splitter = new LineSplitter((text, start, end, no) => parser.line(text, start, end, no));
  let lines = 0;
  let sinceProgress = 0;
  let sinceGc = 0;
  for await (const chunk of chunks) {
    splitter.push(chunk);
    sinceProgress += chunk.length;
    sinceGc += chunk.length;
    if (sinceGc >= GC_EVERY_BYTES) {
      sinceGc = 0;
      collectGarbage();
    }
    if (options.onProgress && sinceProgress >= 1 << 20) {
      sinceProgress = 0;
      options.onProgress({ lines: counter.used, bytes: splitter.bytesSeen, totalBytes: source.sizeBytes });
    }
  }
  lines = splitter.end();
  builder.finish();
  if (parser.eventLines === 0 && options.format !== 'ftrace') {
    throw new LockreplayError(`${source.name}: no trace events in ${lines} lines`, ExitCode.unknownFormat);
  }
  const s = builder.stats;
  const notes: string[] = [];
  if (parser.header.lostEvents > 0) notes.push(`${parser.header.lostEvents} events were lost by the kernel ring buffer: ops around them may be incomplete`);
  if (s.fdResolvedFromHistory > 0) notes.push(`${s.fdResolvedFromHistory} syscalls had no filesystem event inside: their file came from an earlier syscall on the same fd`);
  if (s.unresolvedFiles > 0) notes.push(`${s.unresolvedFiles} syscalls name no inode anywhere in the trace: they are reported under "fd:PID:FD"`);
  if (s.dioDirectionUnknown > 0) notes.push(`${s.dioDirectionUnknown} direct IOs were seen only as iomap events, which do not say read or write: counted as dio-write`);
  if (parser.header.cpus === undefined) notes.push('the trace header names no CPU count (#P:N)');
  const accounting = counter.result();
  if (accounting.total !== lines) notes.push(`internal: accounted ${accounting.total} of ${lines} lines`);
  return {
    schema: 'lockreplay-import/1',
    input: source.name,
    format: 'ftrace',
    cpus: parser.header.cpus,
    lostEvents: parser.header.lostEvents,
    bytes: splitter.bytesSeen,
    lines: accounting,
    ops: { total: sumValues(s.opsByKind), byKind: sortKeys(s.opsByKind), byFile: sortFiles(s.opsByFile) },
    observedLocks: s.locksKept,
    firstTsNs: Number.isNaN(s.firstTsNs) ? undefined : s.firstTsNs,
    lastTsNs: Number.isNaN(s.lastTsNs) ? undefined : s.lastTsNs,
    notes,
  };
}

async function importOpStream(source: InputSource, chunks: AsyncIterable<Buffer>, sink: OpSink, options: ImportOptions): Promise<ImportSummary> {
  const read = await readOpStream(chunks, source.name);
  const original = read.summary as Partial<ImportSummary> | undefined;
  const byKind: Record<string, number> = {};
  const byFile: Record<string, Record<string, number>> = {};
  let kept = 0;
  const ids = new Map<number, number>();
  for (const op of read.ops) {
    if (options.files && !options.files.has(op.file)) continue;
    if ((options.taskPids || options.taskComms) && !(options.taskPids?.has(op.pid) || options.taskComms?.has(op.comm))) continue;
    ids.set(op.id, kept);
    const copy: Op = { ...op, id: kept++ };
    if (copy.parent !== undefined) {
      const p = ids.get(copy.parent);
      if (p === undefined) delete copy.parent;
      else copy.parent = p;
    }
    byKind[op.kind] = (byKind[op.kind] ?? 0) + 1;
    const f = byFile[op.file] ?? (byFile[op.file] = {});
    f[op.kind] = (f[op.kind] ?? 0) + 1;
    sink.op(copy);
  }
  for (const l of read.locks) sink.lock(l);
  const counter = new LineCounter();
  return {
    schema: 'lockreplay-import/1',
    input: source.name,
    format: 'ops',
    cpus: original?.cpus,
    lostEvents: original?.lostEvents ?? 0,
    bytes: original?.bytes ?? 0,
    lines: original?.lines ?? counter.result(),
    ops: { total: kept, byKind: sortKeys(byKind), byFile: sortFiles(byFile) },
    observedLocks: read.locks.length,
    firstTsNs: read.ops[0]?.tsNs,
    lastTsNs: read.ops[read.ops.length - 1]?.tsNs,
    notes: [...(original?.notes ?? []), `read from an op stream made by "lockreplay import" of ${original?.input ?? 'an unknown trace'}`],
  };
}

function sumValues(r: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(r)) n += v;
  return n;
}

function sortKeys<T>(r: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

function sortFiles(r: Record<string, Record<string, number>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const files = Object.keys(r).sort((a, b) => sumValues(r[b]) - sumValues(r[a]) || (a < b ? -1 : a > b ? 1 : 0));
  for (const f of files) out[f] = sortKeys(r[f]);
  return out;
}
