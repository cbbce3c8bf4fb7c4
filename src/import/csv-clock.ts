/**
 * CSV times as exact ns. A time field is read from its decimal digits (integer part, fraction,
 * exponent) with integer arithmetic, so a fraction is not rounded to a double before it is scaled
 * ("1487955651.234567" s is 1487955651234567000 ns, not ...566912).
 *
 * Epoch times (the public datasets': µs or s since 1970, FILETIME ticks since 1601) are about 1.5e18
 * ns, past 2^53, where doubles step by 256 ns: rows 1 µs apart could be 0 or 1024 ns apart. So when
 * the first row's time, as ns since 1970, is past 2^53 (and always for FILETIME, whose times are all
 * past it), the op times count from the first row's, subtracted exactly; the summary's note says
 * from what. Smaller (relative) times keep their values: a trace's times stay what it wrote.
 */
import { digitsValue, MAX_EXACT_DIGITS } from './csv-bytes.js';
import { plainDigits } from './csv-numbers.js';
import { fmtSec, timestampProblem } from './limits.js';

export type CsvTimeUnit = 'ns' | 'us' | 'ms' | 's' | 'filetime';

/** a time in each unit is its decimal value times 10^N ns (a FILETIME tick is 100 ns) */
const NS_DIGITS: Record<CsvTimeUnit, number> = { ns: 0, us: 3, ms: 6, s: 9, filetime: 2 };
/** FILETIME of 1970-01-01T00:00:00Z, in ticks and in ns since 1601 */
const UNIX_EPOCH_TICKS = 116444736000000000n;
const UNIX_EPOCH_FILETIME_NS = UNIX_EPOCH_TICKS * 100n;
const MAX_TS = 1n << 63n;
/** past this, as ns since 1970, the op times count from the first row's */
const EXACT_DOUBLES = BigInt(Number.MAX_SAFE_INTEGER);
/** plainTsNs reads this many last digits of a field as a double (exact: below 2^53) */
const LOW_DIGITS = MAX_EXACT_DIGITS;
/** a decimal field: sign, integer digits, fraction digits, exponent (csv-numbers.ts checked its form) */
const DECIMAL_PARTS = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;

/**
 * The decimal `field` times 10^shift, rounded to a whole number (half and up away from zero), or
 * undefined when it is no decimal number or it has more than 40 digits before its point (no time).
 */
export function scaledDecimal(field: string, shift: number): bigint | undefined {
  const m = DECIMAL_PARTS.exec(field);
  if (m === null) return undefined;
  let digits = m[2] + (m[3] ?? '');
  // the point's place in `digits`, after the shift and the exponent
  let point = m[2].length + shift + (m[4] !== undefined ? Number(m[4]) : 0);
  const lead = digits.search(/[1-9]/);
  if (lead < 0) return 0n;
  digits = digits.slice(lead);
  point -= lead;
  if (!(point <= 40)) return undefined;
  let whole = '0';
  let next = 0;
  if (point >= digits.length) whole = digits + '0'.repeat(point - digits.length);
  else if (point > 0) {
    whole = digits.slice(0, point);
    next = digits.charCodeAt(point) - 48;
  } else if (point === 0) next = digits.charCodeAt(0) - 48;
  const n = BigInt(whole) + (next >= 5 ? 1n : 0n);
  return m[1] === '-' ? -n : n;
}

export class CsvClock {
  /** the first time accepted, in ns since 1970 (exact), and its field as written */
  private originNs: bigint | undefined;
  private originField = '';
  /** the op times count from the first one's (decided by the first time) */
  private counting = false;

  /** 10^N: ns in one unit */
  private readonly scale: number;
  /** the first field split at its last LOW_DIGITS digits, when it is plain digits (plainTsNs) */
  private originHigh = '';
  private originLow: number | undefined;

  /** `fast` false: every time through BigInt (the reference the tests compare plainTsNs with) */
  constructor(readonly unit: CsvTimeUnit, private readonly fast = true) {
    this.scale = 10 ** NS_DIGITS[unit];
  }

  /** Sets originHigh and originLow from the first field, if plainTsNs can count from it. */
  private plainOrigin(field: string): void {
    // (an op time up to 2^53 after the first must stay below 2^63 ns since 1970: TimeOrder would
    // refuse it, exactTsNs says why)
    if (!plainDigits(field) || (this.originNs as bigint) + EXACT_DOUBLES >= MAX_TS) return;
    const high = Math.max(0, field.length - LOW_DIGITS);
    this.originHigh = field.slice(0, high);
    this.originLow = Number(field.slice(high));
  }

  /**
   * The op time of a time field (`value` is its number, as csv-numbers.ts read it), in ns: after the
   * first one's when they count from it, or why it is no time: before 1970 or from 2^63 ns after it
   * on (as every format's timestamps), or before the first one when they count from it (the rows
   * are in time order; later rows going backwards are TimeOrder's to refuse).
   */
  tsNs(field: string, value: number): number | string {
    if (this.fast) {
      const ns = this.plainTsNs(field, value);
      if (ns !== undefined) return ns;
    }
    return this.exactTsNs(field, value);
  }

