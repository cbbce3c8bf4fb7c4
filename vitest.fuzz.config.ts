import { defineConfig } from 'vitest/config';

/** The long fuzz campaign (scripts/fuzz.js sets FUZZ_RUNS, FUZZ_SEED, FUZZ_OUT): the fuzz tests only, no time limit per test. */
export default defineConfig({
  test: {
    include: ['test/fuzz.test.ts'],
    testTimeout: 0,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
