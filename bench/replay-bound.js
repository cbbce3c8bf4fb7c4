// Not part of `npm run bench`: the experiment behind docs/performance.md, "What the targets leave".
// The bench's bare-loop floor (replay-floor.js) makes about two events per top-level op; this copy
// makes a third (the releases' CPU time, which the model has) and times, in one warm process,
// rounds of: the floor, this loop, `simulate()` alone for a strategy, and its whole replay (race
// check, timeline, histograms and statistics after the simulation). The loop plus the replay's
// post-simulation work (whole replay minus simulation) is what any engine of this model pays before
// its plans, lock requests, modes, ranges, child ops, mmap_lock and CPU model.
// Usage: node bench/replay-bound.js TRACE [closed|open] [REPEAT=7] [STRATEGY=page-lock] [ROUNDS=5]
import { NumHeap } from '../dist/util/num-heap.js';
import { loadForReplay, prepare, runPrepared, traceOfColumns } from '../dist/replay/index.js';
import { simulate } from '../dist/engine/simulator.js';
import { OpColumns } from '../dist/model/op-columns.js';
import { createStrategy } from '../dist/strategies/index.js';
import { replayFloor } from './replay-floor.js';

const [path, mode = 'closed', repeat = '7', strategyName = 'page-lock', rounds = '5'] = process.argv.slice(2);
const ISSUE = 0, GRANTED = 1, WORK_DONE = 2, RELEASE_DONE = 3;
const RELEASE_CPU_NS = 60;

/** the trace repeated end to end (shifted in time, distinct tasks), as bench/child-replay.js makes it */
async function repeated() {
  const trace = await loadForReplay(path);
  const source = trace.columns;
  const n = source.n;
  const times = Number(repeat);
  const spanNs = n > 0 ? source.tsNs[n - 1] - source.tsNs[0] + 1_000_000 : 0;
  const columns = new OpColumns(n * times);
  for (let k = 0; k < times; k++) {
    for (let i = 0; i < n; i++) {
      const o = source.at(i);
      o.id += k * n;
      o.tsNs += k * spanNs;
      o.pid += k * 1_000_000;
      if (o.parent !== undefined) o.parent += k * n;
      columns.push(o);
    }
  }
  return prepare(traceOfColumns(columns, trace.summary, trace.waits), mode === 'open' ? { mode: 'open', timeScale: 0.05 } : {});
}

/** replay-floor.js's loop with the releases' CPU time as an event of its own; returns the events made */
function threeEventLoop(p) {
  const t = p.table;
  const service = p.service.ns;
  const open = p.simOptions.mode === 'open';
  const timeScale = p.simOptions.timeScale;
  const tasks = t.taskPid.length;
  const next = new Int32Array(tasks);
  const prevEnd = new Float64Array(tasks);
  const holder = new Int32Array(t.files.length).fill(-1);
  const waiters = Array.from({ length: t.files.length }, () => []);
  const cpuQueue = [];
  let cpuHead = 0;
  let cpusFree = p.simOptions.cpus;
  const heap = new NumHeap();
  let seq = 0;
  let events = 0;
  const t0 = t.n > 0 ? t.tsNs[0] : 0;
  const opOf = (task) => t.taskOps[t.taskStart[task] + next[task]];
  const intended = (task) => {
    const i = opOf(task);
    if (open || next[task] === 0) return (t.tsNs[i] - t0) * (open ? timeScale : 1);
    const prev = t.taskOps[t.taskStart[task] + next[task] - 1];
    return prevEnd[task] + Math.max(0, t.tsNs[i] - (t.tsNs[prev] + service[prev]));
  };
  const run = (task, now) => {
    if (cpusFree > 0) {
      cpusFree--;
      heap.push(now + service[opOf(task)], seq++, task * 4 + WORK_DONE);
    } else {
      cpuQueue.push(task);
    }
  };
  for (let task = 0; task < tasks; task++) if (t.taskStart[task + 1] > t.taskStart[task]) heap.push(intended(task), seq++, task * 4 + ISSUE);
  while (heap.size > 0) {
    const now = heap.peekKey();
    const ev = heap.pop();
    events++;
    const task = ev >> 2;
    const kind = ev & 3;
    if (kind === ISSUE) {
      const f = t.file[opOf(task)];
      if (holder[f] < 0) {
        holder[f] = task;
        run(task, now);
      } else {
        waiters[f].push(task);
      }
    } else if (kind === GRANTED) {
      run(task, now);
    } else if (kind === WORK_DONE) {
      heap.push(now + RELEASE_CPU_NS, seq++, task * 4 + RELEASE_DONE);
    } else {
      if (cpuHead < cpuQueue.length) {
        const u = cpuQueue[cpuHead++];
        heap.push(now + service[opOf(u)], seq++, u * 4 + WORK_DONE);
      } else {
        cpusFree++;
      }
      const f = t.file[opOf(task)];
      const w = waiters[f];
      if (w.length > 0) {
        const u = w.shift();
        holder[f] = u;
        heap.push(now, seq++, u * 4 + GRANTED);
      } else {
        holder[f] = -1;
      }
      prevEnd[task] = now;
      next[task]++;
      if (t.taskStart[task] + next[task] < t.taskStart[task + 1]) heap.push(Math.max(now, intended(task)), seq++, task * 4 + ISSUE);
    }
  }
  return events;
}

const p = await repeated();
const ops = p.columns.n;
runPrepared(p, createStrategy('none'));
replayFloor(p);
threeEventLoop(p);
const ms = { floor: [], loop: [], simulate: [], replay: [] };
let events = 0;
const time = (key, fn) => {
  const t0 = performance.now();
  fn();
  ms[key].push(performance.now() - t0);
};
for (let r = 0; r < Number(rounds); r++) {
  time('floor', () => replayFloor(p));
  time('loop', () => (events = threeEventLoop(p)));
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
