// Replays a trace against strategies in this process, the trace repeated N times end to end
// (shifted in time, distinct tasks). The trace is prepared once (service-time model, op columns:
// what compare does once for all strategies, timed apart) and warmed up by one untimed replay;
// each strategy's replay (simulation, races, histograms, statistics) is timed on its own. Prints one JSON line per strategy,
// then one for the replay floor (replay-floor.js: the bare event loop over the same ops, median of three).
import { peakRssKb } from './peak-rss.js';
import { replayFloor } from './replay-floor.js';
import { prepare, runPrepared } from '../dist/replay/index.js';
import { repeatedTrace } from './repeated-trace.js';
import { createStrategy } from '../dist/strategies/index.js';
import { loadStrategy } from '../dist/strategies/user.js';

const [path, strategies, mode = 'closed', repeat = '1'] = process.argv.slice(2);
// the process with its modules loaded and nothing read: what a replay's memory is counted above
const baselineRssKb = Math.round(process.memoryUsage().rss / 1024);
const times = Number(repeat);
const { columns, shifted } = await repeatedTrace(path, times);
const opsCount = columns.n;
const t0 = performance.now();
const prepared = prepare(shifted, mode === 'open' ? { mode: 'open', timeScale: 0.05 } : {});
const prepareMs = performance.now() - t0;
// one untimed warm-up replay: compiles the engine and faults in the scratch memory that every
// later replay of this trace reuses (as in compare, where it is paid once for all strategies)
const tw = performance.now();
runPrepared(prepared, createStrategy('none'));
const warmupMs = performance.now() - tw;
// (a user strategy, a module or a rule table by path, is loaded as the CLI loads it)
for (const strategy of strategies.split(',')) {
  const instance = await loadStrategy(strategy);
  const t1 = performance.now();
  const r = runPrepared(prepared, instance);
  const ms = performance.now() - t1;
  process.stdout.write(`${JSON.stringify({ strategy, mode, ops: opsCount, prepareMs, warmupMs, ms, opsPerSec: opsCount / (ms / 1000), completed: r.completedOps, maxRssKb: peakRssKb(), baselineRssKb })}\n`);
}
// one untimed run, then the median of three (each strategy is timed once, warm)
if (replayFloor(prepared) !== prepared.table.taskOps.length) throw new Error('the replay floor did not complete every top-level op');
const floorRuns = [];
for (let i = 0; i < 3; i++) {
  const t1 = performance.now();
  replayFloor(prepared);
  floorRuns.push(performance.now() - t1);
}
const floorMs = floorRuns.sort((a, b) => a - b)[1];
process.stdout.write(`${JSON.stringify({ strategy: '(floor)', mode, ops: opsCount, ms: floorMs, opsPerSec: opsCount / (floorMs / 1000) })}\n`);
