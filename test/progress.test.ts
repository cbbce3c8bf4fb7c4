import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtEta, formatImportProgress, formatReplayProgress, Progress } from '../src/util/progress.js';
import { cli, ROOT, trace } from './helpers.js';

describe('progress lines', () => {
  it('import: percent of the input read, both amounts with units, and an ETA at the rate so far', () => {
    // 12.3 of 29.1 MB in 1 s: 16.8 MB left at 12.3 MB/s is 1.4 s
    expect(formatImportProgress(12.3e6, 29.1e6, 1000)).toBe('import 42% 12.3 MB/29.1 MB, ETA 2 s');
    expect(formatImportProgress(120_400, 361_400, 5000)).toBe('import 33% 120.4 kB/361.4 kB, ETA 11 s');
    // no size (standard input): no percent, no ETA
    expect(formatImportProgress(5e6, undefined, 1000)).toBe('import 5.0 MB read');
    // nothing read yet, or too early to tell the rate: no ETA
    expect(formatImportProgress(0, 1e6, 1000)).toBe('import 0% 0 B/1.0 MB');
    expect(formatImportProgress(5e5, 1e6, 10)).toBe('import 50% 500.0 kB/1.0 MB');
  });

  it('replay: one strategy, or all of them with the ones running', () => {
    expect(formatReplayProgress({ strategies: ['range-lock'], done: [2466], opsEach: 5872 }, 2000)).toBe('replay range-lock 41% 2,466/5,872 ops, ETA 3 s');
    expect(formatReplayProgress({ strategies: ['none', 'i-mutex', 'range-lock', 'i-rwsem'], done: [1000, 500, 250, -1], opsEach: 1000 }, 7000))
      .toBe('replay 43% 1,750/4,000 ops, ETA 9 s; 1/4 strategies done; running: i-mutex 50%, range-lock 25%');
  });

  it('replay: a strategy\'s name (a user module names its own) sends no control character to the terminal (was: an ESC sequence in it went out as it is)', () => {
    expect(formatReplayProgress({ strategies: ['a\x1b[2Jb'], done: [1], opsEach: 2 }, 1000)).toBe('replay a?[2Jb 50% 1/2 ops, ETA 1 s');
    expect(formatReplayProgress({ strategies: ['none', 'x\x1b]0;t\x07y'], done: [2, 1], opsEach: 2 }, 1000)).toBe('replay 75% 3/4 ops, ETA <1 s; 1/2 strategies done; running: x?]0;t?y 50%');
  });

  it('units on every number', () => {
    expect([fmtBytes(812), fmtBytes(361_400), fmtBytes(12.34e6), fmtBytes(1.2e9)]).toEqual(['812 B', '361.4 kB', '12.3 MB', '1.2 GB']);
    expect([fmtEta(0.3), fmtEta(3), fmtEta(125), fmtEta(4320)]).toEqual(['<1 s', '3 s', '2 min 5 s', '1 h 12 min']);
  });
});

describe('the progress meter', () => {
  function fakeStream(columns?: number) {
    const writes: string[] = [];
    return { writes, stream: { columns, write: (t: string) => writes.push(t) } };
  }

  it('redraws one line in place (\\r, clear to end of line) when the percent changes, and clears it when done', () => {
    let t = 0;
    const { writes, stream } = fakeStream();
    const p = new Progress(true, { stream, now: () => t });
    t = 1000;
    p.importBytes(400_000, 1_000_000);
    t = 1001; // same percent, too soon: not drawn
    p.importBytes(400_100, 1_000_000);
    t = 1100;
    p.importBytes(500_000, 1_000_000);
    p.done();
    expect(writes).toEqual(['\rimport 40% 400.0 kB/1.0 MB, ETA 2 s\x1b[K', '\rimport 50% 500.0 kB/1.0 MB, ETA 2 s\x1b[K', '\r\x1b[K']);
  });

  it('is cut to the terminal width', () => {
    const { writes, stream } = fakeStream(30);
    new Progress(true, { stream, now: () => 5000 }).replay({ strategies: ['none', 'i-mutex', 'range-lock'], done: [10, 20, 30], opsEach: 100 });
    expect(writes[0].replace(/^\r|\x1b\[K$/g, '')).toHaveLength(29);
  });

  it('writes nothing when disabled (not a terminal, --json, CI)', () => {
    const { writes, stream } = fakeStream();
    const p = new Progress(false, { stream });
    p.importBytes(1, 2);
    p.replay({ strategies: ['none'], done: [1], opsEach: 2 });
    p.done();
    expect(writes).toEqual([]);
  });
});

const SCRIPT = '/usr/bin/script';
/** runs the CLI with stderr on a pseudo-terminal (util-linux script), stdout thrown away; returns what the terminal got */
function onTerminal(args: string[]): string {
  const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
  const command = `${quote(process.execPath)} ${quote(join(ROOT, 'bin', 'run.js'))} ${args.map(quote).join(' ')} > /dev/null`;
  const env: Record<string, string | undefined> = { ...process.env, COLUMNS: '250' };
  delete env.CI;
  const r = spawnSync(SCRIPT, ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env, timeout: 120_000 });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe.skipIf(!existsSync(SCRIPT))('progress on a terminal', () => {
  const args = [trace('xfs-mix.trace.gz'), '--mode', 'open', '--time-scale', '0.05'];

  it('compare shows the import and each strategy\'s replay with a percent and an ETA; nothing with --json', () => {
    const out = onTerminal(['compare', ...args, '-s', 'none,i-mutex,range-lock', '--threads', '2']);
    expect(out).toMatch(/\rimport \d+% [\d.]+ kB\/361\.\d kB/);
    expect(out).toMatch(/\rreplay \d+% [\d,]+\/17,616 ops, ETA (<1|\d+) s; \d\/3 strategies done; running: [a-z-]+ \d+%/);
    // the line is cleared before the results are printed
    expect(out).toMatch(/\r\x1b\[K$/);
    expect(onTerminal(['compare', ...args, '-s', 'none,i-mutex', '--json'])).not.toMatch(/%|ETA/);
  }, 150_000);

  it('replay shows the strategy, ops done of the total and an ETA', () => {
    expect(onTerminal(['replay', ...args, '-s', 'i-mutex'])).toMatch(/\rreplay i-mutex \d+% [\d,]+\/5,872 ops, ETA (<1|\d+) s\x1b\[K/);
  }, 150_000);

  it('nothing when stderr is a pipe', () => {
    const r = cli(['replay', ...args, '-s', 'i-mutex'], undefined, { CI: '' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
