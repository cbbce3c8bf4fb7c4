/** Strings interned by the hash of their bytes. */
import { describe, expect, it } from 'vitest';
import { ByteInterner, hashByte, MAX_KEPT_BYTES, MAX_VALUES } from '../../../src/import/byte-interner.js';

function hashOf(b: Uint8Array, from: number, to: number): number {
  let h = 0;
  for (let i = from; i < to; i++) h = hashByte(h, b[i]);
  return h;
}

describe('byte interner', () => {
  it('a value seen before is found by its bytes, after its buffer was reused', () => {
    const r = new ByteInterner();
    const buf = Buffer.from('..fio..', 'latin1');
    expect(r.get(buf, 2, 5, hashOf(buf, 2, 5), '..fio..', 0)).toBe('fio');
    // the buffer is overwritten (the next chunk of input); the same bytes elsewhere are found again:
    // the text given is not read (it says otherwise), so the answer is the kept value
    buf.write('xyzxyzx', 'latin1');
    const again = Buffer.from('fio', 'latin1');
    expect(r.get(again, 0, 3, hashOf(again, 0, 3), 'FIO', 0)).toBe('fio');
  });

  it('values with one hash are told apart; the text is cut where bytes differ', () => {
    const r = new ByteInterner();
    const a = Buffer.from('Aa'), b = Buffer.from('BB');
    expect(hashOf(a, 0, 2)).toBe(hashOf(b, 0, 2));
    expect(r.get(a, 0, 2, hashOf(a, 0, 2), 'Aa', 0)).toBe('Aa');
    expect(r.get(b, 0, 2, hashOf(b, 0, 2), 'BB', 0)).toBe('BB');
    expect(r.get(b, 0, 2, hashOf(b, 0, 2), 'BB', 0)).toBe('BB');
    expect(r.get(a, 0, 2, hashOf(a, 0, 2), 'Aa', 0)).toBe('Aa');
    // an empty value, and a value at a base offset (text index i is byte i + base)
    expect(r.get(a, 1, 1, 0, 'Aa', 0)).toBe('');
    const c = Buffer.from('##comm', 'latin1');
    expect(r.get(c, 2, 6, hashOf(c, 2, 6), 'comm', 2)).toBe('comm');
  });

  it('any value comes back as it was: names that look like numbers or special keys', () => {
    const r = new ByteInterner();
    for (const v of ['123', '__proto__', 'constructor', '0x10', '-1', 'a b', '\xe9t\xe9', 'x'.repeat(40)]) {
      const b = Buffer.from(v, 'latin1');
      expect(r.get(b, 0, b.length, hashOf(b, 0, b.length), v, 0)).toBe(v);
      expect(r.get(b, 0, b.length, hashOf(b, 0, b.length), v, 0)).toBe(v);
    }
  });

  it('numbers the values it keeps in the order first seen; a value it cuts each time has none (-1)', () => {
    const r = new ByteInterner();
    const get = (v: string): [string, number] => {
      const b = Buffer.from(v, 'latin1');
      return [r.get(b, 0, b.length, hashOf(b, 0, b.length), v, 0), r.lastId];
    };
    expect(get('xfs_ilock')).toEqual(['xfs_ilock', 0]);
    expect(get('xfs_iunlock')).toEqual(['xfs_iunlock', 1]);
    expect(get('xfs_ilock')).toEqual(['xfs_ilock', 0]);
    // 'BB' has the hash of 'Aa', which is kept first: both are kept, each with its number
    expect(get('Aa')).toEqual(['Aa', 2]);
    expect(get('BB')).toEqual(['BB', 3]);
    expect(get('xfs_iunlock')).toEqual(['xfs_iunlock', 1]);
    expect(get('BB')).toEqual(['BB', 3]);
    expect(get('Aa')).toEqual(['Aa', 2]);
    // a value longer than MAX_KEPT_BYTES is cut each time
    const long = 'c'.repeat(MAX_KEPT_BYTES + 1);
    expect(get(long)).toEqual([long, -1]);
    expect(get(long)).toEqual([long, -1]);
    expect(get('c'.repeat(MAX_KEPT_BYTES))).toEqual(['c'.repeat(MAX_KEPT_BYTES), 4]);
  });

  it('keeps MAX_VALUES values, whatever their hashes; later ones are cut each time', () => {
    const r = new ByteInterner();
    const get = (v: string, hash: number): [string, number] => {
      const b = Buffer.from(v, 'latin1');
      return [r.get(b, 0, b.length, hash, v, 0), r.lastId];
    };
    // every value with one hash (the worst case of the table's probing), then one more
    for (let k = 0; k < MAX_VALUES; k++) expect(get(`v${k}`, 7)).toEqual([`v${k}`, k]);
    expect(get('v0', 7)).toEqual(['v0', 0]);
    expect(get(`v${MAX_VALUES - 1}`, 7)).toEqual([`v${MAX_VALUES - 1}`, MAX_VALUES - 1]);
    expect(get('extra', 7)).toEqual(['extra', -1]);
    expect(get('extra', 7)).toEqual(['extra', -1]);
  });

  it('compares values of every length against bytes at any offset, in Buffers and Uint8Arrays', () => {
    const r = new ByteInterner();
    const words = ['a', 'ab', 'abc', 'abcd', 'abcde', 'abcdefg', 'abcdefgh', 'abcdefghi'];
    for (const w of words) {
      const b = Buffer.from(w, 'latin1');
      r.get(b, 0, b.length, 1, w, 0);
    }
    for (let off = 0; off < 5; off++) {
      for (const [i, w] of words.entries()) {
        const text = `${'#'.repeat(off)}${w}`;
        const u = new Uint8Array(Buffer.from(`${text}!`, 'latin1'));
        expect(r.get(u, off, off + w.length, 1, text, 0)).toBe(w);
        expect(r.lastId).toBe(i);
        // one byte changed, first or last: another value
        const other = `${'#'.repeat(off)}${w.slice(0, -1)}Z`;
        const o = Buffer.from(other, 'latin1');
        expect(r.get(o, off, off + w.length, 1, other, 0)).toBe(`${w.slice(0, -1)}Z`);
      }
    }
  });
});
