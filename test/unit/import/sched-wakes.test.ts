/** sched_wakeup / sched_switch: a wakeup and the woken task's next switch-in are one wake record. */
import { describe, expect, it } from 'vitest';
import { switchNextPid, switchPrevPid, wakeupComm, wakeupPid, WakeTracker } from '../../../src/import/sched-wakes.js';
import { HEADER, imported } from './helpers.js';

const C = (pid: number, t: string, ev: string, comm = 'fio'): string => `${comm.padStart(16)}-${pid}   [000] d..2.   ${t}: ${ev}`;
const WAKE = (comm: string, pid: number) => `sched_wakeup: comm=${comm} pid=${pid} prio=120 target_cpu=001`;
const SWITCH = (prev: string, prevPid: number, state: string, next: string, nextPid: number) =>
  `sched_switch: prev_comm=${prev} prev_pid=${prevPid} prev_prio=120 prev_state=${state} ==> next_comm=${next} next_pid=${nextPid} next_prio=120`;

describe('sched event bodies', () => {
  it('ftrace\'s key=value form and trace-cmd\'s short form give the same pids', () => {
    expect(wakeupPid('comm=fio pid=1234 prio=120 target_cpu=001')).toBe(1234);
    expect(wakeupComm('comm=fio pid=1234 prio=120 target_cpu=001')).toBe('fio');
    // a comm with a space and a colon
    expect(wakeupPid('comm=Web Content:x pid=77 prio=120 target_cpu=000')).toBe(77);
    expect(wakeupComm('comm=Web Content:x pid=77 prio=120 target_cpu=000')).toBe('Web Content:x');
    expect(wakeupPid('fio:1234 [120] CPU:001')).toBe(1234);
    expect(wakeupPid('fio:1234 [120] success=1 CPU:001')).toBe(1234);
    expect(wakeupComm('kworker/u4:2:99 [120] CPU:001')).toBe('kworker/u4:2');
    const long = 'prev_comm=fio prev_pid=10 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120';
    expect([switchPrevPid(long), switchNextPid(long)]).toEqual([10, 0]);
    const short = 'fio:10 [120] S ==> kworker/u4:2:99 [120]';
    expect([switchPrevPid(short), switchNextPid(short)]).toEqual([10, 99]);
    expect(wakeupPid('garbage')).toBeNaN();
    expect(switchNextPid('prev_comm=fio prev_pid=10')).toBeNaN();
    expect(switchPrevPid('garbage')).toBeNaN();
    // a pid at the body's end; digits stop at the first other character; none is no pid
    expect(wakeupPid('comm=fio pid=1234')).toBe(1234);
    expect(wakeupPid('comm=fio pid=77x prio=120')).toBe(77);
    expect(wakeupPid('comm=fio pid= prio=120')).toBeNaN();
    expect(wakeupComm('comm=fio')).toBe('fio');
    expect(wakeupComm('garbage')).toBe('');
  });

  it('a wakeup pairs with the task\'s next switch-in; a switch-out first drops it (the task was still running)', () => {
    const t = new WakeTracker();
    expect(t.wakeup(5, 'fio', 100, 1)).toBe(false);
    expect(t.switchTo(6, 150)).toBeUndefined();
    expect(t.switchTo(5, 180)).toEqual({ pid: 5, comm: 'fio', wokenNs: 100, runNs: 180, line: 1 });
    expect(t.switchTo(5, 190)).toBeUndefined();
    t.wakeup(5, 'fio', 200, 2);
    expect(t.switchFrom(5)).toBe(true);
    expect(t.switchTo(5, 300)).toBeUndefined();
    t.wakeup(5, 'fio', 400, 3);
    expect(t.wakeup(5, 'fio', 410, 4)).toBe(true);
    expect(t.unfinished()).toBe(1);
  });
});

describe('importing sched events', () => {
  it('every line is accounted for; wakes are kept with the contention records, in time order', async () => {
    const r = await imported(HEADER + [
      // task 7 woken by 9 (in an interrupt on 9), runs 40 µs later on a switch from the idle task
      C(9, '1.000000', WAKE('fio', 7)),
      C(0, '1.000040', SWITCH('swapper/0', 0, 'R', 'fio', 7), '<idle>'),
      // a preempted task running again: no wake
      C(7, '1.000050', SWITCH('fio', 7, 'R', 'fio', 9)),
      C(9, '1.000060', SWITCH('fio', 9, 'S', 'fio', 7)),
      // a wakeup of a task still on its CPU, then its switch-out: no wake
      C(3, '1.000070', WAKE('fio', 7)),
      C(7, '1.000080', SWITCH('fio', 7, 'R', 'swapper/0', 0)),
      // unparsable, and a wakeup never followed by a switch-in
      C(7, '1.000090', 'sched_wakeup: nonsense'),
      C(7, '1.000100', WAKE('fio', 12)),
    ].join('\n') + '\n', { lenient: true });
    expect(r.locks).toEqual([{ tsNs: 1_000_040_000, pid: 7, comm: 'fio', target: '', event: 'sched-wake', mode: '', caller: '', line: 5, waitNs: 40_000 }]);
    expect(r.summary.lines.skipped).toMatchObject({
      'sched-switch-not-a-wake': 3, 'sched-wakeup-while-running': 1, 'sched-event-unparsed': 1, 'sched-wakeup-unfinished': 1,
    });
    expect(r.summary.lines.used).toBe(2);
    expect(r.summary.lines.bad).toBe(0);
    // counted apart from the lock events
    expect([r.summary.observedLocks, r.summary.schedWakes]).toEqual([0, 1]);
    // without lock records kept, the lines are lock events
    const bare = await imported(HEADER + [C(9, '1.000000', WAKE('fio', 7)), C(0, '1.000040', SWITCH('swapper/0', 0, 'R', 'fio', 7), '<idle>')].join('\n') + '\n', { keepLocks: false });
    expect(bare.locks).toEqual([]);
    expect(bare.summary.lines.skipped['lock-event']).toBe(2);
    expect(bare.summary.schedWakes).toBeUndefined();
  });

  it('a wakeup in an interrupt between a task\'s xfs_ilock and its contention_begin leaves the wait its class', async () => {
    const r = await imported(HEADER + [
      C(7, '1.000000', 'xfs_ilock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller xfs_ilock_for_iomap'),
      C(7, '1.000001', WAKE('fio', 8)),
      C(7, '1.000002', 'contention_begin: 00000000aaaa0001 (flags=WRITE)'),
      C(7, '1.000010', 'contention_end: 00000000aaaa0001 (ret=0)'),
    ].join('\n') + '\n', { lenient: true });
    expect(r.locks.find((l) => l.event === 'contention')).toMatchObject({ caller: 'IOLOCK', waitNs: 8000 });
  });

  it('--file keeps the wakes (they name no file)', async () => {
    const r = await imported(HEADER + [C(9, '1.000000', WAKE('fio', 7)), C(0, '1.000040', SWITCH('swapper/0', 0, 'R', 'fio', 7), '<idle>')].join('\n') + '\n', { files: new Set(['7:0:133']) });
    expect(r.locks.map((l) => l.event)).toEqual(['sched-wake']);
  });
});
