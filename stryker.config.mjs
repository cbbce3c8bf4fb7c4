// StrykerJS mutation testing: npm run mutate (never part of npm test). The vitest runner transpiles
// TypeScript itself; there is no TypeScript checker plugin (it loads `typescript` as a library,
// which TypeScript 7's native compiler does not provide). Subsets: npm run mutate -- --mutate src/report/check.ts
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
  timeoutMS: 20_000,
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
