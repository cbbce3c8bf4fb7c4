import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ROOT, trace } from './helpers.js';
import { ExitCode } from '../src/errors.js';
import { OutputBatch } from '../src/util/output.js';

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

describe('outputs named by the process\'s own standard streams', () => {
  const replayTo = (...outputs: string[]): string[] => ['replay', trace('xfs-mix.trace.gz'), '--strategy', 'none', ...outputs];

  it('--out /dev/stdout with stdout a file appends to it (the log printed before stays, the file is the same)', () => {
    const log = join(tmp, 'log.txt');
    writeFileSync(log, '');
    const ino = statSync(log).ino;
    const r = spawnSync('sh', ['-c', 'echo before; "$@"', 'sh', process.execPath, join(ROOT, 'bin', 'run.js'), ...replayTo('--out', '/dev/stdout')], { stdio: ['ignore', openSync(log, 'w'), 'pipe'], encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const text = readFileSync(log, 'utf8');
    expect(text.startsWith('before\n{\n')).toBe(true);
    expect(JSON.parse(text.slice('before\n'.length)).schema).toBe('lockreplay-result/2');
    expect(statSync(log).ino).toBe(ino);
  });

  it('/dev/stdout, /dev/fd/1, /proc/self/fd/1 with stdout a pipe get the bytes (it failed with exit 6 after the run); /dev/stderr gets them on stderr', () => {
    for (const name of ['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']) {
      const r = cli(replayTo('--out', name));
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).schema).toBe('lockreplay-result/2');
      expect(r.stderr).toBe('');
    }
    const md = cli(replayTo('--json', '--md', '/dev/stderr'));
    expect(md.code, md.stderr).toBe(0);
    expect(JSON.parse(md.stdout).schema).toBe('lockreplay-result/2');
    expect(md.stderr).toMatch(/^### lockreplay: /);
    const result = join(tmp, 'for-std.json');
    expect(cli(replayTo('--out', result)).code).toBe(0);
    const rep = cli(['report', result, '--format', 'csv', '--out', '/dev/stdout']);
    expect([rep.code, rep.stdout.split('\n')[0]]).toEqual([0, cli(['report', result, '--format', 'csv']).stdout.split('\n')[0]]);
    const merged = cli(['merge', result, '--out', '/dev/stdout']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout).schema).toBe('lockreplay-result/2');
  }, 120_000);

  it('a stream named twice is refused before any work (exit 2), as "-" twice is', () => {
    const two = cli(replayTo('--out', '/dev/stdout', '--md', '-'));
    expect([two.code, two.stderr.trim()]).toEqual([ExitCode.usage, 'lockreplay: --out /dev/stdout and --md - would all write to stdout: give all but one of them a file']);
    const err = cli(replayTo('--html', '/dev/stderr', '--md', '/proc/self/fd/2'));
    expect([err.code, err.stderr.trim()]).toEqual([ExitCode.usage, 'lockreplay: --html /dev/stderr and --md /proc/self/fd/2 would all write to stderr: give all but one of them a file']);
    const json = cli(replayTo('--json', '--html', '/dev/stdout'));
    expect([json.code, json.stderr.trim()]).toEqual([ExitCode.usage, 'lockreplay: --json prints the result JSON on stdout, and --html /dev/stdout would write there too: give --html a file']);
  });
});

describe('output directories', () => {
  it('every output makes the directories it is missing (like mkdir -p)', () => {
    const base = join(tmp, 'made');
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', 'none', '--out', join(base, 'a', 'r.json'), '--html', join(base, 'b', 'c', 'r.html'), '--md', join(base, 'd', 'r.md'), '--hgrm', join(base, 'e', 'h')]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(base, 'a', 'r.json'), 'utf8')).schema).toBe('lockreplay-result/2');
    expect(readFileSync(join(base, 'b', 'c', 'r.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    expect(readFileSync(join(base, 'd', 'r.md'), 'utf8')).toMatch(/^### lockreplay/);
    expect(readdirSync(join(base, 'e', 'h')).length).toBeGreaterThan(0);
    const rep = cli(['report', join(base, 'a', 'r.json'), '--format', 'csv', '--out', join(base, 'f', 'r.csv')]);
    expect(rep.code, rep.stderr).toBe(0);
    const merged = cli(['merge', join(base, 'a', 'r.json'), '--out', join(base, 'g', 'm.json')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(readdirSync(join(base, 'g'))).toEqual(['m.json']);
  }, 60_000);

  it('an output that cannot be written fails before the trace is read (exit 6 naming it), leaving nothing behind', async () => {
    const file = join(tmp, 'plain-file');
    writeFileSync(file, 'x');
    const cases: [string[], string][] = [
      [['--out', join(file, 'r.json')], `${join(file, 'r.json')}: cannot write (ENOTDIR: ${file} is not a directory)`],
      [['--html', join(file, 'sub', 'r.html')], `${join(file, 'sub', 'r.html')}: cannot write (ENOTDIR: ${file} is not a directory)`],
      [['--md', '/proc/lockreplay-none/r.md'], '/proc/lockreplay-none/r.md: cannot write (ENOENT)'],
      [['--out', join(tmp, 'new-dir', 'r.json'), '--hgrm', join(file, 'h')], `${join(file, 'h')}: cannot create the directory (ENOTDIR: ${file} is not a directory)`],
      [['--out', tmp], `${tmp}: is a directory, not a file to write`],
    ];
    for (const [flags, message] of cases) {
      // (stdin stays open: a command that read the trace first would never end)
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'compare', '-', '--strategy', 'none,i-mutex', ...flags], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      clearTimeout(timer);
      expect([code, stderr.trim()], flags.join(' ')).toEqual([ExitCode.outputFailed, `lockreplay: ${message}`]);
    }
    expect(readdirSync(tmp).filter((f) => f === 'new-dir' || f.includes('probe'))).toEqual([]);
    for (const [args, message] of [[['report', file, '--out', join(file, 'x.md')], `${join(file, 'x.md')}: cannot write (ENOTDIR: ${file} is not a directory)`], [['merge', file, '--out', join(file, 'm.json')], `${join(file, 'm.json')}: cannot write (ENOTDIR: ${file} is not a directory)`]] as const) {
      const r = cli([...args]);
      expect([r.code, r.stderr.trim()]).toEqual([ExitCode.outputFailed, `lockreplay: ${message}`]);
    }
  }, 120_000);

  it('directories made for a batch of outputs that then fails are removed again (when empty)', () => {
    const base = join(tmp, 'failing');
    const batch = new OutputBatch();
    expect(() => {
      batch.makeDir(join(base, 'hgrm', 'deep'));
      batch.add(join(base, 'hgrm', 'deep', 'x.hgrm'), 'x');
      batch.add(join(base, 'a', 'b', 'r.json'), '{}');
      batch.add('/proc/lockreplay-none/x.html', 'html');
    }).toThrow(expect.objectContaining({ exitCode: ExitCode.outputFailed }));
    batch.abort();
    expect(existsSync(base)).toBe(false);
    // a directory that was there before stays
    mkdirSync(join(tmp, 'there'));
    const again = new OutputBatch();
    again.add(join(tmp, 'there', 'new', 'r.json'), '{}');
    again.abort();
    expect(readdirSync(join(tmp, 'there'))).toEqual([]);
  });
});
