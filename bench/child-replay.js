// Replays a trace against one strategy in this process, repeated N times end to end (shifted in time,
// distinct tasks): prints ops/s of the replay (service model, simulation, histograms; import
// excluded) and peak RSS, as JSON.
import { loadForReplay, replayStrategies } from '../dist/replay/index.js';

const [path, strategy, mode = 'closed', repeat = '1'] = process.argv.slice(2);
const trace = await loadForReplay(path);
const times = Number(repeat);
const spanNs = trace.ops.length > 0 ? trace.ops[trace.ops.length - 1].tsNs - trace.ops[0].tsNs + 1_000_000 : 0;
const ops = Array.from({ length: times }, (_, k) => trace.ops.map((o) => ({ ...o, id: o.id + k * trace.ops.length, tsNs: o.tsNs + k * spanNs, pid: o.pid + k * 1_000_000, ...(o.parent !== undefined ? { parent: o.parent + k * trace.ops.length } : {}) }))).flat();
const shifted = { ...trace, ops };
const t0 = performance.now();
const r = replayStrategies(shifted, [strategy], mode === 'open' ? { mode: 'open', timeScale: 0.05 } : {});
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ strategy, mode, ops: ops.length, ms, opsPerSec: ops.length / (ms / 1000), completed: r.results[0].completedOps, maxRssKb: process.resourceUsage().maxRSS })}\n`);
