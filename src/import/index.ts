/**
 * Import: any supported trace (or an Op stream file) in, ops out through a sink, with a summary
 * that accounts for every input line.
 */
import { BadInputError, ExitCode, LockreplayError } from '../errors.js';
import { deviceOfFileKey, type ObservedLock, type Op } from '../model/op.js';
import { BadLines, LineCounter } from './accounting.js';
import { FtraceLineParser, headerCpusNotes, INPUT_PID_STRIDE, kernelHzNote } from './ftrace.js';
import { cpusBeyondNote, inputCpusBeyondNotes } from './cpus-beyond-header.js';
import { BlockOpBuilder } from './block.js';
import { BlkparseLineParser } from './blkparse.js';
import { FioIologParser } from './fio-iolog.js';
import { CSV_PRESETS, type CsvMapping, describeMapping, importCsv } from './csv.js';
import { LineType, newEventFields, parseFtraceLine } from './ftrace-prefix.js';
import { cutLastLineIsBad, LineSplitter, longLineIsBad, utf8FromLatin1 } from './lines.js';
import { type BuilderOptions, OpBuilder, type OpSink } from './op-builder.js';
import { footerOpsProblem, footerProblem, OPSTREAM_MAGIC_ANY, type OpStreamChecks, readOpStream } from './opstream.js';
import { type InputSource, openSource, trailingNote } from './source.js';
import { btrfsConflictNotes, renameCounts, renameFiles } from './file-identity.js';
import { assertSelection, type SelectedCounts, SelectingSink } from './selection.js';
import { HeapBound } from '../util/gc.js';

/** input bytes between two looks at the heap (util/gc.ts, HeapBound) */
const HEAP_LOOK_EVERY_BYTES = 16 << 20;

import { type ConcreteFormat, type ImportSummary, INPUT_FORMATS, type InputFormat } from '../model/import-summary.js';

export { INPUT_FORMATS, type ImportSummary, type InputFormat } from '../model/import-summary.js';

export interface ImportOptions extends BuilderOptions {
  format?: InputFormat;
  /** csv: a preset name (msr, alibaba, tencent, systor, cloudphysics, disksim) */
  csvPreset?: string;
  /** csv: a full mapping (wins over the preset) */
  csvMapping?: CsvMapping;
  /** count bad lines instead of stopping at the first */
  lenient?: boolean;
  /**
   * called as the input is read: the bytes read so far (compressed bytes for gzip input) and the
   * input's size on disk (undefined for standard input)
   */
  onProgress?: (progress: { bytes: number; totalBytes?: number }) => void;
  /**
   * the caller keeps every op in memory (loadTrace): no forced collections, which only keep a
   * streaming import's peak flat and here would mark the growing op list again and again
   */
  keepsAll?: boolean;
}


