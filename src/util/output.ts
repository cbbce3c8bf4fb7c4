import { closeSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { ExitCode, LockreplayError } from '../errors.js';
import { letSignalsIn, onInterrupt, outputPlaced } from './cleanup.js';
import { makeDirs, removeMadeDirs } from './make-dirs.js';

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

/** "ENOTDIR: d is not a directory", or the error's code */
function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' && err instanceof Error && /: not a directory$/.test(err.message)) return `ENOTDIR: ${err.message.replace(/: not a directory$/, '')} is not a directory`;
  return code ?? String(err);
}

/**
 * Checks, before any work, that an output can be written (exit 6 naming it if not): a file (`dir`
 * false) is not a directory, and its directory exists or can be made (missing ones are made when the
 * output is written, like `mkdir -p`) and takes new files; a directory (`dir` true, --hgrm) is one or
 * can be made. A path through a regular file fails here. Nothing is left behind: the topmost missing
 * directory is made and removed again to see that it can be. Standard streams need no check.
 */
export function checkOutputPath(path: string, dir = false): void {
  if (isStdStream(path)) return;
  const fail = (detail: string): never => {
    throw new LockreplayError(dir ? `${path}: cannot create the directory (${detail})` : `${path}: cannot write (${detail})`, ExitCode.outputFailed);
  };
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return fail(why(err));
  }
  if (st !== undefined) {
    if (dir) {
      if (!st.isDirectory()) fail(`ENOTDIR: ${path} is not a directory`);
      return writableDir(path, fail);
    }
    if (st.isDirectory()) throw new LockreplayError(`${path}: is a directory, not a file to write`, ExitCode.outputFailed);
    // (a device or FIFO is written in place; a file gets a temporary one beside it)
    if (st.isFile()) writableDir(dirname(outputPlace(path).path), fail);
    return;
  }
  // a new file or directory: the nearest existing directory above it must take the missing ones
  const target = dir ? resolve(path) : dirname(resolve(path));
  let top: string | undefined;
  for (let p = target; ; p = dirname(p)) {
    let above;
    try {
      above = statSync(p);
    } catch (err) {
      // (ENOTDIR: a file above it, found further up)
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return fail(why(err));
      top = p;
      if (dirname(p) === p) return fail('ENOENT');
      continue;
    }
    if (!above.isDirectory()) return fail(`ENOTDIR: ${p} is not a directory`);
    // (with directories to make, making the topmost one is the test)
    if (top === undefined) writableDir(p, fail);
    break;
  }
  if (top === undefined) return;
  try {
    mkdirSync(top);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') fail(why(err));
    return;
  }
  try {
    rmdirSync(top);
  } catch {
    // (someone put something there meanwhile: theirs)
  }
}

/**
 * fails unless new files can be made in directory `dir`: one is made and removed (a permission test
 * would pass for root where the filesystem refuses, read-only or /sys)
 */
function writableDir(dir: string, fail: (detail: string) => never): void {
  const probe = join(dir, `.lockreplay-probe.${process.pid}.tmp`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    fail(`${(err as NodeJS.ErrnoException).code ?? String(err)}: cannot make files in ${dir}`);
  }
  rmSync(probe, { force: true });
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
  /** directories made for the file (top down): removed again, when empty, if it is not put in place */
  private madeDirs: string[] = [];

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
        // (missing directories above a new file are made, like mkdir -p)
        if (this.tmpPath !== undefined) this.madeDirs = makeDirs(dirname(this.tmpPath));
        this.fd = openSync(this.tmpPath ?? place.path, 'w');
      } catch (err) {
        removeMadeDirs(this.madeDirs);
        this.madeDirs = [];
        throw this.failure(err);
      }
      if (this.tmpPath !== undefined) this.forgetInterrupt = onInterrupt(() => this.abort());
      this.buf = Buffer.allocUnsafe(1 << 20);
    }
  }

  /** whether the file is written to a temporary file and renamed into place (place()) */
  get placedAsFile(): boolean {
    return !this.inPlace && this.tmpPath !== undefined;
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
    return new LockreplayError(`${this.path}: cannot write (${why(err)})`, ExitCode.outputFailed);
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
      // (a stream a reader closed, EPIPE after `| head`, never drains: its end is the end)
      await new Promise<void>((resolve) => {
        const ended = (): boolean => (stream as Writable).destroyed;
        if (ended() || stream.write('')) return resolve();
        const done = (): void => {
          stream.off('drain', done);
          stream.off('close', done);
          resolve();
        };
        stream.once('drain', done);
        stream.once('close', done);
      });
      return;
    }
    this.flushBuf();
    // a signal that came while the file was written removes it now, before it is in place
    await letSignalsIn();
    this.place();
  }

  /**
   * Puts the written file in place at once (no turn of the event loop: OutputBatch puts all its
   * files in place with no signal handled between two of them). The command's work is then done: a
   * signal no longer ends it (util/cleanup.ts).
   */
  place(): void {
    if (this.inPlace || this.tmpPath === undefined) {
      // (a device, a FIFO, a stream: commit() writes them)
      return;
    }
    this.flushBuf();
    try {
      closeSync(this.fd as number);
      this.fd = undefined;
      renameSync(this.tmpPath, this.finalPath as string);
      // (before the undo is forgotten: the handlers stay, and a signal from now on is deferred)
      outputPlaced();
      this.madeDirs = [];
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
    removeMadeDirs(this.madeDirs);
    this.madeDirs = [];
    this.forgetInterrupt?.();
  }
}

/**
 * An output's bytes: a whole text, or a function that writes them piece by piece through `write`
 * (a text that would be too long for one string, or for the heap, such as a long schedule's
 * Perfetto JSON).
 */
