import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { ExitCode, LockreplayError } from '../errors.js';

/** Where input comes from: a path, or "-" for standard input. Gzip is detected by its magic bytes. */
export interface InputSource {
  /** the name used in messages: the path, or "<stdin>" */
  name: string;
  /** compressed size on disk where known (for progress), else undefined */
  sizeBytes?: number;
  chunks(): AsyncIterable<Buffer>;
}

const CHUNK_BYTES = 1 << 18;
/** zlib's output buffer (see gunzipChunks) */
const INFLATE_OUT_BYTES = 1 << 22;

export function openSource(pathOrDash: string): InputSource {
  if (pathOrDash === '-') {
    return { name: '<stdin>', chunks: () => decompressIfGzip(process.stdin, '<stdin>') };
  }
  let sizeBytes: number;
  try {
    const st = statSync(pathOrDash);
    if (st.isDirectory()) throw new LockreplayError(`${pathOrDash}: is a directory, not a trace file`, ExitCode.inputUnreadable);
    sizeBytes = st.size;
  } catch (err) {
    if (err instanceof LockreplayError) throw err;
    throw new LockreplayError(`${pathOrDash}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.inputUnreadable);
  }
  return {
    name: pathOrDash,
    sizeBytes,
    chunks: () => readFileChunks(pathOrDash),
  };
}

/**
 * A file: synchronous reads into one reused buffer (the consumer copies what it keeps), gunzipped
 * when the first bytes are the gzip magic.
 */
async function* readFileChunks(path: string): AsyncGenerator<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new LockreplayError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.inputUnreadable);
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const first = readSync(fd, buf, 0, CHUNK_BYTES, null);
    if (first >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
      yield* gunzipChunks(buf.subarray(0, first), fd, path);
      return;
    }
    let n = first;
    while (n > 0) {
      yield buf.subarray(0, n);
      n = readSync(fd, buf, 0, CHUNK_BYTES, null);
    }
  } catch (err) {
    if (err instanceof LockreplayError) throw err;
    throw new LockreplayError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.inputUnreadable);
  } finally {
    closeSync(fd);
  }
}

/**
 * Gunzips a file chunk by chunk on zlib's thread, one chunk ahead: the next input is inflating
 * while the consumer parses what the last one gave (inflating and parsing one after the other
 * made a gzip file 30% slower than the plain one). zlib returns to this thread each time its
 * output buffer is full and goes on only when this thread's event loop turns, so the buffer is
 * large: with 64 KiB, inflating stalled behind the parse at every 64 KiB.
 */
async function* gunzipChunks(first: Buffer, fd: number, name: string): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: INFLATE_OUT_BYTES });
  let out: Buffer[] = [];
  gunzip.on('data', (d: Buffer) => out.push(d));
  let failed: Error | undefined;
  gunzip.on('error', (e) => (failed = e));
  const write = (chunk: Buffer): Promise<void> => new Promise<void>((resolve) => gunzip.write(chunk, () => resolve()));
  // nothing is inflating when the input buffer is refilled: each write is awaited first
  const input = Buffer.allocUnsafe(CHUNK_BYTES);
  let inflating: Promise<void> | undefined = write(Buffer.from(first));
  while (inflating !== undefined) {
    await inflating;
    if (failed) throw new LockreplayError(`${name}: corrupt gzip data (${failed.message})`, ExitCode.badInput);
    const ready = out;
    out = [];
    const n = readSync(fd, input, 0, CHUNK_BYTES, null);
    inflating = n > 0 ? write(input.subarray(0, n)) : undefined;
    for (const chunk of ready) yield chunk;
  }
  const ended = new Promise<void>((resolve) => {
    gunzip.once('end', () => resolve());
    gunzip.once('error', () => resolve());
  });
  gunzip.end();
  await ended;
  if (failed) throw new LockreplayError(`${name}: corrupt gzip data (${(failed as Error).message})`, ExitCode.badInput);
  while (out.length > 0) yield out.shift() as Buffer;
}

/** Yields the raw bytes of a stream, gunzipped when the first two bytes are the gzip magic. */
async function* decompressIfGzip(stream: Readable, name: string): AsyncGenerator<Buffer> {
  const iterator = stream[Symbol.asyncIterator]();
  let first: Buffer | undefined;
  try {
    const r = await iterator.next();
    if (r.done) return;
    first = toBuffer(r.value);
  } catch (err) {
    throw new LockreplayError(`${name}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.inputUnreadable);
  }
  const gz = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  if (!gz) {
    yield first;
    for (;;) {
      const r = await iterator.next();
      if (r.done) return;
      yield toBuffer(r.value);
    }
  }
  const gunzip = createGunzip({ chunkSize: INFLATE_OUT_BYTES });
  const feed = (async () => {
    try {
      let chunk: Buffer | undefined = first;
      while (chunk !== undefined) {
        if (!gunzip.write(chunk)) await new Promise<void>((resolve) => gunzip.once('drain', resolve));
        const r = await iterator.next();
        chunk = r.done ? undefined : toBuffer(r.value);
      }
      gunzip.end();
    } catch (err) {
      gunzip.destroy(err as Error);
    }
  })();
  try {
    for await (const out of gunzip) yield out as Buffer;
  } catch (err) {
    throw new LockreplayError(`${name}: corrupt gzip data (${(err as Error).message})`, ExitCode.badInput);
  } finally {
    await feed;
  }
}

function toBuffer(value: unknown): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : (value as Buffer);
}
