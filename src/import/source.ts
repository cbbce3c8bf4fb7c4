import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { ExitCode, LockreplayError } from '../errors.js';

/** Where input comes from: a path, or "-" for standard input. Gzip is detected by its magic bytes. */
export interface InputSource {
  /** the name used in messages: the path, or "<stdin>" */
  name: string;
  /** compressed size on disk where known (for progress), else undefined */
  sizeBytes?: number;
  /** bytes read from the file or stdin so far: compressed bytes for gzip input (for progress) */
  readonly bytesRead: number;
  /** set once gzip input has ended before the input did: what came after the gzip data, ignored */
  readonly trailing?: TrailingBytes;
  /** set once the input turned out to be gzip data */
  readonly gzip?: boolean;
  chunks(): AsyncIterable<Buffer>;
}

/** Bytes after the end of gzip data: not read as trace text. */
export interface TrailingBytes {
  bytes: number;
  /** standard input: more may have followed, unread */
  atLeast: boolean;
  /** every ignored byte was looked at and was zero (padding) */
  zeros: boolean;
  /** some ignored byte was not zero (not gzip data) */
  nonZero: boolean;
}

/** The note an import gives for bytes after the gzip data. */
export function trailingNote(name: string, t: TrailingBytes): string {
  const what = t.nonZero ? 'data that is not gzip' : t.zeros ? 'zero padding' : 'zeros as far as read';
  return `${name}: ${t.atLeast ? 'at least ' : ''}${t.bytes.toLocaleString('en-US')} bytes after the end of the gzip data were ignored (${what})`;
}

/** counts the bytes a source's reads return */
interface ReadCounter {
  bytesRead: number;
  sizeBytes?: number;
  trailing?: TrailingBytes;
  gzip?: boolean;
}

const CHUNK_BYTES = 1 << 18;
/**
 * zlib's output buffer is 1 MiB. zlib allocates a new output buffer each time one is full, and
 * glibc's malloc raises its mmap threshold to the size of the first such buffer freed: every
 * allocation below it then comes from the heap and stays resident once freed. With 4 MiB buffers
 * that kept the import's freed 1-4 MiB arrays (and the replay's) resident: 20-25 MB more at the
 * peak of a 1 M-op replay, and a streaming import peaked 15 MB higher, at the same speed.
 *
 * Each read of gzip input is sized so that it inflates to about 1/4 of that buffer, by the ratio
 * inflated so far (see gunzipChunks): 4 to 128 KiB (the first read, which finds the gzip magic, is
 * 256 KiB, as for plain input).
 */
const GZIP_IN_MAX_BYTES = 1 << 17;
const GZIP_IN_MIN_BYTES = 1 << 12;
const INFLATE_OUT_BYTES = 1 << 20;
/** the share of zlib's output buffer one read inflates to (see gunzipChunks) */
const INFLATE_SHARE = 0.25;

/** the next gzip read: what inflates to about INFLATE_SHARE of zlib's output buffer by the ratio so far */
export function gzipReadBytes(inBytes: number, outBytes: number): number {
  if (inBytes <= 0 || outBytes <= inBytes) return GZIP_IN_MAX_BYTES;
  const n = Math.floor((INFLATE_OUT_BYTES * INFLATE_SHARE * inBytes) / outBytes);
  return Math.max(GZIP_IN_MIN_BYTES, Math.min(GZIP_IN_MAX_BYTES, n));
}

