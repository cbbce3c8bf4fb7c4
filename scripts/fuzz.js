#!/usr/bin/env node
// The long fuzz campaign: npm run fuzz -- [--runs N] [--seed S] [--out DIR]
// N runs for each format's import property (the engine property takes N/5, the CLI N/50), with
// fast-check's seed S (default: a fresh one, printed). Shrunk counterexamples are written to DIR
// (default fuzz-out/), with summary.jsonl: one line per property (runs, seed, ms, ops seen).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const USAGE = 'usage: npm run fuzz -- [--runs N] [--seed S] [--out DIR]\n';
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
// (an unknown flag, --help was one, ran the whole campaign of several CPU minutes)
for (let i = 0; i < args.length; i += 2) {
  if (!['--runs', '--seed', '--out'].includes(args[i])) {
    process.stderr.write(`fuzz: unknown argument ${args[i]}\n${USAGE}`);
    process.exit(2);
  }
}
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) {
    process.stderr.write(`fuzz: --${name} needs a value\n`);
    process.exit(2);
  }
  return v;
};
const runs = Number(flag('runs', '1000'));
const seed = Number(flag('seed', String(Date.now() % 2 ** 31)));
const out = flag('out', 'fuzz-out');
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  process.stderr.write('fuzz: --runs takes a whole number >= 1, --seed a whole number\n');
  process.exit(2);
}
rmSync(join(root, out, 'summary.jsonl'), { force: true });
process.stdout.write(`fuzz: ${runs} runs per format, seed ${seed}, reproducers in ${out}/\n`);
const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'vitest.fuzz.config.ts'], {
  cwd: root, stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed), FUZZ_OUT: out },
});
process.exit(r.status ?? 1);
