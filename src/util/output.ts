import { closeSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { ExitCode, LockreplayError } from '../errors.js';
import { letSignalsIn, onInterrupt } from './cleanup.js';

/**
 * The standard stream an output path names: 1 for "-" and the process's own standard output
 * (/dev/stdout, /dev/fd/1, /proc/self/fd/1), 2 for its standard error (/dev/stderr, /dev/fd/2,
 * /proc/self/fd/2); undefined for any other path. Such a path is written to the stream, as "-" is:
 * resolved, it would be the file or pipe the shell gave the process, and a temporary file renamed
 * there replaced a log file whole (`cmd > log.txt`) or failed after the whole run (a pipe).
 */
export function stdStreamOf(path: string): 1 | 2 | undefined {
  if (path === '-') return 1;
  const m = /^\/(?:dev\/std(out|err)|dev\/fd\/([12])|proc\/self\/fd\/([12]))$/.exec(path);
  if (m === null) return undefined;
  return m[1] === 'out' || m[2] === '1' || m[3] === '1' ? 1 : 2;
}

/** whether `path` is "-" or names the process's own standard output or error (stdStreamOf) */
export function isStdStream(path: string): boolean {
  return stdStreamOf(path) !== undefined;
}

/**
 * Where an output path's bytes really go. A regular file (or a new one) is replaced whole: by a
 * temporary file beside it, renamed over it (through a symbolic link, the file it names, not the
 * link). A device, FIFO or socket (`/dev/null`, a named pipe) is written in place: a rename would
 * put a regular file where it was. A directory is refused.
 */
export function outputPlace(path: string): { path: string; inPlace: boolean } {
  let st;
  try {
    st = statSync(path);
  } catch {
    // (no such path, or a dangling link: a new file is made there)
    return { path, inPlace: false };
  }
  if (st.isDirectory()) throw new LockreplayError(`${path}: is a directory, not a file to write`, ExitCode.outputFailed);
  // (a device or FIFO is opened by the name given: a pipe behind /proc/self/fd/N has no path to resolve)
  if (!st.isFile()) return { path, inPlace: true };
  let real = path;
  try {
    if (lstatSync(path).isSymbolicLink()) real = realpathSync(path);
  } catch {
    // (gone meanwhile: a new file is made there)
  }
  return { path: real, inPlace: false };
}

/**
 * The one place that decides where bytes go: "-" is standard output; a path is written to a
 * temporary file beside it and renamed into place only when complete, so a failed run never leaves
 * half a file (and never clobbers a good one); a device or FIFO is written in place (outputPlace).
 */
export class OutputTarget {
  /** standard output or error ("-", /dev/stdout, /dev/stderr: stdStreamOf), written as a stream */
  private readonly stream: NodeJS.WritableStream | undefined;
  /** a path: its temporary file, written synchronously through `buf` (no bytes queue in memory) */
  private fd: number | undefined;
  private readonly tmpPath: string | undefined;
  private readonly buf: Buffer | undefined;
  private used = 0;
  private parts: string[] = [];
  private partsChars = 0;
  /** a device or FIFO, written directly (no temporary file) */
  private inPlace = false;
  /** the file the temporary one is renamed to (a symbolic link's target) */
  private finalPath: string | undefined;
  /** removes the temporary file if the process is interrupted before it is in place */
  private forgetInterrupt: (() => void) | undefined;

  constructor(readonly path: string) {
    const std = stdStreamOf(path);
    if (std !== undefined) {
      this.stream = std === 1 ? process.stdout : process.stderr;
      this.tmpPath = undefined;
    } else {
      const place = outputPlace(path);
      this.inPlace = place.inPlace;
      this.tmpPath = place.inPlace ? undefined : join(dirname(place.path), `.${basename(place.path)}.${process.pid}.tmp`);
      this.finalPath = place.path;
      try {
        this.fd = openSync(this.tmpPath ?? place.path, 'w');
      } catch (err) {
        throw this.failure(err);
      }
      if (this.tmpPath !== undefined) this.forgetInterrupt = onInterrupt(() => this.abort());
      this.buf = Buffer.allocUnsafe(1 << 20);
    }
  }

  /** Buffered write; flushed in large pieces. */
  write(text: string): void {
    const buf = this.buf;
    if (buf === undefined) {
      this.parts.push(text);
      this.partsChars += text.length;
      if (this.partsChars >= 1 << 20) this.flushParts();
      return;
    }
    // a UTF-16 unit is at most 3 bytes of UTF-8
    if (this.used + 3 * text.length > buf.length) this.flushBuf();
    if (3 * text.length > buf.length) this.writeBytes(Buffer.from(text, 'utf8'));
    else this.used += buf.write(text, this.used, 'utf8');
  }

  private flushParts(): void {
    if (this.parts.length === 0) return;
    (this.stream as NodeJS.WritableStream).write(this.parts.join(''));
    this.parts = [];
    this.partsChars = 0;
  }

  private flushBuf(): void {
    if (this.buf === undefined || this.used === 0) return;
    this.writeBytes(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private writeBytes(bytes: Uint8Array): void {
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd as number, bytes, at);
    } catch (err) {
      this.abort();
      throw this.failure(err);
    }
  }

  private failure(err: unknown): LockreplayError {
    return new LockreplayError(`${this.path}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.outputFailed);
  }

  /** Writes the buffered bytes to the file (before commit: a write error comes before any rename). */
  flush(): void {
    if (this.buf !== undefined && this.fd !== undefined) this.flushBuf();
  }

  /** Waits until the bytes are written and puts the file in place. */
  async commit(): Promise<void> {
    if (this.inPlace) {
      this.flushBuf();
      try {
        closeSync(this.fd as number);
        this.fd = undefined;
      } catch (err) {
        throw this.failure(err);
      }
      return;
    }
    if (this.tmpPath === undefined) {
      this.flushParts();
      const stream = this.stream as NodeJS.WritableStream;
      await new Promise<void>((resolve) => (stream.write('') ? resolve() : stream.once('drain', () => resolve())));
      return;
    }
    this.flushBuf();
    // a signal that came while the file was written removes it now, before it is in place
    await letSignalsIn();
    try {
      closeSync(this.fd as number);
      this.fd = undefined;
      renameSync(this.tmpPath, this.finalPath as string);
      this.forgetInterrupt?.();
    } catch (err) {
      this.abort();
      throw this.failure(err);
    }
  }

  /** Discards a partial file. */
  abort(): void {
    if (this.inPlace && this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // (nothing to remove: the bytes went to a device or FIFO)
      }
      this.fd = undefined;
    }
    if (this.tmpPath === undefined) return;
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already unusable: the file is removed below
      }
      this.fd = undefined;
    }
    rmSync(this.tmpPath, { force: true });
    this.forgetInterrupt?.();
  }
}

/** Writes a whole text to a path ("-" = stdout) atomically. */
export async function writeOutput(path: string, text: string): Promise<void> {
  const out = new OutputTarget(path);
  try {
    out.write(text);
    await out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
}

/**
 * Outputs of one run, all or nothing: each is written to its temporary file as it is added (so a
 * destination that cannot be written fails before any is replaced), and commit() puts them all in
 * place. Standard output and error ("-", /dev/stdout, /dev/stderr: stdStreamOf) are written last,
 * after every file is in place.
 */
export class OutputBatch {
  private readonly files: OutputTarget[] = [];
  private readonly toStd: { path: string; text: string }[] = [];

  /** `text` for `path` ("-" = stdout): to its temporary file now, in place on commit() */
  add(path: string, text: string): void {
    if (isStdStream(path)) {
      this.toStd.push({ path, text });
      return;
    }
    const target = new OutputTarget(path);
    this.files.push(target);
    target.write(text);
  }

  /** Puts every file in place, then writes what goes to stdout; on a failure, what is not in place yet is removed. */
  async commit(): Promise<void> {
    // a signal that came while the outputs were made removes them now, before any is in place
    await letSignalsIn();
    try {
      // (written and closed first: a full disk fails here, before any rename)
      for (const f of this.files) f.flush();
      for (const f of this.files) await f.commit();
    } catch (err) {
      this.abort();
      throw err;
    }
    this.files.length = 0;
    for (const { path, text } of this.toStd) await writeOutput(path, text);
    this.toStd.length = 0;
  }

  /** Removes every temporary file not yet in place. */
  abort(): void {
    for (const f of this.files) f.abort();
    this.files.length = 0;
    this.toStd.length = 0;
  }
}
