/**
 * How many strategies `compare` replays at once when `--threads` is not given. Worker processes
 * pay a fixed cost (start, loading the ops, compiling the engine) and the import stays serial, so
 * on the 2-core development machine they win only on large traces (docs/performance.md, "The
 * default"): `compare --all` took 2.0–2.2 s serial against 2.7 s in two processes on xfs-mix
 * (the demo trace), 8.5 against 8.7–9.9 s on xfs-mix-large (146 k ops), 12.9–15.0 against
 * 12.5–14.5 s at 293 k ops, 17.4–17.9 against 13.6–14.0 s at 439 k ops and 40.3 against 27.2 s at
 * 1.02 M ops. Results are the same bytes either way.
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
