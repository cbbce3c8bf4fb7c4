// StrykerJS mutation testing: npm run mutate (never part of npm test). The vitest runner transpiles
// TypeScript itself; there is no TypeScript checker plugin (it loads `typescript` as a library,
// which TypeScript 7's native compiler does not provide).
//
// Which tests: vitest.mutate.config.ts, by default the in-process unit tests (test/unit/) plus the
// engine's timeline and invariant tests and check's: fast, so each mutant runs only the few that
// reach it (perTest coverage). MUTATE_TESTS=a,b picks test/a.test.ts, test/b.test.ts (globs too).
//
// Per folder (each with its own incremental file, so a later run redoes only what changed):
//   npx stryker run --mutate 'src/engine/**/*.ts' --incrementalFile reports/mutation/engine-incremental.json
//   npx stryker run --mutate 'src/strategies/**/*.ts' --incrementalFile reports/mutation/strategies-incremental.json
//   npx stryker run --mutate 'src/import/**/*.ts' --incrementalFile reports/mutation/import-incremental.json
//   npx stryker run --mutate src/report/check.ts --incrementalFile reports/mutation/check-incremental.json
// (add --concurrency 1 on a shared machine). A file or a line range: --mutate src/engine/locks.ts:40-80.
// The report of the last run: reports/mutation/mutation.html and mutation.json.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Stryker rewrites the tsconfig it names with the `typescript` library (absent in TypeScript 7):
  // name none (vitest does not read it), so the sandbox keeps tsconfig.json as it is
  tsconfigFile: 'no-tsconfig-for-stryker.json',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  mutate: ['src/engine/**/*.ts', 'src/strategies/**/*.ts', 'src/import/**/*.ts', 'src/report/check.ts'],
  coverageAnalysis: 'perTest',
  // a static mutant (module-level code) would run every test: left out, and counted as ignored
  ignoreStatic: true,
  concurrency: 2,
  // a mutant that loops is a timeout (detected): the unit tests take milliseconds, so a few seconds
  // over their time is plenty, and a timed-out runner is restarted, which costs more than the wait
  timeoutMS: 5_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['fuzz-out', 'reports', 'bench/out', 'coverage'],
};
