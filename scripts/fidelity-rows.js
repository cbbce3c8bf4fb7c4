// Issue 16's measure: for every bundled XFS capture with lock:contention_* events (xfs-contended-*), the contended
// IOLOCK acquisitions per op kind with at least 50 observed, predicted by linux:xfs against the
// kernel's (count within ±30%, mean wait within 1.5x). Rate-limited captures (the contended-mixed
// ones) replay in open mode, the others closed. Each row shows the replay with the capture's wake-up
// latencies in their recorded order, and the median of `--replicates N` replays (default 9).
//
// `--without-sched` replays each capture with its scheduler events (sched_switch, sched_wakeup, ...)
// taken out, as a capture recorded without them would be: what the replay loses without the
// wake-up latencies and off-CPU shares they give (captures without such events are replayed as
// they are, and marked so).
//
//   npm run build && node scripts/fidelity-rows.js [--replicates N] [--cpu-model per-segment|preempt-none] [--without-sched]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--replicates');
const replicates = at > 0 ? Number(process.argv[at + 1]) : 9;
const cm = process.argv.indexOf('--cpu-model');
const cpuModel = cm > 0 ? process.argv[cm + 1] : 'per-segment';
const within = (count, mean) => count >= 0.7 && count <= 1.3 && mean >= 1 / 1.5 && mean <= 1.5;
const withoutSched = process.argv.includes('--without-sched');
const scratch = withoutSched ? mkdtempSync(join(tmpdir(), 'fidelity-rows-')) : undefined;
/** the capture to replay: as it is, or without its scheduler events (and how many lines went) */
function captureOf(file) {
  if (scratch === undefined) return { path: join('traces', file), schedLines: undefined };
  const lines = gunzipSync(readFileSync(join(root, 'traces', file))).toString('latin1').split('\n');
  const kept = lines.filter((l) => !/ sched_[a-z_]+: /.test(l));
  const path = join(scratch, file);
  writeFileSync(path, gzipSync(Buffer.from(kept.join('\n'), 'latin1')));
  return { path, schedLines: lines.length - kept.length };
}
const captures = readdirSync(join(root, 'traces')).filter((f) => /^xfs-contended-.*\.trace\.gz$/.test(f)).sort();
const rows = [];
for (const file of captures) {
  const mode = file.includes('mixed') ? 'open' : 'closed';
  const { path, schedLines } = captureOf(file);
  const out = execFileSync(process.execPath, [join(root, 'bin', 'run.js'), 'fidelity', path, '--mode', mode, '--replicates', String(replicates), '--cpu-model', cpuModel, '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  for (const r of JSON.parse(out).contention.rows) {
    if (r.lockClass !== 'IOLOCK' || r.observed.count < 50) continue;
    const median = r.spread ?? { countRatio: { median: r.countRatio }, meanRatio: { median: r.meanRatio } };
    rows.push({ capture: file.replace('.trace.gz', '') + (schedLines === 0 ? ' (none)' : ''), mode, kind: r.kind, observed: r.observed.count, predicted: r.predicted.count, count: r.countRatio, mean: r.meanRatio, medianCount: median.countRatio.median, medianMean: median.meanRatio.median });
  }
}
const ln = (x) => Math.abs(Math.log(x));
if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
process.stdout.write(`CPU model ${cpuModel}${withoutSched ? '; every capture without its scheduler events ((none): it had none)' : ''}\n`);
process.stdout.write('capture                              mode    op kind    observed predicted  count x  mean x   | median of ' + replicates + ': count x  mean x\n');
for (const r of rows) {
  const mark = (ok) => (ok ? '  ' : ' *');
  process.stdout.write(`${r.capture.padEnd(36)} ${r.mode.padEnd(7)} ${r.kind.padEnd(10)} ${String(r.observed).padStart(8)} ${String(r.predicted).padStart(9)} ${r.count.toFixed(3).padStart(8)} ${r.mean.toFixed(3).padStart(7)}${mark(within(r.count, r.mean))} | ${r.medianCount.toFixed(3).padStart(16)} ${r.medianMean.toFixed(3).padStart(7)}${mark(within(r.medianCount, r.medianMean))}\n`);
}
const summary = (count, mean) => {
  const out = rows.filter((r) => !within(r[count], r[mean])).length;
  const meanLn = rows.reduce((a, r) => a + ln(r[count]) + ln(r[mean]), 0) / (2 * rows.length);
  return `${rows.length - out} of ${rows.length} rows within the targets, mean |ln ratio| ${meanLn.toFixed(4)}`;
};
process.stdout.write(`(* outside the targets)\nthe replay in recorded order: ${summary('count', 'mean')}\nthe median of ${replicates} replicates: ${summary('medianCount', 'medianMean')}\n`);
