/**
 * The Op stream text format, version 1 (docs/op-stream.md): CSV with one header line, read back by
 * csv-parse or any spreadsheet. Ops and observed locks share one table, told apart by `rec`, in
 * time order. The first line names the format and version; the last line carries the import summary.
 */
import { parse } from 'csv-parse';
import { BadInputError } from '../errors.js';
import { type ObservedLock, type Op, isOpKind } from '../model/op.js';
import { utf8FromLatin1 } from './lines.js';

export const OPSTREAM_MAGIC = '# lockreplay-ops v1';
export const OPSTREAM_COLUMNS = ['rec', 'id', 'ts_ns', 'dur_ns', 'pid', 'proc', 'comm', 'file', 'kind', 'offset', 'length', 'parent', 'line', 'mode', 'caller'] as const;
const SUMMARY_PREFIX = '# summary: ';

export function opStreamHeader(): string {
  return `${OPSTREAM_MAGIC}\n${OPSTREAM_COLUMNS.join(',')}\n`;
}

export function opRow(op: Op): string {
  return `op,${op.id},${op.tsNs},${op.durNs ?? ''},${op.pid},${csvField(op.proc)},${csvField(op.comm)},${op.file},${op.kind},${op.offset},${op.lengthBytes},${op.parent ?? ''},${op.line},,\n`;
}

export function lockRow(lock: ObservedLock): string {
  return `lock,,${lock.tsNs},,${lock.pid},,${csvField(utf8FromLatin1(lock.comm))},${lock.target},${lock.event},,,,${lock.line},${csvField(lock.mode)},${csvField(lock.caller)}\n`;
}

export function opStreamFooter(summary: unknown): string {
  return `${SUMMARY_PREFIX}${JSON.stringify(summary)}\n`;
}

export function csvField(text: string): string {
  if (!/[",\n\r]/.test(text) && text.trim() === text) return text;
  return `"${text.replace(/"/g, '""')}"`;
}

export interface ReadOpStream {
  ops: Op[];
  locks: ObservedLock[];
  summary: unknown;
}

/** Reads an Op stream file's text (already decompressed) back into ops. */
export async function readOpStream(text: AsyncIterable<Buffer>, fileName: string): Promise<ReadOpStream> {
  const ops: Op[] = [];
  const locks: ObservedLock[] = [];
  let summary: unknown;
  const parser = parse({ comment: '#', columns: false, relax_column_count: false, info: true, skip_empty_lines: true });
  let sawHeader = false;
  let tail = '';
  const feed = (async () => {
    for await (const chunk of text) {
      parser.write(Buffer.from(chunk)); // the source may reuse its buffer
      tail = (tail + chunk.toString('latin1')).slice(-(1 << 20));
    }
    parser.end();
  })();
  feed.catch((err) => parser.destroy(err as Error));
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const r = rec.record;
      const line = rec.info.lines;
      if (!sawHeader) {
        if (r.join(',') !== OPSTREAM_COLUMNS.join(',')) throw new BadInputError(fileName, line, 'op stream header does not match version 1 columns');
        sawHeader = true;
        continue;
      }
      if (r[0] === 'op') {
        const kind = r[8];
        if (!isOpKind(kind)) throw new BadInputError(fileName, line, `unknown op kind "${kind}"`);
        const num = (i: number, name: string): number => {
          const v = Number(r[i]);
          if (r[i] === '' || !Number.isFinite(v)) throw new BadInputError(fileName, line, `column ${name} is not a number`);
          return v;
        };
        const op: Op = {
          id: num(1, 'id'), tsNs: num(2, 'ts_ns'), pid: num(4, 'pid'), proc: r[5], comm: r[6], file: r[7], kind,
          offset: num(9, 'offset'), lengthBytes: num(10, 'length'), line: num(12, 'line'),
        };
        if (r[3] !== '') op.durNs = num(3, 'dur_ns');
        if (r[11] !== '') op.parent = num(11, 'parent');
        ops.push(op);
      } else if (r[0] === 'lock') {
        locks.push({ tsNs: Number(r[2]), pid: Number(r[4]), comm: r[6], target: r[7], event: r[8], mode: r[13], caller: r[14], line: Number(r[12]) });
      } else {
        throw new BadInputError(fileName, line, `unknown record type "${r[0]}"`);
      }
    }
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    throw new BadInputError(fileName, (err as { lines?: number }).lines ?? 0, `not a valid op stream (${(err as Error).message})`);
  }
  await feed.catch(() => undefined);
  const lastLines = tail.trimEnd().split('\n');
  summary = summaryFromFooterLine(utf8FromLatin1(lastLines[lastLines.length - 1] ?? ''));
  return { ops, locks, summary };
}

/** Extracts the summary footer of an op stream, if the text has one. */
export function summaryFromFooterLine(line: string): unknown {
  if (!line.startsWith(SUMMARY_PREFIX)) return undefined;
  try {
    return JSON.parse(line.slice(SUMMARY_PREFIX.length));
  } catch {
    return undefined;
  }
}
