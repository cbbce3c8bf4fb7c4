/**
 * A session-27 hostile pass over the commands' flags, output paths, result files and strategy
 * specs: what it found to be misreported, each as a regression test.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ROOT, TWO_OVERLAPPING_OPS } from './helpers.js';
import { renderReport } from '../src/report/emit.js';
import type { ReplayResult } from '../src/model/result.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz27-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** two overlapping ops on one file: a replay of a few milliseconds */
const OPS_TEXT = TWO_OVERLAPPING_OPS;
const OPS = write('two.ops', OPS_TEXT);

/** the CLI run in `cwd` (helpers' cli runs in the project's folder) */
function cliIn(cwd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 60_000, killSignal: 'SIGKILL' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('an empty output path is refused before any work, naming the flag (exit 2)', () => {
  const said = (flag: string, path: string, what = 'a file, or - for standard output'): string => `lockreplay: --${flag} ${JSON.stringify(path)}: an empty path (an unset variable?): give ${what}\n`;

  it('replay and compare: --out, --html, --md, --perfetto and --hgrm (was: the whole replay, then exit 6 ": cannot write (ENOENT)"; --hgrm "" wrote its files into the working directory, exit 0)', () => {
    const cwd = mkdtempSync(join(tmp, 'cwd-'));
    for (const [flag, path] of [['out', ''], ['html', ' '], ['md', ''], ['perfetto', ''], ['hgrm', '']]) {
      for (const command of [['replay', OPS, '-s', 'none'], ['compare', OPS, '-s', 'none,i-mutex']]) {
        const r = cliIn(cwd, [...command, `--${flag}`, path]);
        expect([r.code, r.stdout, r.stderr], `${command[0]} --${flag}`).toEqual([2, '', said(flag, path, flag === 'hgrm' ? 'a directory' : undefined)]);
      }
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('import, report and merge --out (was: the whole import, then exit 6)', () => {
    const result = join(tmp, 'r.json');
    expect(cli(['replay', OPS, '-s', 'none', '-o', result]).code).toBe(0);
    for (const args of [['import', OPS], ['report', result], ['merge', result]]) {
      const r = cli([...args, '--out', '']);
      expect([r.code, r.stdout, r.stderr], args[0]).toEqual([2, '', said('out', '')]);
    }
    const hgrm = cli(['report', result, '--format', 'hgrm', '--out', '']);
    expect([hgrm.code, hgrm.stdout, hgrm.stderr]).toEqual([2, '', said('out', '', 'a directory')]);
  });
});

describe('flag values', () => {
  it('--time-scale beyond the largest number (1e400) is refused before the trace is read (was: read first, then "not Infinity")', () => {
    const r = cli(['replay', join(tmp, 'no-such.trace'), '-s', 'none', '--mode', 'open', '--time-scale', '1e400']);
    expect([r.code, r.stderr]).toEqual([2, 'lockreplay: --time-scale 1e400: expected a positive decimal number, e.g. 0.05 (this one is beyond the largest number)\n']);
  });
});

describe('a flag the parser refuses', () => {
  it('is quoted without its control characters (was: an ESC sequence in a value or a flag\'s name went to the terminal as it is)', () => {
    const value = cli(['replay', OPS, '-s', 'none', '--mode', 'x\x1b[2Jy']);
    expect([value.code, value.stderr]).toEqual([2, 'lockreplay: Expected --mode=x?[2Jy to be one of: closed, open\nSee: lockreplay replay --help\n']);
    const flag = cli(['replay', OPS, '-s', 'none', '--bo\x1b[2Jgus']);
    expect([flag.code, flag.stderr]).toEqual([2, 'lockreplay: Nonexistent flag: --bo?[2Jgus\nSee: lockreplay replay --help\n']);
  });
});

describe('compare --baseline', () => {
  it('naming none of the strategies (an empty one too) is refused before the trace is read (was: after every replay)', () => {
    for (const [baseline, shown] of [['', '""'], ['range-lock', 'range-lock']]) {
      const r = cli(['compare', join(tmp, 'no-such.trace'), '-s', 'none,i-mutex', '--baseline', baseline]);
      expect([r.code, r.stderr]).toEqual([2, `lockreplay: --baseline ${shown} is not one of the strategies run (none, i-mutex)\n`]);
    }
    expect(cli(['compare', OPS, '-s', 'none,i-mutex', '--baseline', 'i-mutex']).code).toBe(0);
  });
});

describe('strategy specs', () => {
  it('a module whose file name has a colon in it, given without ./, is that module (was: the built-in strategy "a", unknown)', () => {
    const dir = join(tmp, 'colon');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a:b.mjs'), "export default { name: 'colon', rules: [], plan() { return [{ type: 'work', fraction: 1 }]; } };\n");
    writeFileSync(join(dir, 'two.ops'), OPS_TEXT);
    const r = cliIn(dir, ['replay', 'two.ops', '-s', 'a:b.mjs', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).results[0].strategy).toBe('colon');
    // (one that is not there is named as a missing module, not as an unknown built-in)
    const missing = cliIn(dir, ['replay', 'two.ops', '-s', 'c:d.mjs']);
    expect([missing.code, missing.stderr]).toEqual([3, 'lockreplay: c:d.mjs: cannot read the strategy module (ENOENT)\n']);
  });

  it('a module path that is a directory is an unreadable input, as a rules table\'s is (exit 3; was: exit 4 with Node\'s import message)', () => {
    const dir = join(tmp, 'dir.mjs');
    mkdirSync(dir);
    const r = cli(['replay', OPS, '-s', dir]);
    expect([r.code, r.stderr]).toEqual([3, `lockreplay: ${dir}: cannot read the strategy module (EISDIR: a directory, not a file)\n`]);
  });
});

describe("a result's own strings in check's and merge's warnings", () => {
  it('reach the terminal without their control characters (was: an ESC sequence in a version or a trace name went to stderr as it is)', () => {
    const result = join(tmp, 'w.json');
    expect(cli(['replay', OPS, '-s', 'none', '-o', result]).code).toBe(0);
    const r = JSON.parse(readFileSync(result, 'utf8'));
    const version = join(tmp, 'w-version.json');
    writeFileSync(version, JSON.stringify({ ...r, tool: { ...r.tool, version: '9.9\x1b[2J' } }));
    const c = cli(['check', version, '--baseline', result]);
    expect([c.code, c.stderr]).toEqual([0, `lockreplay: warning: ${version} was made by lockreplay 9.9?[2J, ${result} by ${r.tool.version}: their models may differ (make the baseline again with this version)\n`]);
    const other = join(tmp, 'w-trace.json');
    writeFileSync(other, JSON.stringify({ ...r, input: { ...r.input, trace: 'tr\x1b]0;t\x07ace', opsDigest: 'other' } }));
    const m = cli(['merge', result, other, '--out', join(tmp, 'merged.json')]);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toContain(`warning: merge: the results are of 2 different traces (${OPS}, tr?]0;t?ace)`);
    expect(m.stderr).not.toMatch(/[\x1b\x07]/);
  });
});

describe("compare's worker processes and threads end with the run", () => {
  /**
   * FIRST (replayed here) waits until LOOP's plan() runs in a worker (which loops forever there and
   * writes its pid to the marker), then either throws (`fails`) or goes on
   */
  function modules(name: string, fails: boolean): { first: string; loop: string; marker: string } {
    const marker = join(tmp, `${name}.pid`);
    const first = write(`${name}-first.mjs`, `import { existsSync } from 'node:fs';\nlet once = false;\nexport default { name: '${name}-first', rules: [], plan() { if (!once) { once = true; const end = Date.now() + 30000; while (!existsSync(${JSON.stringify(marker)}) && Date.now() < end); ${fails ? "throw new Error('refused');" : ''} } return [{ type: 'work', fraction: 1 }]; } };\n`);
    const loop = write(`${name}-loop.mjs`, `import { writeFileSync } from 'node:fs';\nimport { isMainThread } from 'node:worker_threads';\nconst inWorker = process.send !== undefined || !isMainThread;\nexport default { name: '${name}-loop', rules: [], plan() { if (inWorker) { writeFileSync(${JSON.stringify(marker)}, String(process.pid)); for (;;) {} } return [{ type: 'work', fraction: 1 }]; } };\n`);
    return { first, loop, marker };
  }

  it('a strategy that fails here ends the run at once, whatever a worker is doing (was: it waited for the worker\'s strategy: forever for a plan() that never returns)', () => {
    for (const parallel of ['processes', 'threads']) {
      const { first, loop } = modules(`fails-${parallel}`, true);
      const r = cli(['compare', OPS, '-s', `${first},${loop}`, '--threads', '2', '--parallel', parallel, '--json']);
      expect([r.code, r.stdout, r.stderr], parallel).toEqual([4, '', `lockreplay: ${first}: plan() threw on op 0 (read, line 1): refused\n`]);
    }
  });

  it('SIGTERM ends the worker processes too (was: one whose plan() never returns kept running, orphaned)', async () => {
    const { first, loop, marker } = modules('sigterm', false);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'compare', OPS, '-s', `${first},${loop}`, '--threads', '2', '--json'], { env: { ...process.env, CI: '1' }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!existsSync(marker) || readFileSync(marker, 'utf8') === '') {
      if (Date.now() > deadline) throw new Error('the worker never ran its strategy');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const workerPid = Number(readFileSync(marker, 'utf8'));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    const alive = (): boolean => {
      try {
        process.kill(workerPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (const end = Date.now() + 5000; alive() && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 100));
    const left = alive();
    // (never left behind by the test itself)
    if (left) process.kill(workerPid, 'SIGKILL');
    expect(left).toBe(false);
  }, 60_000);
});

describe('every text format of a report of a result whose names hold control characters', () => {
  it('table, Markdown, HTML and CSV send none of them (was: the CSV held the ESC sequence of a strategy\'s name or the trace\'s, which report --format csv prints); JSON keeps them exact', () => {
    const result = join(tmp, 'names.json');
    expect(cli(['replay', OPS, '-s', 'none', '-o', result]).code).toBe(0);
    const r = JSON.parse(readFileSync(result, 'utf8')) as ReplayResult;
    const name = 'x\x1b[2J\x1b]0;t\x07\ny';
    r.input.trace = `tr${name}`;
    r.results[0].strategy = name;
    for (const format of ['table', 'md', 'html', 'csv'] as const) expect(renderReport([r], format), format).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(renderReport([r], 'csv').split('\n')[1]).toMatch(/^trx\?\[2J\?\]0;t\?\?y,x\?\[2J\?\]0;t\?\?y,read,1,/);
    expect(JSON.parse(renderReport([r], 'json')).results[0].strategy).toBe(name);
  });
});

describe('an output over a strategy file of the run', () => {
  it('is refused before any work (exit 2), by any path or link (was: compare -s ./rules.json --out rules.json replaced the rules table with the result)', () => {
    const rules = write('rules.json', JSON.stringify({ name: 'my-rules', locks: { m: { kind: 'mutex' } }, rules: { default: [{ lock: 'm', mode: 'X', range: 'file' }] } }));
    const before = readFileSync(rules, 'utf8');
    const c = cli(['compare', OPS, '-s', `none,${rules}`, '--out', rules]);
    expect([c.code, c.stdout, c.stderr]).toEqual([2, '', `lockreplay: --out ${rules} is the input strategy file ${rules}: writing there would replace the strategy file; name another file\n`]);
    const module = write('mine.mjs', "export default (o) => ({ name: 'mine', options: o, rules: [], plan() { return [{ type: 'work', fraction: 1 }]; } });\n");
    const moduleText = readFileSync(module, 'utf8');
    const link = join(tmp, 'mine-link.html');
    symlinkSync(module, link);
    const r = cli(['replay', OPS, '-s', `${module}:depth=3`, '--html', link]);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `lockreplay: --html ${link} is the input strategy file ${module}: writing there would replace the strategy file; name another file\n`]);
    expect([readFileSync(rules, 'utf8'), readFileSync(module, 'utf8')]).toEqual([before, moduleText]);
  });
});
