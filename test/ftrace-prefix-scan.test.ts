import { describe, expect, it } from 'vitest';
import { LineType, newEventFields, parseFtraceLine } from '../src/import/ftrace-prefix.js';

// The prefix parser reads the common timestamp ("digits.digits:" then a space) and the pid in one
// pass each; every other shape goes the general way. These lines pin what both give (the values
// and reasons of the general reader, before the one-pass reads existed).
function parse(line: string) {
  const ev = newEventFields();
  ev.note = '';
  const type = parseFtraceLine(line, ev);
  return type === LineType.Event ? { type, pid: ev.pid, tsNs: ev.tsNs, event: ev.event, body: ev.body } : { type, note: ev.note };
}

const P = '             fio-13126   [000] .....   ';
const NOT_A_NUMBER = 'timestamp is not a number';

describe('ftrace prefix: timestamps read in one pass, and every other shape', () => {
  it('the common shapes', () => {
    expect(parse(`${P}628.420949: e: x`)).toEqual({ type: LineType.Event, pid: 13126, tsNs: 628_420_949_000, event: 'e', body: 'x' });
    expect(parse(`${P}  1.000001: e`)).toEqual({ type: LineType.Event, pid: 13126, tsNs: 1_000_001_000, event: 'e', body: '' });
    expect(parse('  a-1 [000] 1.5: e: x')).toEqual({ type: LineType.Event, pid: 1, tsNs: 1_500_000_000, event: 'e', body: 'x' });
  });

  it('a timestamp without a fraction, or with more than 9 digits of one, or past 2^53 ns', () => {
    expect(parse(`${P}628: e: x`)).toMatchObject({ type: LineType.Event, tsNs: 628e9 });
    expect(parse(`${P}1.1234567891: e: x`)).toMatchObject({ type: LineType.Event, tsNs: 1_123_456_789 });
    expect(parse('  a-1 [000] ..... 99999999999999999999.123: e: x')).toMatchObject({ type: LineType.Event, tsNs: 1.0000000000000001e29 });
  });

  it('a ":" that does not end the token, and other malformed timestamps', () => {
    expect(parse(`${P}628.420949:x: y`)).toEqual({ type: LineType.Bad, note: NOT_A_NUMBER });
    expect(parse(`${P}628.420949:\tx: y`)).toEqual({ type: LineType.Bad, note: NOT_A_NUMBER });
    expect(parse('  a-1 [000] 1.5:e: x')).toEqual({ type: LineType.Bad, note: NOT_A_NUMBER });
    expect(parse(`${P}628.420949:`)).toEqual({ type: LineType.Bad, note: 'no event name after the timestamp' });
    expect(parse(`${P}628.: e: x`)).toEqual({ type: LineType.Bad, note: NOT_A_NUMBER });
    expect(parse(`${P}.5: e: x`)).toEqual({ type: LineType.Bad, note: NOT_A_NUMBER });
    expect(parse(`${P}628.5:: e: x`)).toEqual({ type: LineType.Bad, note: NOT_A_NUMBER });
    expect(parse(`${P}1.5x: e: x`)).toEqual({ type: LineType.Bad, note: NOT_A_NUMBER });
    expect(parse(`${P}628.5 e: x`)).toEqual({ type: LineType.Bad, note: 'no "SECONDS.MICROS:" timestamp' });
    expect(parse('  a-1 [000] .....  ')).toEqual({ type: LineType.Bad, note: 'no "SECONDS.MICROS:" timestamp' });
  });

  it('irq flags: the length is checked before the characters', () => {
    expect(parse('  a-1 [000] ...Q. 1.5: e: x')).toEqual({ type: LineType.Bad, note: 'unknown character in the irq-info flags field' });
    expect(parse('  a-1 [000] ...\xe9. 1.5: e: x')).toEqual({ type: LineType.Bad, note: 'unknown character in the irq-info flags field' });
    expect(parse('  a-1 [000] ...... 1.5: e: x')).toEqual({ type: LineType.Bad, note: 'irq-info flags field is not 4 or 5 characters' });
    expect(parse('  a-1 [000] ...Q.. 1.5: e: x')).toEqual({ type: LineType.Bad, note: 'irq-info flags field is not 4 or 5 characters' });
  });

  it('pids of 15, 16 and 17 digits: as the digits read left to right give them', () => {
    expect(parse('  a-123456789012345 [000] .....   1.5: e: x')).toMatchObject({ pid: 123456789012345 });
    expect(parse('  a-1234567890123456 [000] .....   1.5: e: x')).toMatchObject({ pid: 1234567890123456 });
    expect(parse('  a-12345678901234567 [000] .....   1.5: e: x')).toMatchObject({ pid: 12345678901234568 });
  });
});
