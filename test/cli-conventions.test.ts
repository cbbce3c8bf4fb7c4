import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, trace } from './helpers.js';

describe('CLI conventions', () => {
  it('a flag that does not parse keeps the reason, exit 2', () => {
    for (const [flag, value, reason] of [['--cpus', '0', /Parsing --cpus: Expected an integer greater than or equal to 1 but received: 0/], ['--cpus', 'abc', /Parsing --cpus: Expected an integer but received: abc/]] as const) {
      const r = cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'none', flag, value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(reason);
    }
    const t = cli(['compare', trace('xfs-mix.trace.gz'), '-s', 'none', '--threads', '0']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/Parsing --threads: Expected an integer greater than or equal to 1/);
  });

  it('a strategy module that is not there is an unreadable input (exit 3), named as given', () => {
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '-s', './no-such-strategy.js']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('lockreplay: ./no-such-strategy.js: cannot read the strategy module (ENOENT)\n');
  });

  it('stdout takes one output: --out - is the JSON once (with or without --json, no table after it); two outputs there are refused before any work (exit 2)', () => {
    const base = ['replay', trace('xfs-mix.trace.gz'), '-s', 'none'];
    for (const extra of [['--out', '-'], ['--json', '--out', '-']]) {
      const r = cli([...base, ...extra]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).schema).toBe('lockreplay-result/2');
    }
    const md = cli([...base, '--md', '-']);
    expect([md.code, md.stdout.startsWith('### lockreplay:')]).toEqual([0, true]);
    expect(md.stdout).not.toMatch(/^strategy\s/m);
    for (const [extra, message] of [
      [['--json', '--md', '-'], '--json prints the result JSON on stdout, and --md - would write there too: give --md a file'],
      [['--json', '--perfetto', '-'], '--json prints the result JSON on stdout, and --perfetto - would write there too: give --perfetto a file'],
      [['--out', '-', '--html', '-'], '--out - and --html - would all write to stdout: give all but one of them a file'],
      [['--hgrm', '-'], '--hgrm - : --hgrm names a directory (one .hgrm file per strategy and op kind), not stdout'],
    ] as const) {
      for (const command of [base, ['compare', trace('xfs-mix.trace.gz'), '-s', 'none,i-mutex']]) {
        const r = cli([...command, ...extra]);
        expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `lockreplay: ${message}\n`]);
      }
    }
  });

  it('two strategies that would be reported under one label are refused before any work (exit 2): results, the verdict, check and merge name strategies by label', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-labels-'));
    const rules = join(dir, 'none.json');
    writeFileSync(rules, JSON.stringify({ name: 'none', locks: {}, rules: {} }));
    for (const [list, label] of [['none,none', 'none'], ['range-lock,range-lock:fairness=fifo', 'range-lock'], [`none,${rules}`, 'none']] as const) {
      const r = cli(['compare', trace('xfs-mix.trace.gz'), '-s', list]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(new RegExp(`^lockreplay: two of the strategies would both be reported as "${label}" \\(the same name and options\\)`));
    }
    // options that differ are two labels
    expect(cli(['compare', trace('xfs-mix.trace.gz'), '-s', 'range-lock,range-lock:fairness=reader-pref']).code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--time-scale without --mode open has no effect, and says so', () => {
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'none', '--time-scale', '0.5', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).warnings).toContain('--time-scale 0.5 has no effect in closed mode (ops issue when their task\'s previous op completed): add --mode open');
  });
});

describe('help and unknown commands', () => {
  it('-h, --help and help COMMAND print help, exit 0', () => {
    for (const args of [['-h'], ['compare', '-h'], ['help', 'compare'], ['compare', '--help']]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/USAGE/);
    }
    expect(cli(['help', 'compare']).stdout).toMatch(/Replay a trace against several strategies/);
  });

  it('an unknown command is a usage error (exit 2) and points to the help', () => {
    const r = cli(['compar', 'x']);
    expect(r.code).toBe(2);
    // (the plugin colours its message even when stderr is not a terminal)
    expect(r.stderr.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/compar x is not a lockreplay command/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
