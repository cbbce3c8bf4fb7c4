/**
 * Splits a byte stream into lines without a per-line allocation: each line is handed over as a
 * range of one decoded chunk string. Bytes are decoded as latin1 (one char per byte, so offsets stay
 * byte offsets); text from a trace is turned back into UTF-8 only where it is shown (utf8FromLatin1).
 * The partial line at the end of a chunk is carried as bytes (concatenating strings instead makes
 * V8 re-flatten a cons string on every search, which costs more than the parse itself).
 */
/**
 * Receives line `lineNo` as text[start, end) of a larger string (no per-line copy). `bytes` holds
 * the same text undecoded: text index i is bytes[i + base] (for parsers that scan bytes).
 */
export type LineHandler = (text: string, start: number, end: number, lineNo: number, bytes: Uint8Array, base: number) => void;

const PIECE_BYTES = 64 * 1024;

export class LineSplitter {
  private carry: Buffer | undefined;
  private lineNo = 0;
  bytesSeen = 0;
  /**
   * `onCutLastLine`, when given, gets the input's last line instead of `onLine` when no line break
   * ends it and it is not blank: the formats a tool always ends with a line break (tracefs,
   * trace-cmd, blkparse) report it as cut short
   */
  constructor(private readonly onLine: LineHandler, private readonly onCutLastLine?: (text: string, lineNo: number) => void) {}

  /**
   * Takes the next bytes of the input. The chunk may be reused by the caller afterwards: nothing
   * keeps a reference to it. Text is decoded in pieces of about 64 KiB, small enough for V8's young
   * generation (a larger string goes to large-object space, fresh pages every time, and the page
   * faults cost more than the parse).
   */
  push(chunk: Buffer): void {
    this.bytesSeen += chunk.length;
    let from = 0;
    if (this.carry !== undefined) {
      // only the line cut by the last chunk is joined: the rest of this chunk is used in place
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]);
      this.carry = undefined;
      this.piece(joined, 0, joined.length);
      from = nl + 1;
    }
    const n = chunk.length;
    while (from < n) {
      const limit = Math.min(n, from + PIECE_BYTES);
      let last = limit === n ? chunk.lastIndexOf(10) : chunk.lastIndexOf(10, limit - 1);
      if (last < from) {
        // a line longer than a piece: take everything up to its end
        last = chunk.indexOf(10, limit);
        if (last < 0) break;
      }
      this.piece(chunk, from, last + 1);
      from = last + 1;
    }
    if (from < n) this.carry = Buffer.from(chunk.subarray(from));
  }

  /** bytes[from, to) is whole lines */
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
    const bytes = this.carry;
    if (bytes !== undefined && bytes.length > 0) {
      this.carry = undefined;
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
