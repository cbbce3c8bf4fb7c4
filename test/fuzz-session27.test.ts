/**
 * Inputs a session-27 hostile-input round on the importers found to be misread, each as a
 * regression test: real lines of the bundled captures (traces/xfs-mix.trace.gz, its fio task
 * 12734's first buffered write; traces/xfs-dio-blk-tracer.trace.gz, its first request), changed
 * as the finding needs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrace } from '../src/import/index.js';
import { loadAccounted, writeLines } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz27-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const write = (name: string, lines: string[]): string => writeLines(tmp, name, lines);

const load = loadAccounted;

/** tracefs's header of the capture (2 CPUs) */
const HEADER = ['# tracer: nop', '#', '# entries-in-buffer/entries-written: 49949/49949   #P:2', '#'];

/** a buffered 4 KiB write of the capture, by a task shown as `task` ("COMM-PID"), on CPU `cpu` */
function pwrite(task: string, cpu = '000', shiftUs = 0): string[] {
  const at = (us: number): string => `618.${String(22805 + us + shiftUs).padStart(6, '0')}`;
  const p = `${task.padStart(22)}   [${cpu}] .....   `;
  return [
    `${p}${at(0)}: sys_pwrite64(fd: 7, buf: 0x55cf0c00d610, count: 0x1000, pos: 0x3dc000)`,
    `${p}${at(3)}: xfs_ilock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller xfs_file_buffered_write+0x12f/0x2e0`,
    `${p}${at(21)}: xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x4000000 pos 0x3dc000 bytecount 0x1000`,
    `${p}${at(42)}: xfs_iunlock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller xfs_file_buffered_write+0x287/0x2e0`,
    `${p}${at(45)}: sys_pwrite64 -> 0x1000`,
  ];
}

