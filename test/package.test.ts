/**
 * The package as a user gets it: `npm pack` of the built tree, installed into a scratch folder
 * (offline, its dependencies copied from this project's node_modules), and from there the
 * `lockreplay` bin runs, the library imports in plain ESM and writes the CLI's bytes, and the
 * TypeScript examples and a typed consumer compile (strict, against the installed .d.ts files,
 * with this project's tsc) and run.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

/** The library's exports: a change to this list is a change to the public API. */
const EXPORTS = [
  'BadInputError', 'DEFAULT_COSTS', 'EXCLUSIVE_KINDS', 'EngineInvariantError', 'ExitCode', 'INPUT_FORMATS', 'LOCK_KINDS', 'LockreplayError', 'MAX_WALK_STEPS',
  'MMAP_LOCK_TAG', 'OP_KINDS', 'ORDERED_TAG', 'PAGE_SIZE_BYTES', 'PAGE_WALK_TAG', 'REPORT_FORMATS', 'RESULT_JSON_SCHEMA', 'RESULT_SCHEMA', 'SHARED_KINDS', 'SPINLOCK_TAG', 'WORK_ALL',
  'WORK_ONLY', 'ZERO_COSTS', 'acquire', 'assertComparable', 'check', 'checkJunit', 'compare', 'compareMarkdown', 'createStrategy', 'formatCheck', 'formatCompare',
  'formatReplay', 'hgrmFiles', 'importTrace', 'isFlushInsideParent', 'jsonRulesStrategy', 'loadResult', 'loadStrategy', 'mergeResults', 'pageAlignedRange',
  'pageByPage', 'parseCosts', 'parseThresholds', 'perfettoSchedules', 'release', 'renderReport', 'replay', 'resultCsv', 'resultJson', 'resultsHtml',
  'scenarioNames', 'strategyNames', 'streamTrace', 'synthesize', 'unbalancedStep', 'underOneLock', 'validateStrategy',
];

const TRACE = 'node_modules/lockreplay/traces/xfs-mix.trace.gz';
let scratch = '';
let packed: string[] = [];
let installedBy = '';

function run(cmd: string, args: string[], cwd: string, timeoutMs = 45_000): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };
  delete env.GITHUB_STEP_SUMMARY;
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 26 });
}

function node(args: string[]): SpawnSyncReturns<string> {
  return run(process.execPath, args, scratch);
}

const shown = (r: SpawnSyncReturns<string>): string => `exit ${r.status}${r.error ? ` (${r.error.message})` : ''}\n${r.stderr}`;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'lockreplay-package-'));
  // the built tree as it is (npm test builds first; prepack would rebuild it under the other tests)
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], ROOT);
  expect(pack.status, shown(pack)).toBe(0);
  const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packed = info[0].files.map((f) => f.path);
  const tarball = join(scratch, info[0].filename);

  // its dependencies, from this project's node_modules (the production ones, as the lockfile says)
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  for (const [path, p] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || path.slice('node_modules/'.length).includes('node_modules/') || p.dev === true || p.devOptional === true) continue;
    cpSync(join(ROOT, path), join(scratch, path), { recursive: true });
  }
  writeFileSync(join(scratch, 'package.json'), `${JSON.stringify({ name: 'lockreplay-scratch', private: true, type: 'module' }, null, 2)}\n`);
  const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], scratch);
  if (install.status === 0 && existsSync(join(scratch, 'node_modules', 'lockreplay', 'package.json'))) {
    installedBy = 'npm install --offline';
  } else {
    // no registry metadata in the npm cache: unpack the tarball where npm would have put it
    installedBy = `unpacked (npm install --offline: ${install.stderr.split('\n').find((l) => /error/.test(l)) ?? `exit ${install.status}`})`;
    rmSync(join(scratch, 'node_modules', 'lockreplay'), { recursive: true, force: true });
    const tar = run('tar', ['-xzf', tarball, '-C', scratch], scratch);
    expect(tar.status, shown(tar)).toBe(0);
    renameSync(join(scratch, 'package'), join(scratch, 'node_modules', 'lockreplay'));
    const bin = join(scratch, 'node_modules', '.bin', 'lockreplay');
    mkdirSync(dirname(bin), { recursive: true });
    rmSync(bin, { force: true });
    symlinkSync('../lockreplay/bin/run.js', bin);
  }
}, 120_000);

afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships the built library, the CLI, the docs, the examples and the bundled traces, and nothing local', () => {
    const top = new Set(packed.map((p) => p.split('/')[0]));
    expect([...top].sort()).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'docs', 'examples', 'package.json', 'traces']);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/commands/compare.js', 'bin/run.js', 'docs/writing-strategies.md', 'examples/library/replay.ts', 'examples/library/rwsem-range.ts', 'examples/library/tsconfig.json', 'examples/strategies/xfs-like.json', 'traces/xfs-mix.trace.gz']) {
      expect(packed, f).toContain(f);
    }
    // no source maps (their sources are not shipped), no compiled examples, no test or report files
    expect(packed.filter((p) => /\.map$|\/out\/|\.tsbuildinfo$|^(src|test|reports|bench|scripts)\//.test(p))).toEqual([]);
    // every built file has its source: a file left in dist/ by an older build would ship too
    const stray = packed.filter((p) => p.startsWith('dist/') && !existsSync(join(ROOT, 'src', p.slice('dist/'.length).replace(/\.d\.ts$|\.js$/, '.ts'))));
    expect(stray, 'stale files in dist/: rm -rf dist && npm run build').toEqual([]);
    // what package.json points to is in the package
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; types: string; bin: Record<string, string>; exports: Record<string, { types: string; import: string }> };
    for (const f of [pkg.main, pkg.types, pkg.bin.lockreplay, pkg.exports['.'].types, pkg.exports['.'].import]) expect(packed).toContain(f.replace(/^\.\//, ''));
  });

  it(`installs, and its lockreplay bin runs`, () => {
    expect(installedBy).not.toBe('');
    const version = run(join(scratch, 'node_modules', '.bin', 'lockreplay'), ['--version'], scratch);
    expect(version.status, `${installedBy}\n${shown(version)}`).toBe(0);
    expect(version.stdout).toMatch(/^lockreplay\/0\.1\.0 /);
    const compare = run(join(scratch, 'node_modules', '.bin', 'lockreplay'), ['compare', TRACE, '-s', 'none,range-lock,node_modules/lockreplay/examples/strategies/xfs-like.json', '--threads', '1'], scratch);
    expect(compare.status, shown(compare)).toBe(0);
    expect(compare.stdout).toMatch(/^xfs-like-rules\s+\d/m);
  });

  it('imports in plain ESM: the exports are the documented API, and compare writes the bytes the CLI writes', () => {
    const keys = node(['--input-type=module', '-e', "const m = await import('lockreplay'); process.stdout.write(JSON.stringify(Object.keys(m).sort()))"]);
    expect(keys.status, shown(keys)).toBe(0);
    expect(JSON.parse(keys.stdout)).toEqual([...EXPORTS].sort());
    writeFileSync(join(scratch, 'compare.mjs'), [
      "import { compare, importTrace, resultJson } from 'lockreplay';",
      'const [path, specs] = process.argv.slice(2);',
      "const result = await compare(await importTrace(path), specs.split(','), { mode: 'open', timeScale: 0.05 });",
      'process.stdout.write(resultJson(result));',
      '',
    ].join('\n'));
    const specs = 'none,i-mutex,node_modules/lockreplay/examples/strategies/whole-file-rwsem.js';
    const lib = node(['compare.mjs', TRACE, specs]);
    expect(lib.status, shown(lib)).toBe(0);
    const cli = run(join(scratch, 'node_modules', '.bin', 'lockreplay'), ['compare', TRACE, '-s', specs, '--mode', 'open', '--time-scale', '0.05', '--json'], scratch);
    expect(cli.status, shown(cli)).toBe(0);
    expect(JSON.parse(lib.stdout).results.map((r: { strategy: string }) => r.strategy)).toEqual(['none', 'i-mutex', 'whole-file-rwsem']);
    expect(lib.stdout).toBe(cli.stdout);
  });

  it('imports in TypeScript: the examples and a typed consumer compile against the installed .d.ts (strict) and run', () => {
    const dir = join(scratch, 'ts');
    mkdirSync(dir);
    const examples = join(scratch, 'node_modules', 'lockreplay', 'examples', 'library');
    for (const f of readdirSync(examples).filter((x) => x.endsWith('.ts'))) cpSync(join(examples, f), join(dir, f));
    writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmitOnError: true,
        types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')], outDir: 'out', rootDir: '.',
      },
      include: ['*.ts'],
    }));
    const tsc = run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', dir], scratch);
    expect(tsc.status, `${tsc.stdout}${tsc.stderr}`).toBe(0);
    const example = node([join(dir, 'out', 'replay.js'), 'node_modules/lockreplay/traces/xfs-dio-blk-tracer.trace.gz']);
    expect(example.status, shown(example)).toBe(0);
    expect(example.stdout).toMatch(/^rwsem-range\s+\d/m);
    const consumer = node([join(dir, 'out', 'consumer.js'), TRACE]);
    expect(consumer.status, shown(consumer)).toBe(0);
    expect(consumer.stdout.trim().split('\n')).toEqual([
      'wrapped range-lock: 5872 ops, 0 races, same as range-lock: true',
      expect.stringMatching(/^refused \(exit 4\): strategy leaky: plan\(\) leaves tag 3 \(step 0\) held for op 0 \([a-z-]+, line \d+\)/),
    ]);
  });
});

