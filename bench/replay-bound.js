// Not part of `npm run bench`: the experiment behind docs/performance.md, "What the targets leave".
// The bench's bare-loop floor (replay-floor.js) makes about two events per top-level op; run with
// the releases' CPU time as an event of its own (as the model has it) it makes a third. This times,
// in one warm process, rounds of: the floor, that loop, `simulate()` alone for a strategy, and its
// whole replay (race check, timeline, histograms and statistics after the simulation). That loop
// plus the replay's post-simulation work (whole replay minus simulation) is what any engine of this
// model pays before its plans, lock requests, modes, ranges, child ops, mmap_lock and CPU model.
// Usage: node bench/replay-bound.js TRACE [closed|open] [REPEAT=7] [STRATEGY=page-lock] [ROUNDS=5]
import { prepare, runPrepared } from '../dist/replay/index.js';
import { simulate } from '../dist/engine/simulator.js';
import { createStrategy } from '../dist/strategies/index.js';
import { replayFloor } from './replay-floor.js';
import { repeatedTrace } from './repeated-trace.js';

const [path, mode = 'closed', repeat = '7', strategyName = 'page-lock', rounds = '5'] = process.argv.slice(2);
const RELEASE_CPU_NS = 60;

const { shifted } = await repeatedTrace(path, Number(repeat));
const p = prepare(shifted, mode === 'open' ? { mode: 'open', timeScale: 0.05 } : {});
const ops = p.columns.n;
runPrepared(p, createStrategy('none'));
replayFloor(p);
replayFloor(p, RELEASE_CPU_NS);
const ms = { floor: [], loop: [], simulate: [], replay: [] };
let events = 0;
const time = (key, fn) => {
  const t0 = performance.now();
  fn();
  ms[key].push(performance.now() - t0);
};
for (let r = 0; r < Number(rounds); r++) {
  time('floor', () => replayFloor(p));
  time('loop', () => {
    const out = { events: 0 };
    replayFloor(p, RELEASE_CPU_NS, out);
    events = out.events;
  });
  time('simulate', () => simulate(p.columns, p.service.ns, createStrategy(strategyName), p.simOptions, p.table));
  time('replay', () => runPrepared(p, createStrategy(strategyName)));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const m = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)]));
const postMs = m.replay - m.simulate;
const boundMs = m.loop + postMs;
const mops = (x) => (ops / x / 1000).toFixed(2);
process.stdout.write(`${JSON.stringify({ strategy: strategyName, mode, ops, eventsPerOp: events / ops, ms })}\n`);
process.stdout.write(`${strategyName} ${mode}: floor ${mops(m.floor)} M ops/s; the loop at ${(events / ops).toFixed(2)} events an op ${mops(m.loop)} M; simulate ${mops(m.simulate)} M; replay ${mops(m.replay)} M; post-simulation ${Math.round(postMs)} ms; loop + post-simulation ${mops(boundMs)} M ops/s = ${(m.floor / boundMs).toFixed(2)} of the floor\n`);
