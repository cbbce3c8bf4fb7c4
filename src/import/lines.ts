/**
 * Splits a byte stream into lines without a per-line allocation beyond the line string itself.
 * Bytes are decoded as latin1 (one char per byte, so offsets stay byte offsets); text that came from
 * a trace is turned back into UTF-8 only where it is shown (see utf8FromLatin1).
 */
export type LineHandler = (line: string, lineNo: number) => void;

export class LineSplitter {
  private carry = '';
  private lineNo = 0;
  bytesSeen = 0;

  constructor(private readonly onLine: LineHandler) {}

  push(chunk: Buffer): void {
    this.bytesSeen += chunk.length;
    const text = this.carry.length > 0 ? this.carry + chunk.toString('latin1') : chunk.toString('latin1');
    let start = 0;
    const onLine = this.onLine;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--; // CRLF
      onLine(text.slice(start, end), ++this.lineNo);
      start = nl + 1;
    }
    this.carry = start < text.length ? text.slice(start) : '';
  }

  /** Flushes a last line without a newline. Returns the number of lines seen. */
  end(): number {
    if (this.carry.length > 0) {
      let line = this.carry;
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      this.carry = '';
      this.onLine(line, ++this.lineNo);
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
