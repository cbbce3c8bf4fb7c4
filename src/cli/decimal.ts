/**
 * A number as the command line gives one: decimal digits, a fraction, an exponent (617.8, .5,
 * 1e3, 0.05). Number() took more: "" and " " as 0 (an unset variable), "0x10" as 16, "Infinity".
 */
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** `v` as a number, or NaN when it is not a decimal number (0 or more). */
export function decimalNumber(v: string): number {
  return DECIMAL.test(v) ? Number(v) : NaN;
}
