/**
 * The ftrace prefix parser on bytes: a line anywhere in a larger buffer (its bytes at an offset, as
 * past the first 64 KiB piece of a chunk), a line that is part of a longer text (nothing after its
 * end is read), and the edges of each field.
 */
import { describe, expect, it } from 'vitest';
import { type EventFields, LineType, newEventFields, parseFtraceBytes, parseFtraceLine, SyscallPhase } from '../../../src/import/ftrace-prefix.js';

function fields(type: LineType, ev: EventFields) {
  return type === LineType.Event
    ? { type, comm: ev.comm, pid: ev.pid, tgid: ev.tgid, cpu: ev.cpu, tsNs: ev.tsNs, event: ev.event, phase: ev.phase, body: ev.body }
    : type === LineType.LostEvents ? { type, cpu: ev.cpu, note: ev.note } : type === LineType.Bad ? { type, note: ev.note } : { type };
}

/** `line` parsed as text[start, end) of a longer text: `before` and `after` around it */
function within(before: string, line: string, after: string) {
  const ev = newEventFields();
  const text = before + line + after;
  return fields(parseFtraceLine(text, ev, before.length, before.length + line.length), ev);
}

/** `line` parsed where its bytes start at byte `base` of the buffer (text index i is byte i + base) */
function atOffset(line: string, base: number) {
  const ev = newEventFields();
  const bytes = Buffer.from('\\n\\-[0] ('.repeat(base).slice(0, base) + line, 'latin1');
  const text = bytes.toString('latin1', base);
  return fields(parseFtraceBytes(bytes, base, text, 0, text.length, ev), ev);
}

const parse = (line: string) => within('', line, '');

const LINES = [
  '             fio-12734   [001] .....   617.720890: xfs_file_buffered_write: dev 7:0 ino 0x85',
  '  kworker/u8:0-12   ( 1234) [011] d.s1   1.5: ev:  two spaces',
  'fio-1 [000] 1.0: sys_pread64(fd: 7, pos: 0x0)',
  'fio-1 [000] 1.0: sys_pread64 -> 0x1000',
  'fio-1 [000] 1.0: sys_pread64(fd: 7',
  'a-1 [002] 3: func <-parent',
  'a-1 [002] 3: ev',
  'a-1 [002] 3.0: ev: x\\n\\',
  'CPU:3 [LOST 120 EVENTS]',
  'CPU:x [LOST 120 EVENTS]',
  '##### CPU 1 buffer started ####',
  '# tracer: nop',
  '    ',
  'a-1 [000] ...... 1.0: ev',
  'a-1 [000] 1.2.3: ev',
  'a-1 12) [000] 1.0: ev',
];

describe('parseFtraceBytes', () => {
  it('a line whose bytes start at an offset in the buffer parses as at the start', () => {
    for (const line of LINES) expect(atOffset(line, 9), line).toEqual(atOffset(line, 0));
    expect(atOffset(LINES[0], 9)).toMatchObject({ type: LineType.Event, comm: 'fio', event: 'xfs_file_buffered_write', body: 'dev 7:0 ino 0x85' });
    expect(atOffset(LINES[2], 9)).toMatchObject({ phase: SyscallPhase.Enter, body: 'fd: 7, pos: 0x0' });
    expect(atOffset(LINES[3], 9)).toMatchObject({ phase: SyscallPhase.Exit, body: '0x1000' });
    expect(atOffset(LINES[5], 9)).toMatchObject({ event: 'func', body: '<-parent' });
    expect(atOffset(LINES[7], 9)).toMatchObject({ body: 'x' });
    expect(atOffset(LINES[8], 9)).toEqual({ type: LineType.LostEvents, cpu: 3, note: '120' });
  });

  it('a line that is part of a longer text: nothing after its end is read', () => {
    expect(within('', '   ', '   x')).toEqual({ type: LineType.Blank });
    expect(within('', '####', '#')).toEqual({ type: LineType.Comment });
    expect(within('', 'a-1 [00', '] 1.0: ev: x')).toEqual({ type: LineType.Bad, note: 'no "[CPU]" field: not an ftrace event line' });
    expect(within('x-', '12 [000] 1.0: ev', '')).toEqual({ type: LineType.Bad, note: 'no "COMM-PID" before the CPU field' });
    expect(within('', 'a-1 [000] 1.0', ': ev')).toEqual({ type: LineType.Bad, note: 'irq-info flags field is not 4 or 5 characters' });
    expect(within('', 'a-1 [000] 1.0: ev', '(x)')).toMatchObject({ type: LineType.Event, event: 'ev', phase: SyscallPhase.None, body: '' });
    expect(within('', 'a-1 [000] 1.0: sys_x(fd: 1', ')')).toEqual({ type: LineType.Bad, note: 'syscall arguments cut short (no closing parenthesis)' });
    expect(within('', 'a-1 [000] 1.0:   ', 'ev: x')).toEqual({ type: LineType.Bad, note: 'no event name after the timestamp' });
  });
});

