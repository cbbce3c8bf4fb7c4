// Replays a trace against strategies in this process, the trace repeated N times end to end
// (shifted in time, distinct tasks): prints ops/s of each replay (service model, simulation,
// histograms; import excluded) and the peak RSS, as JSON lines.
import { peakRssKb } from './peak-rss.js';
import { loadForReplay, replayStrategies } from '../dist/replay/index.js';

const [path, strategies, mode = 'closed', repeat = '1'] = process.argv.slice(2);
const trace = await loadForReplay(path);
const times = Number(repeat);
const n = trace.ops.length;
const spanNs = n > 0 ? trace.ops[n - 1].tsNs - trace.ops[0].tsNs + 1_000_000 : 0;
const ops = [];
for (let k = 0; k < times; k++) {
  for (const o of trace.ops) {
    const c = { ...o, id: o.id + k * n, tsNs: o.tsNs + k * spanNs, pid: o.pid + k * 1_000_000 };
    if (o.parent !== undefined) c.parent = o.parent + k * n;
    ops.push(c);
  }
}
const shifted = { ...trace, ops };
for (const strategy of strategies.split(',')) {
  const t0 = performance.now();
  const r = replayStrategies(shifted, [strategy], mode === 'open' ? { mode: 'open', timeScale: 0.05 } : {});
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ strategy, mode, ops: ops.length, ms, opsPerSec: ops.length / (ms / 1000), completed: r.results[0].completedOps, maxRssKb: peakRssKb() })}\n`);
}
