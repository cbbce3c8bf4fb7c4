import { createReadStream, statSync } from 'node:fs';
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

const CHUNK_BYTES = 1 << 20;

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
    chunks: () => decompressIfGzip(createReadStream(pathOrDash, { highWaterMark: CHUNK_BYTES }), pathOrDash),
  };
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
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
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
