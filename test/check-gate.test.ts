/**
 * `lockreplay check` as a CI gate (the CLI): what it refuses, what it writes and in which order, on
 * results of a user strategy and of a regressed copy of it (every shared lock taken exclusive).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-check-gate-'));
const strategy = readFileSync(join(ROOT, 'examples', 'strategies', 'whole-file-rwsem.js'), 'utf8').replace("name: 'whole-file-rwsem'", "name: 'mine'");
const mine = join(tmp, 'mine.js');
writeFileSync(mine, strategy);
const regressed = join(tmp, 'regressed', 'mine.js');
mkdirSync(join(tmp, 'regressed'));
writeFileSync(regressed, strategy.replace("const mode = SHARED.has(op.kind) ? 'S' : 'X';", "const mode = 'X';"));

/** `compare` of a trace with `none`, the strategy module and range-lock, open mode */
function compareTo(input: string, module: string, out: string): string {
  const r = cli(['compare', input, '-s', `none,${module},range-lock`, '--mode', 'open', '--time-scale', '0.05', '--out', out]);
  if (r.code !== 0) throw new Error(`compare ${input}: ${r.stderr}`);
  return out;
}

const v1 = compareTo(trace('xfs-mix.trace.gz'), mine, join(tmp, 'v1.json'));
const v2 = compareTo(trace('xfs-mix.trace.gz'), regressed, join(tmp, 'v2.json'));

describe('check refuses results that cannot be compared', () => {
  it('the same ops with other kernel lock waits and task sleeps (a trace imported with --no-locks) are not comparable: exit 11, saying what differs', () => {
    const ops = join(tmp, 'ops.csv');
    expect(cli(['import', trace('xfs-contended-mixed-sched.trace.gz'), '--no-locks', '--out', ops]).code).toBe(0);
    const base = compareTo(ops, mine, join(tmp, 'nolocks-base.json'));
    const cand = compareTo(trace('xfs-contended-mixed-sched.trace.gz'), regressed, join(tmp, 'locks-cand.json'));
    const r = cli(['check', cand, '--baseline', base]);
    expect(r.code).toBe(11);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cannot be compared: they replay other service times: serviceTime\.observedWaits differs \(the kernel's lock waits removed from service times: \d+ waits, \d+ ns removed vs 0 waits, 0 ns removed\)/);
  }, 120_000);

  it('the regressed strategy against v1 is a regression (exit 10)', () => {
    const r = cli(['check', v2, '--baseline', v1]);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/mine\s+p99/);
  });
});

