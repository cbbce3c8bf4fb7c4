/**
 * Importer defects a session-28 round found (fidelity and hostile input), each as a regression
 * test. The inputs are made here, line by line, in each format's own layout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrace } from '../src/import/index.js';
import { INPUT_PID_STRIDE } from '../src/import/ftrace.js';
import { opRow, opStreamFooter, opStreamHeader } from '../src/import/opstream.js';
import { loadAccounted, traceCmdWrite as tcWrite, writeLines } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz28-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const write = (name: string, lines: string[]): string => writeLines(tmp, name, lines);

const load = loadAccounted;

describe('trace-cmd report: the per-line buffer prefix is read only where it is unambiguous', () => {
  it('a comm with ": " after a version-like word ("v1.2: x") is the comm, not a file prefix', async () => {
    const r = await load(write('v12.txt', ['version = 6', 'cpus=1', ...tcWrite('', 'v1.2: x', 7, 10, '2000'), ...tcWrite('', 'a/b: c', 8, 30, '4000')]));
    expect(r.summary.format).toBe('trace-cmd');
    expect(r.ops.map((o) => [o.pid, o.comm])).toEqual([[7, 'v1.2: x'], [8, 'a/b: c']]);
    expect(r.summary.notes.join(' ')).not.toMatch(/trace-cmd inputs/);
  });

  it('several inputs: the header\'s "NAME: cpus=N" lines declare them (read, not bad lines), and only their names are prefixes', async () => {
    const r = await load(write('two.txt', [
      'version = 6',
      ' host.dat: cpus=2',
      'guest.dat: cpus=1',
      ...tcWrite(' host.dat: ', 'fio', 7, 10, '2000'),
      // a comm that itself looks like a prefix, in the second input
      ...tcWrite('guest.dat: ', 'v1.2: x', 7, 30, '8000'),
    ]));
    expect(r.summary.lines.bad).toBe(0);
    expect(r.summary.lines.skipped['header-trace-cmd']).toBe(3);
    expect(r.ops.map((o) => [o.pid, o.comm])).toEqual([[7, 'fio'], [7 + INPUT_PID_STRIDE, 'v1.2: x']]);
    expect(r.summary.notes.join(' ')).toMatch(/2 trace-cmd inputs \(host\.dat, guest\.dat\)/);
  });

  it('one input with buffer instances: the prefixes are stripped, and the tasks keep their pids (one machine)', async () => {
    const r = await load(write('instances.txt', ['version = 6', 'cpus=1', ...tcWrite('trace.dat: ', 'fio', 7, 10, '2000'), ...tcWrite('      foo: ', 'fio', 7, 30, '4000')]));
    expect(r.ops.map((o) => [o.pid, o.comm])).toEqual([[7, 'fio'], [7, 'fio']]);
  });
});

/** tracefs's header (2 CPUs) */
const TRACEFS = ['# tracer: nop', '#', '# entries-in-buffer/entries-written: 6/6   #P:2', '#'];

/** a buffered 4 KiB write in tracefs's layout whose xfs event names the device `dev` ("MAJ:MIN") */
function xfsWrite(pid: number, us: number, dev: string): string[] {
  const p = `${`fio-${pid}`.padStart(16)}       [000] .....   `;
  const at = (d: number): string => `100.${String(us + d).padStart(6, '0')}`;
  return [
    `${p}${at(0)}: sys_pwrite64(fd: 3, buf: 0x7f0000000000, count: 0x1000, pos: 0x2000)`,
    `${p}${at(2)}: xfs_file_buffered_write: dev ${dev} ino 0x85 disize 0x1000000 pos 0x2000 bytecount 0x1000`,
    `${p}${at(10)}: sys_pwrite64 -> 0x1000`,
  ];
}

describe('device numbers past 2^53 in event fields stay exact', () => {
  it('two devices 2^53 and 2^53 + 1 (major, then minor) are two files, named with their exact digits (was: one file)', async () => {
    const r = await load(write('big-dev.txt', [
      ...TRACEFS,
      ...xfsWrite(7, 10, '9007199254740992:0'),
      ...xfsWrite(8, 30, '9007199254740993:0'),
      ...xfsWrite(9, 50, '7:9007199254740992'),
      ...xfsWrite(10, 70, '7:9007199254740993'),
    ]));
    expect(r.summary.lines.bad).toBe(0);
    expect(r.ops.map((o) => o.file)).toEqual(['9007199254740992:0:133', '9007199254740993:0:133', '7:9007199254740992:133', '7:9007199254740993:133']);
  });
});

