/**
 * Seconds as the command line gives them: decimal digits, a fraction, an exponent (617.8, .5, 1e3).
 * Number() took more: "" and " " as 0 (an unset variable), "0x10" as 16, "Infinity".
 */
const DECIMAL_SECONDS = /^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** `v` as seconds, or NaN when it is not decimal seconds. */
export function decimalSeconds(v: string): number {
  return DECIMAL_SECONDS.test(v) ? Number(v) : NaN;
}
