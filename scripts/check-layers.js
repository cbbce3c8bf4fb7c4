#!/usr/bin/env node
// The layer rule (docs/architecture.md): every import in src/ points to its own layer or one below.
// Prints each import that points up a layer and exits 1 if there is one; `--json` prints them as JSON.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/**
 * The layers, lowest first, and what each may import besides itself: results are plain data in
 * model/, so exporters (report/) need nothing but model/; strategies/ and engine/ meet in locks/.
 */
const BASE = ['model', 'util', 'stats', 'errors.ts'];
export const LAYERS = {
  model: [], util: ['model', 'errors.ts'], stats: ['model', 'util', 'errors.ts'], 'errors.ts': [],
  import: BASE, locks: BASE, record: [...BASE, 'import'], synth: [...BASE, 'import'],
  strategies: [...BASE, 'locks'],
  engine: [...BASE, 'locks', 'strategies'],
  replay: [...BASE, 'import', 'locks', 'strategies', 'engine', 'fidelity'],
  fidelity: [...BASE, 'import', 'locks', 'strategies', 'engine', 'replay'],
  report: BASE,
  cli: [...BASE, 'import', 'locks', 'strategies', 'engine', 'replay', 'fidelity', 'report', 'record', 'synth', 'commands'],
  commands: [...BASE, 'import', 'locks', 'strategies', 'engine', 'replay', 'fidelity', 'report', 'record', 'synth', 'cli'],
  'index.ts': ['model', 'util', 'stats', 'errors.ts', 'import', 'locks', 'strategies', 'engine', 'replay', 'fidelity', 'report', 'record', 'synth'],
};

export function layerOf(fileInSrc) {
  return fileInSrc.split(sep)[0];
}

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

export function violations() {
  const out = [];
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    const from = layerOf(rel);
    const text = readFileSync(file, 'utf8');
    // static imports and re-exports (type-only ones too: a type is a dependency of the design)
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
      const target = relative(SRC, resolve(dirname(file), m[1].replace(/\.js$/, '.ts')));
      const to = layerOf(target);
      const allowed = LAYERS[from];
      if (allowed === undefined || LAYERS[to] === undefined) out.push({ file: rel, imports: target, why: `not in any layer (${allowed === undefined ? rel : target})` });
      else if (to !== from && !allowed.includes(to)) out.push({ file: rel, imports: target, why: `${from} may import only ${allowed.join(', ') || 'nothing else'}` });
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const v = violations();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  else for (const x of v) process.stdout.write(`${x.file} → ${x.imports}: ${x.why}\n`);
  if (v.length > 0) {
    process.stderr.write(`${v.length} imports point up a layer\n`);
    process.exit(1);
  }
}
