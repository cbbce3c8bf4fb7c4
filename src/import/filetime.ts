/**
 * CSV times in FILETIME ticks (100 ns since 1601, as the MSR Cambridge traces write them). As ns
 * since 1970 they are about 1.2e18, past 2^53, where doubles step by 256 ns: rows 100 ns apart could
 * be 0 or 256 ns apart. So the op times count from the trace's first FILETIME, subtracted as
 * integers: exact, and so are their differences. The first time is kept for the summary's note.
 */
import { fmtSec, timestampProblem } from './limits.js';

/** FILETIME of 1970-01-01T00:00:00Z, in ticks */
const UNIX_EPOCH_TICKS = 116444736000000000n;
/** a field of more digits is read as its double (no exact value is needed to refuse it) */
const EXACT_FIELD = /^(\d{1,30})(?:\.(\d*))?$/;

export class FiletimeClock {
  /** the first time accepted, in ns since 1601 (exact), and its field as written */
  private originNs: bigint | undefined;
  private originField = '';

  /**
   * The time of a FILETIME field (`value` is its number) in ns after the first one's, or why it is
   * no time: before 1970 or from 2^63 ns after it on (as every format's timestamps), or before the
   * first one (the rows are in time order).
   */
  nsAfterFirst(field: string, value: number): number | string {
    const m = EXACT_FIELD.exec(field);
    // (a tick is 100 ns: a fraction's first two digits are ns)
    const ns = m !== null ? BigInt(m[1]) * 100n + BigInt(m[2] === undefined || m[2] === '' ? 0 : Math.round(Number(`0.${m[2]}`) * 100)) : undefined;
    const sinceUnixNs = ns !== undefined ? Number(ns - UNIX_EPOCH_TICKS * 100n) : (value - Number(UNIX_EPOCH_TICKS)) * 100;
    const own = timestampProblem(sinceUnixNs);
    if (own !== undefined) return own;
    // (valid, so finite: an exponent form's double is its value)
    const exact = ns ?? BigInt(Math.round(value * 100));
    if (this.originNs === undefined) {
      this.originNs = exact;
      this.originField = field;
    }
    const after = exact - this.originNs;
    if (after < 0n) return `timestamp goes backwards (FILETIME ${field} is before the first row's ${this.originField})`;
    // (beyond 2^53 it is rounded, and TimeOrder refuses it: more than 2^53 ns from the first one)
    return Number(after);
  }

  /** what the op times count from, for the summary (undefined before the first time) */
  originNote(): string | undefined {
    if (this.originNs === undefined) return undefined;
    const sinceUnixNs = this.originNs - UNIX_EPOCH_TICKS * 100n;
    const iso = new Date(Number(sinceUnixNs / 1_000_000n)).toISOString();
    return `FILETIME times count from the first row's (${this.originField}, ${iso}), so that they are exact to the tick: as ns since 1970 they pass 2^53 (${fmtSec(Number(sinceUnixNs), 0)}), where doubles step by 256 ns`;
  }
}
