/** Strings interned by the hash of their bytes. */
import { describe, expect, it } from 'vitest';
import { ByteInterner, hashByte } from '../../../src/import/byte-interner.js';

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
    // 'BB' has the hash of 'Aa', which is kept first: 'BB' is cut each time and has no number
    expect(get('Aa')).toEqual(['Aa', 2]);
    expect(get('BB')).toEqual(['BB', -1]);
    expect(get('xfs_iunlock')).toEqual(['xfs_iunlock', 1]);
    expect(get('BB')).toEqual(['BB', -1]);
    expect(get('Aa')).toEqual(['Aa', 2]);
  });
});