export async function importTrace(path: string, sink: OpSink, options: ImportOptions = {}): Promise<ImportSummary> {
  // (the library's callers are not held to the types: the CLI's flags are checked by oclif)
  if (options.format !== undefined && !(INPUT_FORMATS as readonly string[]).includes(options.format)) throw new LockreplayError(`format "${String(options.format)}": expected one of ${INPUT_FORMATS.join(', ')}`, ExitCode.usage);
  for (const name of ['files', 'taskPids', 'taskComms'] as const) {
    const v = options[name];
    if (v !== undefined && !(v instanceof Set)) throw new LockreplayError(`option ${name}: expected a Set, not ${Array.isArray(v) ? 'an array' : typeof v}`, ExitCode.usage);
  }
  assertSelection(options);
  const source = openSource(path);
  const chunks = source.chunks()[Symbol.asyncIterator]();
  const first = await chunks.next();
  // the source may reuse its buffer: keep a copy of the head for detection and replay; a UTF-8 byte
  // order mark (an editor's on Windows) is no part of any format: every reader gets the text after it
  const bytes = first.done ? Buffer.alloc(0) : first.value;
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const head: Buffer = Buffer.from(bom ? bytes.subarray(3) : bytes);
  if (head.length === 0) throw new LockreplayError(`${source.name}: empty input, not a trace`, ExitCode.unknownFormat);
  let format: ConcreteFormat;
  let preset = options.csvPreset;
  if (options.format === undefined || options.format === 'auto') {
    const d = detectFormat(head, source.name);
    format = d.format;
    preset ??= d.preset;
  } else {
    format = options.format;
  }
  const onProgress = options.onProgress;
  const all = (async function* () {
    onProgress?.({ bytes: source.bytesRead, totalBytes: source.sizeBytes });
    yield head;
    for (;;) {
      const r = await chunks.next();
      if (r.done) return;
      onProgress?.({ bytes: source.bytesRead, totalBytes: source.sizeBytes });
      yield r.value;
    }
  })();
  try {
    let summary: ImportSummary;
    switch (format) {
      case 'ops': summary = await importOpStream(source, all, sink, options); break;
      case 'csv': summary = await importCsvTrace(source, all, sink, options, preset); break;
      case 'fio-iolog': summary = await importLineFormat(source, all, sink, options, 'fio-iolog'); break;
      case 'blkparse': summary = await importLineFormat(source, all, sink, options, 'blkparse'); break;
      default: summary = await importFtrace(source, all, sink, options, format);
    }
    // (bytes after gzip data are no lines: they are not in the line accounting, but they are said)
    if (source.trailing !== undefined) summary.notes.push(trailingNote(source.name, source.trailing));
    return summary;
  } catch (err) {
    // a bad line in gzip input may be corrupt data inflated to garbage, which zlib's check finds only
    // at the end of the gzip member: then the corruption is the error to report, not the line
    if (err instanceof BadInputError && source.gzip === true) await throwIfCorrupt(chunks, err);
    throw err;
  } finally {
    // an import that stops early (a bad line) closes its input too, whatever reader it went through
    await chunks.return?.(undefined);
  }
}

/**
 * inflated bytes read past a bad line to check the gzip data under it (a corruption's check comes at
 * the end of its member): enough for a capture's whole member in most cases, a fraction of a second
 */
const CORRUPTION_CHECK_BYTES = 64 << 20;

async function throwIfCorrupt(chunks: AsyncIterator<Buffer>, bad: BadInputError): Promise<void> {
  let read = 0;
  try {
    while (read < CORRUPTION_CHECK_BYTES) {
      const r = await chunks.next();
      if (r.done) return;
      read += r.value.length;
    }
  } catch (err) {
    if (err instanceof LockreplayError && /corrupt gzip data|truncated|unexpected end/i.test(err.message)) {
      throw new LockreplayError(`${err.message}; the bad line ${bad.line} before it is likely its garbage (${bad.reason})`, err.exitCode);
    }
  }
}

/** Collects everything in memory (for replay). */
export async function loadTrace(path: string, options: ImportOptions = {}): Promise<{ ops: Op[]; locks: ObservedLock[]; summary: ImportSummary }> {
  const ops: Op[] = [];
  const locks: ObservedLock[] = [];
  const summary = await importTrace(path, { op: (o) => ops.push(o), lock: (l) => locks.push(l) }, { ...options, keepsAll: true });
  if (summary.fileAliases !== undefined) renameFiles(ops, summary.fileAliases);
  return { ops, locks, summary };
}

const BLKPARSE_LINE = /^\s*\d+,\d+\s+\d+\s+\d+\s+\d+\.\d+\s+\d+\s+[A-Za-z]{1,2}\s+[A-Z]+/;

