import { defineConfig } from 'vitest/config';

/**
 * Two groups. The real-tracefs tests (`lockreplay record`) run alone, after every other test file:
 * a capture is system-wide (writeback runs in kernel threads, not in the traced command), so the
 * events of test files running beside it fill its ring buffer, and its timings are the machine's.
 * One CI run lost 4,030 events of a 512 KiB buffer that way while another file ran.
 */
const shared = { testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' as const };
const ALONE = ['test/record.test.ts'];

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'main', include: ['test/**/*.test.ts'], exclude: ALONE, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'tracefs', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
