/**
 * A session-24 hostile pass on the output side: strings from a trace or a user strategy in every
 * report format, outputs that cannot be written or that name one file twice, outputs too large for
 * one string. Each finding a regression test; the inputs are made here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/errors.js';
import { cli, ROOT, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz24out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** what `dir` holds, temporary files included */
function entries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe('outputs of one run', () => {
  it('90: an output that is one of the --hgrm files (by path or through a link) is refused, exit 2, and the file keeps what it held (was: exit 6 "ENOENT" after the run, the file replaced by the .hgrm text)', () => {
    const dir = join(tmp, 'hgrm-90');
    mkdirSync(dir);
    const kept = join(dir, 'none.all.hgrm');
    writeFileSync(kept, 'precious\n');
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'none', '--hgrm', dir, '--out', kept]);
    expect([r.code, r.stderr]).toEqual([ExitCode.usage, expect.stringMatching(/none\.all\.hgrm: two outputs of this run are the same file/)]);
    expect(readFileSync(kept, 'utf8')).toBe('precious\n');
    expect(entries(dir)).toEqual(['none.all.hgrm']);
    // a new directory, named through a link for one of them: nothing is made
    const fresh = join(tmp, 'hgrm-90-new');
    const link = join(tmp, 'hgrm-90-link');
    mkdirSync(fresh);
    spawnSync('ln', ['-s', fresh, link]);
    const viaLink = cli(['replay', trace('xfs-mix.trace.gz'), '-s', 'none', '--hgrm', join(fresh, 'h'), '--md', join(link, 'h', 'none.read.hgrm')]);
    expect([viaLink.code, viaLink.stderr]).toEqual([ExitCode.usage, expect.stringContaining('two outputs of this run are the same file')]);
    expect(entries(fresh)).toEqual([]);
  });
});

