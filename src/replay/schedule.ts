/**
 * The schedules of a replay, for `--perfetto`: each strategy replayed again in this thread with the
 * engine's event log on (the run is deterministic: the same schedule as the result's).
 */
import { simulate } from '../engine/simulator.js';
import { PerfettoCollector, PerfettoJsonWriter } from './perfetto.js';
import type { Strategy } from '../strategies/types.js';
import { type LoadedTrace, prepare, type ReplayOptions, strategyLabel } from './index.js';

/**
 * Writes the schedules' trace-event JSON through `write`, in pieces, as each strategy's replay makes
 * them: one strategy's events at a time, never the whole text in one string.
 */
export function writePerfettoSchedules(trace: LoadedTrace, strategies: Strategy[], options: ReplayOptions, write: (piece: string) => void): void {
  const p = prepare(trace, options);
  const out = new PerfettoJsonWriter(write);
  out.open(trace.summary.input);
  let id = 1;
  strategies.forEach((strategy, k) => {
    const c = new PerfettoCollector(p.columns, k + 1, id, (e) => out.event(e));
    const sim = simulate(p.columns, p.service.ns, strategy, { ...p.simOptions, log: c }, p.table);
    c.finish(strategyLabel(strategy.name, strategy.options), sim.outcomes, sim.stalled);
    id = c.idsEnd;
  });
  out.close();
}

/** The schedules' trace-event JSON as one text (writePerfettoSchedules). */
export function perfettoSchedules(trace: LoadedTrace, strategies: Strategy[], options: ReplayOptions): string {
  const pieces: string[] = [];
  writePerfettoSchedules(trace, strategies, options, (piece) => pieces.push(piece));
  return pieces.join('');
}