export type OutputText = string | ((write: (piece: string) => void) => void | Promise<void>);

async function fill(out: OutputTarget, text: OutputText): Promise<void> {
  if (typeof text === 'string') out.write(text);
  else await text((piece) => out.write(piece));
}

/**
 * What names one file, whichever path is given for it: an existing file's device and inode
 * (through links); for a new one, the nearest directory above it that exists (through links) and
 * the names below it.
 */
export function fileKey(path: string): string {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    // (the nearest directory above it that exists, through links, and the names below it)
    const below: string[] = [];
    for (let p = resolve(path); ; p = dirname(p)) {
      try {
        return `new:${join(realpathSync(p), ...below)}`;
      } catch {
        if (dirname(p) === p) return `new:${resolve(path)}`;
        below.unshift(basename(p));
      }
    }
  }
}

/** Writes a whole text to a path ("-" = stdout) atomically. */
export async function writeOutput(path: string, text: OutputText): Promise<void> {
  const out = new OutputTarget(path);
  try {
    await fill(out, text);
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
  /** each file's identity (fileKey) → the path it was given as */
  private readonly keys = new Map<string, string>();
  private readonly toStd: { path: string; text: OutputText }[] = [];
  /** directories made for the batch (makeDir), each list top down: removed again, when empty, on abort */
  private readonly madeDirs: string[][] = [];
  private forgetInterrupt: (() => void) | undefined;
  /** the inputs of the run (protect()): no output may replace one */
  private readonly inputs: { path: string; what: string; dev: number; ino: number }[] = [];

  /**
   * Refuses (exit 2), when it is added, an output file that is one of `paths` (by any path or link:
   * the same device and inode), the run's inputs, `what` ("trace", "result"): the files of an
   * --hgrm directory are named only once the strategies are known, and one that was a link to the
   * trace or a result replaced it. A missing input (it fails on its own) or a stream is no file to
   * protect.
   */
  protect(paths: string[], what: string): void {
    for (const path of paths) {
      if (isStdStream(path)) continue;
      try {
        const st = statSync(path);
        this.inputs.push({ path, what, dev: st.dev, ino: st.ino });
      } catch {
        // (not there: nothing to replace)
      }
    }
  }

  private refuseInput(path: string): void {
    if (this.inputs.length === 0) return;
    let st;
    try {
      st = statSync(path);
    } catch {
      return; // a new file: not an input
    }
    const input = this.inputs.find((i) => i.dev === st.dev && i.ino === st.ino);
    if (input !== undefined) throw new LockreplayError(`${path} is the input ${input.what} ${input.path}: writing there would replace the ${input.what}; name another place`, ExitCode.usage);
  }

  /** Makes directory `dir` and the missing ones above it (exit 6 naming it if it cannot be made). */
  makeDir(dir: string): void {
    try {
      const made = makeDirs(dir);
      if (made.length === 0) return;
      this.madeDirs.push(made);
      this.forgetInterrupt ??= onInterrupt(() => this.removeDirs());
    } catch (err) {
      throw new LockreplayError(`${dir}: cannot create the directory (${why(err)})`, ExitCode.outputFailed);
    }
  }

  private removeDirs(): void {
    for (const made of this.madeDirs.reverse()) removeMadeDirs(made);
    this.madeDirs.length = 0;
    this.forgetInterrupt?.();
    this.forgetInterrupt = undefined;
  }

  /** `text` for `path` ("-" = stdout): to its temporary file now, in place on commit() */
  add(path: string, text: string): void {
    if (isStdStream(path)) {
      this.toStd.push({ path, text });
      return;
    }
    this.target(path).write(text);
  }

  /**
   * The bytes `text` writes, piece by piece, for `path`: to its temporary file now (for standard
   * output or error, when the files are in place), in place on commit()
   */
  async addPieces(path: string, text: OutputText): Promise<void> {
    if (isStdStream(path)) {
      this.toStd.push({ path, text });
      return;
    }
    await fill(this.target(path), text);
  }

  private target(path: string): OutputTarget {
    // (two outputs of one file shared its temporary file: the first renamed into place held the
    // second's bytes, or half of each, and the second's rename failed, ENOENT, after it)
    const key = fileKey(path);
    const other = this.keys.get(key);
    if (other !== undefined) throw new LockreplayError(`${path}: two outputs of this run are the same file (${other} too): give each its own (an --hgrm directory's files are named STRATEGY.KIND.hgrm)`, ExitCode.usage);
    this.refuseInput(path);
    this.keys.set(key, path);
    const target = new OutputTarget(path);
    this.files.push(target);
    return target;
  }

  /** Puts every file in place, then writes what goes to stdout; on a failure, what is not in place yet is removed. */
  async commit(): Promise<void> {
    // a signal that came while the outputs were made removes them now, before any is in place
    await letSignalsIn();
    try {
      // (written and closed first: a full disk fails here, before any rename)
      for (const f of this.files) f.flush();
      // (all in place with no turn of the event loop between two: a signal leaves all or none)
      for (const f of this.files) {
        if (f.placedAsFile) f.place();
        else await f.commit();
      }
    } catch (err) {
      this.abort();
      throw err;
    }
    this.files.length = 0;
    this.keys.clear();
    this.madeDirs.length = 0;
    this.forgetInterrupt?.();
    this.forgetInterrupt = undefined;
    for (const { path, text } of this.toStd) await writeOutput(path, text);
    this.toStd.length = 0;
  }

  /** Removes every temporary file not yet in place. */
  abort(): void {
    // (the last first: a directory an earlier file made is empty, so removed, when its own turn comes)
    for (const f of [...this.files].reverse()) f.abort();
    this.files.length = 0;
    this.keys.clear();
    this.toStd.length = 0;
    this.removeDirs();
  }
}
