import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvNumber, plainDigits, smallDigitsValue } from '../../../src/import/csv-numbers.js';

describe('number fields', () => {
  it('smallDigitsValue is Number() of 1 to 15 plain digits, and -1 for anything else', () => {
    const digits = fc.stringMatching(/^[0-9]{1,15}$/);
    fc.assert(fc.property(digits, (f) => {
      expect(smallDigitsValue(f)).toBe(Number(f));
    }));
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (f) => {
      const v = smallDigitsValue(f);
      if (/^[0-9]{1,15}$/.test(f)) expect(v).toBe(Number(f));
      else expect(v).toBe(-1);
    }));
    for (const f of ['', '1234567890123456', '-1', '1.5', '1e3', ' 1', '0x10', '١']) expect(smallDigitsValue(f)).toBe(-1);
    expect(smallDigitsValue('000000000000042')).toBe(42);
  });

  it('csvNumber takes a decimal time and whole digits, nothing Number() alone would take', () => {
    expect([csvNumber('1.5', 'time'), csvNumber('1e-05', 'time'), csvNumber('0x10', 'time'), csvNumber('1.5', 'whole'), csvNumber('', 'whole')]).toEqual([1.5, 1e-5, NaN, NaN, NaN]);
    expect(plainDigits('0123')).toBe(true);
    expect(plainDigits('')).toBe(false);
  });
});
