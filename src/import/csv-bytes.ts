/**
 * A CSV line's fields as byte offsets, for csv.ts's fast path: rows of printable ASCII (the public
 * block traces' rows) are read without a string per line or per field. Any line this cannot take
 * as it is (an empty field, a byte csv-parse would trim, a non-ASCII byte, more than MAX_FIELDS
 * fields) is left to the string path, which reads every line the same way (tests compare the two).
 */

/** the most fields of a line read here (the presets have 5 to 7) */
const MAX_FIELDS = 64;
/** the most digits a field read as a number here has (exact as a double up to 15) */
export const MAX_EXACT_DIGITS = 15;

export class ByteFields {
  readonly starts = new Int32Array(MAX_FIELDS);
  readonly ends = new Int32Array(MAX_FIELDS);
  count = 0;

  /**
   * Splits b[from, to) at the byte `delimiter`: false when a field is empty or has a byte that is
   * not printable ASCII (33 to 126), or the line has more than MAX_FIELDS fields.
   */
  split(b: Uint8Array, from: number, to: number, delimiter: number): boolean {
    const starts = this.starts, ends = this.ends;
    let n = 0;
    let start = from;
    for (let i = from; i <= to; i++) {
      const c = i < to ? b[i] : delimiter;
      if (c === delimiter) {
        if (i === start || n === MAX_FIELDS) return false;
        starts[n] = start;
        ends[n] = i;
        n++;
        start = i + 1;
      } else if (c < 33 || c > 126) {
        return false;
      }
    }
    this.count = n;
    return true;
  }

  /** the number of digits of field i when it is all decimal digits, else -1 */
  digitCount(b: Uint8Array, i: number): number {
    const from = this.starts[i], to = this.ends[i];
    for (let k = from; k < to; k++) {
      const c = b[k];
      if (c < 48 || c > 57) return -1;
    }
    return to - from;
  }

  /** the value of field i when it is 1 to MAX_EXACT_DIGITS decimal digits, else -1 */
  wholeNumber(b: Uint8Array, i: number): number {
    const from = this.starts[i], to = this.ends[i];
    if (to - from > MAX_EXACT_DIGITS) return -1;
    return digitsValue(b, from, to);
  }

  /** whether field i, with ASCII capitals lowered, is the bytes of `lower` */
  equalsLowered(b: Uint8Array, i: number, lower: Uint8Array): boolean {
    const from = this.starts[i];
    if (this.ends[i] - from !== lower.length) return false;
    for (let k = 0; k < lower.length; k++) {
      let c = b[from + k];
      if (c >= 65 && c <= 90) c += 32;
      if (c !== lower[k]) return false;
    }
    return true;
  }
}

/** the value of the decimal digits b[from, to) (at most MAX_EXACT_DIGITS of them), or -1 when a byte is no digit */
export function digitsValue(b: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let k = from; k < to; k++) {
    const c = b[k];
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * The ASCII values among `values` (already lowered, as csv.ts keeps the op values) as bytes: a field
 * of printable ASCII lowered is ASCII, so it can equal no other value.
 */
export function asciiValues(values: Iterable<string>): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const v of values) if (/^[\x21-\x7e]+$/.test(v)) out.push(Buffer.from(v, 'latin1'));
  return out;
}
