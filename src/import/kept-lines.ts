/**
 * The input bytes from the start of one line on, as they are fed to a parser that reads ahead
 * (csv-parse): the parser names each record's last line, the bytes of lines it has finished with
 * are dropped, and what is left is the text a parser must start again from after a broken record.
 */
export class KeptLines {
  private chunks: Buffer[] = [];
  /** 1-based line number of the first byte kept */
  firstLine = 1;

  /** `chunk` must not be reused by the caller */
  push(chunk: Buffer): void {
    if (chunk.length > 0) this.chunks.push(chunk);
  }

  /** Drops every byte up to the end of line `line` (its newline included). */
  dropThrough(line: number): void {
    while (this.firstLine <= line && this.chunks.length > 0) {
      const c = this.chunks[0];
      const nl = c.indexOf(10);
      if (nl < 0) {
        this.chunks.shift();
        continue;
      }
      this.firstLine++;
      if (nl + 1 < c.length) this.chunks[0] = c.subarray(nl + 1);
      else this.chunks.shift();
    }
  }

  /** the kept bytes */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** whether the kept bytes are only blanks and line breaks */
  blank(): boolean {
    for (const c of this.chunks) {
      for (let i = 0; i < c.length; i++) {
        const b = c[i];
        if (b !== 10 && b !== 13 && b !== 32 && b !== 9) return false;
      }
    }
    return true;
  }
}
