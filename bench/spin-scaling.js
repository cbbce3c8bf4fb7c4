// The spin model's effect on one shared file (docs/costs.md): N = 1, 2, 4, 8, 16 tasks doing random
// 4 KiB buffered reads and writes with no think time (`synth shared-rw`), 16 CPUs, closed mode,
// replayed by the range-lock designs and i_rwsem with --spin on and off. Prints throughput (ops/s)
// per strategy, N and spin setting, and the CPU time spent spinning. Deterministic: the numbers are
// the model's, not this machine's. Usage: npm run build && node bench/spin-scaling.js [OPS_PER_TASK]
import { synthesize } from '../dist/synth/scenarios.js';
import { loadForReplay, replayStrategies } from '../dist/replay/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const opsPerTask = Number(process.argv[2] ?? 2000);
const strategies = ['i-rwsem', 'bueso-rw', 'kara-2013', 'range-lock'];
const dir = mkdtempSync(join(tmpdir(), 'lockreplay-spin-'));
const rows = [['tasks', 'spin', ...strategies.map((s) => `${s} ops/s`), ...strategies.map((s) => `${s} spin ms`)]];
try {
  for (const tasks of [1, 2, 4, 8, 16]) {
    const path = join(dir, `shared-rw-${tasks}.trace`);
    writeFileSync(path, synthesize('shared-rw', { seed: 1, tasks, ops: opsPerTask }));
    const trace = await loadForReplay(path);
    for (const spin of [true, false]) {
      const r = replayStrategies(trace, strategies, { cpus: 16, spin });
      rows.push([String(tasks), spin ? 'on' : 'off', ...r.results.map((s) => String(Math.round(s.throughput.opsPerSec))), ...r.results.map((s) => (s.cpu.spinNs / 1e6).toFixed(2))]);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((x, c) => x.padStart(widths[c])).join('  '));