/** Decides the format from the first lines; when unsure, says which candidates it saw. */
export function detectFormat(head: Buffer, name: string): { format: ConcreteFormat; preset?: string } {
  const text = head.toString('latin1', 0, Math.min(head.length, 65536));
  if (OPSTREAM_MAGIC_ANY.test(text)) return { format: 'ops' };
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length > 1 && head.length > 65536) lines.pop(); // maybe cut mid-line
  // trace-cmd's header names every CPU ("CPU 97 is empty"): a many-CPU machine's header must not
  // fill the lines looked at
  // (with several inputs, each input's count is prefixed with its name: "host.dat: cpus=2")
  const traceCmdHeader = (l: string): boolean => /^(version = \d+|(\S+: )?cpus=\d+|CPU \d+ is empty)$/.test(l.trim());
  const traceCmdHeaderLines = lines.filter(traceCmdHeader).length;
  const firstLines = lines.filter((l) => l.trim() !== '' && !traceCmdHeader(l)).slice(0, 60);
  // a UTF-8 byte order mark: the text is decoded as latin1, where it is three characters
  const firstLine = (firstLines[0] ?? '').replace(/^(\uFEFF|\u00EF\u00BB\u00BF)/, '').trim();
  if (/^fio version [23] iolog$/.test(firstLine)) return { format: 'fio-iolog' };
  const ev = newEventFields();
  let events = 0;
  let bad = 0;
  let tracerHeader = false;
  let traceCmd = traceCmdHeaderLines > 0;
  let blk = 0;
  // blkparse's summary block ("CPU0 (7,0):", "Total (7,0):" and their counts) ends its events
  let blkSummaryAt = -1;
  for (const [i, line] of firstLines.entries()) {
    if (BLKPARSE_LINE.test(line)) blk++;
    else if (blkSummaryAt < 0 && /^(CPU\d+|Total) \(\d+,\d+\):\s*$/.test(line)) blkSummaryAt = i;
    const type = parseFtraceLine(line, ev);
    if (type === LineType.Event) {
      events++;
      if (ev.event.startsWith('sys_enter_') || ev.event.startsWith('sys_exit_')) traceCmd = traceCmd || !tracerHeader;
    } else if (type === LineType.Bad) bad++;
    else if (type === LineType.Comment && /^#\s*tracer:/.test(line)) tracerHeader = true;
  }
  // (a trace-cmd header with nothing after it is still trace-cmd's: the import says it has no events)
  if (traceCmd && (events > 0 || firstLines.length === 0)) return { format: 'trace-cmd' };
  if (tracerHeader || (events > 0 && events >= bad)) return { format: 'ftrace' };
  if (blk > 0 && blk >= (blkSummaryAt >= 0 ? blkSummaryAt : firstLines.length) / 2) return { format: 'blkparse' };
  // CSV and CSV-like block traces
  const rows = firstLines.slice(0, 20);
  const lower = firstLine.toLowerCase().replace(/\s/g, '');
  if (lower === 'version,time,op,size,lbn') return { format: 'csv', preset: 'cloudphysics' };
  if (lower === 'timestamp,response,iotype,lun,offset,size') return { format: 'csv', preset: 'systor' };
  if (rows.length > 0 && rows.every((r) => /^\s*\d+(\s+\d+){4}\s*$/.test(r))) return { format: 'csv', preset: 'disksim' };
  const split = rows.map((r) => r.split(','));
  // a bad row among the first ones must not hide the format: all rows but one must agree
  const most = (test: (f: string[]) => boolean): boolean => {
    const n = split.filter(test).length;
    return n > 0 && n >= split.length - 1 && (n >= 2 || split.length === 1);
  };
  if (most((f) => f.length === 7 && /^(Read|Write)$/.test(f[3]))) return { format: 'csv', preset: 'msr' };
  if (most((f) => f.length === 5 && /^[RW]$/.test(f[1]))) return { format: 'csv', preset: 'alibaba' };
  if (most((f) => f.length === 5 && /^\d+$/.test(f[0]) && /^[01]$/.test(f[3]))) return { format: 'csv', preset: 'tencent' };
  const candidates: string[] = [];
  if (events > 0) candidates.push(`ftrace text (${events} of ${firstLines.length} lines parse)`);
  if (blk > 0) candidates.push(`blkparse (${blk} lines look like it)`);
  if (split.length > 0 && split.every((f) => f.length > 2)) candidates.push(`CSV with ${split[0].length} columns (choose --format csv with --preset ${Object.keys(CSV_PRESETS).join('|')}, or --columns ts=I,op=I,offset=I,length=I --ts-unit ... --offset-unit ... --read-values ...)`);
  throw new LockreplayError(
    `${name}: cannot tell the format from its first lines. ` +
      (candidates.length > 0 ? `Candidates: ${candidates.join('; ')}. ` : 'It matches none of: ftrace text, trace-cmd report, blkparse text, CSV block traces, fio iolog v2/v3, lockreplay op stream. ') +
      'Name it with --format.',
    ExitCode.unknownFormat,
  );
}

