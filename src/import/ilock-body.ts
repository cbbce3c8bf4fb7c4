/**
 * The body of an xfs_ilock-family event (xfs_ilock, _nowait, _demote, xfs_iunlock), read once from
 * its bytes in the layout the kernel prints:
 *
 *   dev MAJ:MIN ino 0xINO flags FLAGS caller CALLER
 *
 * The inode key is cached by its numbers, the flags and the caller interned by a hash taken during
 * the scan: a lock line makes no substring. A body in any other layout returns false, and the
 * caller reads it as text (inodeKey, wordAfter), which gives what this gives where both apply.
 */
import { ByteInterner, hashByte } from './byte-interner.js';
import { DEV_LIMIT, InodeKeys } from './inode-keys.js';

const SPACE = 32, COLON = 58, ZERO = 48, NINE = 57;

/** "caller " */
const CALLER = [99, 97, 108, 108, 101, 114, 32];
/** "caller" */
const CALLER_WORD = CALLER.slice(0, 6);
/** " flags " */
const FLAGS = [32, 102, 108, 97, 103, 115, 32];

export class IlockBody {
  /** "MAJ:MIN:INO" (the inode number in decimal), as inodeKey makes it */
  key = '';
  /** the lock mode word ("ILOCK_SHARED", "IOLOCK_EXCL|MMAPLOCK_EXCL"), kept */
  flags = '';
  /** the caller word ("xfs_file_dio_read+0xde/0x130"), kept; "" when the body ends after the flags */
  caller = '';

  private readonly flagValues = new ByteInterner();
  private readonly callerValues = new ByteInterner();
  private readonly keys = new InodeKeys();

  /**
   * Reads b[from, to) (`text` is the latin1 decoding of `b` from byte `base` on). False when the
   * body is not in the layout above; then the fields are unchanged.
   */
  read(b: Uint8Array, from: number, to: number, text: string, base: number): boolean {
    // "dev MAJ:MIN "
    if (to - from < 4 || b[from] !== 100 || b[from + 1] !== 101 || b[from + 2] !== 118 || b[from + 3] !== SPACE) return false;
    let i = from + 4;
    let major = 0;
    const majorAt = i;
    while (i < to && b[i] >= ZERO && b[i] <= NINE) major = major * 10 + (b[i++] - ZERO);
    if (i === majorAt || i >= to || b[i] !== COLON) return false;
    const minorAt = ++i;
    let minor = 0;
    while (i < to && b[i] >= ZERO && b[i] <= NINE) minor = minor * 10 + (b[i++] - ZERO);
    if (i === minorAt || i >= to || b[i] !== SPACE) return false;
    // "ino [0x]HEX"
    if (i + 4 >= to || b[i + 1] !== 105 || b[i + 2] !== 110 || b[i + 3] !== 111 || b[i + 4] !== SPACE) return false;
    i += 5;
    if (i + 1 < to && b[i] === ZERO && (b[i + 1] | 32) === 120) i += 2;
    const inoAt = i;
    let ino = 0;
    for (; i < to; i++) {
      const c = b[i];
      if (c >= ZERO && c <= NINE) ino = ino * 16 + (c - ZERO);
      else if ((c | 32) >= 97 && (c | 32) <= 102) ino = ino * 16 + ((c | 32) - 87);
      else break;
    }
    // (an inode number beyond 2^53 is no exact double: the text reader keeps its digits)
    // (nor a device number no kernel makes: the text reader's digits are its own)
    if (i === inoAt || ino > Number.MAX_SAFE_INTEGER || major >= DEV_LIMIT || minor >= DEV_LIMIT || !matches(b, i, to, FLAGS)) return false;
    i += FLAGS.length;
    // the flags word, to the next space
    const flagsAt = i;
    let hash = 0;
    while (i < to && b[i] !== SPACE) hash = hashByte(hash, b[i++]);
    const flagsEnd = i;
    // (a flags word ending in "caller" would be where a text search finds "caller ")
    if (flagsEnd - flagsAt >= 6 && matches(b, flagsEnd - 6, flagsEnd, CALLER_WORD)) return false;
    let callerAt = -1;
    let callerEnd = -1;
    let callerHash = 0;
    if (i < to) {
      if (!matches(b, i + 1, to, CALLER)) return false;
      i += 1 + CALLER.length;
      callerAt = i;
      while (i < to && b[i] !== SPACE) callerHash = hashByte(callerHash, b[i++]);
      callerEnd = i;
    }
    this.key = this.keys.key(major, minor, ino);
    this.flags = this.flagValues.get(b, flagsAt, flagsEnd, hash, text, base);
    this.caller = callerAt < 0 ? '' : this.callerValues.get(b, callerAt, callerEnd, callerHash, text, base);
    return true;
  }
}

/** b[at, at + word.length) is `word` (and lies before `to`) */
function matches(b: Uint8Array, at: number, to: number, word: readonly number[]): boolean {
  if (at + word.length > to) return false;
  for (let k = 0; k < word.length; k++) if (b[at + k] !== word[k]) return false;
  return true;
}
