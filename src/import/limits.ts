/**
 * The bounds every imported number must respect, whatever the input format (README "Input limits").
 * Offsets and lengths are loff_t (signed 64-bit) in the kernel; here they are doubles, exact up to
 * 2^53, so a range whose end lies beyond 2^53 bytes is refused rather than silently rounded.
 * Timestamps are nanoseconds on the trace clock; a duration, or the distance of a timestamp from the
 * first one of the input, beyond 2^53 ns (about 104 days) is refused too.
 */
import type { ObservedLock, Op } from '../model/op.js';

/** the most CPUs a replay models (and a trace header's or an op stream footer's count may name) */
export const MAX_CPUS = 65_536;
/** 2^63 - 1 (LLONG_MAX): the largest loff_t; as a double it rounds to 2^63 */
export const LOFF_MAX_BYTES = 2 ** 63 - 1;
/** the largest byte position kept exactly (Number.MAX_SAFE_INTEGER, 2^53 - 1) */
export const MAX_EXACT_BYTES = Number.MAX_SAFE_INTEGER;
/** the largest duration, and distance from the first timestamp, accepted: 2^53 ns ≈ 104 days */
export const MAX_SPAN_NS = Number.MAX_SAFE_INTEGER;
/** timestamps are an int64 nanosecond clock: [0, 2^63) */
export const MAX_TS_NS = 2 ** 63;

/** Why an offset/length pair is not a valid byte range, or undefined when it is. */
export function rangeProblem(offsetBytes: number, lengthBytes: number): string | undefined {
  const o = numberProblem('offset', offsetBytes);
  if (o !== undefined) return o;
  const l = numberProblem('length', lengthBytes);
  if (l !== undefined) return l;
  if (offsetBytes < 0) return `offset ${offsetBytes} is negative`;
  if (lengthBytes < 0) return `length ${lengthBytes} is negative`;
  // as doubles, 2^63 - 1 and 2^63 are one value: a sum that reaches it is past every loff_t
  if (offsetBytes + lengthBytes >= LOFF_MAX_BYTES) {
    return `offset ${fmt(offsetBytes)} + length ${fmt(lengthBytes)} is beyond 2^63-1 (the largest file position)`;
  }
  if (offsetBytes + lengthBytes > MAX_EXACT_BYTES) {
    return `offset beyond 2^53 bytes is not supported (offset ${fmt(offsetBytes)}, length ${fmt(lengthBytes)})`;
  }
  return undefined;
}

/** Why a duration in ns is not acceptable, or undefined. */
export function durationProblem(durNs: number): string | undefined {
  if (!Number.isFinite(durNs)) return `duration ${durNs} ns is not a finite number`;
  if (durNs < 0) return `duration ${durNs} ns is negative`;
  if (durNs > MAX_SPAN_NS) return `duration ${fmt(durNs)} ns is beyond 2^53 ns (about 104 days)`;
  return undefined;
}

/** Why a timestamp in ns is not acceptable on its own, or undefined. */
export function timestampProblem(tsNs: number): string | undefined {
  // the common case (NaN fails it)
  if (tsNs >= 0 && tsNs < MAX_TS_NS) return undefined;
  if (!Number.isFinite(tsNs)) return `timestamp ${tsNs} ns is not a finite number`;
  if (tsNs < 0) return `timestamp ${tsNs} ns is negative`;
  if (tsNs > MAX_TS_NS) return `timestamp ${fmt(tsNs)} ns is beyond 2^63 ns`;
  // (2^63 - 1 is no double: it, and every time from about 2^63 - 512 ns on, is read as 2^63)
  if (tsNs === MAX_TS_NS) return `timestamp ${fmt(tsNs)} ns is not below 2^63 ns (times are kept as doubles: one from about 2^63-512 ns on, 2^63-1 included, is 2^63)`;
  return undefined;
}

/** Everything that must hold for an op: its task id, its range, its timestamp and its observed duration. */
export function opProblem(op: Pick<Op, 'pid' | 'tsNs' | 'offset' | 'lengthBytes' | 'durNs'>): string | undefined {
  return pidProblem(op.pid) ?? timestampProblem(op.tsNs) ?? rangeProblem(op.offset, op.lengthBytes) ?? (op.durNs === undefined ? undefined : durationProblem(op.durNs));
}

