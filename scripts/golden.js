// The golden set: the results of every bundled trace and synthetic scenario, written into one
// directory so that two builds can be compared byte for byte (a refactoring changes no result).
//
//   node scripts/golden.js DIR          write the set into DIR (made if missing)
//   node scripts/golden.js DIR --cpu-model preempt-none
//                                       the same with every replay and fidelity run given that option
//   node scripts/golden.js --cmp A B    list the files that differ between two sets (exit 1 if any)
//
// Each trace is compared with every built-in strategy in closed and open mode, serially; every
// capture with contention events (`*-contended*`) is also checked by `fidelity` (JSON). Runs two at
// a time.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runJs = join(root, 'bin', 'run.js');
const SCENARIOS = ['seed-race', 'seed-deadlock', 'dio-gup-mmap', 'disjoint-writers', 'shared-rw', 'single-page-storm'];

function run(args, outFile, cwd) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runJs, ...args], { cwd, stdio: ['ignore', outFile === undefined ? 'ignore' : 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout?.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => (err += b));
    child.on('close', (code) => resolve({ code, out: Buffer.concat(out), err }));
  });
}

async function writeSet(dirAsGiven, extra) {
  const dir = resolve(dirAsGiven);
  mkdirSync(dir, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'golden-'));
  const jobs = [];
  const traces = readdirSync(join(root, 'traces')).filter((f) => f.endsWith('.gz')).sort();
  for (const t of traces) {
    const path = `traces/${t}`; // relative to the project, the working directory of these runs
    const name = t.replace(/\.gz$/, '');
    jobs.push([`${name}.closed.json`, ['compare', path, '--all', '--threads', '1', '-o', join(dir, `${name}.closed.json`)]]);
    jobs.push([`${name}.open.json`, ['compare', path, '--all', '--threads', '1', '--mode', 'open', '--time-scale', '0.05', '-o', join(dir, `${name}.open.json`)]]);
    if (t.includes('-contended')) jobs.push([`${name}.fidelity.json`, ['fidelity', path, '--json'], join(dir, `${name}.fidelity.json`)]);
  }
  for (const sc of SCENARIOS) {
    // (relative to the scratch directory, which the runs use as their working directory: the
    // result names the trace as given)
    const path = `${sc}.trace`;
    const made = await run(['synth', sc, '-o', path], undefined, scratch);
    if (made.code !== 0) throw new Error(`synth ${sc}: ${made.err}`);
    jobs.push([`synth-${sc}.closed.json`, ['compare', path, '--all', '--threads', '1', '-o', join(dir, `synth-${sc}.closed.json`)]]);
    jobs.push([`synth-${sc}.open.json`, ['compare', path, '--all', '--threads', '1', '--mode', 'open', '--time-scale', '0.001', '-o', join(dir, `synth-${sc}.open.json`)]]);
  }
  // strategy options and lock costs off their defaults, on the demo trace and one synthetic storm
  const VARIANTS = ['range-lock:fairness=reader-pref,range-lock:fairness=nested-shared-ok,range-lock:prefault=true,range-lock:buffered=page', 'linux:xfs:rwsem=fifo,linux:xfs:hz=1000,i-rwsem:rwsem=fifo,segment-bitmap:segments=8'];
  const zero = 'atomicNs=0,cacheMissNs=0,wakeupNs=0,spinBaseNs=0,perNodeNs=0';
  for (const [label, path] of [['xfs-mix', 'traces/xfs-mix.trace.gz'], ['synth-shared-rw', 'shared-rw.trace']]) {
    VARIANTS.forEach((v, i) => {
      jobs.push([`${label}.options${i}.closed.json`, ['compare', path, '-s', v, '--threads', '1', '-o', join(dir, `${label}.options${i}.closed.json`)]]);
      jobs.push([`${label}.options${i}.open.json`, ['compare', path, '-s', v, '--threads', '1', '--mode', 'open', '--time-scale', '0.05', '-o', join(dir, `${label}.options${i}.open.json`)]]);
    });
    jobs.push([`${label}.zero-cost.json`, ['compare', path, '--all', '--threads', '1', '--cost', zero, '-o', join(dir, `${label}.zero-cost.json`)]]);
    jobs.push([`${label}.spin-off.json`, ['compare', path, '--all', '--threads', '1', '--spin', 'off', '-o', join(dir, `${label}.spin-off.json`)]]);
  }
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const [name, args, stdoutTo] = jobs[next++];
      const inScratch = args.some((a) => a.endsWith('.trace'));
      const r = await run(args, stdoutTo, inScratch ? scratch : root);
      // a failing run is part of the result too: its exit code and message are compared
      if (stdoutTo !== undefined) writeFileSync(stdoutTo, r.out);
      if (r.code !== 0) writeFileSync(join(dir, `${name}.exit`), `${r.code}\n${r.err}`);
    }
  };
  if (extra.length > 0) for (const j of jobs) j[1].push(...extra);
  await Promise.all([worker(), worker()]);
  rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(`${jobs.length} results in ${dir}\n`);
}

function compareSets(a, b) {
  const names = [...new Set([...readdirSync(a), ...readdirSync(b)])].sort();
  let differ = 0;
  for (const n of names) {
    let x;
    let y;
    try {
      x = readFileSync(join(a, n));
      y = readFileSync(join(b, n));
    } catch {
      process.stdout.write(`only in one set: ${n}\n`);
      differ++;
      continue;
    }
    if (!x.equals(y)) {
      process.stdout.write(`differs: ${n}\n`);
      differ++;
    }
  }
  process.stdout.write(`${names.length} files, ${differ} differ\n`);
  return differ === 0;
}

const args = process.argv.slice(2);
if (args[0] === '--cmp' && args.length === 3) process.exitCode = compareSets(args[1], args[2]) ? 0 : 1;
else if (args.length === 1 && !args[0].startsWith('-')) await writeSet(args[0], []);
else if (args.length === 3 && !args[0].startsWith('-') && args[1] === '--cpu-model') await writeSet(args[0], args.slice(1));
else {
  process.stderr.write('usage: node scripts/golden.js DIR [--cpu-model MODEL] | --cmp DIR_A DIR_B\n');
  process.exitCode = 2;
}
