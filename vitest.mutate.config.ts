import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant (npm run mutate): the fast in-process unit tests of
 * the engine, the strategies and the importers (test/unit/), the engine's timeline and invariant
 * tests, and `check`'s. With perTest coverage a mutant runs only the tests that reach it, so a test
 * that imports a whole capture (seconds) would run for every importer mutant: those, the tests that
 * spawn the CLI (they run the built dist/, which Stryker does not mutate), the fuzz campaign and the
 * real-capture replays are left out.
 */
/** MUTATE_TESTS=a,b picks test/a.test.ts and test/b.test.ts instead (globs too: unit/engine/*) */
const DEFAULT_TESTS = 'unit/**/*,check,engine-invariants,engine-timeline,linux-rwsem,ftrace-prefix';

export default defineConfig({
  test: {
    include: (process.env.MUTATE_TESTS ?? DEFAULT_TESTS).split(',').map((name) => `test/${name.trim()}.test.ts`),
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
