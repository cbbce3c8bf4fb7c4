// npm run bench: import throughput and peak RSS on the large real trace (plain and gzip), beside two
// floors measured in the same run on the same file. Each measurement runs in its own process (its own
// peak RSS); each is repeated and the median kept. Results go to reports/bench.json and bench.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gzPath = join(root, 'traces', 'xfs-mix-large.trace.gz');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'lockreplay-bench-'));
const plainPath = join(work, 'xfs-mix-large.trace');
writeFileSync(plainPath, gunzipSync(readFileSync(gzPath)));
const plainBytes = statSync(plainPath).size;

function child(script, args) {
  const out = execFileSync(process.execPath, [join(root, 'bench', script), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop());
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(label, script, args) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(child(script, args));
  const ms = median(samples.map((s) => s.ms));
  const lines = samples[0].lines;
  return { label, lines, ms, linesPerSec: lines / (ms / 1000), mbPerSec: plainBytes / 1e6 / (ms / 1000), maxRssMb: median(samples.map((s) => s.maxRssKb)) / 1024 };
}

const results = {
  schema: 'lockreplay-bench/1',
  input: 'traces/xfs-mix-large.trace.gz',
  plainBytes,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  runs,
  import: {},
  floors: {},
};
results.floors.split = measure('floor (a): split lines', 'floors.js', [plainPath, 'split']);
results.floors.extract = measure('floor (b): split + pid/ts/event', 'floors.js', [plainPath, 'extract']);
results.import.plain = measure('import, plain', 'child-import.js', [plainPath]);
results.import.gzip = measure('import, gzip', 'child-import.js', [gzPath]);
rmSync(work, { recursive: true, force: true });

// replay: every built-in strategy, closed mode, on xfs-mix-large repeated 7x (>= 1 M ops)
results.replay = {};
for (const strategy of ['none', 'page-lock', 'i-mutex', 'range-lock']) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(child('child-replay.js', [gzPath, strategy, 'closed', '7']));
  const ms = median(samples.map((x) => x.ms));
  results.replay[strategy] = { ops: samples[0].ops, ms, opsPerSec: samples[0].ops / (ms / 1000), maxRssMb: median(samples.map((x) => x.maxRssKb)) / 1024 };
}

const imp = results.import.plain;
const targets = [
  { name: 'import plain >= 2 M lines/s', pass: imp.linesPerSec >= 2e6, value: `${(imp.linesPerSec / 1e6).toFixed(2)} M lines/s` },
  { name: 'import plain >= 0.6 of floor (b)', pass: imp.linesPerSec >= 0.6 * results.floors.extract.linesPerSec, value: (imp.linesPerSec / results.floors.extract.linesPerSec).toFixed(2) },
  { name: 'gzip within 25% of plain', pass: results.import.gzip.linesPerSec >= 0.75 * imp.linesPerSec, value: (results.import.gzip.linesPerSec / imp.linesPerSec).toFixed(2) },
];
for (const [strategy, r] of Object.entries(results.replay)) {
  targets.push({ name: `replay ${strategy} >= 3 M ops/s`, pass: r.opsPerSec >= 3e6, value: `${(r.opsPerSec / 1e6).toFixed(2)} M ops/s` });
}
results.targets = targets;

const rows = [...Object.values(results.floors), ...Object.values(results.import)];
const md = [
  `| measurement | lines/s | MB/s | ms | peak RSS MB |`,
  `|---|---:|---:|---:|---:|`,
  ...rows.map((r) => `| ${r.label} | ${(r.linesPerSec / 1e6).toFixed(2)} M | ${r.mbPerSec.toFixed(0)} | ${r.ms.toFixed(0)} | ${r.maxRssMb.toFixed(0)} |`),
  '',
  `| replay (closed, ${Object.values(results.replay)[0].ops} ops) | ops/s | ms | peak RSS MB |`,
  `|---|---:|---:|---:|`,
  ...Object.entries(results.replay).map(([s, r]) => `| ${s} | ${(r.opsPerSec / 1e6).toFixed(2)} M | ${r.ms.toFixed(0)} | ${r.maxRssMb.toFixed(0)} |`),
  '',
  `| target | measured | |`,
  `|---|---|---|`,
  ...targets.map((t) => `| ${t.name} | ${t.value} | ${t.pass ? 'pass' : 'FAIL'} |`),
].join('\n');
writeFileSync(join(root, 'reports', 'bench.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(root, 'reports', 'bench.md'), `${md}\n`);
process.stdout.write(`lockreplay benchmark on ${results.input} (${(plainBytes / 1e6).toFixed(0)} MB, ${imp.lines} lines), median of ${runs}\n\n${md}\n`);
