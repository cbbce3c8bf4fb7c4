/**
 * User strategy modules a session-25 hostile pass found to crash lockreplay, hang it or be
 * misreported, each as a regression test. The modules are written here, to a temporary directory.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ROOT, TWO_OVERLAPPING_OPS } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz25s-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** two overlapping ops on one file: a replay of a few milliseconds */
const OPS = write('two.ops', TWO_OVERLAPPING_OPS);

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

  // 122: an uncaught exception (or unhandled rejection) after a module loaded was put on the module whatever threw it, with Node's stack trace
  it("122: an uncaught throw or rejection is the module's (exit 4, named, no stack) only when it comes from its code; lockreplay's own is an internal error (was: every one blamed on the module, with a stack trace)", () => {
    // the module's timer throws during the replay; its promise is rejected as it loads
    const throws = replay(strategy('timer-throws.mjs', 'let armed = false;', "if (!armed) { armed = true; setImmediate(() => { throw new Error('boom <b>'); }); }"));
    expect(throws.code, throws.stderr).toBe(4);
    expect(throws.stderr).toMatch(/timer-throws\.mjs: the strategy module's code threw outside its plan\(\) \(from a timer, callback or promise\): boom <b>; outputs not yet in place were removed/);
    expectNoStack(throws.stderr);
    expect(readdirSync(throws.outDir)).toEqual([]);
    const rejects = replay(strategy('rejects.mjs', "Promise.reject('nope');"));
    expect(rejects.code, rejects.stderr).toBe(4);
    expect(rejects.stderr).toMatch(/rejects\.mjs: the strategy module's code threw outside its plan\(\) \(from a timer, callback or promise\): "nope"/);
    expectNoStack(rejects.stderr);
    // a loaded module's timer exits while another one loads: the one whose timer it is is named
    const early = strategy('exits-later.mjs', 'setTimeout(() => process.exit(0), 50);');
    const slow = strategy('loads-slowly.mjs', 'await new Promise((r) => setTimeout(r, 400));');
    const both = cli(['compare', OPS, '--mode', 'open', '-s', `${early},${slow}`]);
    expect(both.code, both.stderr).toBe(4);
    expect(both.stderr).toMatch(/exits-later\.mjs: the strategy module called process\.exit\(0\) from a timer or callback while \S*loads-slowly\.mjs was loaded/);
    expect(both.stderr).not.toMatch(/loads-slowly\.mjs:/);
    expectNoStack(both.stderr);
    // lockreplay's own code throws from a timer while a command runs with a module loaded
    const own = `
      import { commandStarted, userModuleLoading } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'util', 'late-exit.js')).href)};
      commandStarted();
      userModuleLoading('./mine.mjs', ${JSON.stringify(pathToFileURL(join(tmp, 'mine.mjs')).href)})();
      setTimeout(() => { const state = null; return state.pending; }, 1);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', own], { encoding: 'utf8', env: { ...process.env, LOCKREPLAY_DEBUG: '' } });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^lockreplay: internal error: Cannot read properties of null \(reading 'pending'\) \(set LOCKREPLAY_DEBUG=1 for details\)\n$/);
  });

  // 123: a top-level await that nothing can settle: Node ends the process with its code 13 (which is record's "no tracefs")
  it('123: a module whose top-level await never settles is exit 4 naming it (was: exit 13, no message)', () => {
    const never = strategy('never-loads.mjs', 'await new Promise(() => {});');
    for (const r of [replay(never), cli(['compare', OPS, '--mode', 'open', '-s', `${never},none`])]) {
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/never-loads\.mjs: the strategy module never finished loading: its top-level await waits for something nothing is left to settle/);
      expectNoStack(r.stderr);
    }
  });

  // 124: compare loaded its strategies at once: one that failed first left a module loading, whose exit guard refused the CLI's own exit with the error
  it("124: a bad strategy ahead of a module still loading fails with its own message and code (was: oclif's exit refused by the loading module's guard: a stack trace, exit 1)", () => {
    const slow = strategy('slow-124.mjs', 'await new Promise((r) => setTimeout(r, 300));');
    const notStrategy = write('not-a-strategy.mjs', 'export default 42;\n');
    const unknown = cli(['compare', OPS, '--mode', 'open', '-s', `nope,${slow}`]);
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, expect.stringMatching(/^lockreplay: unknown strategy "nope"; known: /)]);
    expectNoStack(unknown.stderr);
    const bad = cli(['compare', OPS, '--mode', 'open', '-s', `${notStrategy},${slow}`]);
    expect(bad.code, bad.stderr).toBe(4);
    expect(bad.stderr).toMatch(/not-a-strategy\.mjs: the module must export \(default\) a strategy object/);
    expectNoStack(bad.stderr);
    // the library: an object refused while a module given before it loads; the caller then exits
    const caller = `
      import { compare } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)};
      try { await compare(${JSON.stringify(OPS)}, [${JSON.stringify(slow)}, { name: 'no-plan' }]); } catch (e) { console.log(e.message); process.exit(2); }
    `;
    const lib = spawnSync(process.execPath, ['--input-type=module', '-e', caller], { encoding: 'utf8' });
    expect([lib.status, lib.stdout, lib.stderr]).toEqual([2, 'strategy no-plan: strategy.plan must be a function (op, ctx) => Step[]\n', '']);
  });

  // 125: built-in strategies were looked up by name in a plain object: its inherited properties were taken for factories
  it('125: a strategy named as a property every object has (constructor, toString, __proto__, hasOwnProperty) is an unknown strategy, exit 2 (was: an internal error, exit 1)', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf:x=1']) {
      const r = replay(name);
      expect([r.code, r.stderr.split('\n')[0]], name).toEqual([2, `lockreplay: unknown strategy "${name.split(':')[0]}"; known: none, page-lock, i-mutex, range-lock, i-rwsem, linux:xfs, linux:ext4, linux:generic, kara-2013, bueso-rw, list-rl, segment-bitmap, two-state, btrfs-extent, lustre-write (see: lockreplay strategies)`]);
    }
  });

  // 126: a plan's steps were checked, then read again by the engine: a getter or proxy answering the two apart ran what was never checked
  it('126: a step whose getters answer differently each time is run as it was checked, read once (was: an internal error of the engine, exit 1: an empty range, a release of a tag not held)', () => {
    // each getter gives a valid value for the reads the check made, then an invalid one
    const steps = (end: string, tag: string): string => `[{ type: 'acquire', lockClass: 'a', key: 'k', spec: { kind: 'range' }, mode: 'X', start: 0, ${end}, ${tag} }, { type: 'work', fraction: 1 }, { type: 'release', tag: 0 }]`;
    const module = (name: string, body: string): string => write(name, `export default { name: 'same', summary: 's', source: 's', rules: [], plan() { let reads = 0; ${body} } };\n`);
    const plain = module('plain-126.mjs', `return ${steps('end: 4096', 'tag: 0')};`);
    const end = module('end-126.mjs', `return ${steps('get end() { return ++reads <= 2 ? 4096 : -5; }', 'tag: 0')};`);
    const tag = module('tag-126.mjs', `return ${steps('end: 4096', 'get tag() { return ++reads <= 2 ? 0 : 3; }')};`);
    const proxied = module('proxy-126.mjs', `const real = ${steps('end: 4096', 'tag: 0')}; return new Proxy(real, { get(t, p) { return typeof p === 'string' && /^[0-9]+$/.test(p) && ++reads > 3 ? { type: 'release', tag: 9 } : t[p]; } });`);
    const results = [plain, end, tag, proxied].map((m) => {
      const r = replay(m);
      expect(r.code, `${m}: ${r.stderr}`).toBe(0);
      return JSON.parse(readFileSync(join(r.outDir, 'r.json'), 'utf8')) as { results: { strategy: string; completedOps: number }[] };
    });
    expect(results[0].results).toMatchObject([{ strategy: 'same', completedOps: 2 }]);
    for (const r of results.slice(1)) expect(r.results).toEqual(results[0].results);
  });

  // 127: the process ended only when the module's last timer had fired, after the command was over
  it("127: a module's pending timer does not keep the process on after the command (was: the run waited for it: a 60 s timer, 60 s more)", () => {
    const module = strategy('lingers.mjs', 'setTimeout(() => {}, 60_000); setInterval(() => {}, 1_000);');
    const started = Date.now();
    const r = cli(['replay', OPS, '--mode', 'open', '-s', module, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ results: [{ strategy: 'n', completedOps: 2 }] });
    expect(Date.now() - started).toBeLessThan(30_000);
    // the command's own code stays
    const failed = cli(['replay', OPS, '--mode', 'open', '-s', module, '--from', 'x']);
    expect(failed.code).toBe(2);
  });
});