describe('session 27 hostile-input findings', () => {
  it('128: a comm with " [N]" in it is read and kept as it is (was: every line of the task a bad line, "no COMM-PID before the CPU field")', async () => {
    // (a comm is any 15 bytes the task set: prctl(PR_SET_NAME), /proc/self/comm)
    const comms = ['fio [1]', 'a [12] b', 'w-5 [1]', '\x1b[1]x', 'fio'];
    const lines = [...HEADER, ...comms.flatMap((c, k) => pwrite(`${c}-${12734 + k}`, '000', 100 * k))];
    const r = await load(write('comm-brackets.trace', lines));
    expect(r.summary.lines.bad).toBe(0);
    expect(r.ops.map((o) => [o.comm, o.pid, o.kind, o.file])).toEqual(comms.map((c, k) => [c, 12734 + k, 'write', '7:0:133']));
    // a line cut short and the next one run together is still a bad line: what is before the second
    // one's CPU field is no comm (the reason given is the first CPU field's)
    const glued = pwrite('fio-12734');
    glued[2] = `${glued[2].slice(0, 45)}${glued[3]}`;
    glued.splice(3, 1);
    await expect(loadTrace(write('glued.trace', [...HEADER, ...glued]))).rejects.toThrow(/glued\.trace:7: no "SECONDS\.MICROS:" timestamp/);
  });

  it('129: a blk tracer comm with brackets in it is kept whole (was: "[fio]" read as "[fio", "a]b" as "a")', async () => {
    const request = (comm: string, sector: number, us: number): string[] => {
      const p = (t: number): string => `             fio-10134   [001] d..1.   397.${String(108559 + us + t).padStart(6, '0')}:   7,0    `;
      return [`${p(0)}Q  RS ${sector} + 8 [${comm}]`, `${p(9)}G  RS ${sector} + 8 [${comm}]`, `${p(15)}D  RS ${sector} + 8 [${comm}]`,
        `     ksoftirqd/1-22      [001] d.s1.   397.${String(108616 + us).padStart(6, '0')}:   7,0    C  RS ${sector} + 8 [0]`];
    };
    const comms = ['[fio]', 'a]b', 'x [y] z', 'fio'];
    const r = await load(write('blk-comms.trace', ['# tracer: blk', '#', ...comms.flatMap((c, k) => request(c, 133248 + 8 * k, 100 * k))]));
    expect(r.ops.map((o) => [o.comm, o.offset])).toEqual(comms.map((c, k) => [c, (133248 + 8 * k) * 512]));
  });
  it('130: event lines on a CPU at or above the header\'s count (#P:N, cpus=N) are named in a note: how many, the first line, the highest CPU (was: no word; a replay modelled N CPUs)', async () => {
    const beyond = (notes: string[]): string[] => notes.filter((n) => /a CPU the trace header does not count/.test(n));
    // CPUs 0 and 1 only: no note
    const fine = await load(write('cpus-fine.trace', [...HEADER, ...pwrite('fio-12734', '000'), ...pwrite('fio-12735', '001', 100)]));
    expect(beyond(fine.summary.notes)).toEqual([]);
    // CPU 5 (written 005) from line 10, then CPU 123456789012345678901234567890 (no exact double: shown as written)
    const lines = [...HEADER, ...pwrite('fio-12734', '000'), ...pwrite('fio-12735', '005', 100), ...pwrite('fio-12736', '123456789012345678901234567890', 200), ...pwrite('fio-12737', '001', 300)];
    const r = await load(write('cpus-beyond.trace', lines));
    expect(r.summary.cpus).toBe(2);
    expect(r.ops).toHaveLength(4);
    expect(beyond(r.summary.notes)).toEqual([
      '10 event lines are on a CPU the trace header does not count (#P:2, line 3: CPUs 0 to 1): the first is line 10 (CPU 5), the highest CPU 123456789012345678901234567890. A replay models the header\'s 2 CPUs (--cpus sets another count)',
    ]);
    // the count after the first events (a header in the middle): the events before it count too
    const late = await load(write('cpus-late.trace', [...pwrite('fio-12734', '003'), ...HEADER, ...pwrite('fio-12735', '001', 100), ...pwrite('fio-12736', '002', 200)]));
    expect(beyond(late.summary.notes)).toEqual([
      '10 event lines are on a CPU the trace header does not count (#P:2, line 8: CPUs 0 to 1): the first is line 1 (CPU 3), the highest CPU 3. A replay models the header\'s 2 CPUs (--cpus sets another count)',
    ]);
    // trace-cmd report's cpus=1, one line on CPU 1; no header count at all: no note
    const one = await load(write('cpus-one.txt', ['version = 6', 'cpus=1', ...pwrite('fio-12734', '000').slice(0, 4), pwrite('fio-12734', '001')[4]]), { format: 'trace-cmd' });
    expect(beyond(one.summary.notes)).toEqual(['1 event line is on a CPU the trace header does not count (cpus=1, line 2: CPU 0): line 7 (CPU 1). A replay models the header\'s 1 CPU (--cpus sets another count)']);
    const none = await load(write('cpus-none.trace', pwrite('fio-12734', '007')));
    expect(beyond(none.summary.notes)).toEqual([]);
  });
  it('131: a comm that begins with "#" ("#1", "#####") is an event line, padded as tracefs pads every comm (was: read as a header comment, the task\'s ops lost without a word)', async () => {
    const comms = ['#1', '#####', '#P:8'];
    const lines = [...HEADER, ...comms.flatMap((c, k) => pwrite(`${c}-${12734 + k}`, '000', 100 * k))];
    const r = await load(write('comm-hash.trace', lines));
    expect(r.ops.map((o) => [o.comm, o.pid, o.kind])).toEqual(comms.map((c, k) => [c, 12734 + k, 'write']));
    // (and "#P:8" in a comm is no CPU count)
    expect(r.summary.cpus).toBe(2);
    expect(r.summary.lines).toMatchObject({ total: lines.length, bad: 0, skipped: { 'header-comment': 4 } });
    // a comment at the start of a line stays one, whatever follows
    const comment = await load(write('hash-comment.trace', [...HEADER, `#${pwrite('fio-12734')[0].trimStart()}`, ...pwrite('fio-12734', '000', 100)]));
    expect(comment.ops).toHaveLength(1);
    expect(comment.summary.lines.skipped['header-comment']).toBe(5);
  });
  it('132: the recorder\'s kernel line naming an HZ that is no CONFIG_HZ ("HZ=5", "HZ=0x3e8") is ignored with a note (was: ignored without a word, and replays modelled HZ 250)', async () => {
    const hzNotes = (notes: string[]): string[] => notes.filter((n) => /kernel line/.test(n));
    for (const [hz, note] of [
      ['5', 'the capture\'s kernel line (line 5) names HZ=5, which is no CONFIG_HZ (a whole number from 100 to 10,000): ignored; a replay models HZ 250 (a strategy\'s hz=N sets another)'],
      ['0x3e8', 'the capture\'s kernel line (line 5) names HZ=0x3e8, which is no CONFIG_HZ (a whole number from 100 to 10,000): ignored; a replay models HZ 250 (a strategy\'s hz=N sets another)'],
    ] as const) {
      const r = await load(write(`hz-${hz}.trace`, [...HEADER, `# lockreplay kernel: 6.18.44-fc-v1045 HZ=${hz}`, ...pwrite('fio-12734')]));
      expect(r.summary.kernelHz).toBeUndefined();
      expect(hzNotes(r.summary.notes)).toEqual([note]);
    }
    // a usable one later is used, and said; a line without HZ= (record could not read the config) and a usable one say nothing
    const later = await load(write('hz-later.trace', [...HEADER, '# lockreplay kernel: 6.18 HZ=-1', '# lockreplay kernel: 6.18 HZ=1000', ...pwrite('fio-12734')]));
    expect(later.summary.kernelHz).toBe(1000);
    expect(hzNotes(later.summary.notes)).toEqual(['the capture\'s kernel line (line 5) names HZ=-1, which is no CONFIG_HZ (a whole number from 100 to 10,000): ignored; HZ=1000 of a later one is used']);
    for (const line of ['# lockreplay kernel: 6.18', '# lockreplay kernel: 6.18 HZ=250']) {
      expect(hzNotes((await load(write('hz-fine.trace', [...HEADER, line, ...pwrite('fio-12734')]))).summary.notes)).toEqual([]);
    }
  });
});
