/**
 * A run stopped at a deadlock (or a stall) counts the locks still held then in their class's
 * holdTotalNs, up to the stop, as it counts the waits that never ended (test/leftovers-33.test.ts).
 * Before, a hold counted only at its release, so the locks a deadlock's cycle holds, which are never
 * released, showed no hold time at all: seed-deadlock under range-lock gave the range class
 * 3 acquisitions, 2 contentions, 27 µs of waits and 0 ns held.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReplayResult } from '../src/model/result.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lockreplay-deadlock-holds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('locks held when a run stops at a deadlock count their hold up to the stop', () => {
  it('seed-deadlock under range-lock: the writer\'s range, held from its issue to the stop, is 50 µs held; the fault\'s mmap_lock, taken at the stop, 0', () => {
    const trace = join(dir, 'seed-deadlock.trace');
    expect(cli(['synth', 'seed-deadlock', '-o', trace]).code).toBe(0);
    const out = join(dir, 'deadlock.json');
    expect(cli(['compare', trace, '-s', 'range-lock,i-rwsem', '--threads', '1', '-o', out]).code).toBe(0);
    const [range, rwsem] = (JSON.parse(readFileSync(out, 'utf8')) as ReplayResult).results;
    const d = range.deadlock;
    expect(d?.reason).toBe('cycle');
    // the writer issued at 0 and took its whole range at once; its copy faulted at 50 µs and queued
    // behind the punch (waiting since 23 µs for the writer's range): the cycle closed at 50 µs
    expect(d?.atNs).toBe(50_000);
    const writer = d?.blocked.find((b) => b.comm === 'writer');
    expect(writer).toMatchObject({ kind: 'fault-read', lockClass: 'range', sinceNs: 50_000 });
    // no range was released in the run: the only hold is the writer's, from 0 to the stop
    expect(range.locks.range).toMatchObject({ acquisitions: 3, contentions: 2, waitTotalNs: 27_000, holdTotalNs: 50_000 });
    // the fault took mmap_lock at the stop: held for 0 ns; the punch holds nothing
    expect(range.locks.mmap_lock).toMatchObject({ acquisitions: 1, holdTotalNs: 0 });
    // a run that ended released every lock it took: its holds are as before
    expect(rwsem.deadlock).toBeNull();
    expect(rwsem.locks.i_rwsem).toMatchObject({ acquisitions: 2, holdTotalNs: 130_080 });
    expect(rwsem.locks.mmap_lock).toMatchObject({ acquisitions: 1, holdTotalNs: 10_020 });
  });
});
