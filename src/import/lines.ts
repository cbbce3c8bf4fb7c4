/**
 * Splits a byte stream into lines without a per-line allocation: each line is handed over as a
 * range of one decoded chunk string. Bytes are decoded as latin1 (one char per byte, so offsets stay
 * byte offsets); text from a trace is turned back into UTF-8 only where it is shown (utf8FromLatin1).
 * The partial line at the end of a chunk is carried as bytes (concatenating strings instead makes
 * V8 re-flatten a cons string on every search, which costs more than the parse itself), in pieces
 * joined once when its line break comes (joining them for every chunk made a long line quadratic),
 * and at most MAX_LINE_BYTES of it.
 */
/**
 * Receives line `lineNo` as text[start, end) of a larger string (no per-line copy). `bytes` holds
 * the same text undecoded: text index i is bytes[i + base] (for parsers that scan bytes).
 */
export type LineHandler = (text: string, start: number, end: number, lineNo: number, bytes: Uint8Array, base: number) => void;

const PIECE_BYTES = 64 * 1024;

/**
 * The longest line read, in bytes (its line break not counted): far above any line a tracer, blkparse,
 * fio or lockreplay writes (a few hundred bytes). A longer line is one bad line; its bytes are not kept
 * (they are passed over up to its line break), so memory stays bounded whatever the input.
 */
export const MAX_LINE_BYTES = 1 << 20;

export const LONG_LINE = `line longer than ${MAX_LINE_BYTES.toLocaleString('en-US')} bytes (1 MiB): no trace line is that long`;

/** how much of a too-long line is shown in its message */
const LONG_LINE_EXCERPT = 200;

export class LineSplitter {
  /** the pieces of the line cut by the last chunks (kept apart: joined once, when its line break comes) */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** the current line is too long: its bytes are passed over up to its line break */
  private skipping = false;
  private lineNo = 0;
  bytesSeen = 0;
  /**
   * `onCutLastLine`, when given, gets the input's last line instead of `onLine` when no line break
   * ends it and it is not blank: the formats a tool always ends with a line break (tracefs,
   * trace-cmd, blkparse) report it as cut short. `onLongLine` gets a line longer than
   * MAX_LINE_BYTES (its number and its first bytes as latin1 text) instead of `onLine`, as soon as
   * it is known to be too long: the rest of it is never kept.
   */
  constructor(
    private readonly onLine: LineHandler,
    private readonly onCutLastLine: ((text: string, lineNo: number) => void) | undefined,
    private readonly onLongLine: (lineNo: number, excerpt: string) => void,
  ) {}

  /**
   * Takes the next bytes of the input. The chunk may be reused by the caller afterwards: nothing
   * keeps a reference to it. Text is decoded in pieces of about 64 KiB, small enough for V8's young
   * generation (a larger string goes to large-object space, fresh pages every time, and the page
   * faults cost more than the parse).
   */
  push(chunk: Buffer): void {
    this.bytesSeen += chunk.length;
    let from = 0;
    if (this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.skipping = false;
      from = nl + 1;
    } else if (this.carryBytes > 0) {
      // only the line cut by the last chunk is joined: the rest of this chunk is used in place
      const nl = chunk.indexOf(10);
      const length = this.carryBytes + (nl < 0 ? chunk.length : nl);
      if (length > MAX_LINE_BYTES) {
        this.tooLong(nl < 0 ? chunk : chunk.subarray(0, nl));
        if (nl < 0) return;
        this.skipping = false;
        from = nl + 1;
      } else if (nl < 0) {
        this.carry.push(Buffer.from(chunk));
        this.carryBytes += chunk.length;
        return;
      } else {
        this.carry.push(chunk.subarray(0, nl + 1));
        const joined = Buffer.concat(this.carry, this.carryBytes + nl + 1);
        this.carry = [];
        this.carryBytes = 0;
        this.piece(joined, 0, joined.length);
        from = nl + 1;
      }
    }
    const n = chunk.length;
    while (from < n) {
      const limit = Math.min(n, from + PIECE_BYTES);
      let last = limit === n ? chunk.lastIndexOf(10) : chunk.lastIndexOf(10, limit - 1);
      if (last < from) {
        // a line longer than a piece: take everything up to its end
        last = chunk.indexOf(10, limit);
        if (last < 0) break;
        if (last - from > MAX_LINE_BYTES) {
          this.tooLong(chunk.subarray(from, last));
          this.skipping = false;
          from = last + 1;
          continue;
        }
      }
      this.piece(chunk, from, last + 1);
      from = last + 1;
    }
    if (from < n) {
      if (n - from > MAX_LINE_BYTES) this.tooLong(chunk.subarray(from));
      else {
        this.carry.push(Buffer.from(chunk.subarray(from)));
        this.carryBytes = n - from;
      }
    }
  }

  /**
   * The current line (the carried pieces, then `more`) is longer than MAX_LINE_BYTES: it is handed
   * over as too long, and what follows of it is skipped
   */
  private tooLong(more: Buffer): void {
    const head = Buffer.concat([...this.carry, more.subarray(0, LONG_LINE_EXCERPT)]);
    this.carry = [];
    this.carryBytes = 0;
    this.skipping = true;
    this.onLongLine(++this.lineNo, head.toString('latin1', 0, Math.min(head.length, LONG_LINE_EXCERPT)));
  }

  /** bytes[from, to) is whole lines (none longer than MAX_LINE_BYTES: push sees to it) */
  private piece(bytes: Buffer, from: number, to: number): void {
    const text = bytes.toString('latin1', from, to);
    const onLine = this.onLine;
    let start = 0;
    let lineNo = this.lineNo;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--; // CRLF
      onLine(text, start, end, ++lineNo, bytes, from);
      start = nl + 1;
    }
    this.lineNo = lineNo;
  }

  /** Flushes a last line without a newline. Returns the number of lines seen. */
  end(): number {
    this.skipping = false;
    if (this.carryBytes > 0) {
      const bytes = Buffer.concat(this.carry, this.carryBytes);
      this.carry = [];
      this.carryBytes = 0;
      const end = bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
      const text = bytes.toString('latin1', 0, end);
      if (this.onCutLastLine !== undefined && text.trim() !== '') this.onCutLastLine(text, ++this.lineNo);
      else this.onLine(text, 0, end, ++this.lineNo, bytes, 0);
    }
    return this.lineNo;
  }
}

export function utf8FromLatin1(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) return Buffer.from(text, 'latin1').toString('utf8');
  }
  return text;
}

export const CUT_LAST_LINE = 'the input ends inside this line (no line break after it): it may be cut short';

/**
 * For formats a tool always ends with a line break: the input's last line without one is a bad line
 * (a capture or copy cut short: "sys_pwrite64 -> 0x10" of "0x1000" would be a 16-byte write).
 */
export function cutLastLineIsBad(badLines: { report(line: number, reason: string, text?: string): void }): (text: string, lineNo: number) => void {
  return (text, lineNo) => badLines.report(lineNo, CUT_LAST_LINE, text);
}

/** For every line format: a line longer than MAX_LINE_BYTES is a bad line. */
export function longLineIsBad(badLines: { report(line: number, reason: string, text?: string): void }): (lineNo: number, excerpt: string) => void {
  return (lineNo, excerpt) => badLines.report(lineNo, LONG_LINE, excerpt);
}
