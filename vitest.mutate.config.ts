import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant (npm run mutate): the in-process tests of the
 * engine, the strategies, the importers and `check`. Tests that spawn the CLI run the built dist/,
 * which Stryker does not mutate, and the fuzz campaign and the real-capture replays are too slow to
 * run per mutant: they are left out.
 */
/** MUTATE_TESTS=a,b picks test/a.test.ts and test/b.test.ts instead (a subset for a subset of mutants) */
const DEFAULT_TESTS = 'check,engine-invariants,engine-timeline,races,sorting,strategies,ftrace-prefix,formats,import-rules,opstream,correctness';

export default defineConfig({
  test: {
    include: (process.env.MUTATE_TESTS ?? DEFAULT_TESTS).split(',').map((name) => `test/${name.trim()}.test.ts`),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