export function openSource(pathOrDash: string): InputSource {
  if (pathOrDash === '-') {
    const stdin = { name: '<stdin>', bytesRead: 0, chunks: () => readFdChunks(0, '<stdin>', stdin) };
    return stdin;
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
  const file = {
    name: pathOrDash,
    sizeBytes,
    bytesRead: 0,
    chunks: () => readFileChunks(pathOrDash, file),
  };
  return file;
}

/** A file: see readFdChunks. */
async function* readFileChunks(path: string, counter: ReadCounter): AsyncGenerator<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new LockreplayError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.inputUnreadable);
  }
  try {
    yield* readFdChunks(fd, path, counter);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file or standard input: synchronous reads into one reused buffer (the consumer copies what it
 * keeps), gunzipped when the first bytes are the gzip magic. Standard input is read this way too:
 * as a stream it cost an event-loop turn per 64 KiB pipe buffer (stdin 35% slower than a file).
 */
async function* readFdChunks(fd: number, name: string, counter: ReadCounter): AsyncGenerator<Buffer> {
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const first = readChunk(fd, buf);
    counter.bytesRead += first;
    if (first >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
      counter.gzip = true;
      yield* gunzipChunks(buf.subarray(0, first), fd, name, counter);
      return;
    }
    let n = first;
    while (n > 0) {
      yield buf.subarray(0, n);
      n = readChunk(fd, buf);
      counter.bytesRead += n;
    }
  } catch (err) {
    if (err instanceof LockreplayError) throw err;
    throw new LockreplayError(`${name}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.inputUnreadable);
  }
}

const pollCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Reads until `buf` is full or the input ends (a pipe gives at most 64 KiB a read); returns the
 * bytes read, 0 at the end. A non-blocking descriptor (stdin set so by its writer) with nothing to
 * read yet is polled every millisecond.
 */
function readChunk(fd: number, buf: Buffer): number {
  let have = 0;
  while (have < buf.length) {
    let n: number;
    try {
      n = readSync(fd, buf, have, buf.length - have, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      if (have > 0) return have;
      Atomics.wait(pollCell, 0, 0, 1);
      continue;
    }
    if (n === 0) break;
    have += n;
  }
  return have;
}

/**
 * Gunzips a file (or stdin) chunk by chunk on zlib's thread, one chunk ahead: the next input is inflating
 * while the consumer parses what the last one gave (inflating and parsing one after the other
 * made a gzip file 30% slower than the plain one). zlib returns to this thread each time its
 * output buffer is full and goes on only when this thread's event loop turns, which is only when
 * the consumer has parsed what it was given: whatever of a read inflates after the buffer filled
 * waits for the parse, and then inflates while nothing is parsed. With a fixed 128 KiB read, the
 * bench trace (17.5x compressed) inflated 2.2 MiB a read, more than half of it so. A read is
 * therefore sized to inflate to a quarter of the buffer (gzipReadBytes): it fills the buffer only
 * when it starts near the buffer's end, about one read in four, and then for part of itself.
 */
async function* gunzipChunks(first: Buffer, fd: number, name: string, counter: ReadCounter): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: INFLATE_OUT_BYTES });
  let out: Buffer[] = [];
  gunzip.on('data', (d: Buffer) => out.push(d));
  let failed: Error | undefined;
  gunzip.on('error', (e) => (failed = e));
  // a write to a gunzip that failed never calls back: the error settles it instead (without this,
  // corrupt gzip data left nothing to wait for and the process ended with no message). Nor does a
  // write after zlib ended the stream by itself, which it does after a gzip member followed by
  // zero padding (or other bytes that are no gzip header): 'end' settles it, and no more input is
  // read (without this the process ended with exit 13 and no message)
  let ended = false;
  // what went to zlib, and the last chunk written (the bytes zlib did not take are its tail)
  let writtenBytes = 0;
  let last: Buffer = first;
  const over = new Promise<void>((resolve) => {
    gunzip.once('end', () => {
      ended = true;
      resolve();
    });
    gunzip.once('error', () => resolve());
  });
  const write = (chunk: Buffer): Promise<void> => {
    writtenBytes += chunk.length;
    last = chunk;
    return Promise.race([new Promise<void>((resolve) => gunzip.write(chunk, () => resolve())), over]);
  };
  // nothing is inflating when the input buffer is refilled: each write is awaited first
  const input = Buffer.allocUnsafe(GZIP_IN_MAX_BYTES);
  let inflating: Promise<void> | undefined = write(Buffer.from(first));
  let inflatedBytes = 0;
  while (inflating !== undefined) {
    await inflating;
    if (failed) throw gzipError(name, failed);
    const ready = out;
    out = [];
    for (const chunk of ready) inflatedBytes += chunk.length;
    const n = ended ? 0 : readChunk(fd, input.subarray(0, gzipReadBytes(writtenBytes, inflatedBytes)));
    counter.bytesRead += n;
    inflating = n > 0 ? write(input.subarray(0, n)) : undefined;
    for (const chunk of ready) yield chunk;
  }
  // (zlib ended the stream by itself: bytes followed its gzip data)
  const endedEarly = ended;
  if (!ended) gunzip.end();
  await over;
  if (failed) throw gzipError(name, failed as Error);
  if (endedEarly) noteTrailing(counter, gunzip.bytesWritten, last, writtenBytes, fd, name);
  while (out.length > 0) yield out.shift() as Buffer;
}

/** the unread rest of a regular file is looked at up to this many bytes, to tell padding from data */
const TRAILING_CHECK_BYTES = 64 << 20;

/**
 * zlib ended the gzip data at input offset `endAt`, before the input ended. A regular file's size
 * says how many bytes follow, and they are looked at (up to TRAILING_CHECK_BYTES) to tell padding
 * from data; standard input, a FIFO or a device is not read further: what zlib was given past its
 * end (the tail of `written`, which ends at `writtenBytes`) is all that is known.
 */
function noteTrailing(counter: ReadCounter, endAt: number, written: Buffer, writtenBytes: number, fd: number, name: string): void {
  const regular = counter.sizeBytes !== undefined && counter.sizeBytes >= counter.bytesRead;
  let nonZero = false;
  let all = false;
  let bytes: number;
  // the first bytes that are not zero (where known), to tell another gzip member from other data
  let firstNonZero = -1;
  let magic = false;
  if (regular) {
    bytes = (counter.sizeBytes as number) - endAt;
    if (bytes <= TRAILING_CHECK_BYTES) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(bytes, 2), 1 << 20));
      let checked = 0;
      while (checked < bytes && !nonZero) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, bytes - checked), endAt + checked);
        if (n === 0) break;
        for (let i = 0; i < n && !nonZero; i++) {
          if (buf[i] !== 0) {
            nonZero = true;
            firstNonZero = endAt + checked + i;
          }
        }
        checked += n;
      }
      all = checked === bytes;
      if (firstNonZero >= 0) magic = readSync(fd, buf, 0, 2, firstNonZero) === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
    }
  } else {
    bytes = writtenBytes - endAt;
    const seen = written.subarray(Math.max(0, written.length - bytes));
    for (let i = 0; i < seen.length && !nonZero; i++) {
      if (seen[i] !== 0) {
        nonZero = true;
        firstNonZero = endAt + (seen.length === bytes ? i : bytes - seen.length + i);
        magic = i + 1 < seen.length && seen[i] === 0x1f && seen[i + 1] === 0x8b;
      }
    }
    all = seen.length === bytes;
  }
  if (bytes <= 0) return;
  // another gzip member after zero padding: its data would be lost with an exit 0
  if (magic && firstNonZero > endAt) {
    throw new LockreplayError(`${name}: gzip data at byte ${firstNonZero.toLocaleString('en-US')} follows ${(firstNonZero - endAt).toLocaleString('en-US')} zero bytes after the first gzip data: not read (concatenated gzip members are read, but not across padding: remove the zeros, or gunzip the parts apart)`, ExitCode.badInput);
  }
  counter.trailing = { bytes, atLeast: !regular, zeros: !nonZero && all, nonZero };
}

/**
 * A gzip stream that ends early (a capture cut short, a partial download) cannot be read to its end:
 * exit 3, "unreadable input", like a file that cannot be read. Other corrupt gzip data is exit 4.
 */
function gzipError(name: string, err: Error & { code?: string }): LockreplayError {
  if (err.code === 'Z_BUF_ERROR' || /unexpected end of file/.test(err.message)) {
    return new LockreplayError(`${name}: the gzip stream is truncated (it ends before its last block; ${err.message})`, ExitCode.inputUnreadable);
  }
  return new LockreplayError(`${name}: corrupt gzip data (${err.message})`, ExitCode.badInput);
}
