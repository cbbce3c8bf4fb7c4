/**
 * Strings interned from input bytes: the caller hashes a field's bytes while it scans them (with
 * `hashByte`), and a value seen before is returned after a byte comparison, so a field that repeats
 * on every line (a lock mode, a caller, a comm) costs no substring and no string lookup.
 *
 * The table is open addressing over typed arrays (no Map: a hash beyond 30 bits is no small
 * integer, and a Map lookup by it boxes the number), and the kept values' bytes lie in one pool
 * compared with the input four bytes at a time.
 */
import { keep, owned } from '../util/strings.js';

/** The hash of a field, one byte at a time from 0 (the prefix parser's event names use it too). */
export function hashByte(hash: number, c: number): number {
  return (Math.imul(hash, 31) + c) | 0;
}

/** the most distinct values kept (a value seen when the table is full is cut each time) */
export const MAX_VALUES = 4096;
/** slots of the table: a power of two, twice MAX_VALUES (at most half full) */
const SLOTS = 2 * MAX_VALUES;
/** the longest value kept, in bytes (a longer one is cut each time: no field that repeats is that long) */
export const MAX_KEPT_BYTES = 256;

const NO_VIEW: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

export class ByteInterner {
  /** a value's number by slot (-1: free) */
  private readonly slots = new Int32Array(SLOTS).fill(-1);
  /** by value number: its hash, and its bytes pool[starts, starts + lengths) */
  private readonly hashes = new Int32Array(MAX_VALUES);
  private readonly starts = new Int32Array(MAX_VALUES);
  private readonly lengths = new Int32Array(MAX_VALUES);
  private readonly values: string[] = [];
  private pool = new Uint8Array(4096);
  private poolView = new DataView(this.pool.buffer);
  private poolUsed = 0;
  /** the input buffer `view` reads (the input's chunks are few and reused: one view each) */
  private viewOf: Uint8Array | undefined;
  private view: DataView<ArrayBufferLike> = NO_VIEW;
  /**
   * The number of the value the last `get` returned (values kept in the table are numbered from 0
   * in the order first seen, so a caller can keep facts about a value in an array), or -1 when
   * that value was not kept in the table (longer than MAX_KEPT_BYTES, or the table full).
   */
  lastId = -1;

  /**
   * The value of b[from, to), whose hash is `hash`; `text` is the latin1 decoding of `b` from byte
   * `base` on (text index i is byte i + base). The value is kept (util/strings.ts).
   */
  get(b: Uint8Array, from: number, to: number, hash: number, text: string, base: number): string {
    const n = to - from;
    const slots = this.slots;
    let s = hash & (SLOTS - 1);
    for (let id = slots[s]; id >= 0; id = slots[s]) {
      if (this.hashes[id] === hash && this.lengths[id] === n && this.same(b, from, this.starts[id], n)) {
        this.lastId = id;
        return this.values[id];
      }
      s = (s + 1) & (SLOTS - 1);
    }
    const cut = text.slice(from - base, to - base);
    const id = this.values.length;
    if (id >= MAX_VALUES || n > MAX_KEPT_BYTES) {
      this.lastId = -1;
      return keep(cut);
    }
    // a copy of the bytes: the input buffer is reused for the next chunk (and a Buffer's slice is a view)
    if (this.poolUsed + n > this.pool.length) {
      const grown = new Uint8Array(2 * this.pool.length);
      grown.set(this.pool);
      this.pool = grown;
      this.poolView = new DataView(grown.buffer);
    }
    this.pool.set(b.subarray(from, to), this.poolUsed);
    this.starts[id] = this.poolUsed;
    this.poolUsed += n;
    this.lengths[id] = n;
    this.hashes[id] = hash;
    slots[s] = id;
    const value = internalized(owned(cut));
    this.values.push(value);
    this.lastId = id;
    return value;
  }

  /** b[from, from + n) is pool[at, at + n) */
  private same(b: Uint8Array, from: number, at: number, n: number): boolean {
    if (b !== this.viewOf) {
      this.viewOf = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const view = this.view;
    const pool = this.poolView;
    let k = 0;
    for (; k + 4 <= n; k += 4) if (view.getInt32(from + k, true) !== pool.getInt32(at + k, true)) return false;
    for (; k < n; k++) if (b[from + k] !== this.pool[at + k]) return false;
    return true;
  }
}

/**
 * `s` as V8's one copy of its value (what a property key is): handlers compare event names with
 * literals, and two internalized strings compare by pointer. The value is `s`'s whatever the engine does.
 */
function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0];
}
