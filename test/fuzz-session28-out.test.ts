/**
 * Session 28: command and output defects an earlier round noticed and left alone, each as a
 * regression test.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { cli, ROOT, TWO_OVERLAPPING_OPS } from './helpers.js';
import { moduleLoadTimeoutMs } from '../src/strategies/load-bound.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz28-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** two overlapping ops on one file: a replay of a few milliseconds */
const OPS = write('two.ops', TWO_OVERLAPPING_OPS);

/** the plugin colours its message even when stderr is not a terminal: its own colours taken off */
const uncoloured = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('an unknown command', () => {
  it("shows the words' control characters as ? (was: the raw ESC sequence reached the terminal)", () => {
    const r = cli([`re\x1b[31mplay`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('\x1b[31m');
    expect(uncoloured(r.stderr)).toMatch(/re\?\[31mplay is not a lockreplay command/);
    const more = cli(['compar', '\x1b]0;title\x07x', 'y']);
    expect(more.stderr).not.toMatch(/\x1b\]|\x07/);
    expect(uncoloured(more.stderr)).toMatch(/compar \?\]0;title\?x y is not a lockreplay command/);
  });

  it('asked for help shows them as ? too, a usage error (was: "Command re\\x1b[31mplay not found." raw)', () => {
    for (const args of [[`re\x1b[31mplay`, '--help'], ['help', `re\x1b[31mplay`]]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toContain('\x1b[31m');
      expect(uncoloured(r.stderr)).toMatch(/Command re\?\[31mplay not found/);
    }
  });
});

describe('check --junit', () => {
  it('naming a directory is refused before the verdict (exit 2, naming the flag) (was: the verdict printed, then exit 6)', () => {
    const result = join(tmp, 'check-result.json');
    expect(cli(['replay', OPS, '-s', 'none', '--out', result]).code).toBe(0);
    const baseline = join(tmp, 'check-baseline.json');
    copyFileSync(result, baseline);
    const dir = join(tmp, 'junit-dir');
    mkdirSync(dir);
    for (const junit of [dir, `${dir}/`, join(dir, '..', 'junit-dir')]) {
      const r = cli(['check', result, '--baseline', baseline, '--junit', junit]);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `lockreplay: --junit ${junit}: is a directory, not a file to write: name the XML file (${join(junit, 'check.xml')}?)\n`]);
    }
    expect(readdirSync(dir)).toEqual([]);
    // (a file it can write: the verdict, as before)
    const fine = cli(['check', result, '--baseline', baseline, '--junit', join(dir, 'check.xml')]);
    expect(fine.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['check.xml']);
  });
});

describe('an .hgrm directory', () => {
  it("report --format hgrm: a file there that is a link to a result read is refused (exit 2), the result kept (was: replaced by the .hgrm text, exit 0)", () => {
    const result = join(tmp, 'hgrm-result.json');
    expect(cli(['compare', OPS, '-s', 'none,i-mutex', '--out', result]).code).toBe(0);
    const before = readFileSync(result, 'utf8');
    const dir = join(tmp, 'hgrm-linked');
    mkdirSync(dir);
    symlinkSync(result, join(dir, 'none.read.hgrm'));
    const r = cli(['report', result, '--format', 'hgrm', '--out', dir]);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `lockreplay: ${join(dir, 'none.read.hgrm')} is the input result ${result}: writing there would replace the result; name another place\n`]);
    expect(readFileSync(result, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['none.read.hgrm']);
  });

  it('replay and compare --hgrm: a file there that is a link to the trace is refused (exit 2), the trace kept (was: replaced, exit 0)', () => {
    const traceCopy = join(tmp, 'hgrm-trace.ops');
    copyFileSync(OPS, traceCopy);
    const before = readFileSync(traceCopy, 'utf8');
    const dir = join(tmp, 'hgrm-trace-linked');
    mkdirSync(dir);
    symlinkSync(traceCopy, join(dir, 'none.all.hgrm'));
    for (const command of [['replay', traceCopy, '-s', 'none'], ['compare', traceCopy, '-s', 'none,i-mutex']]) {
      const r = cli([...command, '--hgrm', dir]);
      expect([r.code, r.stdout, r.stderr], command[0]).toEqual([2, '', `lockreplay: ${join(dir, 'none.all.hgrm')} is the input trace ${traceCopy}: writing there would replace the trace; name another place\n`]);
      expect(readFileSync(traceCopy, 'utf8')).toBe(before);
      expect(readdirSync(dir)).toEqual(['none.all.hgrm']);
    }
  });

  it('report --format hgrm says how many files of the same name it replaced (was: nothing said)', () => {
    const result = join(tmp, 'hgrm-again.json');
    expect(cli(['compare', OPS, '-s', 'none,i-mutex', '--out', result]).code).toBe(0);
    const dir = join(tmp, 'hgrm-again');
    const first = cli(['report', result, '--format', 'hgrm', '--out', dir]);
    expect([first.code, first.stdout]).toEqual([0, `6 .hgrm files in ${dir}\n`]);
    writeFileSync(join(dir, 'none.all.hgrm'), 'mine\n');
    const again = cli(['report', result, '--format', 'hgrm', '--out', dir]);
    expect([again.code, again.stdout]).toEqual([0, `6 .hgrm files in ${dir} (6 of them replaced files of the same name)\n`]);
    expect(readFileSync(join(dir, 'none.all.hgrm'), 'utf8')).toMatch(/^\s+Value\s+Percentile/);
  });
});