describe('CSV in the MSR layout: FILETIME times are exact', () => {
  it('two ops 100 ns apart (FILETIME around 1.28e17) stay 100 ns apart, and every time is exact (was: 0 or 256 ns apart)', async () => {
    const ticks = [128166372003061629n, 128166372003061630n, 128166372003061631n, 128166372003061640n];
    const r = await load(write('msr.csv', ticks.map((t, i) => `${t},hm,1,${i % 2 === 0 ? 'Read' : 'Write'},${4096 * i},4096,41`)), { format: 'csv', csvPreset: 'msr' });
    expect(r.ops.map((o) => o.tsNs)).toEqual([0, 100, 200, 1100]);
    expect(r.summary).toMatchObject({ firstTsNs: 0, lastTsNs: 1100 });
    // the note says what the times count from
    expect(r.summary.notes.join(' ')).toContain('FILETIME times count from the first row\'s (128166372003061629, 2007-02-22T17:00:00.306Z)');
  });

  it('a row before the first row\'s FILETIME, or before 1970, is a bad row saying why', async () => {
    const r = await load(write('msr-back.csv', ['128166372003061629,hm,1,Read,0,4096,41', '128166372003061628,hm,1,Read,0,4096,41', '116444735999999999,hm,1,Read,0,4096,41', '128166372003061630,hm,1,Read,0,4096,41']), { format: 'csv', csvPreset: 'msr', lenient: true });
    expect(r.ops.map((o) => o.tsNs)).toEqual([0, 100]);
    expect(r.summary.lines.badSamples.map((s) => s.replace(/^.*?:(\d+):/, '$1:'))).toEqual([
      '2: column ts=0: timestamp goes backwards (FILETIME 128166372003061628 is before the first row\'s 128166372003061629)',
      '3: column ts=0: timestamp -100 ns is negative',
    ]);
  });
});

describe('op stream: a summary footer before the end', () => {
  /** an op stream of two writes with the footer `where`: after both rows, or between them too */
  async function stream(name: string, footers: 'end' | 'middle' | 'both'): Promise<string> {
    const trace = await load(write(`${name}.txt`, [...TRACEFS, ...xfsWrite(7, 10, '7:0'), ...xfsWrite(8, 30, '7:0')]));
    const footer = opStreamFooter(trace.summary);
    const text = opStreamHeader() + opRow(trace.ops[0]) + (footers !== 'end' ? footer : '') + opRow(trace.ops[1]) + (footers !== 'middle' ? footer : '');
    const path = join(tmp, `${name}.ops.csv`);
    writeFileSync(path, text);
    return path;
  }

  it('is a bad line naming its line: refused without --lenient, counted with it (was: passed over as a comment)', async () => {
    const path = await stream('mid', 'both');
    await expect(loadTrace(path)).rejects.toThrow(/mid\.ops\.csv:4: summary footer before the end of the stream \(line 5 follows it\): the footer is the last line/);
    const r = await load(path, { lenient: true });
    expect(r.ops).toHaveLength(2);
    expect(r.summary.opStreamLines).toMatchObject({ bad: 1, skipped: { comment: 2, header: 1 } });
    expect(r.summary.opStreamLines?.badSamples[0]).toMatch(/:4: summary footer before the end/);
    // (the footer at the end is read: the trace's CPUs)
    expect(r.summary.cpus).toBe(2);
  });

  it('a footer only in the middle: bad too, and the stream has no footer', async () => {
    const r = await load(await stream('mid-only', 'middle'), { lenient: true });
    expect(r.summary.opStreamLines?.bad).toBe(1);
    expect(r.summary.notes.join(' ')).toMatch(/no summary footer/);
  });

  it('a footer at the end, blank lines after it, is the footer', async () => {
    const path = await stream('end', 'end');
    writeFileSync(path, '\n\n', { flag: 'a' });
    const r = await load(path);
    expect(r.summary.opStreamLines?.bad).toBe(0);
    expect(r.summary.cpus).toBe(2);
  });
});
