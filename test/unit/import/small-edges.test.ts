/** Edges of the small building blocks: accounting order, field parsers, time order far from the first timestamp, kept lines, and the trace repeater of the benchmarks. */
import { describe, expect, it } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { devOf, numberAt, numberEnd, rangeAfter, wordAfter } from '../../../src/import/fields.js';
import { KeptLines } from '../../../src/import/kept-lines.js';
import { MAX_SPAN_NS, rangeProblem, TimeOrder } from '../../../src/import/limits.js';
import { repeatTrace } from '../../../src/import/repeat-trace.js';

describe('accounting', () => {
  it('skip reasons come sorted whatever the order they were first met in', () => {
    const c = new LineCounter();
    for (const r of ['m', 'z', 'b', 'y', 'a', 'c']) c.skip(r);
    expect(Object.keys(c.result().skipped)).toEqual(['a', 'b', 'c', 'm', 'y', 'z']);
  });

  it('a bad op of one line skips no other line', () => {
    const c = new LineCounter();
    new BadLines('in', true, c).reportOp(4, 'bad', 1);
    expect(c.result()).toEqual({ total: 1, used: 0, skipped: {}, bad: 1, badSamples: ['in:4: bad'] });
  });
});

describe('fields', () => {
  it('a 0x prefix is a 0 then an x; digits up to 9', () => {
    expect(numberAt('1x5', 0, 10)).toBe(1);
    expect(numberEnd('1x5', 0)).toBe(1);
    expect(numberEnd('19 x', 0)).toBe(2);
    expect(rangeAfter('x 1-2', 'ofs=')).toBeUndefined();
    expect(rangeAfter('x 12-34', 'ofs=')).toBeUndefined();
    expect(rangeAfter('ofs=1x2', 'ofs=')).toBeUndefined();
    expect(wordAfter('a b', 'flags ')).toBe('');
    expect(wordAfter('abcdefgh ijk', 'flags ')).toBe('');
  });

  it('devOf: only after "dev" or "bdi ", digits on both sides, up to 9', () => {
    expect(devOf('xyz 8:1')).toBeUndefined();
    expect(devOf('abcd8:1')).toBeUndefined();
    expect(devOf('xyz8:1')).toBeUndefined();
    expect(devOf('dev :1')).toBeUndefined();
    expect(devOf('dev 9:19')).toBe('9:19');
    expect(devOf('bdi 8:1: ino=5')).toBe('8:1');
  });
});

describe('limits', () => {
  it('a range at 1e21 bytes is shown in exponent form', () => {
    expect(rangeProblem(1e21, 0)).toBe('offset 1e+21 + length 0 is beyond 2^63-1 (the largest file position)');
  });

  it('unordered inputs: a timestamp exactly 2^53 - 1 ns before the first is accepted', () => {
    const t = new TimeOrder(false);
    expect(t.check(MAX_SPAN_NS + 1)).toBeUndefined();
    expect(t.check(1)).toBeUndefined();
    expect(t.check(0)).toBe('timestamp 0.000000s is more than 2^53 ns (about 104 days) from the first one (9007199.254741s)');
  });
});

describe('KeptLines', () => {
  it('empty is blank; a chunk starting with a line break', () => {
    expect(new KeptLines().blank()).toBe(true);
    expect(new KeptLines().bytes().length).toBe(0);
    const k = new KeptLines();
    k.push(Buffer.from('\nabc\n'));
    k.dropThrough(1);
    expect(k.bytes().toString()).toBe('abc\n');
    expect(k.firstLine).toBe(2);
  });
});

describe('repeatTrace', () => {
  it('the header once, then each copy of the events shifted by the span plus 1 ms, with pids a million apart', () => {
    const text = '# tracer: nop\n#P:2\n             fio-12   [000] .....   1.000000: xfs_ilock: dev 7:0\n             fio-13   (  12) [001] d..1.   1.000500: ev: x\nnot an event\n  a-7-7 [002] 3: ev\n';
    expect([...repeatTrace(text, 2)]).toEqual([
      '# tracer: nop\n#P:2\n',
      '             fio-12   [000] .....   1.000000: xfs_ilock: dev 7:0\n             fio-13   (  12) [001] d..1.   1.000500: ev: x\n  a-7-7 [002] 3.000000: ev\n',
      '             fio-1000012   [000] .....   3.001000: xfs_ilock: dev 7:0\n             fio-1000013   (  12) [001] d..1.   3.001500: ev: x\n  a-7-1000007 [002] 5.001000: ev\n',
    ]);
    expect([...repeatTrace('x-1 [000] 1.5: ev\n', 0)]).toEqual(['\n']);
  });

  it('a header alone; timestamps of several digits, with or without a fraction; a comm that is empty', () => {
    expect([...repeatTrace('# h\n', 1)]).toEqual(['# h\n']);
    expect([...repeatTrace('-5 [000] 12.5: ev\nb-6 [000] 35: ev\n', 2)]).toEqual([
      '\n',
      '-5 [000] 12.500000: ev\nb-6 [000] 35.000000: ev\n',
      '-1000005 [000] 35.001000: ev\nb-1000006 [000] 57.501000: ev\n',
    ]);
  });

  it('events are yielded 20,000 lines at a time', () => {
    expect([...repeatTrace(Array.from({ length: 20_000 }, (_, i) => `a-1 [000] ${1 + i / 1e6}: ev`).join('\n'), 1)].map((c) => c.split('\n').length - 1)).toEqual([1, 20_000]);
    const lines = Array.from({ length: 20_001 }, (_, i) => `a-1 [000] ${1 + i / 1e6}: ev`);
    const out = [...repeatTrace(lines.join('\n'), 1)];
    expect(out.map((c) => c.split('\n').length - 1)).toEqual([1, 20_000, 1]);
    expect(out[2]).toBe('a-1 [000] 1.020000: ev\n');
  });
});