/** The earliest and latest event time of the builders that read the input (NaN: a builder saw none). */
function spanOf(builders: { firstTsNs: number; lastTsNs: number }[]): { firstTsNs?: number; lastTsNs?: number } {
  const firsts = builders.map((x) => x.firstTsNs).filter((t) => !Number.isNaN(t));
  const lasts = builders.map((x) => x.lastTsNs).filter((t) => !Number.isNaN(t));
  return firsts.length === 0 ? {} : { firstTsNs: Math.min(...firsts), lastTsNs: Math.max(...lasts) };
}

function summaryOf(source: InputSource, format: ConcreteFormat, counter: LineCounter, lines: number, bytes: number, o: SelectedCounts & { firstTsNs?: number; lastTsNs?: number }, notes: string[], extra: Partial<ImportSummary> = {}): ImportSummary {
  const accounting = counter.result();
  // `lines` is counted by the line splitter (or, for CSV, by counting line breaks), apart from the parsers
  if (accounting.total !== lines) notes.push(`internal: accounted ${accounting.total} of ${lines} lines`);
  return {
    schema: 'lockreplay-import/1',
    input: source.name,
    format,
    ...extra,
    lostEvents: extra.lostEvents ?? 0,
    bytes,
    lines: accounting,
    ops: { total: sumValues(o.byKind), byKind: sortKeys(o.byKind), byFile: sortFiles(o.byFile) },
    observedLocks: extra.observedLocks ?? 0,
    firstTsNs: o.firstTsNs,
    lastTsNs: o.lastTsNs,
    notes,
  };
}

