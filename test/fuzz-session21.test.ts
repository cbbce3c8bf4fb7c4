/**
 * Inputs a session-21 hostile-input pass (the newer input paths: contention and sched events, the
 * recorder's file-identity comments, the byte-level xfs_ilock reader) found to crash or mislead,
 * each as a regression test. The inputs are made here, line by line: each is a pattern repeated.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz21-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** a tracefs text line of task 500 at `us` microseconds after 100 s */
function line(us: number, body: string): string {
  return `             fio-500   (    500) [000] ..... ${(100 + us / 1e6).toFixed(6)}: ${body}`;
}

function write(name: string, lines: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, `# tracer: nop\n#\n${lines.join('\n')}\n`);
  return path;
}

interface Summary {
  lines: { total: number; used: number; bad: number; skipped: Record<string, number> };
  ops: { total: number; byFile: Record<string, Record<string, number>> };
  observedLocks: number;
}

function accounted(s: Summary): number {
  return s.lines.used + s.lines.bad + Object.values(s.lines.skipped).reduce((a, b) => a + b, 0);
}

describe('session 21 fuzz findings', () => {
  it('50: a chain of 30,000 dups, then the recorder\'s scan of its first fd, names the last fd\'s file (was: an internal error, the call stack exceeded)', () => {
    const dups = 30_000;
    const lines: string[] = [];
    let us = 0;
    // dup(3) → 4, dup(4) → 5, ...: each new fd is a copy of the one before
    for (let i = 0; i < dups; i++) {
      lines.push(line(++us, `sys_dup(fildes: 0x${(3 + i).toString(16)})`), line(++us, `sys_dup -> 0x${(4 + i).toString(16)}`));
    }
    lines.push('# lockreplay fd: 500 3 7:0:131');
    lines.push(line(++us, `sys_pwrite64(fd: 0x${(3 + dups).toString(16)}, buf: 0x0, count: 0x1000, pos: 0x0)`), line(++us, 'sys_pwrite64 -> 0x1000'));
    const r = cli(['import', write('dup-chain.trace', lines), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.ops.byFile).toEqual({ '7:0:131': { write: 1 } });
    expect([s.lines.total, accounted(s)]).toEqual([2 * dups + 5, 2 * dups + 5]);
  });

  it('51: 50,000 contention_begin lines on one task, then their ends, import in seconds (was: quadratic, 56 s for 40,000)', () => {
    const waits = 50_000;
    const lines: string[] = [];
    let us = 0;
    const addr = (i: number): string => i.toString(16).padStart(16, '0');
    for (let i = 0; i < waits; i++) lines.push(line(++us, `contention_begin: ${addr(i)} (flags=WRITE)`));
    // the first begun ends first: each end's wait is the oldest still open
    for (let i = 0; i < waits; i++) lines.push(line(++us, `contention_end: ${addr(i)} (ret=0)`));
    // one begin ended twice, one end of an address never begun
    lines.push(line(++us, `contention_end: ${addr(0)} (ret=0)`));
    const started = Date.now();
    const r = cli(['import', write('contention-pile.trace', lines), '--json']);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.observedLocks).toBe(waits);
    expect(s.lines.skipped['contention-end-without-begin']).toBe(1);
    expect([s.lines.total, accounted(s)]).toEqual([2 * waits + 3, 2 * waits + 3]);
  });

  it('52: two inodes beyond 2^53 (0x20000000000000, ...01) are two files, with their exact numbers (was: one file, 7:0:9007199254740992)', () => {
    const write1 = (pid: number, us: number, fd: number, ino: string): string[] => {
      const at = (dus: number, body: string): string => `             fio-${pid}   [000] .....   ${(618 + (us + dus) / 1e6).toFixed(6)}: ${body}`;
      return [
        at(0, `sys_pwrite64(fd: ${fd}, buf: 0x55cf0c00d610, count: 0x1000, pos: 0x0)`),
        at(1, `xfs_ilock: dev 7:0 ino ${ino} flags IOLOCK_EXCL caller xfs_file_buffered_write+0x12f/0x2e0`),
        at(2, `xfs_file_buffered_write: dev 7:0 ino ${ino} disize 0x4000000 pos 0x0 bytecount 0x1000`),
        at(3, `xfs_iunlock: dev 7:0 ino ${ino} flags IOLOCK_EXCL caller xfs_file_buffered_write+0x12f/0x2e0`),
        at(4, 'sys_pwrite64 -> 0x1000'),
      ];
    };
    const path = write('big-inodes.trace', [...write1(12734, 0, 7, '0x20000000000000'), ...write1(12735, 10, 8, '0x20000000000001')]);
    const out = cli(['import', path, '--out', '-']);
    expect(out.code, out.stderr).toBe(0);
    const rows = out.stdout.split('\n').filter((l) => l.startsWith('op,') || l.startsWith('lock,')).map((l) => l.split(',')[7]);
    expect(rows).toEqual(['7:0:9007199254740992', '7:0:9007199254740992', '7:0:9007199254740992', '7:0:9007199254740993', '7:0:9007199254740993', '7:0:9007199254740993']);
    // a --file selector names the one file, in hex or in decimal
    for (const selector of ['7:0:0x20000000000001', '7:0:9007199254740993']) {
      const one = cli(['import', path, '--json', '--file', selector]);
      expect(one.code, one.stderr).toBe(0);
      expect((JSON.parse(one.stdout) as Summary).ops.byFile).toEqual({ '7:0:9007199254740993': { write: 1 } });
    }
  });

  // found by a review of the session's changes (the text reader's fallbacks beside the new byte readers)
  const pwrite = (us: number, fd: number, fsBody: string): string[] => [
    line(us, `sys_pwrite64(fd: ${fd}, buf: 0x55cf0c00d610, count: 0x1000, pos: 0x0)`),
    line(us + 2, `xfs_file_buffered_write: ${fsBody}`),
    line(us + 4, 'sys_pwrite64 -> 0x1000'),
  ];
  const fileOf = (path: string): string[] => {
    const out = cli(['import', path, '--out', '-']);
    expect(out.code, out.stderr).toBe(0);
    return out.stdout.split('\n').filter((l) => l.startsWith('op,') || l.startsWith('lock,')).map((l) => l.split(',')[7]);
  };

  it('53: a control byte after an inode number beyond 2^53 ends the number (was: internal error, "Cannot convert 0x20000000000001\\x11 to a BigInt")', () => {
    const path = write('ctl-after-inode.trace', [
      ...pwrite(0, 7, 'dev 7:0 ino 0x20000000000001\x10 disize 0x4000000 pos 0x0 bytecount 0x1000'),
      line(10, 'xfs_ilock: dev 7:0 ino 0x20000000000001\x11 flags IOLOCK_EXCL caller xfs_file_buffered_write+0x12f/0x2e0'),
    ]);
    expect(fileOf(path)).toEqual(['7:0:9007199254740993', '7:0:9007199254740993']);
  });

  it('54: a device number past 2^53 gives one key whichever reader reads the event (was: the byte reader rounded it once, the text reader twice)', () => {
    const path = write('huge-dev.trace', [
      ...pwrite(0, 7, 'dev 180143985094899031:0 ino 0x86 disize 0x4000000 pos 0x0 bytecount 0x1000'),
      // (the text reader reads this one: a body that names the inode before the device is no layout the byte reader takes)
      ...pwrite(10, 7, 'ino 0x86 dev 180143985094899031:0 disize 0x4000000 pos 0x0 bytecount 0x1000'),
    ]);
    const files = fileOf(path);
    expect(files).toHaveLength(2);
    expect(files[1]).toBe(files[0]);
  });

  it('55: the inode key cache answers only where the cached text decides the device ("ino 0x86 dev 8:0" after "ino 0x86 dev 7:0" was 7:0:134)', () => {
    const path = write('dev-after-ino.trace', [
      ...pwrite(0, 7, 'ino 0x86 dev 7:0 disize 0x4000000 pos 0x0 bytecount 0x1000'),
      ...pwrite(20, 9, 'ino 0x86 dev 8:0 disize 0x4000000 pos 0x0 bytecount 0x1000'),
      ...pwrite(40, 7, 'ino 0x86 dev 7:0 disize 0x4000000 pos 0x0 bytecount 0x1000'),
    ]);
    expect(fileOf(path)).toEqual(['7:0:134', '8:0:134', '7:0:134']);
  });
});
