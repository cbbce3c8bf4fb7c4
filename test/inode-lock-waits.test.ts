import { describe, expect, it } from 'vitest';
import { ContentionTracker, InodeLockPlace } from '../src/import/contention.js';
import { loadTrace } from '../src/import/index.js';
import { trace } from './helpers.js';

describe('the inode lock (i_rwsem) without xfs_ilock events: classed by where the wait is', () => {
  it('a plain rwsem wait at a read or write syscall\'s start is IOLOCK, with its spin from the syscall\'s start; later waits in syscalls on that address too', () => {
    const t = new ContentionTracker();
    t.begin(1, 100, '00000000aaaa0001 (flags=WRITE)', 3, InodeLockPlace.ReadWriteStart, 95);
    expect(t.end(1, 'fio', 150, '00000000aaaa0001 (ret=0)')).toMatchObject({ caller: 'IOLOCK', target: 'lock:00000000aaaa0001', waitNs: 50, spinNs: 5 });
    // a punch's wait on the same lock (inside a syscall, after nothing that names a class)
    t.begin(2, 200, '00000000aaaa0001 (flags=WRITE)', 7, InodeLockPlace.Syscall, 190);
    const punch = t.end(2, 'fio', 260, '00000000aaaa0001 (ret=0)');
    expect(punch).toMatchObject({ caller: 'IOLOCK', waitNs: 60 });
    expect(punch?.spinNs).toBeUndefined();
    // a wait on another lock inside a syscall (btrfs's punch takes its own mmap lock after i_rwsem)
    t.begin(2, 300, '00000000bbbb0001 (flags=WRITE)', 9, InodeLockPlace.Syscall, 290);
    expect(t.end(2, 'fio', 310, '00000000bbbb0001 (ret=0)')).toMatchObject({ caller: 'unknown' });
  });

  it('not i_rwsem: outside a syscall, a percpu rwsem (sb_start_write) or a spinning or mutex wait, at a syscall\'s start or not', () => {
    const t = new ContentionTracker();
    const cls = (body: string, place: InodeLockPlace): string | undefined => {
      t.begin(1, 100, body, 1, place, 90);
      return t.end(1, 'fio', 120, body.replace(/\(flags=.*\)/, '(ret=0)'))?.caller;
    };
    expect(cls('00000000cccc0001 (flags=WRITE)', InodeLockPlace.None)).toBe('unknown');
    expect(cls('00000000cccc0002 (flags=PERCPU|READ)', InodeLockPlace.ReadWriteStart)).toBe('unknown');
    expect(cls('00000000cccc0003 (flags=SPIN|WRITE)', InodeLockPlace.ReadWriteStart)).toBe('spinlock');
    expect(cls('00000000cccc0004 (flags=MUTEX)', InodeLockPlace.ReadWriteStart)).toBe('unknown');
    // an address first seen outside a read or write start is not learned as i_rwsem
    expect(cls('00000000cccc0005 (flags=WRITE)', InodeLockPlace.Syscall)).toBe('unknown');
  });

  it('an xfs_ilock before the wait still names it (XFS captures are classed as before)', () => {
    const t = new ContentionTracker();
    t.ilock(1, 'MMAPLOCK_EXCL', '7:0:133', 90);
    t.begin(1, 100, '00000000dddd0001 (flags=WRITE)', 3, InodeLockPlace.ReadWriteStart, 80);
    expect(t.end(1, 'fio', 150, '00000000dddd0001 (ret=0)')).toMatchObject({ caller: 'MMAPLOCK', target: '7:0:133', spinNs: 10 });
  });

  it('ext4-contended-mixed (ext4, no xfs_ilock): the writes\', direct reads\' and punches\' rwsem waits are IOLOCK, none of them left unknown', async () => {
    const { ops, locks } = await loadTrace(trace('ext4-contended-mixed.trace.gz'), { keepLocks: true });
    const waits = locks.filter((l) => l.event === 'contention');
    const rwsem = (l: { mode: string }) => l.mode === 'READ' || l.mode === 'WRITE';
    const iolock = waits.filter((l) => l.caller === 'IOLOCK');
    // (counted from the trace: plain rwsem waits before each syscall's first filesystem event, 211 in
    // pread64 (READ), 161 in pwrite64 and 52 in fallocate (WRITE))
    expect(iolock.length).toBe(424);
    expect(new Set(iolock.map((l) => l.mode))).toEqual(new Set(['READ', 'WRITE']));
    // all on one lock: the file's i_rwsem
    expect(new Set(iolock.map((l) => l.target)).size).toBe(1);
    // the rwsem waits left unknown are not in fio's read, write or fallocate syscalls
    const byPidOps = new Map<number, typeof ops>();
    for (const o of ops) (byPidOps.get(o.pid) ?? byPidOps.set(o.pid, []).get(o.pid)!).push(o);
    const inOp = (l: { pid: number; tsNs: number; waitNs?: number }, kinds: string[]) => (byPidOps.get(l.pid) ?? []).some((o) => kinds.includes(o.kind) && o.tsNs <= l.tsNs - (l.waitNs ?? 0) && l.tsNs <= o.tsNs + (o.durNs ?? 0));
    const left = waits.filter((l) => l.caller === 'unknown' && rwsem(l));
    expect(left.filter((l) => inOp(l, ['write', 'dio-read', 'punch']))).toEqual([]);
  });
});