describe('compare --baseline with options', () => {
  const missing = join(tmp, 'no-such.trace');

  it('naming no strategy of the run is refused before the trace is read (was: accepted as any NAME:..., refused after the whole replay)', () => {
    for (const baseline of ['linux:xfs:hz=300', 'linux:xfs:rwsem=plain', 'none:hz=250']) {
      const r = cli(['compare', missing, '-s', 'none,linux:xfs:hz=250', '--baseline', baseline]);
      expect([r.code, r.stderr], baseline).toEqual([2, `lockreplay: --baseline ${baseline} is not one of the strategies run (none, linux:xfs)\n`]);
    }
  });

  it('naming a strategy of the run with the options it was given is taken (was: refused after the replay: its label drops the default hz=250)', () => {
    const r = cli(['compare', OPS, '-s', 'none,linux:xfs:hz=250', '--baseline', 'linux:xfs:hz=250', '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout).baseline).toBe('linux:xfs');
    const other = cli(['compare', OPS, '-s', 'none,range-lock:prefault=true,buffered=page', '--baseline', 'range-lock:buffered=page,prefault=true', '--json']);
    expect([other.code, JSON.parse(other.stdout).baseline]).toEqual([0, 'range-lock:prefault=true,buffered=page']);
    // (the trace's CONFIG_HZ may still give a strategy without hz the one named: read first, then refused if not)
    const hz = cli(['compare', missing, '-s', 'none,linux:xfs', '--baseline', 'linux:xfs:hz=1000']);
    expect(hz.code).toBe(3);
  });
});

describe('a JS strategy module whose loading does not settle', () => {
  const example = pathToFileURL(join(ROOT, 'examples', 'strategies', 'whole-file-rwsem.js')).href;

  it('with a setInterval keeping the process on, is an error naming it after LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS (exit 4) (was: the command waited for ever)', () => {
    const mod = write('waits-for-ever.mjs', `setInterval(() => {}, 1000);\nawait new Promise(() => {});\nexport { default } from '${example}';\n`);
    const startedMs = Date.now();
    const r = cli(['replay', OPS, '-s', mod], undefined, { LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS: '1500' });
    expect(Date.now() - startedMs).toBeLessThan(30_000);
    expect([r.code, r.stdout, r.stderr]).toEqual([4, '', `lockreplay: ${mod}: the strategy module did not finish loading within 1.5 s: its top-level code still waits (a top-level await for something that does not come, kept going by a setInterval or an open handle?); LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS sets the bound\n`]);
    const compared = cli(['compare', OPS, '-s', `none,${mod}`], undefined, { LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS: '1500' });
    expect([compared.code, compared.stdout]).toEqual([4, '']);
    expect(compared.stderr).toMatch(/waits-for-ever\.mjs: the strategy module did not finish loading within 1\.5 s/);
  });

  it('one that settles within the bound loads; a bound that is no number of milliseconds is a usage error (exit 2)', () => {
    const mod = write('settles.mjs', `await new Promise((resolve) => setTimeout(resolve, 50));\nexport { default } from '${example}';\n`);
    expect(cli(['replay', OPS, '-s', mod], undefined, { LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS: '20000' }).code).toBe(0);
    const r = cli(['replay', OPS, '-s', mod], undefined, { LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS: '1.5' });
    expect([r.code, r.stderr]).toEqual([2, 'lockreplay: LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS=1.5: not a whole number of milliseconds from 1 to 2147483647\n']);
    for (const bad of ['x', '0', '-5', '99999999999']) {
      expect(() => moduleLoadTimeoutMs({ LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS: bad }), bad).toThrow(/not a whole number of milliseconds from 1 to 2147483647/);
    }
    expect([moduleLoadTimeoutMs({}), moduleLoadTimeoutMs({ LOCKREPLAY_MODULE_LOAD_TIMEOUT_MS: ' 250 ' })]).toEqual([60_000, 250]);
  });
});