/** Everything that must hold for an observed lock record (a lock event, a wait, a wake, a sleep): its task id, its time and its wait. */
export function lockProblem(lock: Pick<ObservedLock, 'pid' | 'tsNs' | 'waitNs'>): string | undefined {
  return pidProblem(lock.pid) ?? timestampProblem(lock.tsNs) ?? (lock.waitNs === undefined ? undefined : durationProblem(lock.waitNs));
}

/**
 * A block device's major and minor numbers (blkparse's "MAJ,MIN", the blk tracer's) are whole
 * numbers a double holds exactly: two devices past 2^53 would otherwise round to one file key.
 */
export function deviceProblem(major: number, minor: number): string | undefined {
  return Number.isSafeInteger(major) && Number.isSafeInteger(minor) ? undefined : 'device number (MAJ,MIN) not below 2^53';
}

/** A task id is a whole number, 0 or more, that a double holds exactly (a pid of 200 digits is none). */
function pidProblem(pid: number): string | undefined {
  return Number.isSafeInteger(pid) && pid >= 0 ? undefined : `task id ${fmt(pid)} is not a whole number, 0 or more, below 2^53`;
}

function numberProblem(name: string, v: number): string | undefined {
  if (Number.isNaN(v)) return `${name} is not a number`;
  if (!Number.isFinite(v)) return `${name} is not a finite number (too many digits?)`;
  if (!Number.isInteger(v)) return `${name} ${v} is not a whole number of bytes`;
  return undefined;
}

/** a large number as digits (no exponent below 1e21), else in exponent form */
function fmt(v: number): string {
  return Math.abs(v) < 1e21 ? BigInt(Math.round(v)).toString() : String(v);
}

/**
 * The time rules of every format: each timestamp is valid on its own, never earlier than the one
 * before it (when `ordered`: ftrace text, CSV, fio iolog, blkparse, op streams), and within 2^53 ns
 * of the first one.
 */
export class TimeOrder {
  private firstNs = NaN;
  private lastNs = -Infinity;
  /** the input line of lastNs (0: not given) */
  private lastLine = 0;
  /**
   * the latest timestamp accepted without a closer look (set by the first one; NaN before it, so
   * the first always gets the closer look: with -Infinity, a first timestamp of -Infinity passed)
   */
  private limitNs = NaN;

  constructor(private readonly ordered: boolean) {}

  /**
   * Why `tsNs` cannot come next, or undefined (then it is the new last timestamp). `line`: its input
   * line, named when a later time goes back before it (one line out of place, far ahead, makes every
   * line after it go back: the message points to it).
   */
  check(tsNs: number, line = 0): string | undefined {
    // the common case, once per event line: in order and within the span (NaN fails both tests)
    if (tsNs >= this.lastNs && tsNs <= this.limitNs) {
      this.lastNs = tsNs;
      this.lastLine = line;
      return undefined;
    }
    return this.closerLook(tsNs, line);
  }

  private closerLook(tsNs: number, line: number): string | undefined {
    const own = timestampProblem(tsNs);
    if (own !== undefined) return own;
    if (this.ordered && tsNs < this.lastNs) {
      // (nanoseconds where microseconds would show two equal times: "0.000001s after 0.000001s")
      const digits = fmtSec(tsNs) === fmtSec(this.lastNs) ? 9 : 6;
      return `timestamp goes backwards (${fmtSec(tsNs, digits)} after ${fmtSec(this.lastNs, digits)}${this.lastLine > 0 ? ` on line ${this.lastLine}` : ''})`;
    }
    if (Number.isNaN(this.firstNs)) {
      this.firstNs = tsNs;
      this.limitNs = Math.min(tsNs + MAX_SPAN_NS, MAX_TS_NS - 1024);
    } else if (Math.abs(tsNs - this.firstNs) > MAX_SPAN_NS) {
      return `timestamp ${fmtSec(tsNs)} is more than 2^53 ns (about 104 days) from the first one (${fmtSec(this.firstNs)})`;
    }
    if (tsNs > this.lastNs) {
      this.lastNs = tsNs;
      this.lastLine = line;
    }
    return undefined;
  }
}

/** ns as seconds with `digits` decimals (6: microseconds; 9: nanoseconds) */
export function fmtSec(ns: number, digits = 6): string {
  return `${(ns / 1e9).toFixed(digits)}s`;
}
