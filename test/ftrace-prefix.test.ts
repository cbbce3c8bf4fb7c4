import { describe, expect, it } from 'vitest';
import { LineType, newEventFields, parseFtraceLine, SyscallPhase } from '../src/import/ftrace-prefix.js';
import { inodeKey, parseSyscallReturn } from '../src/import/event-fields.js';

function parse(line: string) {
  const ev = newEventFields();
  const type = parseFtraceLine(line, ev);
  const { pid, tgid, cpu, tsNs, event, phase, note } = ev;
  return { type, pid, tgid, cpu, tsNs, event, phase, note, comm: ev.comm, body: ev.body };
}

describe('ftrace line prefix (trace-formats.md §1.1)', () => {
  it('5-character irq flags (Linux >= 5.13)', () => {
    const r = parse('             fio-12734   [001] .....   617.720890: xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x4000000 pos 0x3dc000 bytecount 0x1000');
    expect(r.type).toBe(LineType.Event);
    expect(r).toMatchObject({ comm: 'fio', pid: 12734, cpu: 1, tsNs: 617_720_890_000, event: 'xfs_file_buffered_write', tgid: -1 });
    expect(r.body).toBe('dev 7:0 ino 0x85 disize 0x4000000 pos 0x3dc000 bytecount 0x1000');
  });

  it('4-character flags, no flags at all, and no leading padding', () => {
    expect(parse('          <idle>-0     [000] d..4  1212.465074: sched_wakeup: comm=ksoftirqd/0 pid=3')).toMatchObject({ comm: '<idle>', pid: 0, event: 'sched_wakeup' });
    expect(parse('          atrace-14662 [000] 50260.647576: sched_switch: prev_comm=atrace')).toMatchObject({ comm: 'atrace', pid: 14662, tsNs: 50260_647_576_000 });
    expect(parse('atrace-14446 [000] ...2  1212.465062: sched_switch: x')).toMatchObject({ comm: 'atrace', pid: 14446 });
  });

  it('comms with dashes, slashes, spaces, and <...>', () => {
    expect(parse('    jbd2/sda16-8-578   [002] .....   10.000001: ext4_sync_file_enter: dev 8,22 ino 12 parent 2 datasync 0 ')).toMatchObject({ comm: 'jbd2/sda16-8', pid: 578 });
    expect(parse('    sshd-session-1082    [004] d..4.  5041.239906: switch: x')).toMatchObject({ comm: 'sshd-session', pid: 1082 });
    expect(parse('     Web Content-4242  [000] .....   1.000000: mm_filemap_fault: dev=7:0 ino=85 ofs=0')).toMatchObject({ comm: 'Web Content', pid: 4242 });
    expect(parse('           <...>-1297  [001]  3843.734440: ext4_da_write_end:    dev 8,13 ino 5898483 pos 0 len 4096 copied 4096')).toMatchObject({ comm: '<...>', pid: 1297 });
    expect(parse('    kworker/u8:0-12      [001] .....   617.912940: ext4_sync_file_enter: dev 254,0 ino 2149052')).toMatchObject({ comm: 'kworker/u8:0', pid: 12 });
  });

  it('the TGID column in every width, including (-----)', () => {
    expect(parse(' ndroid.systemui-13580 (13580) [001] ...1 683202.104223: tracing_mark_write: S|13580|x|263')).toMatchObject({ comm: 'ndroid.systemui', pid: 13580, tgid: 13580 });
    expect(parse('          <idle>-0     (-----) [006] ....    10.258854: sched_switch: x')).toMatchObject({ pid: 0, tgid: -1, cpu: 6 });
    expect(parse('           <...>-882   (  882) [003] .... 10852.771186: event: event: abc')).toMatchObject({ pid: 882, tgid: 882 });
    expect(parse('ksoftirqd/0-3 ( 3) [000] ...2  1212.465092: sched_switch: x')).toMatchObject({ comm: 'ksoftirqd/0', pid: 3, tgid: 3 });
  });

  it('TAB indentation, CRLF handled by the splitter, and JS-escaped systrace lines', () => {
    expect(parse('\t\t<idle>-0     [000] d..4  1212.465074: cpu_idle: state=1')).toMatchObject({ comm: '<idle>', event: 'cpu_idle' });
    const r = parse(' irq/409-inv_irq-99    [000] 50260.767463: sched_wakeup: comm=SensorService pid=373\\n\\');
    expect(r).toMatchObject({ comm: 'irq/409-inv_irq', pid: 99 });
    expect(r.body).toBe('comm=SensorService pid=373');
  });

  it('the kernel syscall rendering: enter with arguments, exit with a return value', () => {
    const e = parse('             fio-12730   [001] .....   617.728394: sys_pread64(fd: 3, buf: 0x7ffc998fa250, count: 0x310, pos: 0x40)');
    expect(e).toMatchObject({ event: 'sys_pread64', phase: SyscallPhase.Enter, body: 'fd: 3, buf: 0x7ffc998fa250, count: 0x310, pos: 0x40' });
    const x = parse('             fio-12730   [001] .....   617.728396: sys_pread64 -> 0x310');
    expect(x).toMatchObject({ event: 'sys_pread64', phase: SyscallPhase.Exit, body: '0x310' });
    expect(parseSyscallReturn('0x310')).toBe(0x310);
    expect(parseSyscallReturn('0xfffffffffffffff2')).toBe(-14);
    expect(parseSyscallReturn('-2')).toBe(-2);
  });

  it('nanosecond timestamps (trace-cmd -t) and raw counters', () => {
    expect(parse('   a-1 [000] ..... 12.123456789: e: x').tsNs).toBe(12_123_456_789);
    expect(parse('   a-1 [000] .....  123456789012: e: x').tsNs).toBe(123456789012e9);
  });

  it('non-event lines: header, blank, lost events, markers; garbage is Bad with a reason', () => {
    expect(parse('# tracer: nop').type).toBe(LineType.Comment);
    expect(parse('   ').type).toBe(LineType.Blank);
    const lost = parse('CPU:2 [LOST 1234 EVENTS]');
    expect(lost.type).toBe(LineType.LostEvents);
    expect(lost.note).toBe('1234');
    expect(parse('##### CPU 2 buffer started ####').type).toBe(LineType.Marker);
    const g = parse('hello world');
    expect(g.type).toBe(LineType.Bad);
    expect(g.note).toMatch(/CPU/);
    expect(parse('             fio-12730   [001] .....   617.7283').type).toBe(LineType.Bad); // truncated
    expect(parse('             fio-12730   [001] .?...   617.728394: e: x').type).toBe(LineType.Bad);
  });
});

describe('inode and device notations all resolve to one file key (§2 table)', () => {
  it.each([
    ['dev 7:0 ino 0x85 flags IOLOCK_EXCL', 16, '7:0:133'],
    ['dev=7:0 ino=85 ofs=0', 16, '7:0:133'],
    ['dev 254,0 ino 2154529 pos 0 len 4096', 10, '254:0:2154529'],
    ['dev 254:0 ino 0x20e021 size 0x4000000', 16, '254:0:2154529'],
    ['dev=254:0 ino=20e021 ofs=0-4095', 16, '254:0:2154529'],
    ['dev = (7,0), ino = 121, pos = 0', 10, '7:0:121'],
  ] as const)('%s', (body, radix, key) => {
    expect(inodeKey(body, radix)).toBe(key);
  });
});
