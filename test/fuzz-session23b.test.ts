/**
 * Inputs a second session-23 hostile-input pass on the import side (the recorder's header comments,
 * blkparse's summary block, ...) found to mislead or to slow an import down, each as a regression
 * test. The inputs are made here, line by line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileIdentity } from '../src/import/file-identity.js';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz23b-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** a tracefs text line of task 500 at `us` microseconds after 100 s */
function line(us: number, body: string): string {
  return `             fio-500   (    500) [000] ..... ${(100 + us / 1e6).toFixed(6)}: ${body}`;
}

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

interface Summary {
  lines: { total: number; used: number; bad: number; skipped: Record<string, number> };
  ops: { total: number; byFile: Record<string, Record<string, number>> };
  notes: string[];
}

describe('session 23b fuzz findings', () => {
  // 68: the recorder's fd and bdi lines kept their digits as written, so "0007:000:0131" was another file than the 7:0:131 of events
  it('68: a header line\'s device and inode with leading zeros name the file an event names (was: "0007:000:0131" a file of its own)', () => {
    const lines = [
      '# tracer: nop',
      '# lockreplay fd: 0500 03 0007:000:0131',
      line(1, 'sys_pwrite64(fd: 3, buf: 0x0, count: 0x1000, pos: 0x0)'),
      line(2, 'sys_pwrite64 -> 0x1000'),
      line(3, 'sys_pwrite64(fd: 4, buf: 0x0, count: 0x1000, pos: 0x1000)'),
      line(4, 'xfs_file_buffered_write: dev 7:0 ino 0x83 disize 0x4000000 pos 0x1000 bytecount 0x1000'),
      line(5, 'sys_pwrite64 -> 0x1000'),
    ];
    const r = cli(['import', write('fd-zeros.trace', `${lines.join('\n')}\n`), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(Object.keys(s.ops.byFile)).toEqual(['7:0:131']);
    expect(s.ops.byFile['7:0:131']).toEqual({ write: 2 });
    const f = new FileIdentity();
    expect(f.comment('# lockreplay bdi: btrfs-1 000:039')).toBe(true);
    expect(f.bdiKey('bdi btrfs-1: ino=257', 257)).toBe('0:39:257');
    expect(f.comment('# lockreplay fd: 100 7 7:0:0009007199254740993')).toBe(true);
    expect(f.scannedFd(100, 7)).toBe('7:0:9007199254740993');
  });

  // 69: each line of blkparse's summary block summed every device of every block read so far: quadratic
  it('69: a blkparse summary block of 120,000 devices imports in seconds (was: quadratic, 37 s)', () => {
    const n = 120_000;
    const parts = ['  7,0    1        1     0.000000000 14364  Q  RS 133248 + 8 [(null)]'];
    for (let i = 0; i < n; i++) parts.push(`CPU0 (dev${i}):`, ' Reads Queued:           1,        4KiB\t Writes Queued:           2,        8KiB');
    // a device's Total block replaces the sum of its CPU blocks; a count too large for a double stays finite
    parts.push('CPU1 (dev0):', ' Reads Queued:           1,        4KiB\t Writes Queued:           0,        0KiB');
    parts.push('Total (dev0):', ` Reads Queued:           ${'9'.repeat(400)},        4KiB\t Writes Queued:           5,        0KiB`);
    const path = write('summary-devices.blkparse', `${parts.join('\n')}\n`);
    const started = Date.now();
    const r = cli(['import', path, '--format', 'blkparse', '--json']);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.lines.total).toBe(2 * n + 5);
    expect(s.notes.find((x) => x.startsWith('blkparse\'s own summary'))).toBe(`blkparse's own summary: ${Number.MAX_SAFE_INTEGER + (n - 1)} reads and ${2 * (n - 1) + 5} writes queued; imported 1 reads and 0 writes (they DIFFER)`);
  });

  // 70: a bad line's excerpt turned C0 controls into "?" but printed C1 ones (a trace byte 0x9b is U+009B, a terminal's CSI) as they were
  it('70: a bad line shown in an error has its C1 control characters as "?" too (was: byte 0x9b printed as U+009B, CSI)', () => {
    const path = join(tmp, 'c1.iolog');
    writeFileSync(path, Buffer.concat([Buffer.from('fio version 2 iolog\n/x'), Buffer.from([0x9b, 0x85]), Buffer.from('31m\x1b[2J write zz 4096\n')]));
    const r = cli(['import', path]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('c1.iolog:2: write needs OFFSET and LENGTH');
    expect(r.stderr).toContain('/x??31m?[2J write zz 4096');
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  // 71: a fio iolog's numbers were read with Number(): 0x1000, 1e3 and 4.096e3 were taken as 4096, 1000 and 4096 (fio's %llu reads 0, 1, 4, or refuses the line)
  it('71: fio iolog numbers are decimal digits: hex, exponents and fractions are bad lines (was: taken, ops fio never replays)', () => {
    const path = write('numbers.iolog', [
      'fio version 3 iolog', '0 /a add', '10 /a write 0 4096', '0x20 /a write 0 4096', '30 /a write 0x1000 4096', '40 /a write 1e3 4096',
      '50 /a write 0 4.096e3', '60.5 /a write 0 4096', '70 /a write 0 +4096', '80 /a write 0 4096', '',
    ].join('\n'));
    const r = cli(['import', path, '--lenient', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary & { lines: { badSamples: string[] } };
    expect(s.ops.total).toBe(2);
    expect(s.lines.badSamples.map((b) => b.replace(/^.*numbers\.iolog:/, ''))).toEqual([
      '4: v3 lines start with a timestamp in µs', '5: write needs OFFSET and LENGTH', '6: write needs OFFSET and LENGTH',
      '7: write needs OFFSET and LENGTH', '8: v3 lines start with a timestamp in µs', '9: write needs OFFSET and LENGTH',
    ]);
    const v2 = cli(['import', write('wait.iolog', 'fio version 2 iolog\n/a wait 1e3\n/a write 0 4096\n'), '--lenient', '--json']);
    expect((JSON.parse(v2.stdout) as { lines: { badSamples: string[] } }).lines.badSamples.map((b) => b.replace(/^.*wait\.iolog:/, ''))).toEqual(['2: wait needs a time in µs, 0 or more']);
  });

  // 72: the "(TGID)" column was read digit by digit without a check: "(0x10)" was process 7210, "( 500 )" 4984, 20 digits a rounded number
  it('72: a "(TGID)" column that is no whole number, or is beyond 2^53, is a bad line (was: "(0x10)" read as tgid 7210)', () => {
    const at = (tgid: string, us: number): string => `             fio-500   (${tgid}) [000] ..... ${(100 + us / 1e6).toFixed(6)}: xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x4000000 pos 0x0 bytecount 0x1000`;
    const path = write('tgid.trace', ['# tracer: nop', at('  500', 1), at('0x10', 2), at(' 500 ', 3), at('99999999999999999999', 4), at('-------', 5), ''].join('\n'));
    const r = cli(['import', path, '--lenient', '--json', '-o', join(tmp, 'tgid.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary & { lines: { badSamples: string[] } };
    expect(s.lines.badSamples.map((b) => b.replace(/^.*tgid\.trace:/, ''))).toEqual([
      '3: the "(TGID)" field is not a whole number', '4: the "(TGID)" field is not a whole number', '5: the "(TGID)" field is beyond 2^53',
    ]);
    const rows = readFileSync(join(tmp, 'tgid.csv'), 'utf8').split('\n').filter((l) => l.startsWith('op,'));
    expect(rows.map((l) => l.split(',')[5])).toEqual(['tgid:500', 'tgid:500']);
  });
});
