// The README's sample outputs, made from real runs so they cannot go stale. A sample is a marker
// comment naming shell commands, followed by a ```sh block that shows each command ("$ ...") and
// what it printed:
//
//   <!-- sample: lockreplay synth seed-deadlock --out deadlock.trace && lockreplay compare deadlock.trace -s i-mutex | head=6 -->
//
// `head=N` keeps the first N lines of each command's output (then a line "..."). The commands run in
// a scratch folder where `traces` is the project's, with `lockreplay` the built CLI (npm run build
// first). Usage: node scripts/readme-samples.js --check (exit 1 when a sample differs) | --write
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');
const MARKER = /^<!-- sample: (.*?)(?: \| head=(\d+))? -->$/;

function run(command, cwd) {
  const script = `lockreplay() { node "${join(root, 'bin', 'run.js')}" "$@"; }\n${command}`;
  return execFileSync('bash', ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1', COLUMNS: '200' }, maxBuffer: 1 << 26 });
}

function render(commands, head, cwd) {
  const out = ['```sh'];
  for (const c of commands) {
    out.push(`$ ${c}`);
    let lines = run(c, cwd).replace(/\n$/, '').split('\n').filter((l, i, all) => !(l === '' && all.length === 1));
    if (head !== undefined && lines.length > head) lines = [...lines.slice(0, head), '...'];
    out.push(...lines);
  }
  out.push('```');
  return out;
}

export function samples(text) {
  const cwd = mkdtempSync(join(tmpdir(), 'lockreplay-readme-'));
  symlinkSync(join(root, 'traces'), join(cwd, 'traces'));
  const lines = text.split('\n');
  const out = [];
  const differences = [];
  try {
    for (let i = 0; i < lines.length; i++) {
      out.push(lines[i]);
      const m = MARKER.exec(lines[i]);
      if (m === null) continue;
      if (lines[i + 1] !== '```sh') throw new Error(`README.md:${i + 1}: a sample marker must be followed by a \`\`\`sh block`);
      let end = i + 2;
      while (end < lines.length && lines[end] !== '```') end++;
      const block = render(m[1].split(' && ').map((c) => c.trim()), m[2] === undefined ? undefined : Number(m[2]), cwd);
      const old = lines.slice(i + 1, end + 1);
      if (old.join('\n') !== block.join('\n')) differences.push(`README.md:${i + 2}: the sample of "${m[1]}" differs from what the commands print now`);
      out.push(...block);
      i = end;
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return { text: out.join('\n'), differences };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode !== '--check' && mode !== '--write') {
    console.error('usage: node scripts/readme-samples.js --check | --write');
    process.exit(2);
  }
  const r = samples(readFileSync(readmePath, 'utf8'));
  if (mode === '--write') {
    writeFileSync(readmePath, r.text);
    console.log(`README.md: ${r.differences.length} sample(s) updated`);
  } else {
    for (const d of r.differences) console.error(d);
    if (r.differences.length > 0) process.exit(1);
    console.log('README.md: every sample matches');
  }
}
