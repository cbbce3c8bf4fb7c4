import { describe, expect, it } from 'vitest';
import { LineType, newEventFields, parseFtraceLine, SyscallPhase } from '../../../src/import/ftrace-prefix.js';

function parse(line: string) {
  const ev = newEventFields();
  const type = parseFtraceLine(line, ev);
  return { type, ev, fields: type === LineType.Event ? { comm: ev.comm, pid: ev.pid, tgid: ev.tgid, cpu: ev.cpu, tsNs: ev.tsNs, event: ev.event, phase: ev.phase, body: ev.body } : { note: ev.note } };
}

describe('parseFtraceLine', () => {
  it('events with and without flags, a tgid column, a comm with spaces and dashes', () => {
    expect(parse('             fio-12734   [000] .....   618.022805: xfs_ilock: dev 7:0 ino 0x85').fields).toEqual({ comm: 'fio', pid: 12734, tgid: -1, cpu: 0, tsNs: 618022805000, event: 'xfs_ilock', phase: SyscallPhase.None, body: 'dev 7:0 ino 0x85' });
    expect(parse('  kworker/u8:0-12   ( 1234) [011] d.s1   1.5: ev:  two spaces').fields).toEqual({ comm: 'kworker/u8:0', pid: 12, tgid: 1234, cpu: 11, tsNs: 1_500_000_000, event: 'ev', phase: SyscallPhase.None, body: ' two spaces' });
    expect(parse('my comm-x-7 (-----) [001] 12.000000001: ev: b').fields).toMatchObject({ comm: 'my comm-x', pid: 7, tgid: -1, tsNs: 12_000_000_001 });
    expect(parse('a-1\t[002]\t3.1234567891234: ev:').fields).toMatchObject({ comm: 'a', pid: 1, cpu: 2, tsNs: 3_123_456_789, body: '' });
    expect(parse('a-1 [002] 3: ev').fields).toMatchObject({ tsNs: 3e9, event: 'ev', body: '' });
    expect(parse('a-1 [002] 3: func <-parent').fields).toMatchObject({ event: 'func', body: '<-parent' });
    expect(parse('a-1 [002] dNh2. 3: ev: x').fields).toMatchObject({ event: 'ev', body: 'x' });
  });
  it('syscall enter and exit renderings', () => {
    expect(parse('fio-1 [000] 1.0: sys_pread64(fd: 7, pos: 0x0)').fields).toMatchObject({ event: 'sys_pread64', phase: SyscallPhase.Enter, body: 'fd: 7, pos: 0x0' });
    expect(parse('fio-1 [000] 1.0: sys_pread64 -> 0x1000').fields).toMatchObject({ event: 'sys_pread64', phase: SyscallPhase.Exit, body: '0x1000' });
    expect(parse('fio-1 [000] 1.0: sys_pread64(fd: 7').fields).toEqual({ note: 'syscall arguments cut short (no closing parenthesis)' });
  });
  it('the other kinds of lines', () => {
    expect(parse('   \t ').type).toBe(LineType.Blank);
    expect(parse('# tracer: nop').type).toBe(LineType.Comment);
    expect(parse('####').type).toBe(LineType.Comment);
    expect(parse('##### CPU 1 buffer started ####').type).toBe(LineType.Marker);
    const lost = parse('CPU:3 [LOST 120 EVENTS]');
    expect([lost.type, lost.ev.cpu, lost.ev.note]).toEqual([LineType.LostEvents, 3, '120']);
    const dropped = parse('CPU:1 [12 EVENTS DROPPED]');
    expect([dropped.type, dropped.ev.note]).toEqual([LineType.LostEvents, '12']);
    expect(parse('CPU 3 is empty').fields).toEqual({ note: 'no "[CPU]" field: not an ftrace event line' });
    // a systrace line escaped in HTML ends with \n\
    expect(parse('a-1 [002] 3.0: ev: x\\n\\').fields).toMatchObject({ body: 'x' });
  });
  it('bad lines, each with its reason', () => {
    const note = (l: string): string => parse(l).fields.note as string;
    expect(note('[000] 1.0: ev')).toBe('no "[CPU]" field: not an ftrace event line');
    expect(note('a-1 [x] 1.0: ev')).toBe('no "[CPU]" field: not an ftrace event line');
    expect(note('a-1 [00 1.0: ev')).toBe('no "[CPU]" field: not an ftrace event line');
    expect(note('a-1x[000] 1.0: ev')).toBe('no "[CPU]" field: not an ftrace event line');
    expect(note('a-1 12) [000] 1.0: ev')).toBe('unbalanced "(TGID)" field');
    expect(note('a [000] 1.0: ev')).toBe('no "COMM-PID" before the CPU field');
    expect(note('a- [000] 1.0: ev')).toBe('no "COMM-PID" before the CPU field');
    expect(note('12 [000] 1.0: ev')).toBe('no "COMM-PID" before the CPU field');
    expect(note('a-1 [000] ... 1.0: ev')).toBe('irq-info flags field is not 4 or 5 characters');
    expect(note('a-1 [000] ...... 1.0: ev')).toBe('irq-info flags field is not 4 or 5 characters');
    expect(note('a-1 [000] ..Q. 1.0: ev')).toBe('unknown character in the irq-info flags field');
    expect(note('a-1 [000] .... 1.0 ev')).toBe('no "SECONDS.MICROS:" timestamp');
    expect(note('a-1 [000] x.0: ev')).toBe('timestamp is not a number');
    expect(note('a-1 [000] 1x: ev')).toBe('timestamp is not a number');
    expect(note('a-1 [000] 1.: ev')).toBe('timestamp is not a number');
    expect(note('a-1 [000] 1.2.3: ev')).toBe('timestamp is not a number');
    expect(note('a-1 [000] 1.0: ')).toBe('no event name after the timestamp');
    expect(note('a-1 [000] 1.0:')).toBe('no event name after the timestamp');
  });
  it('names are interned: the same string for the same name', () => {
    const a = parse('a-1 [000] 1.0: same_name: x').ev.event;
    const b = parse('b-2 [000] 2.0: same_name: y').ev.event;
    expect(a).toBe('same_name');
    expect(b).toBe(a);
    expect(parse('b-2 [000] 2.0: same_namf: y').ev.event).toBe('same_namf');
  });
});
