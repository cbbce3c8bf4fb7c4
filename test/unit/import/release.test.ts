/** When the op builder releases ops: late file identification (aliases), syscalls open too long. */
import { describe, expect, it } from 'vitest';
import { brief, HEADER, imported, load } from './helpers.js';

const C = (comm: string, pid: number, tUs: number, ev: string): string => `${comm.padStart(16)}-${pid}   [000] .....   ${(400 + tUs / 1e6).toFixed(6)}: ${ev}`;

describe('release order and late identification', () => {
  it('an fd identified after its first op was released: the op is renamed through the summary\'s aliases', async () => {
    const lines = [
      C('fio', 5, 0, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C('fio', 5, 1, 'sys_pwrite64 -> 0x1000'),
    ];
    for (let i = 0; i < 2100; i++) lines.push(C('fio', 6, 2 + i * 0.001, 'sched_stat_runtime: comm=fio'));
    lines.push(
      C('fio', 5, 10, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x1000)'),
      C('fio', 5, 11, 'xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x0 pos 0x1000 bytecount 0x1000'),
      C('fio', 5, 12, 'sys_pwrite64 -> 0x1000'),
      '',
    );
    const text = HEADER + lines.join('\n');
    const streamed = await imported(text);
    expect(streamed.ops.map((o) => o.file)).toEqual(['fd:5:3', '7:0:133']);
    expect(streamed.summary.fileAliases).toEqual({ 'fd:5:3': '7:0:133' });
    expect(streamed.summary.ops.byFile).toEqual({ '7:0:133': { write: 2 } });
    expect(streamed.summary.notes).toEqual([
      '1 provisional file keys were identified after their first ops were released (fd:5:3 → 7:0:133): replay renames them',
      '1 syscalls named no inode inside (0 fds stay "fd:PID:FD": nothing in the trace identifies their file; `lockreplay record` writes the traced processes\' open files into the capture)',
    ]);
    const loaded = await load(text);
    expect(loaded.ops.map(brief)).toEqual([
      '0 write 7:0:133 0+4096 pid 5 fio proc pid:5 ts 400000000000 dur 1000 line 5',
      '1 write 7:0:133 4096+4096 pid 5 fio proc pid:5 ts 400000010000 dur 2000 line 2107',
    ]);
    expect(loaded.summary.lines.skipped).toEqual({ 'header-comment': 4, 'irrelevant-event': 2100 });
  });

  it('a fault episode idle for 50 ms is closed, so later ops are not held back', async () => {
    const lines = [
      C('fio', 5, 0, 'page_fault_user: address=0x7f ip=0x7f error_code=0x4'),
      C('fio', 5, 1, 'mm_filemap_fault: dev=7:0 ino=85 ofs=4096'),
    ];
    for (let i = 0; i < 2100; i++) lines.push(C('fio', 6, 60_000 + i, 'sched_stat_runtime: comm=fio'));
    lines.push(C('fio', 5, 70_000, 'mm_filemap_fault: dev=7:0 ino=85 ofs=8192'), '');
    const r = await imported(HEADER + lines.join('\n'));
    expect(r.ops.map(brief)).toEqual([
      '0 fault-read 7:0:133 4096+4096 pid 5 fio proc pid:5 ts 400000000000 dur 1000 line 5',
      '1 fault-read 7:0:133 8192+4096 pid 5 fio proc pid:5 ts 400070000000 dur 0 line 2107',
    ]);
  });
});

describe('inodeKey and parseSyscallReturn', () => {
  it('inodeKey reads the device and the inode in the subsystem\'s radix, skipping "ino" inside other words', async () => {
    const { inodeKey, parseSyscallReturn } = await import('../../../src/import/event-fields.js');
    expect(inodeKey('dev 7:0 ino 0x85 disize 0x0', 16)).toBe('7:0:133');
    expect(inodeKey('dev 7:0 ino 0x85 pos 0x1', 16)).toBe('7:0:133');
    expect(inodeKey('dev 7:0 ino 0x851 pos 0x1', 16)).toBe('7:0:2129');
    expect(inodeKey('dev 7:0 ino 85', 16)).toBe('7:0:133');
    expect(inodeKey('dev 254,0 ino 2154529 pos 0', 10)).toBe('254:0:2154529');
    expect(inodeKey('dev 254,0 ino 2154529', 10)).toBe('254:0:2154529');
    expect(inodeKey('dev=254:0 ino=52db4 ofs=0-4095', 16)).toBe('254:0:339380');
    expect(inodeKey('dev = (8,1), ino = 12, pos = 0', 10)).toBe('8:1:12');
    expect(inodeKey('bdi 254:0: cgroup_ino=1 ino=77', 10)).toBe('254:0:77');
    expect(inodeKey('bdi 254:0: cgroup_ino=1', 10)).toBeUndefined();
    expect(inodeKey('dev 7:0 pos 1', 16)).toBeUndefined();
    expect(inodeKey('dev 7:0 ino x', 16)).toBeUndefined();
    expect(inodeKey('no device', 16)).toBeUndefined();
    expect(parseSyscallReturn(' 0x1000 ')).toBe(4096);
    expect(parseSyscallReturn('0xfffffffffffffff2')).toBe(-14);
    expect(parseSyscallReturn('0x7fffffffffffffff')).toBe(2 ** 63 - 1);
    expect(parseSyscallReturn('0x8000000000000000')).toBe(-(2 ** 63));
    expect(parseSyscallReturn('0x0fffffffffffffff')).toBe(0x0fffffffffffffff);
    expect(parseSyscallReturn('-2')).toBe(-2);
    expect(parseSyscallReturn('4096')).toBe(4096);
    expect(parseSyscallReturn('x')).toBeNaN();
  });
});

describe('files named by a backing device', () => {
  it('the recorder\'s bdi header maps a name; without it the one numeric key with the inode does; btrfs trees are metadata', async () => {
    const lines = [
      '# lockreplay bdi: btrfs-1 0:40',
      C('kw', 2, 0, 'writeback_single_inode: bdi btrfs-1: ino=257 state=I_SYNC wrote=3'),
      C('kw', 2, 1, 'writeback_single_inode: bdi btrfs-2: ino=300 state=I_SYNC wrote=3'),
      C('kw', 2, 2, 'writeback_single_inode: bdi btrfs-1: ino=1 state=I_SYNC wrote=3'),
      C('fio', 3, 3, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x1000, pos: 0x0)'),
      C('fio', 3, 4, 'xfs_file_buffered_write: dev 0:41 ino 0x12c disize 0x0 pos 0x0 bytecount 0x1000'),
      C('fio', 3, 5, 'sys_pwrite64 -> 0x1000'),
      C('fio', 3, 6, 'f2fs_write_begin: dev = (8,1), ino = 12, pos = 0, len = 4096, flags = 0'),
      C('fio', 3, 7, 'f2fs_sync_file_enter: dev = (8,1), ino = 12, pos = 0, len = 4096'),
      '',
    ];
    const r = await load(`# tracer: nop\n${lines.join('\n')}`);
    expect(r.ops.map((o) => `${o.kind} ${o.file}`)).toEqual(['writeback 0:40:257', 'writeback 0:41:300', 'write 0:41:300', 'write 8:1:12', 'fsync 8:1:12']);
    expect(r.summary.fileAliases).toEqual({ 'btrfs-2:300': '0:41:300' });
    expect(r.summary.lines.skipped).toEqual({ 'file-identity-comment': 1, 'filesystem-metadata': 1, 'header-comment': 1 });
  });
});