async function importFtrace(source: InputSource, chunks: AsyncIterable<Buffer>, sink: OpSink, options: ImportOptions, dialect: 'ftrace' | 'trace-cmd'): Promise<ImportSummary> {
  const counter = new LineCounter();
  const out = new SelectingSink(sink, counter, options);
  const badLines = new BadLines(source.name, options.lenient ?? false, counter);
  const builder = new OpBuilder(out, counter, badLines, options);
  const blocks = new BlockOpBuilder(out, counter, badLines);
  const parser = new FtraceLineParser(builder, blocks, counter, badLines, dialect);
  const splitter = new LineSplitter((text, start, end, no, bytes, base) => parser.line(text, start, end, no, bytes, base), cutLastLineIsBad(badLines), longLineIsBad(badLines));
  await pump(chunks, splitter, options);
  const lines = splitter.end();
  parser.finish();
  builder.finish();
  blocks.finish();
  if (parser.eventLines === 0 && options.format !== dialect) {
    throw new LockreplayError(`${source.name}: no trace events in ${lines} lines`, ExitCode.unknownFormat);
  }
  const s = builder.stats;
  const b = blocks.stats;
  const notes: string[] = [];
  if (parser.header.lostEventsOver !== undefined) notes.push(`${parser.header.lostEventsOver} events were lost by the kernel ring buffer, by its lost-events markers: ops around them may be incomplete (lostEvents says ${Number.MAX_SAFE_INTEGER}, 2^53-1, the most it holds)`);
  else if (parser.header.lostEvents > 0) notes.push(`${parser.header.lostEvents} events were lost by the kernel ring buffer: ops around them may be incomplete`);
  const uncounted = parser.header.lostEventsUncounted;
  if (uncounted > 0) notes.push(`${uncounted} lost-events marker${uncounted === 1 ? '' : 's'} ("CPU:N [EVENTS DROPPED]") ${uncounted === 1 ? 'says' : 'say'} events were lost without saying how many (not in lostEvents): ops around ${uncounted === 1 ? 'it' : 'them'} may be incomplete`);
  if (parser.header.reordered > 0) notes.push(`${parser.header.reordered} lines came out of time order and were re-sorted`);
  const inputs = parser.header.inputs;
  if (inputs !== undefined && inputs.length > 1) {
    notes.push(`${inputs.length} trace-cmd inputs (${inputs.map(utf8FromLatin1).join(', ')}): each input's tasks are its own; a task of the input numbered k (from 0, in the order of the report's header) has its pid + k × ${INPUT_PID_STRIDE.toLocaleString('en-US')}. Files are told apart by device and inode only`);
  }
  if (s.fdResolvedFromHistory > 0) notes.push(`${s.fdResolvedFromHistory} syscalls had no filesystem event inside: their file came from an earlier syscall on the same fd`);
  const aliases = s.fileAliases;
  const aliased = Object.keys(aliases).length;
  if (s.fdResolvedFromScan > 0) notes.push(`${s.fdResolvedFromScan} syscalls had no filesystem event inside: their file came from the recorder's scan of the process's open files`);
  if (s.fdLifetimesEnded > 0) notes.push(`${s.fdLifetimesEnded} fds were closed or reused (open and close syscalls): what identifies an fd holds for that lifetime only; a later lifetime's ops are keyed "fd:PID:FD/N" until something names their file`);
  if (s.fdsFromLockWaits > 0) notes.push(`${s.fdsFromLockWaits} fds were identified by a lock they waited on (lock:contention_* events): their syscalls waited on the same inode lock as syscalls on a known file`);
  if (aliased > 0) notes.push(`${aliased} provisional file keys were identified after their first ops were released (${Object.entries(aliases).slice(0, 3).map(([a, b]) => `${a} → ${b}`).join(', ')}${aliased > 3 ? ', …' : ''}): replay renames them`);
  const unresolved = Object.keys(out.counts.byFile).filter((f) => f.startsWith('fd:') && aliases[f] === undefined).length;
  if (s.unresolvedFiles > 0) notes.push(`${s.unresolvedFiles} syscalls named no inode inside (${unresolved} fds stay "fd:PID:FD": nothing in the trace identifies their file; \`lockreplay record\` writes the traced processes' open files into the capture)`);
  if (s.dioDirectionUnknown > 0) notes.push(`${s.dioDirectionUnknown} direct IOs were seen only as iomap events, which do not say read or write: counted as dio-write`);
  if (s.releasedEarly > 0) notes.push(`${s.releasedEarly} syscalls stayed open so long that they were released before their exit (length as requested, duration modelled)`);
  if (b.incomplete > 0) notes.push(`${b.incomplete} block requests never completed in the trace: replayed without an observed duration`);
  notes.push(...headerCpusNotes(parser.header, dialect));
  const header = parser.header;
  const beyond = header.cpus !== undefined && header.cpusFrom !== undefined ? cpusBeyondNote(parser.cpusBeyond.unnamed, { cpus: header.cpus, text: header.cpusFrom.text, line: header.cpusFrom.line }) : undefined;
  if (beyond !== undefined) notes.push(beyond);
  if (header.cpus !== undefined) notes.push(...inputCpusBeyondNotes(parser.cpusBeyond, { cpus: header.cpus, input: header.cpusFrom?.input }, utf8FromLatin1));
  const hzNote = kernelHzNote(header);
  if (hzNote !== undefined) notes.push(hzNote);
  pushEmptyWindowNote(notes, out);
  const ignoredCpus = parser.header.ignoredCpus;
  const byFile = renameCounts(out.counts.byFile, aliases);
  notes.push(...btrfsConflictNotes(builder.identity.btrfsConflicts, Object.keys(byFile)));
  const fileSystems = fileSystemsOf(builder.identity.fileSystems, Object.keys(byFile));
  return summaryOf(source, dialect, counter, lines, splitter.bytesSeen, {
    byKind: out.counts.byKind, byFile, ...spanOf([s, blocks.span]),
  }, notes, {
    cpus: parser.header.cpus, ...(ignoredCpus !== undefined ? { headerCpusIgnored: ignoredCpus } : {}), ...(parser.header.kernelHz !== undefined ? { kernelHz: parser.header.kernelHz } : {}), lostEvents: parser.header.lostEvents, observedLocks: out.locksKept, ...(out.wakesKept > 0 ? { schedWakes: out.wakesKept } : {}), ...(out.sleepsKept > 0 ? { schedSleeps: out.sleepsKept } : {}),
    formatDetail: dialect === 'trace-cmd' ? 'trace-cmd report text' : 'tracefs trace text', ...(aliased > 0 ? { fileAliases: aliases } : {}), ...(fileSystems !== undefined ? { fileSystems } : {}),
  });
}

