/**
 * Small scanners for "key value" / "key=value" tracepoint bodies (trace-formats.md §2).
 * Each returns NaN when the key is absent or the value is not a number.
 */
const ZERO = 48;

/** Parses the number starting at `at`: 0x-prefixed hex, a leading '-', else digits in `radix`. */
export function numberAt(s: string, at: number, radix: 10 | 16): number {
  let i = at;
  let neg = false;
  if (s.charCodeAt(i) === 45) {
    neg = true;
    i++;
  }
  if (s.charCodeAt(i) === ZERO && (s.charCodeAt(i + 1) | 32) === 120) {
    radix = 16;
    i += 2;
  }
  const start = i;
  let v = 0;
  for (;;) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (radix === 16 && (c | 32) >= 97 && (c | 32) <= 102) d = (c | 32) - 87;
    else break;
    v = v * radix + d;
    i++;
  }
  if (i === start) return NaN;
  return neg ? -v : v;
}

/**
 * The number starting at `at` (same syntax as numberAt) as decimal digits, exact at any size: an
 * inode number is an unsigned 64-bit value, and as a double two inodes beyond 2^53 could be one.
 * Call it only where numberAt gave a whole number (its digits are there).
 */
export function exactDigitsAt(s: string, at: number, radix: 10 | 16): string {
  let i = at;
  const neg = s.charCodeAt(i) === 45;
  if (neg) i++;
  let hex = radix === 16;
  if (s.charCodeAt(i) === ZERO && (s.charCodeAt(i + 1) | 32) === 120) {
    hex = true;
    i += 2;
  }
  const end = numberEnd(s, i);
  // (in decimal, numberEnd's hex letters are no digits)
  let stop = i;
  while (stop < end && (hex || (s.charCodeAt(stop) >= 48 && s.charCodeAt(stop) <= 57))) stop++;
  const v = BigInt(`${hex ? '0x' : ''}${s.slice(i, stop)}`);
  return (neg ? -v : v).toString();
}

/** A whole number as a key's digits: itself while a double holds it exactly, else its exact digits. */
export function keyNumberAt(v: number, s: string, at: number, radix: 10 | 16): string {
  return Number.isSafeInteger(v) ? String(v) : exactDigitsAt(s, at, radix);
}

/** The number after `key` (which includes its separator, e.g. "ino " or "ofs="). */
export function numAfter(s: string, key: string, radix: 10 | 16 = 10): number {
  const k = s.indexOf(key);
  if (k < 0) return NaN;
  return numberAt(s, k + key.length, radix);
}

/** End index of the number starting at `at` (same syntax as numberAt). */
export function numberEnd(s: string, at: number): number {
  let i = at;
  if (s.charCodeAt(i) === 45) i++;
  if (s.charCodeAt(i) === ZERO && (s.charCodeAt(i + 1) | 32) === 120) i += 2;
  for (;;) {
    // (digits and hex letters only: `c | 32` alone would take the control bytes 0x10-0x19 for digits)
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102)) i++;
    else return i;
  }
}

/** The inclusive range "A-B" after `key` (filemap ofs=A-B): returns [first, lastInclusive] or undefined. */
export function rangeAfter(s: string, key: string): [number, number] | undefined {
  const k = s.indexOf(key);
  if (k < 0) return undefined;
  const a = numberAt(s, k + key.length, 10);
  const dash = numberEnd(s, k + key.length);
  if (Number.isNaN(a) || s.charCodeAt(dash) !== 45) return undefined;
  const b = numberAt(s, dash + 1, 10);
  return Number.isNaN(b) ? undefined : [a, b];
}

/**
 * The device of an event: "dev 7:0", "dev 254,0", "dev=7:0", "bdi 7:0:", "dev = (7,0)".
 * Returns "MAJ:MIN" or undefined (e.g. "bdi (unknown)"), the numbers exact at any size.
 */
export function devOf(s: string): string | undefined {
  let k = s.indexOf('dev');
  let at: number;
  if (k >= 0) {
    at = k + 3;
    while (s.charCodeAt(at) === 32 || s.charCodeAt(at) === 61 || s.charCodeAt(at) === 40) at++; // ' ', '=', '('
  } else {
    k = s.indexOf('bdi ');
    if (k < 0) return undefined;
    at = k + 4;
  }
  let i = at;
  let major = 0;
  while (s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) major = major * 10 + s.charCodeAt(i++) - 48;
  if (i === at) return undefined;
  const sep = s.charCodeAt(i);
  if (sep !== 58 && sep !== 44) return undefined;
  const m0 = ++i;
  let minor = 0;
  while (s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) minor = minor * 10 + s.charCodeAt(i++) - 48;
  if (i === m0) return undefined;
  // (a number past 2^53 is no exact double: its digits, so that two such devices stay two keys)
  return `${exactPart(major, s, at, m0 - 1)}:${exactPart(minor, s, m0, i)}`;
}

/** the decimal number s[from, to) as a key's digits: `v` (its double) while exact, else its digits */
function exactPart(v: number, s: string, from: number, to: number): string {
  return Number.isSafeInteger(v) ? String(v) : BigInt(s.slice(from, to)).toString();
}

/** The word after `key` up to the next space (e.g. flags or caller), or "". */
export function wordAfter(s: string, key: string): string {
  const k = s.indexOf(key);
  if (k < 0) return '';
  const at = k + key.length;
  const e = s.indexOf(' ', at);
  return s.slice(at, e < 0 ? s.length : e);
}
