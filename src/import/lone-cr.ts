/**
 * A CR that is not followed by LF is no line break in any format (lines end at LF, CR LF included),
 * but csv-parse counts it as one in its line numbers. Before CSV text reaches csv-parse, each lone
 * CR becomes a space (csv-parse trims it, or the field it sits in is not a number: a bad line), so
 * its line numbers are those of every other importer. The input is copied only where it changes.
 *
 * Inside a quoted field csv-parse counts the CR of a CR LF as a line of its own too (a record
 * after a quoted CR LF, or a quote error, was given a line number one higher for each, and the lines
 * accounted outran the input's), so csv-parse gets CR LF as LF: dropCrBeforeLf.
 */
const CR = 13;
const LF = 10;
const SPACE = 32;

export class LoneCrToSpace {
  /** the last chunk ended with a CR: whether it is lone depends on the next byte */
  private pendingCr = false;

  /** The chunk's bytes as csv-parse should see them (a CR at its end is held back until the next). */
  push(chunk: Buffer): Buffer {
    let b = this.pendingCr ? Buffer.concat([Buffer.of(CR), chunk]) : chunk;
    this.pendingCr = b.length > 0 && b[b.length - 1] === CR;
    if (this.pendingCr) b = b.subarray(0, b.length - 1);
    let copied = false;
    for (let i = b.indexOf(CR); i >= 0; i = b.indexOf(CR, i + 1)) {
      // (a CR just before the held-back one is lone too: the held-back CR is no LF)
      if (i + 1 < b.length ? b[i + 1] === LF : false) continue;
      if (!copied) {
        b = Buffer.from(b);
        copied = true;
      }
      b[i] = SPACE;
    }
    return b;
  }

  /** What is left at the end of the input: a held-back CR, which no LF follows. */
  end(): Buffer | undefined {
    if (!this.pendingCr) return undefined;
    this.pendingCr = false;
    return Buffer.of(SPACE);
  }
}

/**
 * The bytes without the CR of each CR LF (LF alone ends a record for csv-parse, as CR LF does; a
 * CR LF inside a quoted field is one line break, as everywhere else). `b` itself when it has none.
 */
export function dropCrBeforeLf(b: Buffer): Buffer {
  let i = b.indexOf(CR);
  while (i >= 0 && b[i + 1] !== LF) i = b.indexOf(CR, i + 1);
  if (i < 0) return b;
  const out = Buffer.allocUnsafe(b.length);
  let n = 0;
  let from = 0;
  for (; i >= 0; i = b.indexOf(CR, i + 1)) {
    if (b[i + 1] !== LF) continue;
    n += b.copy(out, n, from, i);
    from = i + 1;
  }
  n += b.copy(out, n, from);
  return out.subarray(0, n);
}
