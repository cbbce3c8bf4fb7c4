/**
 * compare's default parallelism (replay/default-threads.ts): serial below the measured crossover,
 * then one replay per core, never more than there are strategies.
 */
import { describe, expect, it } from 'vitest';
import { AUTO_PARALLEL_MIN_OPS, defaultThreads, parallelMinOps } from '../../../src/replay/default-threads.js';

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

describe('parallelMinOps', () => {
  it('is LOCKREPLAY_PARALLEL_MIN_OPS when set to a whole number, else the measured crossover; anything else is a usage error', () => {
    expect(parallelMinOps({})).toBe(AUTO_PARALLEL_MIN_OPS);
    expect(parallelMinOps({ LOCKREPLAY_PARALLEL_MIN_OPS: '' })).toBe(AUTO_PARALLEL_MIN_OPS);
    expect(parallelMinOps({ LOCKREPLAY_PARALLEL_MIN_OPS: ' 50000 ' })).toBe(50_000);
    expect(parallelMinOps({ LOCKREPLAY_PARALLEL_MIN_OPS: '0' })).toBe(0);
    for (const bad of ['-1', '1e5', '2.5', 'many']) {
      expect(() => parallelMinOps({ LOCKREPLAY_PARALLEL_MIN_OPS: bad })).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining(`=${bad}: not a whole number`) }));
    }
    expect(defaultThreads(10, 15, 2, 11)).toBe(1);
    expect(defaultThreads(11, 15, 2, 11)).toBe(2);
  });
});
