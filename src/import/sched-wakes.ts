/**
 * The scheduler's wake-ups: `sched:sched_wakeup` (a sleeping task made runnable, traced in its
 * waker's context) and `sched:sched_switch` (a CPU switches from one task to the next). A wakeup of
 * task P followed by the next switch to P is one wake: P became runnable at the wakeup and ran at the
 * switch; the gap is the scheduler's wake-up latency for that wake (a run queue's wait, a CPU held
 * by the waker). `lockreplay fidelity` replays each lock waiter's wake with the latency its task
 * had at that time, when the capture has these events (`lockreplay record` takes them for the
 * traced command's tasks).
 *
 *   sched_wakeup: comm=fio pid=1234 prio=120 target_cpu=001
 *   sched_switch: prev_comm=fio prev_pid=1234 prev_prio=120 prev_state=S ==> next_comm=fio next_pid=1235 next_prio=120
 *
 * trace-cmd report prints them shorter ("fio:1234 [120] CPU:001", "fio:1234 [120] S ==> fio:1235
 * [120]"); both are read. A switch to a task with no wakeup pending (a preempted task running
 * again, a task the capture's filter left out) is no wake, nor is a wakeup of a task that is still
 * running (it set itself to sleep and was woken before it switched out: its next switch-out drops
 * the wakeup).
 */

/** A wake: task `pid` woken at `wokenNs`, running at `runNs`. */
export interface Wake {
  pid: number;
  comm: string;
  wokenNs: number;
  runNs: number;
  /** the wakeup's line */
  line: number;
}

/** the pid of the task a sched_wakeup body names, NaN if none */
export function wakeupPid(body: string): number {
  const k = body.indexOf(' pid=');
  return k >= 0 ? digits(body, k + 5) : compactPid(body);
}

/** the comm a sched_wakeup body names ("" if none) */
export function wakeupComm(body: string): string {
  if (body.startsWith('comm=')) {
    const k = body.indexOf(' pid=');
    return body.slice(5, k < 0 ? body.length : k);
  }
  const m = /^(.*):\d+ \[/.exec(body);
  return m === null ? '' : m[1];
}

/** the pid of the task a sched_switch body switches from, NaN if none */
export function switchPrevPid(body: string): number {
  const k = body.indexOf(' prev_pid=');
  if (k >= 0) return digits(body, k + 10);
  const arrow = body.lastIndexOf(' ==> ');
  return arrow < 0 ? NaN : compactPid(body.slice(0, arrow));
}

/**
 * The state a sched_switch body leaves its previous task in ("S", "D", "R+", ...; "" if none): R
 * (runnable: preempted) or a sleep.
 */
export function switchPrevState(body: string): string {
  const k = body.indexOf(' prev_state=');
  if (k >= 0) {
    const end = body.indexOf(' ', k + 12);
    return body.slice(k + 12, end < 0 ? body.length : end);
  }
  const m = /\] (\S+) ==> /.exec(body);
  return m === null ? '' : m[1];
}

/** the comm of the task a sched_switch body switches from ("" if none) */
export function switchPrevComm(body: string): string {
  if (body.startsWith('prev_comm=')) {
    const k = body.indexOf(' prev_pid=');
    return body.slice(10, k < 0 ? body.length : k);
  }
  const m = /^(.*):\d+ \[-?\d+\] \S+ ==> /.exec(body);
  return m === null ? '' : m[1];
}

/** a prev_state that is a sleep (the task switched out because it waits), not a preemption */
export function isSleepState(state: string): boolean {
  return state !== '' && state[0] !== 'R';
}

/** the pid of the task a sched_switch body switches to, NaN if none */
export function switchNextPid(body: string): number {
  const k = body.lastIndexOf(' next_pid=');
  // (the short form's last "COMM:PID [PRIO]" is the next task's: the pattern is greedy)
  return k >= 0 ? digits(body, k + 10) : compactPid(body);
}

/** "...COMM:PID [PRIO]...": the PID of the last such field (trace-cmd's sched plugin) */
function compactPid(text: string): number {
  const m = /^.*:(\d+) \[-?\d+\]/.exec(text);
  return m === null ? NaN : Number(m[1]);
}

function digits(s: string, at: number): number {
  let v = 0;
  let i = at;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + c - 48;
  }
  return i === at ? NaN : v;
}

/** A sleep: task `pid` switched out in state `state` at `fromNs` (line `line`), back in at `toNs`. */
export interface Sleep {
  pid: number;
  comm: string;
  state: string;
  fromNs: number;
  toNs: number;
  line: number;
  /** the switch-out's line was already accounted for (it also ended another task's wake) */
  lineCounted: boolean;
}

/**
 * Pairs each task's switch-out to sleep with its next switch-in, or else with the task's next event
 * of any kind: a line printed in a task's context shows it running (a capture can lack a switch-in:
 * switches from the idle task to a woken one were missing in about one case in five on an idle
 * machine here).
 */
export class SleepTracker {
  private readonly pending = new Map<number, { fromNs: number; comm: string; state: string; line: number; lineCounted: boolean }>();

  /**
   * `pid` switched out asleep; returns the sleep it replaces, if one was still pending (a switch-in
   * the capture did not see): the caller accounts for that one's line
   */
  switchOut(pid: number, comm: string, state: string, tsNs: number, line: number, lineCounted: boolean): { lineCounted: boolean } | undefined {
    const replaced = this.pending.get(pid);
    this.pending.set(pid, { fromNs: tsNs, comm, state, line, lineCounted });
    return replaced === undefined ? undefined : { lineCounted: replaced.lineCounted };
  }

  /** `pid` switched in: the sleep it ends, if one was pending */
  switchIn(pid: number, tsNs: number): Sleep | undefined {
    const p = this.pending.get(pid);
    if (p === undefined) return undefined;
    this.pending.delete(pid);
    return { pid, comm: p.comm, state: p.state, fromNs: p.fromNs, toNs: Math.max(tsNs, p.fromNs), line: p.line, lineCounted: p.lineCounted };
  }

  /** sleeps pending (tasks switched out asleep, not seen running since) */
  get size(): number {
    return this.pending.size;
  }

  /** sleeps still pending at the end of the input whose switch-out lines are not accounted for yet */
  unfinishedLines(): number {
    let n = 0;
    for (const p of this.pending.values()) if (!p.lineCounted) n++;
    return n;
  }
}

/** Pairs each task's wakeup with its next switch-in. */
export class WakeTracker {
  private readonly pending = new Map<number, { tsNs: number; comm: string; line: number }>();

  /**
   * a wakeup of `pid`; returns true when it replaces one still pending (a switch-in the capture
   * did not see: that wakeup's line is then no wake)
   */
  wakeup(pid: number, comm: string, tsNs: number, line: number): boolean {
    const replaced = this.pending.has(pid);
    this.pending.set(pid, { tsNs, comm, line });
    return replaced;
  }

  /**
   * a switch away from `pid`: it was running, so a wakeup pending for it woke a task that had not
   * gone to sleep yet (ttwu on a running task); returns whether one was dropped
   */
  switchFrom(pid: number): boolean {
    return this.pending.delete(pid);
  }

  /** a switch to `pid`: the wake it ends, if a wakeup was pending */
  switchTo(pid: number, tsNs: number): Wake | undefined {
    const p = this.pending.get(pid);
    if (p === undefined) return undefined;
    this.pending.delete(pid);
    return { pid, comm: p.comm, wokenNs: p.tsNs, runNs: Math.max(tsNs, p.tsNs), line: p.line };
  }

  /** wakeups still waiting for their switch at the end of the input */
  unfinished(): number {
    return this.pending.size;
  }
}
