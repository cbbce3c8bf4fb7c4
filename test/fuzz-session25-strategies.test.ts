/**
 * User strategy modules a session-25 hostile pass found to crash lockreplay, hang it or be
 * misreported, each as a regression test. The modules are written here, to a temporary directory.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz25s-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** two overlapping ops on one file: a replay of a few milliseconds */
const OPS = write('two.ops', [
  '# lockreplay-ops v2',
  'rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns',
  'op,0,1000,500,7,7,t,7:0:9,read,0,4096,,1,,,',
  'op,1,1200,500,8,8,t,7:0:9,write,0,4096,,2,,,',
  '',
].join('\n'));

const WORK = "[{ type: 'work', fraction: 1 }]";
/** a module: `top` at its top level, then a default export whose plan runs `plan` first */
const strategy = (name: string, top: string, plan = ''): string => write(name, `${top}\nexport default { name: 'n', rules: [], plan(op, ctx) { ${plan} return ${WORK}; } };\n`);

/** a replay of OPS with `spec`, writing a result to a directory of its own (which it returns) */
function replay(spec: string, extra: string[] = []): { code: number; stdout: string; stderr: string; outDir: string } {
  const outDir = mkdtempSync(join(tmp, 'out-'));
  return { ...cli(['replay', OPS, '--mode', 'open', '-s', spec, '-o', join(outDir, 'r.json'), ...extra]), outDir };
}

/** no stack trace, no Node crash banner */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at |Node\.js v|^file:\/\//m);
}

describe('session 25 fuzz findings: user strategy modules', () => {
  // 121: a process.exit() from a timer that fires while the module's top-level await is awaited
  it('121: a module whose timer calls process.exit() while its top-level await is pending stops the run with exit 4 naming it (was: an uncaught UserExit, a stack trace, exit 1)', () => {
    for (const [name, timer] of [['tla-timeout.mjs', 'setTimeout(() => process.exit(0), 5);'], ['tla-immediate.mjs', 'setImmediate(() => process.exit(2));']]) {
      const module = strategy(name, `${timer}\nawait new Promise((r) => setTimeout(r, 100));`);
      const r = replay(module);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}: the strategy module called process\\.exit\\([02]\\) from a timer or callback while it was loaded: a strategy module must not end the process`));
      expectNoStack(r.stderr);
      expect(readdirSync(r.outDir)).toEqual([]);
    }
  });
});
