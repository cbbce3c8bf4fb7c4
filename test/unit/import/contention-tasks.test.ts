/** The contention tracker keeps each task's last lock call apart, whichever task it looked up last. */
import { describe, expect, it } from 'vitest';
import { ContentionTracker } from '../../../src/import/contention.js';

describe('contention tracker, interleaved tasks', () => {
  it("a task's xfs_ilock call names its next wait; another task's events do not clear it, its own do", () => {
    const c = new ContentionTracker();
    c.ilock(7, 'IOLOCK_EXCL', '7:0:131', 100);
    c.other(8); // another task's event (no context yet: none is made)
    c.ilock(8, 'MMAPLOCK_SHARED', '7:0:132', 105);
    c.other(8);
    c.begin(7, 110, '000000008abe1a57 (flags=WRITE)', 3);
    c.begin(8, 112, '000000008abe1a58 (flags=READ)', 4);
    const a = c.end(7, 'fio', 150, '000000008abe1a57 (ret=0)');
    const b = c.end(8, 'fio', 160, '000000008abe1a58 (ret=0)');
    expect(a).toMatchObject({ pid: 7, target: '7:0:131', caller: 'IOLOCK', waitNs: 40, spinNs: 10 });
    expect(b).toMatchObject({ pid: 8, target: 'lock:000000008abe1a58', caller: 'unknown', waitNs: 48 });
    // an end on a task with no context is one without a begin
    expect(c.end(9, 'fio', 170, '000000008abe1a58 (ret=0)')).toBeUndefined();
    expect(c.endsWithoutBegin).toBe(1);
    expect(c.unfinished()).toBe(0);
  });
});