describe('check refuses a result whose summary numbers disagree with their histograms and counters', () => {
  it("a regressed candidate with the baseline's latency, throughput and locks blocks copied in is refused (exit 11), naming the file, the strategy and the field", () => {
    const base = JSON.parse(readFileSync(v1, 'utf8'));
    const forged = JSON.parse(readFileSync(v2, 'utf8'));
    const i = forged.results.findIndex((s: { strategy: string }) => s.strategy === 'mine');
    const from = base.results[i];
    const s = forged.results[i];
    s.throughput = from.throughput;
    s.locks = from.locks;
    s.all.latency = from.all.latency;
    s.all.lockWait = from.all.lockWait;
    for (const k of Object.keys(s.byKind)) if (from.byKind[k] !== undefined) s.byKind[k].latency = from.byKind[k].latency;
    const path = join(tmp, 'forged.json');
    writeFileSync(path, JSON.stringify(forged));
    const r = cli(['check', path, '--baseline', v1]);
    expect(r.code).toBe(11);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^lockreplay: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the summary numbers do not match the histograms and counters they are derived from: results\\[${i}\\] \\(strategy mine\\): all\\.latency\\.\\w+ is \\d+, but all\\.latencyHistogram( gives|'s largest value is about) \\d+`));
    // each block alone is refused too: the rates against the op count and makespan, the lock waits against the ops' waits
    const only = (edit: (s: typeof forged.results[0]) => void, says: RegExp): void => {
      const f = JSON.parse(readFileSync(v2, 'utf8'));
      edit(f.results[i]);
      writeFileSync(path, JSON.stringify(f));
      const c = cli(['check', path, '--baseline', v1]);
      expect([c.code, c.stderr]).toEqual([11, expect.stringMatching(says)]);
    };
    only((x) => { x.throughput.opsPerSec = from.throughput.opsPerSec; }, /\(strategy mine\): throughput\.opsPerSec is [\d.]+, but \d+ ops in \d+ ns give [\d.]+/);
    // the whole throughput block: its makespan against the CPUs' utilisation, then against the timeline
    only((x) => { x.throughput = from.throughput; }, /\(strategy mine\): cpu\.utilisation is [\d.]+, but busy \d+ ns over 2 CPUs × makespan \d+ ns give [\d.]+/);
    only((x) => { x.throughput = from.throughput; x.cpu = from.cpu; }, /\(strategy mine\): throughput\.makespanNs is \d+, but the timeline's \d+ intervals of \d+ ns span more than \d+ ns/);
    only((x) => { x.locks = from.locks; }, /\(strategy mine\): the lock classes' waitTotalNs add up to \d+ ns, but the ops' lock waits/);
    only((x) => { x.all.latency.max = from.all.latency.max * 3 + 1000; }, /\(strategy mine\): all\.latency\.max is \d+, but all\.latencyHistogram's largest value is about \d+/);
    only((x) => { x.all = from.all; }, /\(strategy mine\): (all\.count is|all\.latency\.\w+ is \d+, but the op kinds' (histograms added give|maximum is))/);
  });

  it('every result the tool wrote here loads: the summary numbers of real results agree with their histograms', async () => {
    const { loadResult } = await import('../src/report/load.js');
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(tmp).filter((f) => f.endsWith('.json') && f !== 'forged.json');
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(() => loadResult(join(tmp, f)), f).not.toThrow();
  });
});

describe('the verdict comes first; side outputs cannot mask it', () => {
  const same = join(tmp, 'v1-copy.json');
  const copyV1 = (): string => {
    writeFileSync(same, readFileSync(v1));
    return same;
  };

  it('a --junit file that cannot be written: the verdict is printed, then the error; exit 10 on a regression, 6 on a pass', () => {
    // (a path through a regular file: a missing directory is made)
    writeFileSync(join(tmp, 'a-file'), 'x');
    const nowhere = join(tmp, 'a-file', 'check.xml');
    const r = cli(['check', v2, '--baseline', v1, '--junit', nowhere]);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/^\d+ regressions?: \d+ checks/m);
    expect(r.stderr).toMatch(/a-file\/check\.xml: cannot/);
    const ok = cli(['check', copyV1(), '--baseline', v1, '--junit', nowhere]);
    expect(ok.code).toBe(6);
    expect(ok.stdout).toMatch(/^pass: \d+ checks/);
  });

  it('a $GITHUB_STEP_SUMMARY that cannot be appended: the verdict and --junit stand; exit 10 on a regression, 6 on a pass', () => {
    const junit = join(tmp, 'summary-check.xml');
    const r = cli(['check', v2, '--baseline', v1, '--junit', junit], undefined, { GITHUB_STEP_SUMMARY: join(tmp, 'nonexistent', 's.md') });
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/REGRESSION/);
    expect(r.stderr).toMatch(/\$GITHUB_STEP_SUMMARY .*s\.md: cannot append/);
    expect(readFileSync(junit, 'utf8')).toMatch(/<failure /);
    expect(cli(['check', copyV1(), '--baseline', v1], undefined, { GITHUB_STEP_SUMMARY: join(tmp, 'nonexistent', 's.md') }).code).toBe(6);
  });

  it('check --json appends its verdict to the job summary too', () => {
    const summary = join(tmp, 'summary.md');
    const r = cli(['check', v2, '--baseline', v1, '--json'], undefined, { GITHUB_STEP_SUMMARY: summary });
    expect(r.code).toBe(10);
    expect(JSON.parse(r.stdout).regressions).toBeGreaterThan(0);
    expect(readFileSync(summary, 'utf8')).toMatch(/^### lockreplay check: \d+ regressions?/);
  });

  it('--junit with an empty path (an unset CI variable) is a usage error before any work', () => {
    const r = cli(['check', v2, '--baseline', v1, '--junit', '']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', expect.stringMatching(/^lockreplay: --junit: empty path/)]);
    expect(cli(['check', '', '--baseline', v1]).stderr).toMatch(/^lockreplay: the result path is empty/);
    expect(cli(['check', v2, '--baseline', '']).code).toBe(2);
  });

  it('exit 11 writes a JUnit file with one <error> testcase: a stale passing one does not stay green', () => {
    const junit = join(tmp, 'stale.xml');
    expect(cli(['check', copyV1(), '--baseline', v1, '--junit', junit]).code).toBe(0);
    expect(readFileSync(junit, 'utf8')).not.toMatch(/<error|<failure/);
    const r = cli(['check', join(tmp, 'missing.json'), '--baseline', v1, '--junit', junit]);
    expect(r.code).toBe(11);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="lockreplay check" tests="1" failures="0" errors="1"/);
    expect(xml).toMatch(/<testcase classname="lockreplay" name="check" time="0">\s*<error message="[^"]*missing\.json: cannot read[^"]*" type="exit 11">/);
    // a bad threshold, after --junit was accepted, too
    expect(cli(['check', copyV1(), '--baseline', v1, '--junit', junit, '--threshold', 'p99=x']).code).toBe(2);
    expect(readFileSync(junit, 'utf8')).toMatch(/<error message="--threshold p99=x/);
  });

  it('--junit naming the result or the baseline is refused (exit 2) and leaves it whole; --json with --junit - too', () => {
    const before = readFileSync(v1, 'utf8');
    for (const target of [v1, v2]) {
      const r = cli(['check', v2, '--baseline', v1, '--junit', target]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(/^lockreplay: --junit .* is the (result|baseline) .*: writing there would replace it/);
    }
    expect(readFileSync(v1, 'utf8')).toBe(before);
    const j = cli(['check', v2, '--baseline', v1, '--json', '--junit', '-']);
    expect([j.code, j.stdout]).toEqual([2, '']);
    expect(j.stderr).toMatch(/--json prints the comparison on stdout, and --junit - would write the XML there too/);
    // --junit - alone: the XML on stdout, the verdict on stderr
    const x = cli(['check', v2, '--baseline', v1, '--junit', '-']);
    expect(x.code).toBe(10);
    expect(x.stdout).toMatch(/^<\?xml/);
    expect(x.stderr).toMatch(/REGRESSION/);
  });

  it('a result checked against itself (the same path, or the same file by a link) is refused (exit 2)', async () => {
    const { linkSync, symlinkSync } = await import('node:fs');
    const r = cli(['check', v1, '--baseline', v1]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/is also the baseline .*: a result checked against itself always passes/);
    const hard = join(tmp, 'v1-hard.json');
    linkSync(v1, hard);
    const soft = join(tmp, 'v1-soft.json');
    symlinkSync(v1, soft);
    expect(cli(['check', hard, '--baseline', v1]).code).toBe(2);
    expect(cli(['check', v1, '--baseline', soft]).code).toBe(2);
  });
});

describe('deadlocks', () => {
  // seed-deadlock: range-lock deadlocks before completing any op; i-mutex completes them all
  const synth = join(tmp, 'seed-deadlock.trace');
  const deadlocked = join(tmp, 'deadlocked.json');
  const fixed = join(tmp, 'fixed.json');
  const prepare = (): void => {
    expect(cli(['synth', 'seed-deadlock', '-o', synth]).code).toBe(0);
    expect(cli(['compare', synth, '--all', '--out', deadlocked]).code).toBe(0);
    const r = JSON.parse(readFileSync(deadlocked, 'utf8'));
    const i = r.results.findIndex((s: { strategy: string }) => s.strategy === 'range-lock');
    const safe = r.results.find((s: { strategy: string }) => s.strategy === 'i-mutex');
    expect([r.results[i].completedOps, r.results[i].deadlock?.reason]).toEqual([0, 'cycle']);
    r.results[i] = { ...structuredClone(safe), strategy: 'range-lock', strategyOptions: r.results[i].strategyOptions };
    writeFileSync(fixed, JSON.stringify(r));
  };

  it('a candidate that fixes a deadlock passes: completed and deadlock improve, latency and throughput are not comparable (skipped, with a note)', () => {
    prepare();
    const junit = join(tmp, 'deadlock.xml');
    const r = cli(['check', fixed, '--baseline', deadlocked, '--junit', junit, '--verbose']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/range-lock\s+completed\s+0\s+3\s+-3\s+0\s+ok/);
    expect(r.stdout).toMatch(/range-lock\s+deadlock\s+1\s+0\s+-1\s+0\s+ok/);
    expect(r.stdout).toMatch(/range-lock\s+p99\s.*skipped/);
    expect(r.stdout).toMatch(/^pass: \d+ checks; 8 not comparable \(skipped: range-lock: the baseline completed 0 ops \(deadlocked\), the result 3\)$/m);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase classname="lockreplay.range-lock" name="throughput" time="0">\s*<skipped message="not comparable: the baseline completed 0 ops \(deadlocked\), the result 3"\/>/);
    expect(xml).toMatch(/skipped="8"/);
  });

  it('a deadlock appearing is a regression: fewer completed ops, and the deadlock row', () => {
    prepare();
    const r = cli(['check', deadlocked, '--baseline', fixed]);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/range-lock\s+completed\s+3\s+0\s+3\s+0\s+REGRESSION/);
    expect(r.stdout).toMatch(/range-lock\s+deadlock\s+0\s+1\s+1\s+0\s+REGRESSION/);
    expect(r.stdout).not.toMatch(/range-lock\s+p99\s/);
  });
});

describe('warnings', () => {
  it('results of different lockreplay versions: a warning on stderr, not a refusal', () => {
    const old = JSON.parse(readFileSync(v1, 'utf8'));
    old.tool.version = '0.0.9';
    const path = join(tmp, 'old-version.json');
    writeFileSync(path, JSON.stringify(old));
    const r = cli(['check', v1, '--baseline', path]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^lockreplay: warning: .*v1\.json was made by lockreplay [\d.]+, .*old-version\.json by 0\.0\.9: their models may differ/);
  });
});

describe('files that are no result', () => {
  const bad = (name: string, bytes: string | Buffer): string => {
    const path = join(tmp, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('says in words why a file cannot be read, gzip data and an empty path; accepts a byte order mark', async () => {
    const { gzipSync } = await import('node:zlib');
    const missing = cli(['check', join(tmp, 'nope.json'), '--baseline', v1]);
    expect([missing.code, missing.stderr]).toEqual([11, expect.stringMatching(/nope\.json: cannot read: no such file \(ENOENT\)\n$/)]);
    const gz = cli(['check', bad('v2.json.gz', gzipSync(readFileSync(v2))), '--baseline', v1]);
    expect([gz.code, gz.stderr]).toEqual([11, expect.stringMatching(/v2\.json\.gz: gzip data, not JSON \(gunzip it first\)\n$/)]);
    const bom = cli(['check', bad('bom.json', `\uFEFF${readFileSync(v2, 'utf8')}`), '--baseline', v1]);
    expect(bom.code).toBe(10);
    const { loadResult } = await import('../src/report/load.js');
    expect(() => loadResult('')).toThrow(expect.objectContaining({ exitCode: 2, message: 'empty path (an unset variable?): give a result JSON file' }));
  });

  it('a field nested thousands of levels deep is refused by check, report and merge, not a stack overflow (exit 1)', () => {
    // (as text: JSON.stringify itself cannot write it)
    const text = readFileSync(v2, 'utf8').replace(/^\{/, `{"extra": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)},`);
    const deep = bad('deep.json', text);
    // (each command's exit code for a file that is no result: check and merge 11, report 4)
    for (const [code, args] of [[11, ['check', deep, '--baseline', v1]], [4, ['report', deep, '--format', 'json']], [11, ['merge', deep, v1, '--out', join(tmp, 'deep-merged.json')]]] as [number, string[]][]) {
      const r = cli(args);
      expect([r.code, r.stderr], args[0]).toEqual([code, expect.stringMatching(/deep\.json: not a valid lockreplay result \(something in it is nested more than 64 levels deep; no result is\)\n$/)]);
    }
  });

  it('a key named like an inherited property (constructor, __proto__) is refused (exit 11), naming it', () => {
    for (const key of ['constructor', '__proto__']) {
      // results[0]'s byKind, with a valid kind's numbers under that key (JSON.stringify cannot write an own __proto__)
      const json = readFileSync(v2, 'utf8');
      const r0 = JSON.parse(json).results[0];
      const at = json.indexOf('"byKind": {\n', json.indexOf('"results"')) + '"byKind": {\n'.length;
      const text = `${json.slice(0, at)}"${key}": ${JSON.stringify(r0.byKind[Object.keys(r0.byKind)[0]])},\n${json.slice(at)}`;
      const r = cli(['check', bad(`${key}.json`, text), '--baseline', v1]);
      expect([r.code, r.stdout]).toEqual([11, '']);
      expect(r.stderr).toMatch(new RegExp(`results\\[0\\]\\.byKind\\.${key}: a key no result has, the name of a property every object inherits`));
    }
  });
});
