/**
 * Session 29: command and output defects (CSV formula injection, raw paths on the terminal, stale
 * .hgrm files, the unknown-command prompt), each as a regression test.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, CLI_TIMEOUT_MS, ROOT, trace, TWO_OVERLAPPING_OPS } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz29-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** two overlapping ops on one file: a replay of a few milliseconds */
const OPS = join(tmp, 'two.ops');
writeFileSync(OPS, TWO_OVERLAPPING_OPS);

/** the CLI run in `cwd`, so that a trace's name is the relative path given (which may start with "=" or "-") */
function cliIn(cwd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env, CI: '1' };
  delete env.GITHUB_STEP_SUMMARY;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { encoding: 'utf8', cwd, env, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** the first 1,500 lines of a real capture (fio's and bash's page faults, fio's mmap_lock events), fio's comm made `comm` */
function fragment(comm: string): string {
  const lines = gunzipSync(readFileSync(trace('xfs-mix.trace.gz'))).toString('latin1').split('\n').slice(0, 1500);
  return `${lines.map((l) => l.replace(/^( *)fio-(\d+) /, (_m, pad: string, pid: string) => `${pad}${comm}-${pid} `)).join('\n')}\n`;
}

describe('report --format csv: a name a spreadsheet would run as a formula', () => {
  const names = ['=HYPERLINK("x")', '-cmd', '@SUM(A1)', '+1'];

  it("gets a ' before it; the numbers stay as they are (was: =HYPERLINK(\"x\") as the cell)", () => {
    const dir = mkdtempSync(join(tmp, 'csv-'));
    writeFileSync(join(dir, names[0]), fragment(names[0]));
    const replayed = cliIn(dir, ['replay', '-s', 'none', '--out', 'r0.json', '--', names[0]]);
    expect(replayed.code, replayed.stderr).toBe(0);
    const text = readFileSync(join(dir, 'r0.json'), 'utf8');
    // the result JSON keeps the name exact
    expect((JSON.parse(text) as { input: { trace: string } }).input.trace).toBe(names[0]);
    // (the same result as if the trace had had the other names: one replay is enough)
    const results = ['r0.json'];
    for (const [i, name] of [...names.slice(1), 'plain'].entries()) {
      const result = JSON.parse(text) as { input: { trace: string } };
      result.input.trace = name;
      writeFileSync(join(dir, `r${i + 1}.json`), JSON.stringify(result));
      results.push(`r${i + 1}.json`);
    }
    const r = cliIn(dir, ['report', ...results, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').slice(1);
    const perTrace = rows.length / 5;
    expect(perTrace).toBeGreaterThanOrEqual(3);
    const traceCells = [...new Set(rows.map((row) => row.slice(0, row.lastIndexOf(',none,'))))];
    expect(traceCells).toEqual([`"'=HYPERLINK(""x"")"`, "'-cmd", "'@SUM(A1)", "'+1", 'plain']);
    // the numbers after the names: the same for every name, as written
    const numbers = rows.map((row) => row.slice(row.lastIndexOf(',none,')));
    for (let t = 1; t < 5; t++) expect(numbers.slice(t * perTrace, (t + 1) * perTrace)).toEqual(numbers.slice(0, perTrace));
    expect(numbers.every((n) => /^,none,[a-z-]+(,\d+(\.\d+)?)+$/.test(n))).toBe(true);
  });
});

describe('the op stream', () => {
  it('keeps a comm that looks like a formula exact, through an import of itself', () => {
    const dir = mkdtempSync(join(tmp, 'ops-'));
    writeFileSync(join(dir, 'frag.trace'), fragment('=1+1'));
    expect(cliIn(dir, ['import', 'frag.trace', '--out', 'ops.csv']).code).toBe(0);
    expect(cliIn(dir, ['import', 'ops.csv', '--out', 'again.csv']).code).toBe(0);
    const ops = readFileSync(join(dir, 'ops.csv'), 'utf8').split('\n');
    const again = readFileSync(join(dir, 'again.csv'), 'utf8').split('\n');
    const comms = ops.filter((l) => l.startsWith('op,') || l.startsWith('lock,')).map((l) => l.split(',')[6]);
    expect(new Set(comms)).toEqual(new Set(['bash', '=1+1']));
    expect(comms.filter((c) => c === '=1+1').length).toBeGreaterThan(100);
    // every row the same; only the summary (which names its input) differs
    const rows = (lines: string[]): string[] => lines.filter((l) => !l.startsWith('# summary:'));
    expect(rows(again)).toEqual(rows(ops));
  });
});

describe('a path printed on the terminal', () => {
  /** a directory name with an ESC sequence and a line break in it, and how the terminal is shown it */
  const odd = 'out\x1b[31m\nred';
  const shown = 'out?[31m?red';

  it('replay --out/--hgrm: the "wrote" lines show its control characters as ? (was: the ESC sequence and the line break raw)', () => {
    const dir = mkdtempSync(join(tmp, 'wrote-'));
    const r = cli(['replay', OPS, '-s', 'none', '--out', join(dir, `${odd}.json`), '--hgrm', join(dir, odd)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toContain(`wrote ${join(dir, shown)}.json (the result JSON)\nwrote ${join(dir, shown)} (3 .hgrm files, one per strategy and op kind)\n`);
    // (the files are where they were asked for, under their exact names)
    expect(readdirSync(dir).sort()).toEqual([odd, `${odd}.json`]);
  });

  it('report --format hgrm: its count line shows them as ? (was: raw)', () => {
    const dir = mkdtempSync(join(tmp, 'count-'));
    const result = join(dir, 'r.json');
    expect(cli(['replay', OPS, '-s', 'none', '--out', result]).code).toBe(0);
    const r = cli(['report', result, '--format', 'hgrm', '--out', join(dir, odd)]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `3 .hgrm files in ${join(dir, shown)}\n`, '']);
  });

  it('check: a --junit that cannot be written is named with its ESC as ?, as other errors (was: raw, on stderr)', () => {
    const dir = mkdtempSync(join(tmp, 'junit-'));
    const result = join(dir, 'r.json');
    expect(cli(['replay', OPS, '-s', 'none', '--out', result]).code).toBe(0);
    const baseline = join(dir, 'b.json');
    copyFileSync(result, baseline);
    // (a file where a directory would be: the verdict, then the JUnit file cannot be written, exit 6)
    const junit = join(OPS, `${odd}.xml`);
    const r = cli(['check', result, '--baseline', baseline, '--junit', junit]);
    expect(r.code).toBe(6);
    expect(r.stderr).not.toContain('\x1b');
    // (as every error message: its ESC shown as ?, its line breaks kept, base.ts's terminalText)
    expect(r.stderr).toBe(`lockreplay: ${join(OPS, 'out?[31m\nred')}.xml: cannot write (ENOTDIR: ${OPS} is not a directory)\n`);
  });
});

describe('an .hgrm directory holding an earlier run\'s files of other strategies', () => {
  it('report --format hgrm leaves them and names them as not from this run (was: not a word)', () => {
    const dir = mkdtempSync(join(tmp, 'stale-'));
    const both = join(dir, 'both.json');
    const one = join(dir, 'one.json');
    expect(cli(['compare', OPS, '-s', 'none,i-mutex,range-lock', '--out', both]).code).toBe(0);
    expect(cli(['replay', OPS, '-s', 'none', '--out', one]).code).toBe(0);
    const hgrm = join(dir, 'h');
    const first = cli(['report', both, '--format', 'hgrm', '--out', hgrm]);
    expect([first.code, first.stdout]).toEqual([0, `9 .hgrm files in ${hgrm}\n`]);
    const r = cli(['report', one, '--format', 'hgrm', '--out', hgrm]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(`3 .hgrm files in ${hgrm} (3 of them replaced files of the same name)\nnote: 6 other .hgrm files in ${hgrm} are not from this run (left as they were): i-mutex.all.hgrm, i-mutex.read.hgrm, i-mutex.write.hgrm, range-lock.all.hgrm, range-lock.read.hgrm, and 1 more\n`);
    expect(readdirSync(hgrm)).toHaveLength(9);
    // the same from replay --hgrm, after its "wrote" line; one file is named alone
    for (const f of readdirSync(hgrm)) if (!f.startsWith('none.') && f !== 'i-mutex.write.hgrm') rmSync(join(hgrm, f));
    const again = cli(['replay', OPS, '-s', 'none', '--hgrm', hgrm]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.endsWith(`wrote ${hgrm} (3 .hgrm files, one per strategy and op kind)\nnote: 1 other .hgrm file in ${hgrm} is not from this run (left as they were): i-mutex.write.hgrm\n`)).toBe(true);
  });
});

/** util-linux's script(1), to run a command on a pseudo-terminal (Debian: bsdutils) */
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

describe('an unknown command', () => {
  it('names the command it looks like a typo of, runs nothing, exit 2', () => {
    const r = cli(['recrod', 'x']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'lockreplay: recrod x is not a lockreplay command (did you mean record? nothing was run)\nSee: lockreplay help\n']);
    // (a word like no command: no guess)
    expect(cli(['xyzzy']).stderr).toBe('lockreplay: xyzzy is not a lockreplay command\nSee: lockreplay help\n');
  });

  // (the typo's nearest command is strategies, which only prints: were the fix undone, this test
  // would run it, not record, whose capture needs tracefs)
  it.skipIf(!hasScript)('on a terminal, with Enter pressed, asks nothing and runs nothing (was: "Did you mean strategies? (Y/n)", then ran it, exit 0) [needs script(1), util-linux/bsdutils: skipped without it]', () => {
    const command = `${shellQuote(process.execPath)} ${shellQuote(join(ROOT, 'bin', 'run.js'))} strategis`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { input: '\n\n\ny\n', encoding: 'utf8', cwd: ROOT, env: { ...process.env, CI: '1' }, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' });
    const shown = r.stdout.replace(/\r/g, '');
    expect(shown).toContain('lockreplay: strategis is not a lockreplay command (did you mean strategies? nothing was run)\nSee: lockreplay help\n');
    expect(shown).not.toMatch(/Y\/n|Did you mean/);
    expect(shown).not.toContain('No locks');
    // (script -e exits with the command's code)
    expect(r.status).toBe(2);
  });
});

describe('compare --baseline differing from a strategy of the run only in hz', () => {
  it('is refused right after the import, with the same message and exit code, no replay run (was: refused after every replay)', () => {
    const dir = mkdtempSync(join(tmp, 'baseline-'));
    // a real fragment under a header naming CONFIG_HZ=1000: linux:xfs runs as linux:xfs:hz=1000
    const capture = join(dir, 'hz1000.trace');
    writeFileSync(capture, `# lockreplay kernel: 6.12.0 HZ=1000\n${fragment('fio')}`);
    // a strategy module that says so on stderr when it plans its first op: when a replay runs
    const example = pathToFileURL(join(ROOT, 'examples', 'strategies', 'whole-file-rwsem.js')).href;
    const telling = join(dir, 'telling.mjs');
    writeFileSync(telling, `import base from '${example}';\nlet said = false;\nexport default { ...base, name: 'telling', plan(op, ctx) { if (!said) { said = true; process.stderr.write('replaying\\n'); } return base.plan(op, ctx); } };\n`);
    const r = cli(['compare', capture, '-s', `none,linux:xfs,${telling}`, '--baseline', 'linux:xfs:hz=250', '--threads', '1']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'lockreplay: --baseline linux:xfs:hz=250 is not one of the strategies run (none, linux:xfs:hz=1000, telling)\n']);
    // (the baseline it does run is taken, and the module replays)
    const ok = cli(['compare', capture, '-s', `none,linux:xfs,${telling}`, '--baseline', 'linux:xfs:hz=1000', '--threads', '1', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('replaying\n');
    expect((JSON.parse(ok.stdout) as { baseline: string }).baseline).toBe('linux:xfs:hz=1000');
  });
});
