import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { loadTrace } from '../src/import/index.js';
import { cli, FIXTURES, ROOT, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-test-'));
const mixText = gunzipSync(readFileSync(trace('xfs-mix.trace.gz'))).toString('latin1');
const mixLines = mixText.split('\n');

describe('lockreplay import (CLI)', () => {
  it('--json reports per-kind counts for the workload file', () => {
    const r = cli(['import', trace('xfs-mix.trace.gz'), '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.ops.byFile['7:0:133']).toMatchObject({ write: 1501, 'dio-read': 1501, punch: 101 });
    expect(s.lines.total).toBe(49961);
    expect(r.stderr).toBe('');
  });

  it('--out writes a CSV op stream that csv-parse reads back, with the summary as its last line', () => {
    const out = join(tmp, 'ops.csv');
    const r = cli(['import', trace('xfs-mix.trace.gz'), '--out', out, '--file', '7:0:0x85']);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('# lockreplay-ops v2\n')).toBe(true);
    const rows = parse(text, { comment: '#', columns: true }) as Record<string, string>[];
    const ops = rows.filter((x) => x.rec === 'op');
    expect(ops.filter((o) => o.kind === 'punch').length).toBe(101);
    expect(rows.some((x) => x.rec === 'lock' && x.kind === 'xfs_ilock' && x.mode.includes('IOLOCK'))).toBe(true);
    expect(text.trimEnd().split('\n').pop()).toMatch(/^# summary: \{/);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads the op stream back as input, with the same ops', async () => {
    const out = join(tmp, 'ops2.csv');
    expect(cli(['import', trace('xfs-mix.trace.gz'), '--out', out]).code).toBe(0);
    const direct = await loadTrace(trace('xfs-mix.trace.gz'));
    const back = await loadTrace(out);
    expect(back.summary.format).toBe('ops');
    expect(back.ops).toEqual(direct.ops);
    expect(back.summary.lines).toEqual(direct.summary.lines);
  });

  it('reads gzip from stdin and plain text from stdin with the same result', () => {
    const a = cli(['import', '-', '--json'], readFileSync(trace('xfs-mix.trace.gz')));
    const b = cli(['import', '-', '--json'], mixText);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const sa = JSON.parse(a.stdout);
    const sb = JSON.parse(b.stdout);
    expect(sa.ops).toEqual(sb.ops);
    expect(sa.lines).toEqual(sb.lines);
  });

  it('reads a non-blocking stdin fed slowly (the reads that find nothing yet are retried) with the same result as the file', async () => {
    const fifo = join(tmp, 'stdin.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'import', '-', '--json'], { stdio: [reader, 'pipe', 'pipe'] });
    closeSync(reader);
    let stdout = '';
    // (stdio[1] is 'pipe': the child has a stdout stream)
    child.stdout!.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const gz = readFileSync(trace('xfs-mix.trace.gz'));
    for (let at = 0; at < gz.length; at += 32 * 1024) {
      writeSync(writer, gz.subarray(at, Math.min(gz.length, at + 32 * 1024)));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    closeSync(writer);
    expect(await exited).toBe(0);
    const fromStdin = JSON.parse(stdout);
    const fromFile = JSON.parse(cli(['import', trace('xfs-mix.trace.gz'), '--json']).stdout);
    expect(fromStdin.ops).toEqual(fromFile.ops);
    expect(fromStdin.lines).toEqual(fromFile.lines);
  });

  it('an output that cannot be written exits 6 naming it (a missing directory is made)', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const nowhere = join(file, 'no-such-dir', 'ops.csv');
    const r = cli(['import', trace('xfs-mix.trace.gz'), '-o', nowhere]);
    expect([r.code, r.stderr]).toEqual([6, expect.stringMatching(/a-file\/no-such-dir\/ops\.csv: cannot write \(ENOTDIR: \S+a-file is not a directory\)/)]);
    const made = join(tmp, 'no-such-dir', 'ops.csv');
    expect(cli(['import', trace('xfs-mix.trace.gz'), '-o', made]).code).toBe(0);
    expect(readFileSync(made, 'utf8').split('\n')[0]).toBe('# lockreplay-ops v2');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('corrupt gzip data, from a file or stdin, exits 4 with a message (it used to end silently with 13)', () => {
    const gz = Buffer.from(readFileSync(trace('xfs-mix.trace.gz')));
    for (let i = 30; i < 60; i++) gz[i] ^= 0xff;
    const corrupt = join(tmp, 'corrupt.trace.gz');
    writeFileSync(corrupt, gz);
    for (const r of [cli(['import', corrupt, '--json']), cli(['import', '-', '--json'], gz)]) {
      expect([r.code, r.stderr]).toEqual([4, expect.stringMatching(/corrupt gzip data \(invalid code lengths set\)/)]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('identical input gives byte-identical output', () => {
    const o1 = join(tmp, 'd1.csv');
    const o2 = join(tmp, 'd2.csv');
    cli(['import', trace('ext4-mix.trace.gz'), '--out', o1]);
    cli(['import', trace('ext4-mix.trace.gz'), '--out', o2]);
    expect(readFileSync(o1).equals(readFileSync(o2))).toBe(true);
  });

  it('garbage input exits 5 naming the file; a bad line exits 4 naming file:line; no stack trace', () => {
    const garbage = join(tmp, 'garbage.txt');
    writeFileSync(garbage, 'hello\nthis is not a trace\n');
    const g = cli(['import', garbage]);
    expect(g.code).toBe(5);
    expect(g.stderr).toContain('garbage.txt');
    expect(g.stderr).not.toMatch(/\n\s+at /);

    const broken = join(tmp, 'broken.trace');
    writeFileSync(broken, [...mixLines.slice(0, 300), 'Xgarbage line', ...mixLines.slice(300, 400)].join('\n'));
    const out = join(tmp, 'never.csv');
    const b = cli(['import', broken, '--out', out]);
    expect(b.code).toBe(4);
    expect(b.stderr).toContain('broken.trace:301:');
    expect(b.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a truncated last line and a timestamp going backwards are bad lines; --lenient counts them', () => {
    const cut = join(tmp, 'cut.trace');
    const text = mixLines.slice(0, 500).join('\n');
    writeFileSync(cut, `${text}\n             fio-12730   [001] .....   617.72`);
    const r = cli(['import', cut]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('cut.trace:501:');
    expect(r.stderr).toMatch(/cut.trace:501: the input ends inside this line/);
    // cut lines that do end with a line break: each says what is missing
    writeFileSync(cut, `${text}\n             fio-12730   [001] .....   617.728394: sys_pread64(fd: 3, buf: 0x7ff\n`);
    expect(cli(['import', cut]).stderr).toMatch(/cut.trace:501: syscall arguments cut short/);
    writeFileSync(cut, `${text}\n             fio-12730   [001] .....   617.728394: xfs_ilock: dev 7:\n`);
    expect(cli(['import', cut]).stderr).toMatch(/cut.trace:501: xfs_ilock: no device and inode/);

    const back = join(tmp, 'back.trace');
    const lines = mixLines.slice(0, 400);
    [lines[350], lines[351]] = [lines[351], lines[350]];
    writeFileSync(back, `${lines.join('\n')}\n`);
    const rb = cli(['import', back]);
    expect(rb.code).toBe(4);
    expect(rb.stderr).toMatch(/back\.trace:352: timestamp goes backwards/);
    const lenient = cli(['import', back, '--lenient', '--json']);
    expect(lenient.code).toBe(0);
    const s = JSON.parse(lenient.stdout);
    expect(s.lines.bad).toBe(1);
    expect(s.lines.total).toBe(400);
    expect(s.lines.badSamples[0]).toContain('back.trace:352');
  });

  it('bad lines skipped with --lenient are said by replay and compare (a warning naming the first), and an op stream\'s own by import\'s text', () => {
    const back = join(tmp, 'back-replay.trace');
    const lines = mixLines.slice(0, 400);
    [lines[350], lines[351]] = [lines[351], lines[350]];
    writeFileSync(back, `${lines.join('\n')}\n`);
    const warning = `1 bad input line was skipped (--lenient); the first: ${back}:352: timestamp goes backwards`;
    const replay = cli(['replay', back, '--lenient', '-s', 'none']);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`warning: ${warning}`);
    const compare = cli(['compare', back, '--lenient', '-s', 'none,i-mutex', '--json']);
    expect(JSON.parse(compare.stdout).warnings.find((w: string) => w.startsWith('1 bad input line'))).toMatch(new RegExp(`^${warning.replace(/[.()]/g, '\\$&')}`));
    // no bad line, no warning
    expect(JSON.parse(cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'none', '--json']).stdout).warnings.filter((w: string) => /bad input line/.test(w))).toEqual([]);
    // an op stream with a bad line of its own
    const ops = join(tmp, 'back.ops.csv');
    expect(cli(['import', back, '--lenient', '--out', ops]).code).toBe(0);
    const rows = readFileSync(ops, 'utf8').split('\n');
    const first = rows.findIndex((l) => l.startsWith('op,'));
    rows[first] = rows[first].split(',').map((v, i) => (i === 4 ? 'xx' : v)).join(',');
    writeFileSync(ops, rows.join('\n'));
    const text = cli(['import', ops, '--lenient']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^op stream lines: [\\d,]+ used, \\d+ skipped, 1 bad\n  bad ${ops.replace(/[.]/g, '\\.')}:${first + 1}: column pid is not a number$`, 'm'));
    expect(cli(['replay', ops, '--lenient', '-s', 'none']).stdout).toMatch(/warning: 2 bad input lines were skipped \(--lenient\)/);
  });

  it('an existing --out file is left intact when the import fails', () => {
    const out = join(tmp, 'keep.csv');
    writeFileSync(out, 'precious');
    const garbage = join(tmp, 'garbage2.txt');
    writeFileSync(garbage, 'nope\n');
    expect(cli(['import', garbage, '--out', out]).code).toBe(5);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    // a bad line after megabytes of output were written to the temporary file
    const lateBad = join(tmp, 'late-bad.trace');
    writeFileSync(lateBad, `${mixText}this is not a trace line\n`);
    expect(cli(['import', lateBad, '--format', 'ftrace', '--out', out]).code).toBe(4);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('missing file exits 3; bad flag values exit 2', () => {
    expect(cli(['import', join(tmp, 'nope.trace')]).code).toBe(3);
    expect(cli(['import', trace('xfs-mix.trace.gz'), '--file', 'banana']).code).toBe(2);
    expect(cli(['import', trace('xfs-mix.trace.gz'), '--format', 'banana']).code).toBe(2);
  });

  it('--task and --from/--to select ops', () => {
    const all = JSON.parse(cli(['import', trace('xfs-mix.trace.gz'), '--json']).stdout);
    const fio = JSON.parse(cli(['import', trace('xfs-mix.trace.gz'), '--json', '--task', 'fio']).stdout);
    const early = JSON.parse(cli(['import', trace('xfs-mix.trace.gz'), '--json', '--from', '+0', '--to', '+0.5']).stdout);
    expect(fio.ops.total).toBeLessThan(all.ops.total);
    expect(fio.lines.skipped['filtered-task']).toBeGreaterThan(0);
    expect(early.ops.total).toBeGreaterThan(0);
    expect(early.ops.total).toBeLessThan(all.ops.total);
    expect(early.lines.total).toBe(all.lines.total);
  });
});

describe('third-party traces import with exit 0 and complete line accounting', () => {
  const files = [
    'catapult/android_systrace.txt', 'catapult/atrace_data', 'catapult/atrace_fixed_tgids', 'catapult/atrace_missing_tgids',
    'catapult/decompressed_atrace_data.txt.gz', 'perfetto/bad_print.systrace', 'perfetto/sched_blocked_systrace.systrace',
    'perfetto/unknown_thread_name.systrace',
  ];
  it.each(files)('%s', async (f) => {
    const path = join(FIXTURES, 'public', f);
    const r = cli(['import', path, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const raw = f.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString('latin1') : readFileSync(path, 'latin1');
    const lineCount = raw.endsWith('\n') ? raw.split('\n').length - 1 : raw.split('\n').length;
    expect(s.lines.total).toBe(lineCount);
    expect(s.lines.bad).toBe(0);
    const skipped = Object.values(s.lines.skipped as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(s.lines.used + skipped).toBe(lineCount);
  });
});
