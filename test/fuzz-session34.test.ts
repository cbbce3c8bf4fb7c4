/**
 * Defects found by the session-34 hostile-input round (recorder identity header lines, kernel
 * line, contention bodies, import notes in every output format), each with its input inline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importTrace, type ImportSummary } from '../src/import/index.js';
import { cli } from './helpers.js';

const DIR = mkdtempSync(join(tmpdir(), 'lockreplay-s34-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
/** one event of a real capture (btrfs-subvol), after the header lines a test gives */
const EVENT = '             fio-17816   (  17816) [000] ..... 13418.651143: btrfs_get_extent: 0612ed0f-22de-4daa-a594-f9b092f66faf: root=256(-) ino=258 start=0 len=2097152 flags= refs=2';

function traceFile(name: string, header: string[]): string {
  const path = join(DIR, name);
  writeFileSync(path, Buffer.from(['# tracer: nop', '#', '# entries-in-buffer/entries-written: 0/0   #P:2', ...header, '#', EVENT, ''].join('\n'), 'utf8'));
  return path;
}

async function lenientSummary(path: string): Promise<ImportSummary> {
  return importTrace(path, { op: () => undefined, lock: () => undefined }, { lenient: true });
}

/** a lone UTF-16 surrogate: half a character */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('identity header lines: a UTF-8 name is shown as written, not as its bytes read one by one', () => {
  it('a bdi name mapped to two devices: the message names it in UTF-8 (strict and --lenient)', async () => {
    const f = traceFile('bdi-utf8.trace', ['# lockreplay bdi: btrfs-é€ 0:41', '# lockreplay bdi: btrfs-é€ 0:42']);
    const r = cli(['import', f, '--json']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('bdi-utf8.trace:5: bdi btrfs-é€ is device 0:42 here but 0:41 on line 4');
    const s = await lenientSummary(f);
    expect(s.lines.bad).toBe(1);
    expect(s.lines.badSamples[0]).toContain('bdi btrfs-é€ is device 0:42');
  });

  it('a field not in its layout: quoted in UTF-8, clipped on a whole character', async () => {
    const f = traceFile('layout-utf8.trace', [`# lockreplay fd: 17816 ${'é'.repeat(59)}😀x 0:40:258`]);
    const s = await lenientSummary(f);
    expect(s.lines.bad).toBe(1);
    const sample = s.lines.badSamples[0];
    expect(sample).toContain(`FD "${'é'.repeat(59)}`);
    expect(sample).not.toContain('Ã');
    expect(sample).not.toMatch(LONE_SURROGATE);
  });
});

describe('the kernel line\'s HZ: a note that clips it keeps whole characters', () => {
  it('an emoji at the clip point is not cut in half', async () => {
    const f = traceFile('hz-clip.trace', [`# lockreplay kernel: 6.18 HZ=${'é'.repeat(39)}😀😀`]);
    const s = await lenientSummary(f);
    const note = s.notes.find((n) => n.includes('names HZ='));
    expect(note).toBeDefined();
    expect(note).not.toMatch(LONE_SURROGATE);
    expect(note).toContain(`HZ=${'é'.repeat(39)}`);
  });
});

describe('trace-cmd report of several inputs: a recorder scan written into one input\'s ring buffer names that input\'s processes', () => {
  const task = (prefix: string, comm: string, pid: number): string => `${prefix}${comm.padStart(16)}-${String(pid).padEnd(5)} [000]`;
  /** a pwrite on fd 3 with no filesystem event inside: only a scan of the process's open files names its file */
  const write = (prefix: string, pid: number, us: number): string[] => [
    `${task(prefix, 'fio', pid)} 100.${String(us).padStart(6, '0')}: sys_enter_pwrite64:   fd: 0x00000003, buf: 0x7f0000000000, count: 0x00001000, pos: 0x0`,
    `${task(prefix, 'fio', pid)} 100.${String(us + 10).padStart(6, '0')}: sys_exit_pwrite64:    0x1000`,
  ];

  it('the guest\'s "lockreplay fd: 7 3 ..." marker names the guest\'s task 7, not the host\'s (was: the host\'s fd took the guest\'s file)', async () => {
    const path = join(DIR, 'tc-marker-inputs.txt');
    writeFileSync(path, [
      'version = 6', ' host.dat: cpus=2', 'guest.dat: cpus=2',
      `guest.dat: ${task('', 'lockreplay', 99).trimStart()} 100.000001: tracing_mark_write: lockreplay fd: 7 3 7:0:133`,
      ...write('guest.dat: ', 7, 10),
      ...write(' host.dat: ', 7, 30),
      '',
    ].join('\n'));
    const files: string[] = [];
    const s = await importTrace(path, { op: (op) => void files.push(`${op.pid} ${op.file}`), lock: () => undefined }, { format: 'trace-cmd' });
    expect(s.lines.bad).toBe(0);
    expect(s.lines.skipped['file-identity-comment']).toBe(1);
    expect(files.sort()).toEqual([`${7 + 4_194_304} 7:0:133`, '7 fd:7:3']);
  });
});

describe('a mount line\'s filesystem type in UTF-8: the import summary and fidelity name it as written', () => {
  it('fileSystems holds "bträfs", not its bytes read one by one', async () => {
    const path = join(DIR, 'mount-utf8.trace');
    writeFileSync(path, Buffer.from(['# tracer: nop', '#', '# entries-in-buffer/entries-written: 0/0   #P:2', '# lockreplay mount: 7:0 bträfs /mnt/x', '#',
      '             fio-7     (      7) [000] ..... 100.000010: sys_pwrite64(fd: 3, buf: 0x7f0000000000, count: 0x1000, pos: 0x0)',
      '             fio-7     (      7) [000] ..... 100.000012: xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x1000000 pos 0x0 bytecount 0x1000',
      '             fio-7     (      7) [000] ..... 100.000020: sys_pwrite64 -> 0x1000', ''].join('\n'), 'utf8'));
    const s = await importTrace(path, { op: () => undefined, lock: () => undefined }, {});
    expect(s.lines.bad).toBe(0);
    expect(s.fileSystems).toEqual({ '7:0': 'bträfs' });
  });
});

describe('a bad ftrace line\'s excerpt in the strict error: UTF-8 shown as written', () => {
  it('"garbage é" is quoted as "garbage é", not "garbage Ã©"', () => {
    const path = join(DIR, 'excerpt-utf8.trace');
    writeFileSync(path, Buffer.from(['# tracer: nop', '#', '             fio-7     (      7) [000] ..... 100.000010: page_fault_user: address=0x1 ip=0x1 error_code=0x6', 'garbage é here', ''].join('\n'), 'utf8'));
    const r = cli(['import', path, '--json']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('excerpt-utf8.trace:4: ');
    expect(r.stderr).toContain('\n  garbage é here');
  });
});
