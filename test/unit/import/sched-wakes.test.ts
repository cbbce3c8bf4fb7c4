/** sched_wakeup / sched_switch: a wakeup and the woken task's next switch-in are one wake record. */
import { describe, expect, it } from 'vitest';
import { isSleepState, SleepTracker, switchNextPid, switchPrevComm, switchPrevPid, switchPrevState, wakeupComm, wakeupPid, WakeTracker } from '../../../src/import/sched-wakes.js';
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
    // the state the previous task is left in, and its comm
    expect([switchPrevState(long), switchPrevComm(long)]).toEqual(['S', 'fio']);
    expect([switchPrevState(short), switchPrevComm(short)]).toEqual(['S', 'fio']);
    const preempted = 'prev_comm=Web Content prev_pid=10 prev_prio=120 prev_state=R+ ==> next_comm=fio next_pid=11 next_prio=120';
    expect([switchPrevState(preempted), switchPrevComm(preempted)]).toEqual(['R+', 'Web Content']);
    expect(switchPrevState('kworker/u4:2:99 [120] D|K ==> fio:10 [120]')).toBe('D|K');
    expect(switchPrevComm('kworker/u4:2:99 [120] D|K ==> fio:10 [120]')).toBe('kworker/u4:2');
    expect([switchPrevState('garbage'), switchPrevComm('garbage')]).toEqual(['', '']);
    expect(switchPrevState('prev_comm=fio prev_pid=10 prev_prio=120 prev_state=D')).toBe('D');
    // R and R+ are preemptions; S, D, I, D|K... are sleeps; no state is neither
    expect(['R', 'R+', 'S', 'D', 'I', 'D|K', ''].map(isSleepState)).toEqual([false, false, true, true, true, true, false]);
  });

  it('a switch-out asleep pairs with the task\'s next switch-in; a second switch-out first replaces it', () => {
    const t = new SleepTracker();
    expect(t.switchOut(5, 'fio', 'S', 100, 1, false)).toBeUndefined();
    expect(t.switchIn(6, 150)).toBeUndefined();
    expect(t.switchIn(5, 180)).toEqual({ pid: 5, comm: 'fio', state: 'S', fromNs: 100, toNs: 180, line: 1, lineCounted: false });
    expect(t.switchIn(5, 190)).toBeUndefined();
    t.switchOut(5, 'fio', 'D', 200, 2, true);
    expect(t.switchOut(5, 'fio', 'S', 210, 3, false)).toEqual({ lineCounted: true });
    t.switchOut(7, 'fio', 'S', 220, 4, true);
    // (at the end: 5's line 3 is still to be accounted for, 7's was by a wake)
    expect(t.unfinishedLines()).toBe(1);
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
    // (9's switch-out asleep at 1.000060 never ends: its line is a sleep unfinished)
    expect(r.summary.lines.skipped).toMatchObject({
      'sched-switch-no-wake-or-sleep': 2, 'sched-sleep-unfinished': 1, 'sched-wakeup-while-running': 1, 'sched-event-unparsed': 1, 'sched-wakeup-unfinished': 1,
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

  it('a task\'s sleep (its switch-out asleep → its next switch-in) is a record; a line that also ends a wake is counted once', async () => {
    const r = await imported(HEADER + [
      // 7 sleeps at 1.000000 (the same line is 3's wake: 2 lines with its wakeup)
      C(8, '0.999990', WAKE('fio', 3)),
      C(7, '1.000000', SWITCH('fio', 7, 'D', 'fio', 3)),
      // 3 sleeps at 1.000010 (its own line), 7 is woken and runs at 1.000050
      C(3, '1.000010', SWITCH('fio', 3, 'S', 'swapper/0', 0)),
      C(9, '1.000040', WAKE('fio', 7)),
      C(0, '1.000050', SWITCH('swapper/0', 0, 'R', 'fio', 7), '<idle>'),
      // 7 is preempted (no sleep), then runs again
      C(7, '1.000060', SWITCH('fio', 7, 'R+', 'fio', 3)),
      C(3, '1.000070', SWITCH('fio', 3, 'R', 'fio', 7)),
    ].join('\n') + '\n');
    expect(r.locks).toEqual([
      { tsNs: 1_000_000_000, pid: 3, comm: 'fio', target: '', event: 'sched-wake', mode: '', caller: '', line: 5, waitNs: 10_000 },
      { tsNs: 1_000_050_000, pid: 7, comm: 'fio', target: '', event: 'sched-sleep', mode: 'D', caller: '', line: 6, waitNs: 50_000 },
      { tsNs: 1_000_050_000, pid: 7, comm: 'fio', target: '', event: 'sched-wake', mode: '', caller: '', line: 8, waitNs: 10_000 },
      { tsNs: 1_000_060_000, pid: 3, comm: 'fio', target: '', event: 'sched-sleep', mode: 'S', caller: '', line: 7, waitNs: 50_000 },
    ]);
    // every line once: 3's wake (its wakeup, 7's switch-out), 7's sleep (its switch-in), 7's wake
    // (its wakeup), 3's sleep (its switch-out and switch-in); the last preemption is neither
    expect(r.summary.lines).toMatchObject({ used: 6, bad: 0 });
    expect(r.summary.lines.skipped['sched-switch-no-wake-or-sleep']).toBe(1);
    expect(r.summary.lines.used + Object.values(r.summary.lines.skipped).reduce((a, b) => a + b, 0)).toBe(r.summary.lines.total);
    expect([r.summary.observedLocks, r.summary.schedWakes, r.summary.schedSleeps]).toEqual([0, 2, 2]);
  });

  it('a sleep whose switch-in the trace lacks ends at the task\'s next line of any kind (not the idle task\'s)', async () => {
    const r = await imported(HEADER + [
      C(7, '1.000000', SWITCH('fio', 7, 'D', 'swapper/0', 0)),
      // woken in an interrupt on the idle task (pid 0: shows nothing about 7), then 7's own event
      C(0, '1.000030', WAKE('fio', 7), '<idle>'),
      C(7, '1.000045', 'irrelevant_event: x=1'),
      // 7 sleeps again and, with no line of its own, switches out a third time: that switch-out shows it ran
      C(7, '1.000050', SWITCH('fio', 7, 'S', 'swapper/0', 0)),
      C(7, '1.000090', SWITCH('fio', 7, 'S', 'swapper/0', 0)),
    ].join('\n') + '\n', { lenient: true });
    expect(r.locks.filter((l) => l.event === 'sched-sleep').map((l) => [l.tsNs - 1_000_000_000, l.waitNs, l.mode, l.line])).toEqual([[45_000, 45_000, 'D', 5], [90_000, 40_000, 'S', 8]]);
    // (the wakeup: 7 switched out again before a switch-in showed it, so it woke a running task)
    expect(r.summary.lines.skipped).toEqual({ 'header-comment': 4, 'irrelevant-event': 1, 'sched-sleep-unfinished': 1, 'sched-wakeup-while-running': 1 });
    expect(r.summary.lines.used).toBe(2);
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
