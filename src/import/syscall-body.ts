/**
 * A syscall's enter arguments and exit value, read from the line's bytes in the layout the kernel
 * prints (trace-formats.md §2):
 *
 *   sys_pwrite64(fd: 7, buf: 0x56291fb01610, count: 0x1000, pos: 0x3dc000)    enter: NAME: VALUE, ...
 *   sys_pwrite64 -> 0x1000                                                     exit
 *
 * The text readers (numAfter on the body, parseSyscallReturn) cut the body and search it once per
 * argument; this reads the pairs once and answers each argument from them, with no string made.
 * A body in any other layout (other separators, a value that is no plain number, no value with a
 * 0x prefix, which is what decides the radix) gives no answer, and the caller reads it as text:
 * both give the same values wherever this answers (its unit test checks odd bodies against them).
 */

const SPACE = 32, COMMA = 44, COLON = 58, DASH = 45, ZERO = 48, NINE = 57, LOWER_X = 120;

/** the most arguments read (a syscall has at most 6) */
const MAX_ARGS = 8;

function isNameByte(c: number): boolean {
  return (c >= 97 && c <= 122) || c === 95 || (c >= ZERO && c <= NINE);
}

function hexDigit(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

export class SyscallArgs {
  private count = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private readonly nameStart = new Int32Array(MAX_ARGS);
  private readonly nameEnd = new Int32Array(MAX_ARGS);
  private readonly values = new Float64Array(MAX_ARGS);

  /**
   * Reads the arguments b[from, to) (the text between the parentheses). False when they are not
   * "NAME: VALUE" pairs joined by ", " with plain numbers for values, at least one of them 0x-prefixed
   * (then the text reader's radix for the others is 10, as here).
   */
  read(b: Uint8Array, from: number, to: number): boolean {
    let n = 0;
    let i = from;
    let sawHexPrefix = false;
    for (;;) {
      if (n === MAX_ARGS) return false;
      const nameAt = i;
      while (i < to && isNameByte(b[i])) i++;
      if (i === nameAt || i + 2 >= to || b[i] !== COLON || b[i + 1] !== SPACE) return false;
      this.nameStart[n] = nameAt;
      this.nameEnd[n] = i;
      i += 2;
      // the value: [-]0xHEX or [-]DECIMAL, as numberAt reads it
      let neg = false;
      if (b[i] === DASH) {
        neg = true;
        i++;
      }
      let v = 0;
      const digitsAt = i + (i + 1 < to && b[i] === ZERO && b[i + 1] === LOWER_X ? 2 : 0);
      if (digitsAt !== i) {
        sawHexPrefix = true;
        for (i = digitsAt; i < to; i++) {
          const d = hexDigit(b[i]);
          if (d < 0) break;
          v = v * 16 + d;
        }
      } else {
        for (; i < to && b[i] >= ZERO && b[i] <= NINE; i++) v = v * 10 + (b[i] - ZERO);
      }
      if (i === digitsAt) return false;
      this.values[n++] = neg ? -v : v;
      if (i === to) break;
      if (i + 2 >= to || b[i] !== COMMA || b[i + 1] !== SPACE) return false;
      i += 2;
    }
    if (!sawHexPrefix) return false;
    this.count = n;
    this.bytes = b;
    return true;
  }

  /**
   * The value of the argument `name`, as the text reader finds it: the first argument whose name
   * ends with `name` (the text "fd: " is in "dfd: 3" too); NaN when there is none.
   */
  arg(name: string): number {
    const b = this.bytes;
    const len = name.length;
    for (let k = 0; k < this.count; k++) {
      const end = this.nameEnd[k];
      if (end - this.nameStart[k] < len) continue;
      let j = 1;
      while (j <= len && b[end - j] === name.charCodeAt(len - j)) j++;
      if (j > len) return this.values[k];
    }
    return NaN;
  }
}

/** the most hex digits read by `syscallReturn` (16 may be a negative errno: the text reader takes those) */
const MAX_RETURN_HEX_DIGITS = 15;

/**
 * A syscall exit's value b[from, to): "0x1000", "4096" or "-2"; undefined for any other text (blanks
 * around it, a 64-bit hex errno such as 0xfffffffffffffff2): the text reader (parseSyscallReturn) takes it.
 */
export function syscallReturn(b: Uint8Array, from: number, to: number): number | undefined {
  let i = from;
  if (to - i >= 3 && b[i] === ZERO && b[i + 1] === LOWER_X) {
    i += 2;
    if (to - i > MAX_RETURN_HEX_DIGITS) return undefined;
    let v = 0;
    for (; i < to; i++) {
      const d = hexDigit(b[i]);
      if (d < 0) return undefined;
      v = v * 16 + d;
    }
    return v;
  }
  const neg = i < to && b[i] === DASH;
  if (neg) i++;
  if (i === to) return undefined;
  let v = 0;
  for (; i < to; i++) {
    const c = b[i];
    if (c < ZERO || c > NINE) return undefined;
    v = v * 10 + (c - ZERO);
  }
  return neg ? -v : v;
}