/** The mounted filesystem of each device of `files` ("MAJ:MIN:INO" keys) that a mount line names, by device; undefined when none does. */
function fileSystemsOf(mounts: ReadonlyMap<string, string>, files: string[]): Record<string, string> | undefined {
  if (mounts.size === 0) return undefined;
  const found = new Map<string, string>();
  for (const f of files) {
    const dev = deviceOfFileKey(f);
    const type = dev === undefined ? undefined : mounts.get(dev);
    if (dev !== undefined && type !== undefined) found.set(dev, type);
  }
  if (found.size === 0) return undefined;
  return Object.fromEntries([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function importLineFormat(source: InputSource, chunks: AsyncIterable<Buffer>, sink: OpSink, options: ImportOptions, format: 'blkparse' | 'fio-iolog'): Promise<ImportSummary> {
  const counter = new LineCounter();
  const out = new SelectingSink(sink, counter, options);
  const badLines = new BadLines(source.name, options.lenient ?? false, counter);
  const notes: string[] = [];
  let lines: number;
  let bytes: number;
  if (format === 'blkparse') {
    const blocks = new BlockOpBuilder(out, counter, badLines);
    const parser = new BlkparseLineParser(blocks, counter, badLines);
    const splitter = new LineSplitter((t, s, e, n) => parser.line(t, s, e, n), cutLastLineIsBad(badLines), longLineIsBad(badLines));
    await pump(chunks, splitter, options);
    lines = splitter.end();
    bytes = splitter.bytesSeen;
    blocks.finish();
    const b = blocks.stats;
    const reads = out.counts.byKind.read ?? 0;
    const writes = out.counts.byKind.write ?? 0;
    const sm = parser.summary;
    if (sm.readsQueued !== undefined && !selects(options)) {
      const agree = sm.readsQueued === reads && sm.writesQueued === writes;
      notes.push(`blkparse's own summary: ${sm.readsQueued} reads and ${sm.writesQueued} writes queued; imported ${reads} reads and ${writes} writes${agree ? ' (they agree)' : ' (they DIFFER)'}`);
    }
    if (b.incomplete > 0) notes.push(`${b.incomplete} requests never completed in the trace: replayed without an observed duration`);
    pushEmptyWindowNote(notes, out);
    return summaryOf(source, format, counter, lines, bytes, { ...out.counts, ...spanOf([blocks.span]) }, notes, { formatDetail: 'blkparse default text output; device = file, offset = sector × 512' });
  }
  const parser = new FioIologParser(out, counter, badLines);
  const splitter = new LineSplitter((t, s, e, n) => parser.line(t, s, e, n), undefined, longLineIsBad(badLines));
  await pump(chunks, splitter, options);
  lines = splitter.end();
  pushEmptyWindowNote(notes, out);
  return summaryOf(source, format, counter, lines, splitter.bytesSeen, { ...out.counts, firstTsNs: parser.firstTsNs, lastTsNs: parser.lastTsNs }, notes, { formatDetail: 'fio iolog (v2/v3); trim → punch, sync/datasync → fsync' });
}

async function importCsvTrace(source: InputSource, chunks: AsyncIterable<Buffer>, sink: OpSink, options: ImportOptions, preset: string | undefined): Promise<ImportSummary> {
  let mapping = options.csvMapping;
  if (mapping === undefined) {
    if (preset === undefined) throw new LockreplayError(`${source.name}: --format csv needs --preset (${Object.keys(CSV_PRESETS).join(', ')}) or --columns`, ExitCode.usage);
    const p = Object.hasOwn(CSV_PRESETS, preset) ? CSV_PRESETS[preset] : undefined;
    if (p === undefined) throw new LockreplayError(`unknown CSV preset "${preset}"; known: ${Object.keys(CSV_PRESETS).join(', ')}`, ExitCode.usage);
    mapping = p.mapping;
  }
  const counter = new LineCounter();
  const out = new SelectingSink(sink, counter, options);
  const badLines = new BadLines(source.name, options.lenient ?? false, counter);
  // the line count the accounting is checked against, kept apart from csv-parse's
  let bytes = 0;
  let lines = 0;
  let lastByte = 10;
  const counted = (async function* () {
    for await (const c of chunks) {
      bytes += c.length;
      for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) lines++;
      if (c.length > 0) lastByte = c[c.length - 1];
      yield c;
    }
  })();
  const { timeOrigin, ...r } = await importCsv(counted, source.name, mapping, out, counter, badLines);
  if (lastByte !== 10) lines++;
  const detail = `${preset !== undefined && options.csvMapping === undefined ? `preset ${preset}: ` : ''}${describeMapping(mapping)}`;
  const notes = [`CSV read as ${detail}`];
  if (timeOrigin !== undefined) notes.push(timeOrigin);
  pushEmptyWindowNote(notes, out);
  return summaryOf(source, 'csv', counter, lines, bytes, { ...out.counts, ...r }, notes, { formatDetail: detail });
}

async function pump(chunks: AsyncIterable<Buffer>, splitter: LineSplitter, options: ImportOptions): Promise<void> {
  let sinceLook = 0;
  const heap = options.keepsAll === true ? undefined : new HeapBound();
  for await (const chunk of chunks) {
    splitter.push(chunk);
    sinceLook += chunk.length;
    if (sinceLook >= HEAP_LOOK_EVERY_BYTES && heap !== undefined) {
      sinceLook = 0;
      heap.look();
    }
  }
}

/** Adds the note that says why --from/--to left no op, if they did. */
function pushEmptyWindowNote(notes: string[], out: SelectingSink): void {
  const note = out.emptyWindowNote();
  if (note !== undefined) notes.push(note);
}

/** whether any of --file, --task, --from, --to is given */
function selects(o: ImportOptions): boolean {
  return o.files !== undefined || o.taskPids !== undefined || o.taskComms !== undefined || o.fromNs !== undefined || o.toNs !== undefined;
}

async function importOpStream(source: InputSource, chunks: AsyncIterable<Buffer>, sink: OpSink, options: ImportOptions): Promise<ImportSummary> {
  const counter = new LineCounter();
  const checks: OpStreamChecks = { counter, badLines: new BadLines(source.name, options.lenient ?? false, counter) };
  const read = await readOpStream(chunks, source.name, (options.keepLocks ?? true) ? true : (options.keepContention ?? false) ? 'contention' : false, checks);
  // the footer says what the stream was made from (CPUs, line accounting, file aliases): one that is
  // not what an import writes, or not of these rows, is a bad line, or with --lenient left out with a note
  const footerBad = read.footerUnreadable ?? footerProblem(read.summary) ?? footerOpsProblem(read.summary, read.ops.n, counter.bad);
  if (footerBad !== undefined) {
    // (it was counted as a comment: it is a bad line)
    counter.unskip('comment');
    checks.badLines.report(read.footerLine, footerBad);
  }
  const original = footerBad === undefined ? (read.summary as Partial<ImportSummary> | undefined) : undefined;
  // files identified after the stream's ops were written (the footer's aliases)
  if (original?.fileAliases !== undefined) read.ops.renameFiles(original.fileAliases);
  const out = new SelectingSink(sink, counter, options);
  // the reader has checked that a parent is an earlier top-level op; a parent the selection
  // dropped leaves its child top-level
  const ids = new Map<number, number>();
  // (relative --from/--to count from the first op row, whatever lock row comes before it)
  if (read.ops.n > 0) out.clock(read.ops.tsNs[0]);
  // lock rows go out where they were among the op rows: time order, as the stream had it (a
  // re-import wrote every op row, then every lock row)
  let nextLock = 0;
  const locksBefore = (opRows: number): void => {
    for (; nextLock < read.locks.length && read.opsBeforeLock[nextLock] <= opRows; nextLock++) out.lock(read.locks[nextLock], 1, false);
  };
  for (let i = 0; i < read.ops.n; i++) {
    locksBefore(i);
    // (a new object made from the row)
    const op = read.ops.at(i);
    const ownId = op.id;
    if (op.parent !== undefined) {
      const p = ids.get(op.parent);
      if (p === undefined) delete op.parent;
      else op.parent = p;
    }
    const id = out.op(op, 1);
    if (id >= 0) ids.set(ownId, id);
  }
  locksBefore(read.ops.n);
  const own = counter.result();
  const notes = [...(original?.notes ?? []), `read from an op stream made by "lockreplay import" of ${original?.input ?? 'an unknown trace'}`];
  if (footerBad !== undefined) notes.push(`line ${read.footerLine}: the ${footerBad} (the footer was left out: CPUs, the trace's line accounting and file aliases are unknown)`);
  if (own.total !== checks.lines) notes.push(`internal: accounted ${own.total} of ${checks.lines ?? 0} op stream lines`);
  if (own.bad > 0) notes.push(`${own.bad} bad lines in the op stream were left out (see opStreamLines)`);
  if (read.summary === undefined && footerBad === undefined && (read.ops.n > 0 || read.locks.length > 0)) {
    notes.push('the op stream has no summary footer (an import writes one as its last line): it may be cut short; CPUs, the trace\'s line accounting and file aliases are unknown');
  }
  pushEmptyWindowNote(notes, out);
  const cpus = original?.cpus;
  return {
    schema: 'lockreplay-import/1',
    input: source.name,
    format: 'ops',
    cpus: cpus !== undefined && cpus >= 1 ? cpus : undefined,
    ...(original?.kernelHz !== undefined ? { kernelHz: original.kernelHz } : {}),
    ...(original?.fileSystems !== undefined ? { fileSystems: original.fileSystems } : {}),
    lostEvents: original?.lostEvents ?? 0,
    bytes: original?.bytes ?? 0,
    lines: original?.lines ?? own,
    opStreamLines: own,
    ops: { total: out.ops, byKind: sortKeys(out.counts.byKind), byFile: sortFiles(out.counts.byFile) },
    observedLocks: out.locksKept,
    ...(out.wakesKept > 0 ? { schedWakes: out.wakesKept } : {}),
    ...(out.sleepsKept > 0 ? { schedSleeps: out.sleepsKept } : {}),
    firstTsNs: read.ops.n > 0 ? read.ops.tsNs[0] : undefined,
    lastTsNs: read.ops.n > 0 ? read.ops.tsNs[read.ops.n - 1] : undefined,
    notes,
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
