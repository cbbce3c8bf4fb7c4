/**
 * trace-cmd report of several inputs (-i host.dat -i guest.dat): each input is its own trace, with
 * its own header count ("guest.dat: cpus=N"). An event line is on a CPU its trace does not count
 * when its CPU is at or above its own input's count, not the first input's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAccounted, traceCmdWrite, writeLines } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-input-cpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const write = (name: string, lines: string[]): string => writeLines(tmp, name, lines);

/** a buffered 4 KiB write of fio (PID `pid`) on `cpu` (3 digits) in trace-cmd report's layout, after `prefix` */
const tcWrite = (prefix: string, pid: number, cpu: string, us: number, pos: string): string[] => traceCmdWrite(prefix, 'fio', pid, us, pos, cpu);

const HOST = ' host.dat: ';
const GUEST = 'guest.dat: ';
const beyond = (notes: string[]): string[] => notes.filter((n) => /on a CPU (the|its) trace header does not count/.test(n));

async function notesOf(name: string, lines: string[]): Promise<string[]> {
  const r = await loadAccounted(write(name, lines), { format: 'trace-cmd' });
  expect(r.summary.lines.bad).toBe(0);
  return beyond(r.summary.notes);
}

describe('trace-cmd inputs: each input\'s event lines against its own cpus=N', () => {
  it('a guest with more CPUs than the host: its events on CPUs the host lacks are counted by its own header (was: "events on a CPU the trace header does not count")', async () => {
    const notes = await notesOf('guest-more.txt', ['version = 6', ' host.dat: cpus=2', 'guest.dat: cpus=4',
      ...tcWrite(HOST, 7, '001', 10, '2000'), ...tcWrite(GUEST, 7, '003', 30, '8000'), ...tcWrite(GUEST, 8, '002', 50, '9000')]);
    expect(notes).toEqual([]);
  });

  it('a guest with fewer CPUs than the host: its events beyond its own count are named, as the guest\'s (was: no note, the host\'s count let them pass)', async () => {
    const notes = await notesOf('guest-fewer.txt', ['version = 6', ' host.dat: cpus=4', 'guest.dat: cpus=1',
      ...tcWrite(HOST, 7, '003', 10, '2000'), ...tcWrite(GUEST, 7, '000', 30, '8000'), ...tcWrite(GUEST, 8, '002', 50, '9000')]);
    expect(notes).toEqual([
      '3 event lines of guest.dat are on a CPU its trace header does not count (guest.dat: cpus=1, line 3: CPU 0): the first is line 10 (CPU 2), the highest CPU 2. A replay models host.dat\'s 4 CPUs (--cpus sets another count)',
    ]);
  });

  it('the host\'s own events beyond its count are named as the host\'s; each input has its note, in the header\'s order', async () => {
    const notes = await notesOf('both-beyond.txt', ['version = 6', ' host.dat: cpus=2', 'guest.dat: cpus=2',
      ...tcWrite(GUEST, 7, '005', 10, '8000'), ...tcWrite(HOST, 7, '002', 30, '2000'), ...tcWrite(HOST, 8, '001', 50, '3000')]);
    expect(notes).toEqual([
      '3 event lines of host.dat are on a CPU its trace header does not count (host.dat: cpus=2, line 2: CPUs 0 to 1): the first is line 7 (CPU 2), the highest CPU 2. A replay models host.dat\'s 2 CPUs (--cpus sets another count)',
      '3 event lines of guest.dat are on a CPU its trace header does not count (guest.dat: cpus=2, line 3: CPUs 0 to 1): the first is line 4 (CPU 5), the highest CPU 5. A replay models host.dat\'s 2 CPUs (--cpus sets another count)',
    ]);
  });

  it('the event line trace-cmd prints after a guest\'s drop marker (without a prefix) is the guest\'s, checked against the guest\'s count', async () => {
    const guest = tcWrite(GUEST, 7, '003', 30, '8000');
    const lines = (guestCpus: number): string[] => ['version = 6', ' host.dat: cpus=2', `guest.dat: cpus=${guestCpus}`,
      ...tcWrite(HOST, 7, '001', 10, '2000'),
      'guest.dat: CPU:3 [5 EVENTS DROPPED]',
      tcWrite('', 7, '003', 30, '8000')[0],
      guest[1], guest[2]];
    expect(await notesOf('drop-within.txt', lines(4))).toEqual([]);
    expect(await notesOf('drop-beyond.txt', lines(3))).toEqual([
      '3 event lines of guest.dat are on a CPU its trace header does not count (guest.dat: cpus=3, line 3: CPUs 0 to 2): the first is line 8 (CPU 3), the highest CPU 3. A replay models host.dat\'s 2 CPUs (--cpus sets another count)',
    ]);
  });

  it('an input whose count is unusable (cpus=0): its lines are checked against the first usable count, as one trace\'s', async () => {
    const notes = await notesOf('guest-zero.txt', ['version = 6', ' host.dat: cpus=2', 'guest.dat: cpus=0',
      ...tcWrite(HOST, 7, '001', 10, '2000'), ...tcWrite(GUEST, 7, '002', 30, '8000')]);
    expect(notes).toEqual([
      '3 event lines are on a CPU the trace header does not count (cpus=2, line 2: CPUs 0 to 1): the first is line 7 (CPU 2), the highest CPU 2. A replay models the header\'s 2 CPUs (--cpus sets another count)',
    ]);
  });

  it('one input: the note is as it was (the header\'s count, no input named)', async () => {
    const notes = await notesOf('one-input.txt', ['version = 6', 'cpus=2', ...tcWrite('', 7, '001', 10, '2000'), ...tcWrite('', 8, '004', 30, '8000')]);
    expect(notes).toEqual([
      '3 event lines are on a CPU the trace header does not count (cpus=2, line 2: CPUs 0 to 1): the first is line 6 (CPU 4), the highest CPU 4. A replay models the header\'s 2 CPUs (--cpus sets another count)',
    ]);
  });
});
