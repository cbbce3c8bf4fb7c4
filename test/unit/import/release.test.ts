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
    for (let i = 0; i < 2100; i++) lines.push(C('fio', 6, 2 + i * 0.001, 'sched_switch: prev_comm=fio'));
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
    for (let i = 0; i < 2100; i++) lines.push(C('fio', 6, 60_000 + i, 'sched_switch: prev_comm=fio'));
    lines.push(C('fio', 5, 70_000, 'mm_filemap_fault: dev=7:0 ino=85 ofs=8192'), '');
    const r = await imported(HEADER + lines.join('\n'));
    expect(r.ops.map(brief)).toEqual([
      '0 fault-read 7:0:133 4096+4096 pid 5 fio proc pid:5 ts 400000000000 dur 1000 line 5',
      '1 fault-read 7:0:133 8192+4096 pid 5 fio proc pid:5 ts 400070000000 dur 0 line 2107',
    ]);
  });
});
