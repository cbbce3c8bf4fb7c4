/**
 * A syscall open for longer than the op builder buffers (40,000 lines) is released early. Apart
 * from test/unit/ (which npm run mutate runs per mutant): it imports 42,000 lines.
 */
import { describe, expect, it } from 'vitest';
import { brief, HEADER, imported } from './unit/import/helpers.js';

const C = (comm: string, pid: number, tUs: number, ev: string): string => `${comm.padStart(16)}-${pid}   [000] .....   ${(400 + tUs / 1e6).toFixed(6)}: ${ev}`;

describe('release order', () => {
  it('a syscall open for longer than the builder buffers is released early, its exit counted with it', async () => {
    const lines = [C('fio', 5, 0, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x2000, pos: 0x1000)')];
    for (let i = 0; i < 42_000; i++) lines.push(C('fio', 6, 1 + i * 0.001, `xfs_ilock: dev 7:0 ino 0x85 flags ILOCK_SHARED caller x${i % 3}`));
    lines.push(C('fio', 5, 100, 'sys_pwrite64 -> 0x2000'), '');
    const r = await imported(HEADER + lines.join('\n'));
    expect(r.ops.map(brief)).toEqual(['0 write fd:5:3 4096+8192 pid 5 fio proc pid:5 ts 400000000000 line 5']);
    expect(r.locks).toHaveLength(42_000);
    expect(r.summary.lines.skipped).toEqual({ 'exit-of-syscall-released-early': 1, 'header-comment': 4 });
    expect(r.summary.lines.used).toBe(42_001);
    expect(r.summary.notes).toContain('1 syscalls stayed open so long that they were released before their exit (length as requested, duration modelled)');
  });

  it('whether lock records are kept or not (a replay keeps none), a syscall that never ends gives the same op', async () => {
    const lines = [C('tail', 5, 0, 'sys_read(fd: 0, buf: 0x1, count: 0x2000)')];
    for (let i = 0; i < 42_000; i++) lines.push(C('fio', 6, 1 + i * 0.001, `xfs_ilock: dev 7:0 ino 0x85 flags ILOCK_SHARED caller x${i % 3}`));
    lines.push(C('fio', 6, 100, 'sys_pwrite64(fd: 3, buf: 0x1, count: 0x2000, pos: 0x1000)'), C('fio', 6, 101, 'sys_pwrite64 -> 0x2000'), '');
    const kept = await imported(HEADER + lines.join('\n'));
    const none = await imported(HEADER + lines.join('\n'), { keepLocks: false });
    expect(none.ops.map(brief)).toEqual(kept.ops.map(brief));
    expect(kept.ops.map((o) => `${o.pid} ${o.kind} ${o.file}`)).toEqual(['5 read fd:5:0', '6 write fd:6:3']);
    expect(none.locks).toEqual([]);
    expect(none.summary.lines.skipped['lock-event']).toBe(42_000);
  });

});