describe('large outputs', () => {
  it('91: --perfetto of several strategies is written as it is made, in a heap of 128 MB (was: every event held, then one JSON string: V8 aborted out of memory, exit 134, temporary files left)', () => {
    const out = join(tmp, 'schedule-91.json');
    const r = cli(['compare', trace('xfs-contended-mixed.trace.gz'), '-s', 'i-mutex,range-lock,page-lock,none', '--perfetto', out], undefined, { NODE_OPTIONS: '--max-old-space-size=128' });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const j = JSON.parse(readFileSync(out, 'utf8')) as { otherData: { trace: string }; traceEvents: { ph: string; name: string; pid: number; args?: { name?: string } }[] };
    expect(j.otherData.trace).toContain('xfs-contended-mixed');
    const processes = j.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, e.args?.name]);
    expect(processes).toEqual([[1, 'i-mutex'], [2, 'range-lock'], [3, 'page-lock'], [4, 'none']]);
    expect(entries(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('standard output', () => {
  it.skipIf(!existsSync('/dev/full'))('92: standard output on a full device is exit 6 with one line naming it (was: an uncaught ENOSPC with its stack trace, exit 1)', () => {
    for (const args of [['replay', trace('xfs-mix.trace.gz'), '-s', 'none'], ['replay', trace('xfs-mix.trace.gz'), '-s', 'none', '--json'], ['import', trace('xfs-mix.trace.gz'), '-o', '-']]) {
      const full = openSync('/dev/full', 'w');
      try {
        const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', cwd: ROOT, env: { ...process.env, CI: '1' }, timeout: 60_000 });
        expect([r.status, r.stderr], args.join(' ')).toEqual([ExitCode.outputFailed, 'lockreplay: standard output: cannot write (ENOSPC)\n']);
      } finally {
        closeSync(full);
      }
    }
  });

  it('93: a reader that closes the pipe early (| head) leaves the exit code 0 (was: 13, "unsettled top-level await", when the output was more than the pipe held)', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'import', trace('xfs-mix.trace.gz'), '-o', '-'], { cwd: ROOT, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // (the first piece read, the pipe is closed, as head does)
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect([code, stderr]).toEqual([0, expect.stringContaining('ftrace trace')]);
  });
});

/** a user strategy whose op of an even task takes lock A then B, of an odd one B then A: a deadlock */
function abba(file: string, name: string, a: string, b: string, key: string): string {
  const path = join(tmp, file);
  writeFileSync(path, `export default {
  name: ${JSON.stringify(name)},
  plan(op, ctx) {
    if (ctx.parent !== undefined) return [{ type: 'work', fraction: 1 }];
    const [first, second] = op.pid % 2 === 0 ? [${JSON.stringify(a)}, ${JSON.stringify(b)}] : [${JSON.stringify(b)}, ${JSON.stringify(a)}];
    const lock = (lockClass, tag) => ({ type: 'acquire', lockClass, key: ${JSON.stringify(key)}, spec: { kind: 'mutex' }, mode: 'X', start: 0, end: Infinity, tag });
    return [lock(first, 0), { type: 'work', fraction: 0.5 }, lock(second, 1), { type: 'work', fraction: 0.5 }, { type: 'release', tag: 1 }, { type: 'release', tag: 0 }];
  },
};
`);
  return path;
}

describe('text for a terminal', () => {
  it('94: a line break, a line separator or a bidi override in a strategy\'s name, a lock class, a lock key or a file is "?": every row stays one line (was: the table row and the deadlock line split in two, U+202E printed)', () => {
    const evil = '\n\u2028\u202e';
    const lines = (r: { code: number; stdout: string; stderr: string }): string[] => {
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split('\n');
    };
    const run = (module: string): string[] => lines(cli(['compare', trace('xfs-contended-mixed.trace.gz'), '-s', `none,${module}`]));
    const plain = run(abba('abba-plain.mjs', 'abba', 'A', 'B', 'k'));
    const shown = run(abba('abba-evil.mjs', `ab${evil}ba`, `A${evil}`, 'B', `k${evil}`));
    expect(shown).toHaveLength(plain.length);
    expect(shown.join('\n')).not.toMatch(/[\u2028\u202e]/);
    expect(shown.filter((l) => /^ab\?\?\?ba +\S/.test(l))).toHaveLength(1);
    expect(shown.filter((l) => /waits since .* for A\?\?\? X \[0, ∞\) on k\?\?\?, held/.test(l))).toHaveLength(1);
    // a file of an op stream (a CSV trace's path), in the import summary's table
    const iolog = join(tmp, 'w.iolog');
    writeFileSync(iolog, ['fio version 3 iolog', '0 /data/f add', '0 /data/f open', ...Array.from({ length: 20 }, (_, i) => `${100 * i} /data/f write ${4096 * i} 4096`), '2000 /data/f close', ''].join('\n'));
    const ops = join(tmp, 'w.ops.csv');
    expect(cli(['import', iolog, '-o', ops]).code).toBe(0);
    const edited = join(tmp, 'w-evil.ops.csv');
    writeFileSync(edited, readFileSync(ops, 'utf8').split('\n').map((l) => (l.startsWith('op,') ? l.replace('file:/data/f', `"file:/data/a${evil}b"`) : l)).join('\n'));
    const summary = lines(cli(['import', edited]));
    expect(summary).toHaveLength(lines(cli(['import', ops])).length);
    expect(summary.filter((l) => /^file:\/data\/a\?\?\?b +20 +20$/.test(l))).toHaveLength(1);
  });
});

/** a result of two strategies (none, i-mutex) on a small trace, their names and the trace's path replaced (as a user module or a file name can have them) */
function namedResult(file: string, names: [string, string], tracePath: string): string {
  const iolog = join(tmp, 'named.iolog');
  const base = join(tmp, 'named-base.json');
  if (!existsSync(base)) {
    writeFileSync(iolog, ['fio version 3 iolog', '0 /data/f add', '0 /data/f open', ...Array.from({ length: 20 }, (_, i) => `${100 * i} /data/f write ${4096 * i} 4096`), '2000 /data/f close', ''].join('\n'));
    expect(cli(['compare', iolog, '-s', 'none,i-mutex', '--out', base]).code).toBe(0);
  }
  const r = JSON.parse(readFileSync(base, 'utf8')) as { input: { trace: string }; results: { strategy: string }[]; comparison: { strategy: string }[]; baseline: string; verdict: { safe: string[]; unsafe: string[] } };
  const renamed = new Map(r.results.map((s, i) => [s.strategy, names[i]]));
  r.results.forEach((s, i) => (s.strategy = names[i]));
  r.comparison.forEach((c, i) => (c.strategy = names[i]));
  r.baseline = names[0];
  // (report checks the verdict's lists against the strategies: renamed there too)
  r.verdict.safe = r.verdict.safe.map((l) => renamed.get(l) ?? l);
  r.verdict.unsafe = r.verdict.unsafe.map((l) => renamed.get(l) ?? l);
  r.input.trace = tracePath;
  const path = join(tmp, file);
  writeFileSync(path, JSON.stringify(r));
  return path;
}

describe('JUnit XML', () => {
  it('95: a strategy or trace name with U+FFFE or U+FFFF, characters XML does not allow, is written "?" (was: the JUnit file was not well-formed XML)', () => {
    const current = namedResult('junit-current.json', ['mine\ufffe', 'yours\uffff'], 'trace\ufffe.log');
    const baseline = namedResult('junit-baseline.json', ['mine\ufffe', 'yours\uffff'], 'trace\ufffe.log');
    const junit = join(tmp, 'junit.xml');
    const check = cli(['check', current, '--baseline', baseline, '--junit', junit]);
    expect(check.code, check.stderr).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    // XML 1.0's Char production: nothing else may appear in a document
    expect([...xml].filter((c) => !/^[\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]$/u.test(c)).map((c) => c.codePointAt(0)?.toString(16))).toEqual([]);
    expect(xml).toContain('classname="lockreplay.mine?"');
    expect(xml).toContain('name="lockreplay check: trace?.log"');
  });
});

describe('HTML', () => {
  it('96: control characters in a strategy\'s name or the trace\'s path (NUL, ESC, DEL, C1) are U+FFFD in the HTML report, tables and chart legends alike (was: written raw: a file grep and file(1) took for binary data, a parse error each)', () => {
    const path = namedResult('html-controls.json', ['mine\u0000\u001b[31m\u007f\u009b</script>', 'i-mutex'], 'trace\u0001.log');
    const out = join(tmp, 'controls.html');
    const r = cli(['report', path, '--format', 'html', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]/);
    expect(html).toContain('<h2>trace\ufffd.log</h2>');
    expect(html).toContain('<td>mine\ufffd\ufffd[31m\ufffd\ufffd&lt;/script&gt;</td>');
    // the legend of a chart (ECharts' SVG text) too
    expect(html).toMatch(/<text[^>]*>mine\ufffd\ufffd\[31m\ufffd\ufffd&lt;\/script&gt;<\/text>/);
  });

  it('97: a bidi override or isolate in a strategy\'s name or the trace\'s path (U+202E, U+2066) is U+FFFD in the HTML report (was: it reversed the rest of its paragraph, the report\'s own words after it: "DEADLOCK at 3.26ms" read ".ereht deppots nur eht ...")', () => {
    const path = namedResult('html-bidi.json', ['mine\u202eenim', 'i-mutex'], 'trace\u2066.log');
    const out = join(tmp, 'bidi.html');
    const r = cli(['report', path, '--format', 'html', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain('<td>mine\ufffdenim</td>');
    expect(html).toContain('<h2>trace\ufffd.log</h2>');
  });

  it('98: a bidi override or isolate in a strategy\'s name or the trace\'s path is "?" in the Markdown report (was: written as it was, reversing the rest of its line where GitHub shows it)', () => {
    const path = namedResult('md-bidi.json', ['mine\u202eenim', 'i-mutex'], 'trace\u2067.log');
    const r = cli(['report', path, '--format', 'md']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
    expect(r.stdout).toContain('| mine?enim |');
    expect(r.stdout).toContain('### lockreplay: trace?.log');
  });
});

describe('import', () => {
  it('99: import --out that is the trace itself (by path or through a link) is refused, exit 2, and the trace stays as it was (was: exit 0, the capture replaced by its op stream)', () => {
    const capture = join(tmp, 'capture.trace.gz');
    const bytes = readFileSync(trace('xfs-mix.trace.gz'));
    writeFileSync(capture, bytes);
    const link = join(tmp, 'capture-link.gz');
    spawnSync('ln', ['-s', capture, link]);
    for (const out of [capture, link]) {
      const r = cli(['import', capture, '-o', out]);
      expect([r.code, r.stderr]).toEqual([ExitCode.usage, expect.stringContaining(`--out ${out} is the input trace ${capture}`)]);
      expect(readFileSync(capture).equals(bytes)).toBe(true);
    }
  });
});

describe('error messages', () => {
  it('100: an error quoting a JSON strategy\'s lock name shows its ESC as "?" (was: the escape sequence reached the terminal: "\\e[2J" cleared the screen)', () => {
    const table = join(tmp, 'esc-lock.json');
    writeFileSync(table, JSON.stringify({ name: 'x', locks: { 'a\u001b[2Jb\u009b1m': { kind: 'weird' } }, rules: {} }));
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '-s', table]);
    expect(r.code).toBe(ExitCode.badInput);
    expect(r.stderr).toContain('locks.a?[2Jb?1m.kind: expected');
    expect(r.stderr).not.toMatch(/[\u001b\u009b]/);
  });
});
