/** The importers' small building blocks: accounting, line splitting, CR handling, limits, fields, kept lines, selection, file identity, kernel lock waits. */
import { describe, expect, it } from 'vitest';
import { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { ContentionTracker } from '../../../src/import/contention.js';
import { devOf, numAfter, numberAt, numberEnd, rangeAfter, wordAfter } from '../../../src/import/fields.js';
import { FileIdentity, renameCounts, renameFiles } from '../../../src/import/file-identity.js';
import { KeptLines } from '../../../src/import/kept-lines.js';
import { durationProblem, fmtSec, LOFF_MAX_BYTES, MAX_EXACT_BYTES, MAX_SPAN_NS, MAX_TS_NS, opProblem, rangeProblem, TimeOrder, timestampProblem } from '../../../src/import/limits.js';
import { LineSplitter, utf8FromLatin1 } from '../../../src/import/lines.js';
import { LoneCrToSpace } from '../../../src/import/lone-cr.js';
import { fileSelectorKey, SelectingSink } from '../../../src/import/selection.js';
import { type ObservedLock, type Op, parseFileSelector } from '../../../src/model/op.js';

describe('LineCounter and BadLines', () => {
  it('adds used, skipped (sorted by reason) and bad into the total', () => {
    const c = new LineCounter();
    c.use();
    c.use(3);
    c.skip('zeta');
    c.skip('alpha', 2);
    c.skip('zeta', 4);
    c.badLine('f:1: x');
    expect(c.result()).toEqual({ total: 12, used: 4, skipped: { alpha: 2, zeta: 5 }, bad: 1, badSamples: ['f:1: x'] });
    expect(Object.keys(c.result().skipped)).toEqual(['alpha', 'zeta']);
    for (let i = 0; i < 12; i++) c.badLine(`s${i}`);
    expect(c.result().bad).toBe(13);
    expect(c.result().badSamples).toHaveLength(10);
    expect(c.result().badSamples[9]).toBe('s8');
    // the result is a copy
    const r = c.result();
    r.badSamples.push('x');
    expect(c.result().badSamples).toHaveLength(10);
  });

  it('strict: a bad line stops with file:line; lenient: counted with a sample', () => {
    const c = new LineCounter();
    const strict = new BadLines('in.trace', false, c);
    expect(() => strict.report(7, 'no good', 'the text')).toThrow('in.trace:7: no good');
    try {
      strict.report(7, 'no good');
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(4);
    }
    expect(() => strict.reportOp(9, 'bad op', 0)).toThrow('in.trace:9: bad op');
    expect(() => strict.reportOp(9, 'bad op', 3)).toThrow('in.trace:9: bad op');
    expect(c.result().total).toBe(0);
    const lenient = new BadLines('in.trace', true, c);
    lenient.report(3, 'r1');
    lenient.reportOp(5, 'r2', 3);
    lenient.reportOp(6, 'r3', 1);
    lenient.reportOp(8, 'r4', 0);
    expect(c.result()).toEqual({ total: 5, used: 0, skipped: { 'lines-of-a-bad-op': 2 }, bad: 3, badSamples: ['in.trace:3: r1', 'in.trace:5: r2', 'in.trace:6: r3'] });
  });
});

describe('LineSplitter', () => {
  const split = (chunks: (string | Buffer)[]): [string, number][] => {
    const out: [string, number][] = [];
    const s = new LineSplitter((text, start, end, no, bytes, base) => {
      const line = text.slice(start, end);
      // the bytes view matches the text
      expect(Buffer.from(bytes.subarray(start + base, end + base)).toString('latin1')).toBe(line);
      out.push([line, no]);
    }, undefined, (no) => expect.unreachable(`line ${no} is not too long`));
    for (const c of chunks) s.push(Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1'));
    const n = s.end();
    expect(n).toBe(out.length);
    return out;
  };
  it('lines across chunks, CRLF, a last line without a newline, empty lines', () => {
    expect(split(['a\nb', 'c\r\n\nd'])).toEqual([['a', 1], ['bc', 2], ['', 3], ['d', 4]]);
    expect(split(['ab', 'cd', 'e\n'])).toEqual([['abcde', 1]]);
    expect(split(['x\r'])).toEqual([['x', 1]]);
    expect(split(['x\r', '\n'])).toEqual([['x', 1]]);
    expect(split([''])).toEqual([]);
    expect(split(['\r\n'])).toEqual([['', 1]]);
    expect(split(['a\rb\n'])).toEqual([['a\rb', 1]]);
    expect(split(['no newline'])).toEqual([['no newline', 1]]);
  });
  it('counts the bytes it saw; decodes bytes one char each', () => {
    const s = new LineSplitter(() => {}, undefined, (no) => expect.unreachable(`line ${no} is not too long`));
    s.push(Buffer.from('abc\n'));
    s.push(Buffer.from([0xc3, 0xa9, 10]));
    expect(s.bytesSeen).toBe(7);
    expect(s.end()).toBe(2);
    expect(split([Buffer.from([0xc3, 0xa9, 10])])).toEqual([['\u00c3\u00a9', 1]]);
  });
  it('long chunks are cut in pieces at line ends; a line longer than a piece stays whole', () => {
    const line = 'x'.repeat(100_000);
    const many = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const got = split([`${line}\nshort\n${many}`]);
    expect(got[0][0]).toHaveLength(100_000);
    expect(got[1]).toEqual(['short', 2]);
    expect(got).toHaveLength(3002);
    expect(got[3001]).toEqual(['line 2999', 3002]);
    const tail = split([`${'y'.repeat(70_000)}`, 'z\nw']);
    expect(tail.map(([l, n]) => [l.length, n])).toEqual([[70_001, 1], [1, 2]]);
  });
  it('utf8FromLatin1 decodes only when a byte is above 127', () => {
    expect(utf8FromLatin1('plain')).toBe('plain');
    expect(utf8FromLatin1('\u00c3\u00a9t\u00c3\u00a9')).toBe('été');
    expect(utf8FromLatin1('\u007f')).toBe('\u007f');
  });
});

describe('LoneCrToSpace', () => {
  const run = (chunks: string[]): string => {
    const l = new LoneCrToSpace();
    let out = '';
    for (const c of chunks) out += l.push(Buffer.from(c, 'latin1')).toString('latin1');
    out += l.end()?.toString('latin1') ?? '';
    return out;
  };
  it('turns a CR not followed by LF into a space, across chunks', () => {
    expect(run(['a\rb\r\nc'])).toBe('a b\r\nc');
    expect(run(['a\r', '\nb'])).toBe('a\r\nb');
    expect(run(['a\r', 'b'])).toBe('a b');
    expect(run(['a\r'])).toBe('a ');
    expect(run(['a\r\r', '\n'])).toBe('a \r\n');
    expect(run(['\r', '\r', '\n'])).toBe(' \r\n');
    expect(run(['', 'x'])).toBe('x');
    expect(run(['no cr'])).toBe('no cr');
  });
  it('copies only a chunk it changes', () => {
    const l = new LoneCrToSpace();
    const c = Buffer.from('a\r\nb');
    expect(l.push(c)).toBe(c);
    const d = Buffer.from('a\rb');
    const out = l.push(d);
    expect(out).not.toBe(d);
    expect(d.toString()).toBe('a\rb');
    expect(l.end()).toBeUndefined();
  });
});

describe('limits', () => {
  it('rangeProblem', () => {
    expect(rangeProblem(0, 0)).toBeUndefined();
    expect(rangeProblem(MAX_EXACT_BYTES - 1, 1)).toBeUndefined();
    expect(rangeProblem(MAX_EXACT_BYTES, 1)).toBe('offset beyond 2^53 bytes is not supported (offset 9007199254740991, length 1)');
    expect(rangeProblem(NaN, 1)).toBe('offset is not a number');
    expect(rangeProblem(1, NaN)).toBe('length is not a number');
    expect(rangeProblem(Infinity, 1)).toBe('offset is not a finite number (too many digits?)');
    expect(rangeProblem(1, -Infinity)).toBe('length is not a finite number (too many digits?)');
    expect(rangeProblem(1.5, 1)).toBe('offset 1.5 is not a whole number of bytes');
    expect(rangeProblem(1, 0.5)).toBe('length 0.5 is not a whole number of bytes');
    expect(rangeProblem(-1, 1)).toBe('offset -1 is negative');
    expect(rangeProblem(1, -1)).toBe('length -1 is negative');
    expect(rangeProblem(2 ** 62, 2 ** 62)).toBe('offset 4611686018427387904 + length 4611686018427387904 is beyond 2^63-1 (the largest file position)');
    expect(rangeProblem(LOFF_MAX_BYTES, 0)).toBe('offset 9223372036854775808 + length 0 is beyond 2^63-1 (the largest file position)');
    expect(rangeProblem(1e22, 0)).toBe('offset 1e+22 + length 0 is beyond 2^63-1 (the largest file position)');
    expect(rangeProblem(2 ** 62, 0)).toBe('offset beyond 2^53 bytes is not supported (offset 4611686018427387904, length 0)');
  });
  it('durationProblem and timestampProblem', () => {
    expect(durationProblem(0)).toBeUndefined();
    expect(durationProblem(MAX_SPAN_NS)).toBeUndefined();
    expect(durationProblem(MAX_SPAN_NS + 2)).toBe('duration 9007199254740992 ns is beyond 2^53 ns (about 104 days)');
    expect(durationProblem(-1)).toBe('duration -1 ns is negative');
    expect(durationProblem(NaN)).toBe('duration NaN ns is not a finite number');
    expect(durationProblem(Infinity)).toBe('duration Infinity ns is not a finite number');
    expect(timestampProblem(0)).toBeUndefined();
    expect(timestampProblem(MAX_TS_NS - 1024)).toBeUndefined();
    expect(timestampProblem(MAX_TS_NS)).toBe('timestamp 9223372036854775808 ns is not below 2^63 ns (times are kept as doubles: one from about 2^63-512 ns on, 2^63-1 included, is 2^63)');
    expect(timestampProblem(2 ** 63 - 1)).toMatch(/2\^63-1 included/);
    expect(timestampProblem(2 ** 63 - 1024)).toBeUndefined();
    expect(timestampProblem(2 ** 64)).toBe('timestamp 18446744073709551616 ns is beyond 2^63 ns');
    expect(timestampProblem(-1)).toBe('timestamp -1 ns is negative');
    expect(timestampProblem(-Infinity)).toBe('timestamp -Infinity ns is not a finite number');
    expect(opProblem({ pid: 0, tsNs: 0, offset: 0, lengthBytes: 0 })).toBeUndefined();
    expect(opProblem({ pid: 0, tsNs: -1, offset: -1, lengthBytes: 0 })).toBe('timestamp -1 ns is negative');
    expect(opProblem({ pid: 0, tsNs: 0, offset: -1, lengthBytes: 0, durNs: -1 })).toBe('offset -1 is negative');
    expect(opProblem({ pid: 0, tsNs: 0, offset: 0, lengthBytes: 0, durNs: -1 })).toBe('duration -1 ns is negative');
    expect(opProblem({ pid: 0, tsNs: 0, offset: 0, lengthBytes: 0, durNs: 5 })).toBeUndefined();
    // the task id comes first, and must be a whole number a double holds exactly
    expect(opProblem({ pid: Infinity, tsNs: -1, offset: 0, lengthBytes: 0 })).toBe('task id Infinity is not a whole number, 0 or more, below 2^53');
    expect(opProblem({ pid: -1, tsNs: 0, offset: 0, lengthBytes: 0 })).toBe('task id -1 is not a whole number, 0 or more, below 2^53');
    expect(opProblem({ pid: 2 ** 53, tsNs: 0, offset: 0, lengthBytes: 0 })).toBe('task id 9007199254740992 is not a whole number, 0 or more, below 2^53');
    expect(opProblem({ pid: 2 ** 53 - 1, tsNs: 0, offset: 0, lengthBytes: 0 })).toBeUndefined();
    expect(fmtSec(1_500_000_000)).toBe('1.500000s');
  });
  it('TimeOrder: ordered inputs refuse a step back; every input stays within 2^53 ns of its first timestamp', () => {
    const t = new TimeOrder(true);
    expect(t.check(-Infinity)).toBe('timestamp -Infinity ns is not a finite number');
    expect(t.check(NaN)).toBe('timestamp NaN ns is not a finite number');
    expect(t.check(1000)).toBeUndefined();
    expect(t.check(1000)).toBeUndefined();
    expect(t.check(999)).toBe('timestamp goes backwards (0.000000999s after 0.000001000s)');
    expect(t.check(2e9)).toBeUndefined();
    expect(t.check(1e9)).toBe('timestamp goes backwards (1.000000s after 2.000000s)');
    // given their lines, a step back names the line of the time it went back from: one line far
    // ahead (a corrupted timestamp) makes the lines after it go back, and the message points to it
    const l = new TimeOrder(true);
    expect(l.check(1e9, 10)).toBeUndefined();
    expect(l.check(1e9, 11)).toBeUndefined();
    expect(l.check(9e9, 12)).toBeUndefined();
    expect(l.check(1.1e9, 13)).toBe('timestamp goes backwards (1.100000s after 9.000000s on line 12)');
    expect(l.check(1.2e9, 14)).toBe('timestamp goes backwards (1.200000s after 9.000000s on line 12)');
    // (a refused time is not the last: line 12 stays the one named)
    expect(l.check(10e9, 15)).toBeUndefined();
    expect(l.check(5e9, 16)).toBe('timestamp goes backwards (5.000000s after 10.000000s on line 15)');
    const w = new TimeOrder(true);
    expect(w.check(0)).toBeUndefined();
    expect(w.check(MAX_SPAN_NS)).toBeUndefined();
    expect(w.check(MAX_SPAN_NS + 1)).toBe('timestamp 9007199.254741s is more than 2^53 ns (about 104 days) from the first one (0.000000s)');
    expect(t.check(-5)).toBe('timestamp -5 ns is negative');
    const u = new TimeOrder(false);
    expect(u.check(5000)).toBeUndefined();
    expect(u.check(10)).toBeUndefined();
    expect(u.check(5000 + MAX_SPAN_NS)).toBeUndefined();
    expect(u.check(5000 + MAX_SPAN_NS + 2)).toMatch(/is more than 2\^53 ns/);
    // near 2^63 the span is capped: a first timestamp close to the clock's end
    const v = new TimeOrder(true);
    expect(v.check(MAX_TS_NS - 4096)).toBeUndefined();
    expect(v.check(MAX_TS_NS - 2048)).toBeUndefined();
    expect(v.check(MAX_TS_NS)).toMatch(/^timestamp 9223372036854775808 ns is not below 2\^63 ns/);
  });
});

describe('fields', () => {
  it('numberAt: decimal, hex with 0x, a sign; NaN when no digits', () => {
    expect(numberAt('x 123 y', 2, 10)).toBe(123);
    expect(numberAt('-42', 0, 10)).toBe(-42);
    expect(numberAt('0x1F', 0, 10)).toBe(31);
    expect(numberAt('0X1f', 0, 10)).toBe(31);
    expect(numberAt('ff', 0, 16)).toBe(255);
    expect(numberAt('AbC', 0, 16)).toBe(2748);
    expect(numberAt('ff', 0, 10)).toBeNaN();
    expect(numberAt('-', 0, 10)).toBeNaN();
    expect(numberAt('0x', 0, 10)).toBeNaN();
    expect(numberAt('09:', 0, 10)).toBe(9);
    expect(numberAt('g', 0, 16)).toBeNaN();
    expect(numberAt('0', 0, 16)).toBe(0);
    expect(numberAt('/', 0, 10)).toBeNaN();
    expect(numberAt(':', 0, 10)).toBeNaN();
    expect(numberAt('`', 0, 16)).toBeNaN();
  });
  it('numAfter, numberEnd, rangeAfter, wordAfter', () => {
    expect(numAfter('ino 0x85 pos 10', 'ino ', 16)).toBe(133);
    expect(numAfter('ino 85', 'ino ', 16)).toBe(133);
    expect(numAfter('ino 85', 'ino ')).toBe(85);
    expect(numAfter('pos 10', 'ino ')).toBeNaN();
    expect(numberEnd('-0x1fz', 0)).toBe(5);
    expect(numberEnd('123 ', 0)).toBe(3);
    expect(numberEnd('12ab-', 0)).toBe(4);
    expect(numberEnd('x', 0)).toBe(0);
    expect(rangeAfter('ofs=868352-933887 x', 'ofs=')).toEqual([868352, 933887]);
    expect(rangeAfter('ofs=868352', 'ofs=')).toBeUndefined();
    expect(rangeAfter('ofs=a-1', 'ofs=')).toBeUndefined();
    expect(rangeAfter('ofs=1-b', 'ofs=')).toBeUndefined();
    expect(rangeAfter('index=1-2', 'ofs=')).toBeUndefined();
    expect(wordAfter('flags IOLOCK_EXCL caller x', 'flags ')).toBe('IOLOCK_EXCL');
    expect(wordAfter('caller xfs_foo+0x1', 'caller ')).toBe('xfs_foo+0x1');
    expect(wordAfter('x', 'flags ')).toBe('');
  });
  it('devOf reads every notation of a device', () => {
    expect(devOf('dev 7:0 ino 0x85')).toBe('7:0');
    expect(devOf('dev 254,0 ino 2149052')).toBe('254:0');
    expect(devOf('dev=254:0 ino=52db4')).toBe('254:0');
    expect(devOf('dev = (8,16) x')).toBe('8:16');
    expect(devOf('bdi 7:0: ino=133')).toBe('7:0');
    expect(devOf('bdi (unknown): ino=1')).toBeUndefined();
    expect(devOf('bdi btrfs-1: ino=257')).toBeUndefined();
    expect(devOf('dev x')).toBeUndefined();
    expect(devOf('dev 7-0')).toBeUndefined();
    expect(devOf('dev 7:')).toBeUndefined();
    expect(devOf('nothing')).toBeUndefined();
    expect(devOf('dev 12:345')).toBe('12:345');
  });
});

describe('KeptLines', () => {
  it('keeps the bytes from a line on, dropping finished lines', () => {
    const k = new KeptLines();
    k.push(Buffer.from('l1\nl2\nl3'));
    k.push(Buffer.from(''));
    k.push(Buffer.from('-more\nl4\n'));
    expect(k.firstLine).toBe(1);
    k.dropThrough(1);
    expect(k.bytes().toString()).toBe('l2\nl3-more\nl4\n');
    expect(k.firstLine).toBe(2);
    k.dropThrough(2);
    expect(k.bytes().toString()).toBe('l3-more\nl4\n');
    k.dropThrough(3);
    expect(k.bytes().toString()).toBe('l4\n');
    expect(k.firstLine).toBe(4);
    expect(k.blank()).toBe(false);
    k.dropThrough(4);
    expect(k.bytes().toString()).toBe('');
    expect(k.firstLine).toBe(5);
    k.dropThrough(9);
    expect(k.firstLine).toBe(5);
    k.push(Buffer.from(' \t\r\n\n'));
    expect(k.blank()).toBe(true);
    k.push(Buffer.from('x'));
    expect(k.blank()).toBe(false);
    const j = new KeptLines();
    j.push(Buffer.from('abc'));
    j.push(Buffer.from('def\n'));
    j.dropThrough(1);
    expect(j.bytes().length).toBe(0);
    expect(j.firstLine).toBe(2);
  });
});

function op(extra: Partial<Op> = {}): Op {
  return { id: 99, tsNs: 100, pid: 1, proc: 'p', comm: 'c', file: 'F', kind: 'read', offset: 0, lengthBytes: 1, line: 1, ...extra };
}
function lock(extra: Partial<ObservedLock> = {}): ObservedLock {
  return { tsNs: 100, pid: 1, comm: 'c', target: 'F', event: 'xfs_ilock', mode: 'IOLOCK_EXCL', caller: '', line: 1, ...extra };
}

describe('SelectingSink', () => {
  it('numbers kept ops from 0, counts them, and accounts for their lines', () => {
    const c = new LineCounter();
    const ops: Op[] = [];
    const s = new SelectingSink({ op: (o) => ops.push(o), lock: () => {} }, c);
    expect(s.op(op(), 2)).toBe(0);
    expect(s.op(op({ kind: 'write', file: 'G' }), 1)).toBe(1);
    expect(s.op(op(), 1)).toBe(2);
    expect(ops.map((o) => o.id)).toEqual([0, 1, 2]);
    expect(s.ops).toBe(3);
    expect(s.counts).toEqual({ byKind: { read: 2, write: 1 }, byFile: { F: { read: 2 }, G: { write: 1 } } });
    expect(c.result().used).toBe(4);
  });
  it('drops by file, task (pid or comm) and time, with the reason', () => {
    const c = new LineCounter();
    const ops: Op[] = [];
    const locks: ObservedLock[] = [];
    const s = new SelectingSink({ op: (o) => ops.push(o), lock: (l) => locks.push(l) }, c, { files: new Set(['F']), taskPids: new Set([1]), taskComms: new Set(['x\u00e9']), fromNs: 10, toNs: 20, timesRelative: true });
    s.clock(1000);
    s.clock(5000);
    expect(s.op(op({ tsNs: 1010 }), 1)).toBe(0);
    expect(s.op(op({ tsNs: 1020 }), 1)).toBe(1);
    expect(s.op(op({ tsNs: 1009 }), 2)).toBe(-1);
    expect(s.op(op({ tsNs: 1021 }), 1)).toBe(-1);
    expect(s.op(op({ file: 'G', tsNs: 1015 }), 3)).toBe(-1);
    expect(s.op(op({ pid: 2, tsNs: 1015 }), 4)).toBe(-1);
    expect(s.op(op({ pid: 2, comm: 'xé', tsNs: 1015 }), 1)).toBe(2);
    expect(c.result().skipped).toEqual({ 'filtered-file': 3, 'filtered-task': 4, 'filtered-time': 3 });
    // locks: mm targets pass the file filter; the comm is latin1 unless told
    expect(s.lock(lock({ target: 'G', tsNs: 1015 }), 1)).toBe(false);
    expect(s.lock(lock({ target: 'mm:abc', tsNs: 1015 }), 1)).toBe(true);
    expect(s.lock(lock({ pid: 5, comm: 'x\u00c3\u00a9', tsNs: 1015 }), 1)).toBe(true);
    expect(s.lock(lock({ pid: 5, comm: 'xé', tsNs: 1015 }), 1, false)).toBe(true);
    expect(s.lock(lock({ pid: 5, comm: 'xé', tsNs: 1015 }), 1)).toBe(false);
    expect(s.lock(lock({ tsNs: 1009 }), 1)).toBe(false);
    expect(s.lock(lock({ tsNs: 1021 }), 1)).toBe(false);
    expect(s.lock(lock({ tsNs: 1020 }), 2)).toBe(true);
    expect(s.locksKept).toBe(4);
    expect(locks).toHaveLength(4);
    expect(c.result().skipped).toEqual({ 'filtered-file': 4, 'filtered-task': 5, 'filtered-time': 5 });
  });
  it('absolute times; only a pid set; only a comm set', () => {
    const c = new LineCounter();
    const s = new SelectingSink({ op: () => {}, lock: () => {} }, c, { fromNs: 10, taskPids: new Set([1]) });
    expect(s.op(op({ tsNs: 9 }), 1)).toBe(-1);
    expect(s.op(op({ tsNs: 10 }), 1)).toBe(0);
    expect(s.op(op({ tsNs: 10, pid: 2 }), 1)).toBe(-1);
    const t = new SelectingSink({ op: () => {}, lock: () => {} }, c, { toNs: 10, taskComms: new Set(['c']) });
    expect(t.op(op({ tsNs: 10 }), 1)).toBe(0);
    expect(t.op(op({ tsNs: 11 }), 1)).toBe(-1);
    expect(t.op(op({ tsNs: 1, comm: 'd' }), 1)).toBe(-1);
  });
  it('fileSelectorKey', () => {
    expect(fileSelectorKey('7:0:0x85', parseFileSelector)).toBe('7:0:133');
    expect(fileSelectorKey(' 254,0:2154529 ', parseFileSelector)).toBe('254:0:2154529');
    for (const k of ['blk:7:0', 'fd:12:3', 'fd:12:-1', 'tgid:5', 'pid:5', 'mm:00ab', 'vol:3', 'file:/data/f']) expect(fileSelectorKey(` ${k} `, parseFileSelector), k).toBe(k);
    for (const k of ['blk:7', 'fd:a:1', 'tgid:x', 'mm:', 'vol:', 'x', '7:0']) expect(fileSelectorKey(k, parseFileSelector), k).toBeUndefined();
  });
});

describe('FileIdentity', () => {
  it('reads the recorder\'s comments', () => {
    const f = new FileIdentity();
    expect(f.comment('# lockreplay fd: 100 7 7:0:133')).toBe(true);
    expect(f.comment('#lockreplay bdi: btrfs-1 0:40 ')).toBe(true);
    expect(f.comment('# lockreplay mount: 7:0 xfs /mnt')).toBe(true);
    expect(f.comment('# lockreplay mount: /mnt xfs')).toMatch(/^not in the layout/);
    expect(f.comment('# lockreplay fd: x 7 7:0:133')).toMatch(/TGID "x" is not a number/);
    expect(f.comment('# tracer: nop')).toBe(false);
    expect(f.scannedFd(100, 7)).toBe('7:0:133');
    expect(f.scannedFd(100, 8)).toBeUndefined();
    expect(f.bdiKey('bdi btrfs-1: ino=257', 257)).toBe('0:40:257');
    expect(f.bdiKey('bdi btrfs-2: ino=257', 257)).toBe('btrfs-2:257');
    expect(f.bdiKey('bdi btrfs-1: ino=1', 1)).toBeNull();
    expect(f.bdiKey('bdi btrfs-1: ino=256', 256)).toBe('0:40:256');
    expect(f.bdiKey('bdi 7:0: ino=133', 133)).toBe('7:0:133');
    expect(f.bdiKey('bdi (unknown): ino=5', 5)).toBeUndefined();
    expect(f.bdiKey('bdi : ino=5', 5)).toBeUndefined();
    expect(f.bdiKey('bdi a b: ino=5', 5)).toBeUndefined();
    expect(f.bdiKey('bdi nocolon', 5)).toBeUndefined();
    expect(f.bdiKey('ino=5', 5)).toBeUndefined();
    expect(f.bdiKey('bdi sdb: ino=5', 5)).toBe('sdb:5');
  });
  it('renames provisional keys once the trace identifies them', () => {
    const f = new FileIdentity();
    f.comment('# lockreplay fd: 100 7 7:0:133');
    f.noteReleased('fd:100:7');
    f.noteReleased('fd:100:8');
    f.noteReleased('sdb:5');
    f.noteReleased('nvme:9');
    f.noteReleased('tgid:5');
    f.noteReleased('7:0:5');
    f.noteReleased('8:0:9');
    f.noteNumeric('9:0:9');
    f.learn('fd:100:8', 'fd:100:8');
    f.learn('fd:100:8', 'sdb:5');
    f.learn('fd:100:8', '1:1:1');
    expect([...f.aliases()]).toEqual([['fd:100:7', '7:0:133'], ['fd:100:8', '7:0:5'], ['sdb:5', '7:0:5']]);
  });
  it('renameFiles and renameCounts', () => {
    const items = [{ file: 'a' }, { file: 'b' }];
    renameFiles(items, { a: 'x' });
    expect(items).toEqual([{ file: 'x' }, { file: 'b' }]);
    renameFiles(items, new Map([['b', 'x']]));
    expect(items).toEqual([{ file: 'x' }, { file: 'x' }]);
    const counts = { a: { read: 1 }, b: { read: 2, write: 1 }, c: { read: 5 } };
    expect(renameCounts(counts, {})).toBe(counts);
    expect(renameCounts(counts, new Map([['a', 'b']]))).toEqual({ b: { read: 3, write: 1 }, c: { read: 5 } });
  });
});

describe('ContentionTracker', () => {
  it('names each wait by what the task did just before', () => {
    const t = new ContentionTracker();
    // an xfs_ilock of one class: that class, learnt for the address
    t.ilock(1, 'IOLOCK_EXCL', '7:0:133', 100);
    t.begin(1, 100, '000000008abe1a57 (flags=WRITE)', 10);
    expect(t.end(1, 'fio', 250, '000000008abe1a57 (ret=0)')).toEqual({ tsNs: 250, pid: 1, comm: 'fio', target: '7:0:133', event: 'contention', mode: 'WRITE', caller: 'IOLOCK', line: 10, waitNs: 150 });
    // a call taking two classes: the address decides
    t.ilock(1, 'IOLOCK_EXCL|MMAPLOCK_EXCL', '7:0:133', 300);
    t.begin(1, 300, '000000008abe1a57 (flags=WRITE)', 11);
    expect(t.end(1, 'fio', 400, '000000008abe1a57 (ret=0)')?.caller).toBe('IOLOCK');
    t.ilock(1, 'MMAPLOCK_SHARED|ILOCK_SHARED', '7:0:133', 300);
    t.begin(1, 300, 'ffff (flags=READ)', 12);
    expect(t.end(1, 'fio', 400, 'ffff (ret=0)')?.caller).toBe('MMAPLOCK');
    // SPIN: a spinlock; MUTEX after an ilock: unknown
    t.ilock(1, 'ILOCK_EXCL', '7:0:133', 500);
    t.begin(1, 500, 'aaaa (flags=SPIN)', 13);
    expect(t.end(1, 'fio', 510, 'aaaa (ret=0)')).toMatchObject({ caller: 'spinlock', target: 'lock:aaaa', mode: 'SPIN' });
    t.begin(1, 500, 'bbbb (flags=MUTEX)', 14);
    expect(t.end(1, 'fio', 510, 'bbbb (ret=0)')).toMatchObject({ caller: 'unknown', target: 'lock:bbbb' });
    // after another event the ilock names nothing; a pending mmap_lock names mmap_lock
    t.ilock(1, 'ILOCK_EXCL', '7:0:133', 600);
    t.other(1);
    t.other(42);
    t.begin(1, 600, 'cccc (flags=READ)', 15);
    expect(t.end(1, 'fio', 610, 'cccc')).toMatchObject({ caller: 'unknown', target: 'lock:cccc' });
    t.ilock(1, 'ILOCK_EXCL', '7:0:133', 700);
    t.mmap(1, 'mmhash');
    t.begin(1, 700, 'dddd (flags=READ)', 16);
    expect(t.end(1, 'fio', 710, 'dddd (ret=0)')).toMatchObject({ caller: 'mmap_lock', target: 'mm:mmhash' });
    t.mmap(1, '');
    t.begin(1, 800, 'eeee (flags=READ)', 17);
    expect(t.end(1, 'fio', 810, 'eeee')).toMatchObject({ caller: 'unknown' });
    // an ilock of no known class
    t.ilock(1, 'XFS_IOLOCK', '7:0:133', 900);
    t.begin(1, 900, 'ffff0 (flags=READ)', 18);
    expect(t.end(1, 'fio', 910, 'ffff0')).toMatchObject({ caller: 'unknown', target: 'lock:ffff0' });
    // no flags: a malformed body, which opens no wait
    expect(t.begin(1, 900, '  gggg', 19)).toMatch(/^contention_begin: the body is not "ADDRESS \(flags=FLAGS\)"/);
    expect(t.end(1, 'fio', 905, 'gggg')).toBeUndefined();
    expect(t.endsWithoutBegin).toBe(1);
  });
  it('pairs ends with the task\'s latest begin on the same address; counts strays and unfinished waits', () => {
    const t = new ContentionTracker();
    expect(t.begin(1, 10, 'a (flags=READ', 1)).toMatch(/parenthesis is not closed/);
    t.begin(1, 10, 'a (flags=READ)', 1);
    t.begin(1, 20, 'b (flags=READ)', 2);
    t.begin(1, 30, 'a (flags=WRITE)', 3);
    expect(t.end(2, 'x', 40, 'a (ret=0)')).toBeUndefined();
    expect(t.end(1, 'x', 40, 'a (ret=0)')).toMatchObject({ line: 3, waitNs: 10, mode: 'WRITE' });
    expect(t.end(1, 'x', 50, 'a')).toMatchObject({ line: 1, waitNs: 40, mode: 'READ' });
    expect(t.end(1, 'x', 50, 'a')).toBeUndefined();
    expect(t.endsWithoutBegin).toBe(2);
    expect(t.unfinished()).toBe(1);
    t.begin(3, 1, 'z (flags=SPIN)', 9);
    expect(t.unfinished()).toBe(2);
  });
});
