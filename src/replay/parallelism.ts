/**
 * How `compare` spreads strategies over the cores when --threads is not given. A worker process
 * costs a start (Node and the engine's modules) and a copy of the ops; a replay costs about its ops
 * times the strategies. Below PARALLEL_MIN_OP_REPLAYS op replays (ops × strategies) the serial run
 * is as fast or faster, so it stays serial (docs/performance.md has the measurements).
 */
export const PARALLEL_MIN_OP_REPLAYS = 2_000_000;

/** Strategies replayed at once: 1 (serial, in this process) or one worker per core, at most one per strategy. */
export function autoParallelism(ops: number, strategies: number, cores: number): number {
  if (cores < 2 || strategies < 2 || ops * strategies < PARALLEL_MIN_OP_REPLAYS) return 1;
  return Math.min(cores, strategies);
}
