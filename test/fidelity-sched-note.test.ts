/**
 * fidelity says when a capture with contention events has no scheduler events: its replay then
 * estimates the wake-up latency from the lock waits alone and runs each op kind on or off the CPUs
 * by the kind's rule (README, "fidelity": such replays missed by a third on a busy machine).
 */
import { describe, expect, it } from 'vitest';
import { cli, trace } from './helpers.js';

const NOTE = 'the capture has no scheduler events';

function notesOf(name: string): string[] {
  const r = cli(['fidelity', trace(name), '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { notes: string[] }).notes;
}

describe('fidelity: a capture without scheduler events says so', () => {
  it('a capture with contention events and no sched_* events gets the note, naming the preset that records them', () => {
    const note = notesOf('xfs-contended-writers.trace.gz').find((n) => n.startsWith(NOTE));
    expect(note).toBeDefined();
    expect(note).toContain("lockreplay record`'s default preset records them");
  });

  it('a capture with sched_switch / sched_wakeup events does not', () => {
    expect(notesOf('xfs-contended-mixed-sched.trace.gz').some((n) => n.startsWith(NOTE))).toBe(false);
  });

  it('a capture without contention events does not (nothing is predicted against the kernel)', () => {
    expect(notesOf('xfs-mix.trace.gz').some((n) => n.startsWith(NOTE))).toBe(false);
  });
});
