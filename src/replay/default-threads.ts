/**
 * How many strategies `compare` replays at once when `--threads` is not given. Worker processes
 * pay a fixed cost (start, loading the ops, compiling the engine) and the import stays serial, so
 * on the 2-core development machine they win only on large traces: the measurements behind the
 * threshold are in docs/performance.md, "The default". Results are the same bytes either way.
 */

import { ExitCode, LockreplayError } from '../errors.js';

/** the fewest ops for which `compare` replays in parallel by default */
export const AUTO_PARALLEL_MIN_OPS = 300_000;

/** one after the other below `minOps` ops, else one per core (at most one per strategy) */
export function defaultThreads(ops: number, strategies: number, cores: number, minOps = AUTO_PARALLEL_MIN_OPS): number {
  if (ops < minOps) return 1;
  return Math.max(1, Math.min(cores, strategies));
}

/**
 * The crossover for this machine: LOCKREPLAY_PARALLEL_MIN_OPS (a whole number of ops) when set,
 * else AUTO_PARALLEL_MIN_OPS (measured on 2 cores).
 */
export function parallelMinOps(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.LOCKREPLAY_PARALLEL_MIN_OPS;
  if (v === undefined || v === '') return AUTO_PARALLEL_MIN_OPS;
  if (!/^\d+$/.test(v.trim())) throw new LockreplayError(`LOCKREPLAY_PARALLEL_MIN_OPS=${v}: not a whole number of ops`, ExitCode.usage);
  return Number(v.trim());
}