  /**
   * tsNs without BigInt, for a field of plain digits whose op time is a safe integer (exact as a
   * double): undefined otherwise, for exactTsNs. When the times count from the first one, the
   * field's last 15 digits minus the first field's are exact in doubles, if the digits before them
   * are the first field's.
   */
  private plainTsNs(field: string, value: number): number | undefined {
    if (this.originNs === undefined || !plainDigits(field)) return undefined;
    const n = field.length;
    if (!this.counting) {
      // (the value of 15 digits or fewer is exact; 10^shift times it is, while a safe integer)
      const ns = value * this.scale;
      return n <= 15 && ns <= Number.MAX_SAFE_INTEGER ? ns : undefined;
    }
    if (this.originLow === undefined || n !== this.originField.length) return undefined;
    const high = n - LOW_DIGITS;
    if (high > 0 && !field.startsWith(this.originHigh)) return undefined;
    const afterNs = (Number(high > 0 ? field.slice(high) : field) - this.originLow) * this.scale;
    return afterNs >= 0 && afterNs <= Number.MAX_SAFE_INTEGER ? afterNs : undefined;
  }

  /**
   * plainTsNs of the time field b[from, to), decimal digits (csv-bytes.ts checked them), without its
   * string: undefined when plainTsNs would not answer (then the row goes through tsNs).
   */
  plainTsNsOfDigits(b: Uint8Array, from: number, to: number): number | undefined {
    if (this.originNs === undefined || !this.fast) return undefined;
    const n = to - from;
    if (!this.counting) {
      if (n > LOW_DIGITS) return undefined;
      const ns = digitsValue(b, from, to) * this.scale;
      return ns <= Number.MAX_SAFE_INTEGER ? ns : undefined;
    }
    if (this.originLow === undefined || n !== this.originField.length) return undefined;
    const high = n - LOW_DIGITS;
    const originHigh = this.originHigh;
    for (let k = 0; k < high; k++) if (b[from + k] !== originHigh.charCodeAt(k)) return undefined;
    const afterNs = (digitsValue(b, high > 0 ? from + high : from, to) - this.originLow) * this.scale;
    return afterNs >= 0 && afterNs <= Number.MAX_SAFE_INTEGER ? afterNs : undefined;
  }

  /** tsNs with exact BigInt arithmetic, for any field */
  private exactTsNs(field: string, value: number): number | string {
    const shift = NS_DIGITS[this.unit];
    // far out of range (1e400, or an exponent of many digits): its double says why, as before
    const rough = this.unit === 'filetime' ? (value - Number(UNIX_EPOCH_TICKS)) * 100 : value * 10 ** shift;
    const scaled = Math.abs(rough) < 1e21 ? scaledDecimal(field, shift) : undefined;
    if (scaled === undefined) return timestampProblem(Math.round(rough)) ?? `timestamp ${field} is no time`;
    const sinceUnixNs = this.unit === 'filetime' ? scaled - UNIX_EPOCH_FILETIME_NS : scaled;
    if (sinceUnixNs < 0n) return timestampProblem(Number(sinceUnixNs)) ?? `timestamp ${sinceUnixNs} ns is negative`;
    if (sinceUnixNs >= MAX_TS) return `timestamp ${sinceUnixNs} ns is ${sinceUnixNs === MAX_TS ? 'not below' : 'beyond'} 2^63 ns`;
    if (this.originNs === undefined) {
      this.originNs = sinceUnixNs;
      this.originField = field;
      this.counting = this.unit === 'filetime' || sinceUnixNs > EXACT_DOUBLES;
      this.plainOrigin(field);
    }
    // (a relative time is a double as before: exact below 2^53)
    if (!this.counting) return Number(sinceUnixNs);
    const after = sinceUnixNs - this.originNs;
    if (after < 0n) {
      const [time, first] = this.unit === 'filetime' ? [`FILETIME ${field}`, this.originField] : [`${field} ${this.unit}`, `${this.originField} ${this.unit}`];
      return `timestamp goes backwards (${time} is before the first row's ${first})`;
    }
    // (beyond 2^53 it is rounded, and TimeOrder refuses it: more than 2^53 ns from the first one)
    return Number(after);
  }

  /** the time (ns since 1970) the op times count from, once the first time is read (undefined when they keep their values) */
  get countsFromNs(): bigint | undefined {
    return this.counting ? this.originNs : undefined;
  }

  /** what the op times count from, for the summary (undefined when they keep their values) */
  originNote(): string | undefined {
    if (this.originNs === undefined || !this.counting) return undefined;
    const iso = new Date(Number(this.originNs / 1_000_000n)).toISOString();
    const past = `as ns since 1970 they pass 2^53 (${fmtSec(Number(this.originNs), 0)})`;
    if (this.unit === 'filetime') return `FILETIME times count from the first row's (${this.originField}, ${iso}), so that they are exact to the tick: ${past}, where doubles step by 256 ns`;
    // (the step of a double at the first time: 2^(bits - 53))
    const stepNs = 2 ** (this.originNs.toString(2).length - 53);
    return `CSV times (${this.unit}) count from the first row's (${this.originField} ${this.unit}, ${iso}), so that they are exact to the ns: ${past}, where doubles step by ${stepNs} ns`;
  }
}
