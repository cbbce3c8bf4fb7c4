/**
 * What a number is in a CSV block trace's columns (trace-formats in README "CSV block traces"):
 * a time (ts, response) is a decimal number, with a fraction or an exponent if it has one (1.5,
 * 1e-05, as Python prints a float); an offset or a length is decimal digits. Number() took more:
 * "0x1000" as 4096, "0b100" as 4, "1e3" as an offset of 1000.
 */
import { MAX_EXACT_DIGITS } from './csv-bytes.js';

const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const DIGITS = /^-?\d+$/;

export type CsvNumberKind = 'time' | 'whole';

/** The field's value, or NaN when it is empty or not a number of its kind. */
export function csvNumber(field: string, kind: CsvNumberKind): number {
  // (plain digits, the common case, are both kinds: checked without a regex)
  if (plainDigits(field)) return Number(field);
  return (kind === 'time' ? DECIMAL : DIGITS).test(field) ? Number(field) : NaN;
}

/** What a number of this kind is, for a bad line's reason. */
export function csvNumberRule(kind: CsvNumberKind): string {
  return kind === 'time' ? 'a decimal number' : 'decimal digits';
}

/** whether `field` is one or more of 0-9 and nothing else */
export function plainDigits(field: string): boolean {
  if (field.length === 0) return false;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** the value of `field` when it is 1 to MAX_EXACT_DIGITS decimal digits (exact as a double), else -1 */
export function smallDigitsValue(field: string): number {
  const n = field.length;
  if (n === 0 || n > MAX_EXACT_DIGITS) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = field.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}
