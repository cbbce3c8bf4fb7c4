import { describe, expect, it } from 'vitest';
import { csvField } from '../../../src/util/csv-field.js';

describe('csvField', () => {
  const cases: [string, string][] = [
    ['fio', 'fio'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['#1', '"#1"'],
    [' padded', '" padded"'],
    ['padded\t', '"padded\t"'],
    ['', ''],
    ['kworker/0:1', 'kworker/0:1'],
    ['é,', '"é,"'],
  ];

  it('quotes what a CSV reader would cut or change, the same every time a value comes again', () => {
    for (let round = 0; round < 3; round++) for (const [text, field] of cases) expect(csvField(text)).toBe(field);
  });

  it('long and ever-new values are written as short repeated ones are', () => {
    const long = `${'x'.repeat(300)},`;
    expect(csvField(long)).toBe(`"${long}"`);
    expect(csvField(long)).toBe(`"${long}"`);
    for (let i = 0; i < 5000; i++) expect(csvField(`v${i},`)).toBe(`"v${i},"`);
    for (let i = 0; i < 5000; i += 499) expect(csvField(`v${i},`)).toBe(`"v${i},"`);
  });
});
