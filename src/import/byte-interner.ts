/**
 * Strings interned from input bytes: the caller hashes a field's bytes while it scans them (with
 * `hashByte`), and a value seen before is returned after a byte comparison, so a field that repeats
 * on every line (a lock mode, a caller, a comm) costs no substring and no string lookup.
 */
import { keep, owned } from '../util/strings.js';

/** The hash of a field, one byte at a time from 0 (the prefix parser's event names use it too). */
export function hashByte(hash: number, c: number): number {
  return (Math.imul(hash, 31) + c) | 0;
}

/** the most distinct values kept (one per hash: a value whose hash is taken is cut each time) */
const MAX_VALUES = 4096;

export class ByteInterner {
  private readonly byHash = new Map<number, { bytes: Uint8Array; value: string; id: number }>();
  /**
   * The number of the value the last `get` returned (values kept in the table are numbered from 0
   * in the order first seen, so a caller can keep facts about a value in an array), or -1 when
   * that value was not kept in the table (its hash taken by another value, or the table full).
   */
  lastId = -1;

  /**
   * The value of b[from, to), whose hash is `hash`; `text` is the latin1 decoding of `b` from byte
   * `base` on (text index i is byte i + base). The value is kept (util/strings.ts).
   */
  get(b: Uint8Array, from: number, to: number, hash: number, text: string, base: number): string {
    const known = this.byHash.get(hash);
    if (known !== undefined) {
      const kb = known.bytes;
      const n = to - from;
      if (kb.length === n) {
        let i = 0;
        while (i < n && kb[i] === b[from + i]) i++;
        if (i === n) {
          this.lastId = known.id;
          return known.value;
        }
      }
    }
    const cut = text.slice(from - base, to - base);
    if (known !== undefined || this.byHash.size >= MAX_VALUES) {
      this.lastId = -1;
      return keep(cut);
    }
    // a copy of the bytes: the input buffer is reused for the next chunk (and a Buffer's slice is a view)
    const bytes = new Uint8Array(to - from);
    bytes.set(b.subarray(from, to));
    const value = internalized(owned(cut));
    const id = this.byHash.size;
    this.byHash.set(hash, { bytes, value, id });
    this.lastId = id;
    return value;
  }
}

/**
 * `s` as V8's one copy of its value (what a property key is): handlers compare event names with
 * literals, and two internalized strings compare by pointer. The value is `s`'s whatever the engine does.
 */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0];
}