/** A TypeScript consumer: types it should accept, and the read-only plans it must not change. */
const CONSUMER = `import { acquire, compare, createStrategy, ExitCode, importTrace, LockreplayError, replay, type ReplayResult, type Step, type Strategy, WORK_ALL, WORK_ONLY } from 'lockreplay';

const base = createStrategy('range-lock');
const wrapped: Strategy = { ...base, name: 'wrapped', plan: (op, ctx) => base.plan(op, ctx) };
const leaky: Strategy = {
  name: 'leaky', summary: 'forgets a release', source: 'consumer.ts', rules: [], options: {},
  plan: (op): readonly Step[] => [acquire('m', op.file, { kind: 'mutex' }, 'X', 0, Infinity, 3), WORK_ALL],
};

export function neverCalled(steps: readonly Step[]): void {
  // @ts-expect-error a plan is read-only
  steps.push(WORK_ALL);
  // @ts-expect-error so is every step
  WORK_ALL.fraction = 0.5;
  // @ts-expect-error an acquire needs a mode
  const noMode: Step = { type: 'acquire', lockClass: 'm', key: 'f', spec: { kind: 'mutex' }, start: 0, end: 1, tag: 0 };
  // @ts-expect-error a lock spec of a kind that does not exist
  const noKind: Step = { type: 'acquire', lockClass: 'm', key: 'f', spec: { kind: 'queue' }, mode: 'X', start: 0, end: 1, tag: 0 };
  void noMode;
  void noKind;
  void WORK_ONLY;
}

const trace = await importTrace(process.argv[2] ?? '');
const result: ReplayResult = await compare(trace, [wrapped, 'range-lock']);
const [mine, theirs] = result.results;
const same = JSON.stringify({ ...mine, strategy: '' }) === JSON.stringify({ ...theirs, strategy: '' });
console.log(\`\${mine.strategy} range-lock: \${mine.completedOps} ops, \${mine.races.count} races, same as range-lock: \${same}\`);
try {
  await replay(trace, leaky);
} catch (err) {
  if (!(err instanceof LockreplayError) || err.exitCode !== ExitCode.badInput) throw err;
  console.log(\`refused (exit \${err.exitCode}): \${err.message}\`);
}
`;