describe('parseFtraceLine: field edges', () => {
  it('latin1 text: every character is one byte', () => {
    expect(parse('caf\u00e9-1 [000] 1.0: ev: x\u00e9y')).toMatchObject({ comm: 'caf\u00e9', pid: 1, body: 'x\u00e9y' });
  });

  it('a systrace line escaped with "\\n\\" at its end: only that exact ending is cut', () => {
    expect(parse('a-1 [002] 3.0: ev: azn\\').body).toBe('azn\\');
    expect(parse('a-1 [002] 3.0: ev: a\\z\\').body).toBe('a\\z\\');
    expect(parse('a-1 [002] 3.0: ev: a\\nz').body).toBe('a\\nz');
    expect(parse('\\n\\')).toEqual({ type: LineType.Blank });
  });

  it('a buffer marker is five #', () => {
    expect(parse('#####')).toEqual({ type: LineType.Marker });
    for (const l of ['####x', '###x#', '##x##', '#x###']) expect(parse(l), l).toEqual({ type: LineType.Comment });
  });

  it('lost events: blanks after "CPU:" and before "[", a CPU number of two digits', () => {
    expect(parse('CPU: 3 [LOST 2 EVENTS]')).toEqual({ type: LineType.LostEvents, cpu: 3, note: '2' });
    expect(parse('CPU:12  [LOST 2 EVENTS]')).toEqual({ type: LineType.LostEvents, cpu: 12, note: '2' });
    expect(parse('CPU:abc')).toEqual({ type: LineType.Bad, note: 'no "[CPU]" field: not an ftrace event line' });
  });

  it('the CPU field is digits in brackets after a blank', () => {
    expect(parse('a-1 x12] 1.0: ev')).toEqual({ type: LineType.Bad, note: 'no "[CPU]" field: not an ftrace event line' });
    expect(parse('a-1 [] 1.0: ev')).toEqual({ type: LineType.Bad, note: 'no "[CPU]" field: not an ftrace event line' });
    expect(parse(' [000] 1.0: ev')).toEqual({ type: LineType.Bad, note: 'no "[CPU]" field: not an ftrace event line' });
  });

  it('COMM-PID and (TGID): an empty comm, a blank that is no dash, a tab before the TGID, a TGID at the line start', () => {
    expect(parse('-12 [000] 1.0: ev')).toMatchObject({ type: LineType.Event, comm: '', pid: 12 });
    expect(parse('x 12 [000] 1.0: ev')).toEqual({ type: LineType.Bad, note: 'no "COMM-PID" before the CPU field' });
    expect(parse('a-1\t(12) [000] 1.0: ev')).toMatchObject({ type: LineType.Event, comm: 'a', pid: 1, tgid: 12 });
    expect(parse('(12) [000] 1.0: ev')).toEqual({ type: LineType.Bad, note: 'no "COMM-PID" before the CPU field' });
  });

  it('the timestamp needs digits before its point and only a point between', () => {
    expect(parse('a-1 [000] .5: ev')).toEqual({ type: LineType.Bad, note: 'timestamp is not a number' });
    expect(parse('a-1 [000] 1x5: ev')).toEqual({ type: LineType.Bad, note: 'timestamp is not a number' });
  });

  it('the body starts after "EVENT:" and one blank; an exit is exactly " -> "', () => {
    expect(parse('a-1 [000] 1.0: ev:x')).toMatchObject({ event: 'ev', body: 'x' });
    expect(parse('a-1 [000] 1.0: sys_x -> ')).toMatchObject({ event: 'sys_x', phase: SyscallPhase.Exit, body: '' });
    for (const l of ['a-1 [000] 1.0: ev x> 1', 'a-1 [000] 1.0: ev -x 1', 'a-1 [000] 1.0: ev ->x1']) {
      expect(parse(l), l).toMatchObject({ type: LineType.Event, event: 'ev', phase: SyscallPhase.None, body: l.slice(18) });
    }
  });

  it('two names with the same hash are two names', () => {
    // "Aa" and "BB" hash alike (h = 31 h + c): the second is not taken for the first
    expect(parse('a-1 [000] 1.0: ev_Aa: x').event).toBe('ev_Aa');
    expect(parse('a-1 [000] 1.0: ev_BB: x').event).toBe('ev_BB');
    expect(parse('a-1 [000] 1.0: ev_Aa: x').event).toBe('ev_Aa');
  });
});

function bodyFields(type: LineType, ev: EventFields) {
  return type === LineType.Event ? { type, event: ev.event, phase: ev.phase, body: ev.body } : { type, note: ev.note };
}

describe('parseFtraceBytes', () => {
  it('a line at an offset with more text after it: the body ends where the line does', () => {
    for (const line of ['a-1 [002] 3.0: ev: body', 'fio-1 [000] 1.0: sys_pread64 -> 0x1000', 'a-1 [002] 3: func <-parent']) {
      const ev = newEventFields();
      const bytes = Buffer.from(`xxxxxxx${line}\nnext line`, 'latin1');
      const text = bytes.toString('latin1', 7);
      const at = bodyFields(parseFtraceBytes(bytes, 7, text, 0, line.length, ev), ev);
      const alone = newEventFields();
      expect(at, line).toEqual(bodyFields(parseFtraceLine(line, alone), alone));
    }
  });
});

describe('parseFtraceLine', () => {
  it('" ->" cut by the end of the line is no exit', () => {
    const ev = newEventFields();
    const text = 'a-1 [000] 1.0: sys_x -> 0x1';
    expect(bodyFields(parseFtraceLine(text, ev, 0, text.length - 4), ev)).toEqual({ type: LineType.Event, event: 'sys_x', phase: SyscallPhase.None, body: '->' });
  });

  it('names of equal hash that differ in every character', () => {
    const ev = newEventFields();
    parseFtraceLine('a-1 [000] 1.0: Aa: x', ev);
    expect(ev.event).toBe('Aa');
    parseFtraceLine('a-1 [000] 1.0: BB: x', ev);
    expect(ev.event).toBe('BB');
  });
});
