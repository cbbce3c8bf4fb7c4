/**
 * compare's default parallelism (replay/default-threads.ts): serial below the measured crossover,
 * then one replay per core, never more than there are strategies.
 */
import { describe, expect, it } from 'vitest';
import { AUTO_PARALLEL_MIN_OPS, defaultThreads } from '../../../src/replay/default-threads.js';

describe('defaultThreads', () => {
  it('replays one strategy after the other below the crossover, whatever the cores', () => {
    expect(AUTO_PARALLEL_MIN_OPS).toBe(300_000);
    expect(defaultThreads(0, 15, 2)).toBe(1);
    expect(defaultThreads(146_416, 15, 64)).toBe(1);
    expect(defaultThreads(AUTO_PARALLEL_MIN_OPS - 1, 15, 8)).toBe(1);
  });

  it('from the crossover on, one per core and at most one per strategy', () => {
    expect(defaultThreads(AUTO_PARALLEL_MIN_OPS, 15, 2)).toBe(2);
    expect(defaultThreads(1_024_912, 15, 8)).toBe(8);
    expect(defaultThreads(1_024_912, 3, 8)).toBe(3);
    expect(defaultThreads(1_024_912, 1, 8)).toBe(1);
    expect(defaultThreads(1_024_912, 15, 1)).toBe(1);
  });
});
