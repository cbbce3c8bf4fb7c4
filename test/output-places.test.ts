import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ROOT, trace } from './helpers.js';
import { ExitCode } from '../src/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

describe('--out to what is not a regular file', () => {
  it('a FIFO is written in place and stays a FIFO (a reader gets the bytes)', async () => {
    const fifo = join(tmp, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // (the reader writes to a file: the CLI runs synchronously here, and nothing would drain a pipe)
    const copy = join(tmp, 'from-fifo');
    const reader = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', fifo, copy]);
    const done = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const r = cli(['import', trace('xfs-mix.trace.gz'), '--out', fifo]);
    await done;
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(copy, 'utf8').split('\n')[0]).toBe('# lockreplay-ops v2');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it.skipIf(!isRoot)('a character device (a null device made here) is written in place and stays a device', () => {
    const dev = join(tmp, 'null');
    expect(spawnSync('mknod', [dev, 'c', '1', '3']).status).toBe(0);
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', 'none', '--out', dev]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    // record makes a file and renames it into place: it refuses before touching tracefs
    const rec = cli(['record', '--out', dev, '--', 'true']);
    expect([rec.code, rec.stderr.trim()]).toEqual([ExitCode.usage, `lockreplay: --out ${dev}: not a regular file (record writes a gzipped trace file and renames it into place)`]);
  });

  it('an --hgrm directory that cannot be made is exit 6 at once (Node\'s recursive mkdir never returned under /proc)', () => {
    for (const args of [['replay', trace('xfs-mix.trace.gz'), '--strategy', 'none', '--hgrm', '/proc/lockreplay-none/hgrm'], ['report', join(tmp, 'for-hgrm.json'), '--format', 'hgrm', '--out', '/proc/lockreplay-none/hgrm']]) {
      if (args[0] === 'report') expect(cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', 'none', '--out', args[1]]).code).toBe(0);
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
      expect(r.signal, 'it did not return').toBe(null);
      expect([r.status, r.stderr.trim()]).toEqual([ExitCode.outputFailed, 'lockreplay: /proc/lockreplay-none/hgrm: cannot create the directory (ENOENT)']);
    }
    // a directory that can be made, two levels down, gets the files
    const dir = join(tmp, 'a', 'b');
    expect(cli(['report', join(tmp, 'for-hgrm.json'), '--format', 'hgrm', '--out', dir]).code).toBe(0);
    expect(readdirSync(dir).some((f) => f.endsWith('.hgrm'))).toBe(true);
  }, 120_000);

  it('a symbolic link keeps pointing at its file, which gets the result; a directory is refused', () => {
    const file = join(tmp, 'result.json');
    const link = join(tmp, 'link.json');
    writeFileSync(file, 'old');
    symlinkSync(file, link);
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', 'none', '--out', link]);
    expect(r.code, r.stderr).toBe(0);
    expect(readlinkSync(link)).toBe(file);
    expect(JSON.parse(readFileSync(file, 'utf8')).schema).toBe('lockreplay-result/2');
    const d = cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', 'none', '--out', tmp]);
    expect([d.code, d.stderr.trim()]).toEqual([ExitCode.outputFailed, `lockreplay: ${tmp}: is a directory, not a file to write`]);
  });
});
