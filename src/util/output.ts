import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { ExitCode, LockreplayError } from '../errors.js';

/**
 * The one place that decides where bytes go: "-" is standard output; a path is written to a
 * temporary file beside it and renamed into place only when complete, so a failed run never leaves
 * half a file (and never clobbers a good one).
 */
export class OutputTarget {
  private readonly stream: NodeJS.WritableStream;
  private readonly tmpPath: string | undefined;
  private failed: Error | undefined;
  private parts: string[] = [];
  private partsChars = 0;

  constructor(readonly path: string) {
    if (path === '-') {
      this.stream = process.stdout;
      this.tmpPath = undefined;
    } else {
      this.tmpPath = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      const ws: WriteStream = createWriteStream(this.tmpPath);
      ws.on('error', (err) => {
        this.failed = err;
      });
      this.stream = ws;
    }
  }

  /** Buffered write; flushed in large pieces. */
  write(text: string): void {
    this.parts.push(text);
    this.partsChars += text.length;
    if (this.partsChars >= 1 << 20) this.flushParts();
  }

  private flushParts(): void {
    if (this.parts.length === 0) return;
    this.stream.write(this.parts.join(''));
    this.parts = [];
    this.partsChars = 0;
  }

  /** Waits until the bytes are written and puts the file in place. */
  async commit(): Promise<void> {
    this.flushParts();
    if (this.tmpPath === undefined) {
      await new Promise<void>((resolve) => (this.stream.write('') ? resolve() : this.stream.once('drain', () => resolve())));
      return;
    }
    const ws = this.stream as WriteStream;
    await new Promise<void>((resolve) => {
      ws.end(() => resolve());
      ws.once('error', () => resolve());
    });
    if (this.failed) {
      this.abort();
      throw new LockreplayError(`${this.path}: cannot write (${(this.failed as NodeJS.ErrnoException).code ?? this.failed.message})`, ExitCode.outputFailed);
    }
    try {
      renameSync(this.tmpPath, this.path);
    } catch (err) {
      this.abort();
      throw new LockreplayError(`${this.path}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.outputFailed);
    }
  }

  /** Discards a partial file. */
  abort(): void {
    if (this.tmpPath === undefined) return;
    (this.stream as WriteStream).destroy();
    rmSync(this.tmpPath, { force: true });
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
