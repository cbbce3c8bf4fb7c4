import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentionTracker, InodeLockPlace } from '../src/import/contention.js';
import { loadTrace } from '../src/import/index.js';
import { removeObservedWaits } from '../src/replay/observed-waits.js';
import { fioLine, loadAccounted, trace, writeLines } from './helpers.js';

describe('review: i_rwsem waits without xfs_ilock', () => {
  it('a punch\'s wait on a lock that a write\'s wait names i_rwsem while the punch still waits is IOLOCK (the class is settled when the wait ends)', () => {
    const t = new ContentionTracker();
    // the punch waits first: nothing has named the address yet
    t.begin(1, 100, '00000000aaaa0001 (flags=WRITE)', 3, InodeLockPlace.Syscall, 95);
    // a write queues behind it at its start: the address is i_rwsem
    t.begin(2, 120, '00000000aaaa0001 (flags=WRITE)', 5, InodeLockPlace.ReadWriteStart, 118);
    const punch = t.end(1, 'fio', 300, '00000000aaaa0001 (ret=0)');
    expect(punch).toMatchObject({ caller: 'IOLOCK', waitNs: 200 });
    expect(punch?.spinNs).toBeUndefined();
    expect(t.end(2, 'fio', 400, '00000000aaaa0001 (ret=0)')).toMatchObject({ caller: 'IOLOCK', spinNs: 2 });
    // a wait in a syscall outside a read or write start on an address never named so stays unknown
    t.begin(3, 500, '00000000bbbb0001 (flags=WRITE)', 9, InodeLockPlace.Syscall, 490);
    expect(t.end(3, 'fio', 510, '00000000bbbb0001 (ret=0)')).toMatchObject({ caller: 'unknown' });
    // and so does a wait outside any syscall on an address named i_rwsem while it waited
    t.begin(4, 600, '00000000cccc0001 (flags=READ)', 11, InodeLockPlace.None, NaN);
    t.begin(5, 610, '00000000cccc0001 (flags=WRITE)', 12, InodeLockPlace.ReadWriteStart, 605);
    expect(t.end(4, 'kworker', 700, '00000000cccc0001 (ret=0)')).toMatchObject({ caller: 'unknown' });
  });

  it('btrfs-mix-issue: the punch that waited first on the file\'s i_rwsem, while a write queued behind it, is IOLOCK too', async () => {
    const { ops, locks } = await loadTrace(trace('btrfs-mix-issue.trace.gz'), { keepLocks: true });
    const waits = locks.filter((l) => l.event === 'contention');
    const inPunch = (l: { pid: number; tsNs: number; waitNs?: number }) => ops.some((o) => o.kind === 'punch' && o.pid === l.pid && o.tsNs <= l.tsNs - (l.waitNs ?? 0) && l.tsNs <= o.tsNs + (o.durNs ?? 0));
    const iolockTargets = new Set(waits.filter((l) => l.caller === 'IOLOCK').map((l) => l.target));
    expect(iolockTargets.size).toBe(1);
    const punchWaits = waits.filter((l) => iolockTargets.has(l.target) && inPunch(l));
    // (counted from the trace: 9 fallocate waits on that address, the first at line 9216)
    expect(punchWaits.length).toBe(9);
    expect(punchWaits.filter((l) => l.caller !== 'IOLOCK')).toEqual([]);
  });

  it('a second i_rwsem wait in one write (ext4 takes it shared, then again exclusive) spins from the first wait\'s end, not again from the syscall\'s start', () => {
    const t = new ContentionTracker();
    t.begin(1, 100, '00000000dddd0001 (flags=READ)', 3, InodeLockPlace.ReadWriteStart, 90);
    expect(t.end(1, 'fio', 200, '00000000dddd0001 (ret=0)')).toMatchObject({ caller: 'IOLOCK', waitNs: 100, spinNs: 10 });
    t.begin(1, 210, '00000000dddd0001 (flags=WRITE)', 5, InodeLockPlace.ReadWriteStart, 90);
    expect(t.end(1, 'fio', 260, '00000000dddd0001 (ret=0)')).toMatchObject({ caller: 'IOLOCK', waitNs: 50, spinNs: 10 });
  });

  it('the waits and spins removed from a write\'s service time are never more than its time: two i_rwsem waits of one write, imported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-irwsem-'));
    const path = writeLines(dir, 'relock.trace', [
      '# tracer: nop',
      fioLine(100, 10, 'sys_pwrite64(fd: 3, buf: 0x7f0000000000, count: 0x1000, pos: 0x0)'),
      fioLine(100, 20, 'contention_begin: 00000000eeee0001 (flags=READ)'),
      fioLine(100, 120, 'contention_end: 00000000eeee0001 (ret=0)'),
      fioLine(100, 130, 'contention_begin: 00000000eeee0001 (flags=WRITE)'),
      fioLine(100, 230, 'contention_end: 00000000eeee0001 (ret=0)'),
      fioLine(100, 240, 'ext4_da_write_begin: dev 254,0 ino 12 pos 0 len 4096'),
      fioLine(100, 250, 'sys_pwrite64 -> 0x1000'),
    ]);
    const { ops, locks } = await loadAccounted(path, { keepLocks: true });
    const waits = locks.filter((l) => l.event === 'contention');
    expect(waits.map((l) => [l.caller, l.spinNs])).toEqual([['IOLOCK', 10_000], ['IOLOCK', 10_000]]);
    expect(ops.map((o) => [o.kind, o.durNs])).toEqual([['write', 240_000]]);
    const service = new Float64Array([240_000]);
    const summary = removeObservedWaits(ops, service, waits, false);
    // two waits of 100 µs, 10 µs of spin before each: 20 µs of the write are its own
    expect(summary.removedNs).toBe(220_000);
    expect(service[0]).toBe(20_000);
  });

  it('a buffered read\'s wait before its first event (filemap_update_page takes the invalidate lock shared before mm_filemap_get_pages) is not i_rwsem, and does not name its lock so; a direct read\'s is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-irwsem-'));
    const pread = (pid: number, us: number, fd: number) => fioLine(pid, us, `sys_pread64(fd: ${fd}, buf: 0x7f0000000000, count: 0x1000, pos: 0x0)`);
    const punch = (pid: number, us: number, fd: number) => fioLine(pid, us, `sys_fallocate(fd: ${fd}, mode: 3, offset: 0x0, len: 0x1000)`);
    const path = writeLines(dir, 'reads.trace', [
      '# tracer: nop',
      // a buffered read waits on its mapping's invalidate lock (a punch holds it), then finds its pages
      pread(101, 10, 3),
      fioLine(101, 11, 'contention_begin: 00000000aaaa0001 (flags=READ)'),
      fioLine(101, 50, 'contention_end: 00000000aaaa0001 (ret=0)'),
      fioLine(101, 52, 'mm_filemap_get_pages: dev=254:0 ino=c ofs=0-4095'),
      fioLine(101, 55, 'sys_pread64 -> 0x1000'),
      // a punch's wait on that invalidate lock
      punch(102, 60, 3),
      fioLine(102, 61, 'contention_begin: 00000000aaaa0001 (flags=WRITE)'),
      fioLine(102, 80, 'contention_end: 00000000aaaa0001 (ret=0)'),
      fioLine(102, 85, 'sys_fallocate -> 0x0'),
      // a direct read waits on another file's i_rwsem, then a punch on that file
      pread(103, 100, 4),
      fioLine(103, 101, 'contention_begin: 00000000bbbb0001 (flags=READ)'),
      fioLine(103, 140, 'contention_end: 00000000bbbb0001 (ret=0)'),
      fioLine(103, 141, 'iomap_dio_rw_begin: dev 254:0 ino 0xd size 0x1000000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT dio_flags  aio 0'),
      fioLine(103, 150, 'sys_pread64 -> 0x1000'),
      punch(102, 160, 4),
      fioLine(102, 161, 'contention_begin: 00000000bbbb0001 (flags=WRITE)'),
      fioLine(102, 180, 'contention_end: 00000000bbbb0001 (ret=0)'),
      fioLine(102, 185, 'sys_fallocate -> 0x0'),
    ]);
    const { ops, locks } = await loadAccounted(path, { keepLocks: true });
    expect(ops.map((o) => o.kind)).toEqual(['read', 'punch', 'dio-read', 'punch']);
    const waits = locks.filter((l) => l.event === 'contention');
    expect(waits.map((l) => [l.target, l.caller, l.spinNs])).toEqual([
      ['lock:00000000aaaa0001', 'unknown', undefined],
      ['lock:00000000aaaa0001', 'unknown', undefined],
      ['lock:00000000bbbb0001', 'IOLOCK', 1_000],
      ['lock:00000000bbbb0001', 'IOLOCK', undefined],
    ]);
  });

  it('a wait at a write\'s start on another lock than the write\'s first wait is not i_rwsem, and does not name that lock so (a btrfs tree lock in the time update)', () => {
    const t = new ContentionTracker();
    // the write waits on i_rwsem, then on a tree lock before any filesystem event
    t.begin(1, 100, '00000000ffff0001 (flags=WRITE)', 3, InodeLockPlace.ReadWriteStart, 90);
    expect(t.end(1, 'fio', 200, '00000000ffff0001 (ret=0)')).toMatchObject({ caller: 'IOLOCK' });
    t.begin(1, 210, '00000000ffff0002 (flags=WRITE)', 5, InodeLockPlace.ReadWriteStart, 90);
    const tree = t.end(1, 'fio', 260, '00000000ffff0002 (ret=0)');
    expect(tree).toMatchObject({ caller: 'unknown' });
    expect(tree?.spinNs).toBeUndefined();
    // an fsync's wait on that tree lock stays unknown
    t.begin(2, 300, '00000000ffff0002 (flags=READ)', 7, InodeLockPlace.Syscall, 290);
    expect(t.end(2, 'fio', 320, '00000000ffff0002 (ret=0)')).toMatchObject({ caller: 'unknown' });
    // the next write's first wait is classed as before
    t.begin(1, 400, '00000000ffff0001 (flags=WRITE)', 9, InodeLockPlace.ReadWriteStart, 395);
    expect(t.end(1, 'fio', 450, '00000000ffff0001 (ret=0)')).toMatchObject({ caller: 'IOLOCK', spinNs: 5 });
  });
});
