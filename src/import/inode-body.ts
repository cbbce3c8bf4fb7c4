/**
 * The inode an event names, read from the line's bytes when its body starts the way the kernel's
 * filesystem events print it:
 *
 *   dev 7:0 ino 0x86 ...          xfs, iomap (hex)
 *   dev 254,0 ino 2149052 ...     ext4 (decimal)
 *   dev=254:0 ino=21200e ...      filemap (hex without 0x)
 *
 * The text reader (inodeKey in event-fields.ts) cuts the body and searches it; this scans the
 * first few bytes and finds the key by its numbers (inode-keys.ts), making no string. A body that
 * starts any other way gives no answer, and the caller reads it as text: both give the same key
 * wherever this answers (its unit test checks odd bodies against the text reader).
 */
import { DEV_LIMIT, InodeKeys } from './inode-keys.js';

const SPACE = 32, EQUALS = 61, LPAREN = 40, COLON = 58, COMMA = 44, ZERO = 48, NINE = 57;

export class InodeBody {
  private readonly keys = new InodeKeys();

  /**
   * The key of the body b[from, to), its inode number read in `radix` unless 0x-prefixed (as
   * inodeKey reads it); undefined when the body does not start "dev[ =]MAJ[:,]MIN ino[ =]INO".
   */
  key(b: Uint8Array, from: number, to: number, radix: 10 | 16): string | undefined {
    // "dev", then the blanks, '=' and '(' that devOf passes over
    if (to - from < 4 || b[from] !== 100 || b[from + 1] !== 101 || b[from + 2] !== 118) return undefined;
    let i = from + 3;
    while (i < to && (b[i] === SPACE || b[i] === EQUALS || b[i] === LPAREN)) i++;
    let major = 0;
    const majorAt = i;
    while (i < to && b[i] >= ZERO && b[i] <= NINE) major = major * 10 + (b[i++] - ZERO);
    if (i === majorAt || i >= to || (b[i] !== COLON && b[i] !== COMMA)) return undefined;
    const minorAt = ++i;
    let minor = 0;
    while (i < to && b[i] >= ZERO && b[i] <= NINE) minor = minor * 10 + (b[i++] - ZERO);
    // " ino" then a blank or '=': the first "ino" after a blank, which is where the text search stops
    if (i === minorAt || i + 4 >= to || b[i] !== SPACE || b[i + 1] !== 105 || b[i + 2] !== 110 || b[i + 3] !== 111) return undefined;
    i += 4;
    if (b[i] !== SPACE && b[i] !== EQUALS) return undefined;
    while (i < to && (b[i] === SPACE || b[i] === EQUALS)) i++;
    let hex = radix === 16;
    if (i + 1 < to && b[i] === ZERO && (b[i + 1] | 32) === 120) {
      hex = true;
      i += 2;
    }
    const inoAt = i;
    let ino = 0;
    for (; i < to; i++) {
      const c = b[i];
      if (c >= ZERO && c <= NINE) ino = ino * (hex ? 16 : 10) + (c - ZERO);
      else if (hex && (c | 32) >= 97 && (c | 32) <= 102) ino = ino * 16 + ((c | 32) - 87);
      else break;
    }
    // (an inode number beyond 2^53 is no exact double: the text reader keeps its digits)
    // (nor a device number no kernel makes: the text reader's digits are its own)
    if (i === inoAt || ino > Number.MAX_SAFE_INTEGER || major >= DEV_LIMIT || minor >= DEV_LIMIT) return undefined;
    return this.keys.key(major, minor, ino);
  }
}
