/**
 * The schedules of a replay, for `--perfetto`: each strategy replayed again in this thread with the
 * engine's event log on (the run is deterministic: the same schedule as the result's).
 */
import { simulate } from '../engine/simulator.js';
import { PerfettoCollector, perfettoJson } from './perfetto.js';
import type { Strategy } from '../strategies/types.js';
import { type LoadedTrace, prepare, type ReplayOptions, strategyLabel } from './index.js';

export function perfettoSchedules(trace: LoadedTrace, strategies: Strategy[], options: ReplayOptions): string {
  const p = prepare(trace, options);
  const collectors: PerfettoCollector[] = [];
  let id = 1;
  strategies.forEach((strategy, k) => {
    const c = new PerfettoCollector(p.columns, k + 1, id);
    const sim = simulate(p.columns, p.service.ns, strategy, { ...p.simOptions, log: c }, p.table);
    c.finish(strategyLabel(strategy.name, strategy.options), sim.outcomes);
    id = c.idsEnd;
    collectors.push(c);
  });
  return perfettoJson(collectors, trace.summary.input);
}
