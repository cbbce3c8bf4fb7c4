/**
 * Errors from a user strategy module's code whose stack names no frame in the module's file: a
 * built-in the module's timer or promise calls itself, an error whose stack was replaced or cut to
 * nothing, a proxy's trap, a value that is no Error. Each is the module's (exit 4, named, no stack
 * trace, no output left), not an internal error of lockreplay's: the caller knows the module's code
 * runs (its top-level code, its plan() calls, the reads of its export) and what that code sets up.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, TWO_OVERLAPPING_OPS } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-module-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** two overlapping ops on one file */
const OPS = write('two.ops', TWO_OVERLAPPING_OPS);

/** a module: `top` at its top level, then a default export whose plan runs `plan` (once) first */
const strategy = (name: string, top: string, plan = ''): string => write(name, `${top}\nlet once = false;\nexport default { name: '${name.replace('.mjs', '')}', rules: [], plan(op, ctx) { if (!once) { once = true; ${plan} } return [{ type: 'work', fraction: 1 }]; } };\n`);

/** a replay of OPS with the module, writing a result to a directory of its own */
function replayWith(module: string): { code: number; stderr: string; left: string[] } {
  const outDir = mkdtempSync(join(tmp, 'out-'));
  const r = cli(['replay', OPS, '--mode', 'open', '-s', module, '-o', join(outDir, 'r.json')]);
  return { code: r.code, stderr: r.stderr, left: readdirSync(outDir) };
}

const JSON_ERROR = "Expected property name or '}' in JSON at position 1";
const outside = (what: string): string => `the strategy module's code threw outside its plan() (from a timer, callback or promise): ${what}; outputs not yet in place were removed`;

describe("an error from a module's code, whatever its stack, is the module's (exit 4)", () => {
  const cases: [string, string, string, string][] = [
    // [file, top-level code, plan() code, what the message says]
    ['top-timer-builtin.mjs', "setTimeout(JSON.parse, 0, '{');", '', outside(JSON_ERROR)],
    ['top-promise-builtin.mjs', "Promise.resolve('{').then(JSON.parse);", '', outside(JSON_ERROR)],
    ['top-microtask-builtin.mjs', "queueMicrotask(JSON.parse.bind(null, '{'));", '', outside(JSON_ERROR)],
    ['top-reject-number.mjs', 'Promise.reject(42);', '', outside('42')],
    ['plan-immediate-builtin.mjs', '', "setImmediate(JSON.parse, '{');", outside(JSON_ERROR)],
    ['plan-promise-builtin.mjs', '', "Promise.resolve('{').then(JSON.parse);", outside(JSON_ERROR)],
    ['plan-stack-replaced.mjs', '', "setImmediate(() => { const e = new Error('stack replaced'); e.stack = 'Error: stack replaced'; throw e; });", outside('stack replaced')],
    ['plan-no-stack.mjs', 'Error.stackTraceLimit = 0;', "setImmediate(() => { throw new TypeError('no frames'); });", outside('no frames')],
    ['plan-throw-string.mjs', '', "setImmediate(() => { throw 'a string'; });", outside('"a string"')],
    ['plan-reject-number.mjs', '', 'Promise.reject(42);', outside('42')],
  ];
  for (const [file, top, plan, said] of cases) {
    it(file, () => {
      const module = strategy(file, top, plan);
      const r = replayWith(module);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toBe(`lockreplay: ${module}: ${said}\n`);
      expect(r.left).toEqual([]);
    });
  }

  it('a trap of the exported proxy, asked whether the export is a strategy or a function making one (was: an internal error, exit 1; a thrown string crashed the error handler with a stack trace)', () => {
    for (const [name, trap, said] of [
      ['trap-string.mjs', "throw 'has trap';", '"has trap"'],
      ['trap-builtin.mjs', "JSON.parse('{');", JSON_ERROR],
      ['trap-stack-replaced.mjs', "const e = new Error('trap replaced'); e.stack = 'x'; throw e;", 'trap replaced'],
    ]) {
      const module = write(name, `export default new Proxy(function () {}, { has() { ${trap} } });\n`);
      const r = replayWith(module);
      expect([r.code, r.stderr], name).toEqual([4, `lockreplay: ${module}: reading the module's export threw: ${said}\n`]);
    }
  });

  it('a revoked proxy as its rules or options (was: an internal error, exit 1)', () => {
    const rules = write('revoked-rules.mjs', "const p = Proxy.revocable([], {}); p.revoke();\nexport default { name: 'r', rules: p.proxy, plan: () => [] };\n");
    const r = replayWith(rules);
    expect([r.code, r.stderr]).toEqual([4, `lockreplay: ${rules}: strategy.rules must be an array of { kinds: string, locks: string }\n`]);
    const options = write('revoked-options.mjs', "const p = Proxy.revocable({}, {}); p.revoke();\nexport default { name: 'r', options: p.proxy, plan: () => [] };\n");
    const o = replayWith(options);
    expect([o.code, o.stderr]).toEqual([4, `lockreplay: ${options}: reading strategy.options threw: Cannot perform 'ownKeys' on a proxy that has been revoked\n`]);
  });

  it('with two modules, the one whose plan() set the timer is named', () => {
    const quiet = strategy('quiet.mjs', '');
    const noisy = strategy('noisy.mjs', '', "setImmediate(JSON.parse, '{');");
    const r = cli(['compare', OPS, '--mode', 'open', '-s', `${quiet},${noisy}`, '--threads', '1', '-o', join(mkdtempSync(join(tmp, 'out-')), 'r.json')]);
    expect([r.code, r.stderr]).toEqual([4, `lockreplay: ${noisy}: ${outside(JSON_ERROR)}\n`]);
  });
});

describe('an error a module left pending is reported before anything is printed, wherever the module ran (exit 4)', () => {
  // (Node reports a rejection nothing handles when the microtasks run out: everything after the
  // replay ran in microtasks, so without a file to write the result was printed, exit 0)
  const pending: [string, string, string, string][] = [
    // [file, top-level code, plan() code, what the message says]
    ['pending-top-reject.mjs', "Promise.reject(new Error('top rejected'));", '', outside('top rejected')],
    ['pending-plan-reject.mjs', '', "Promise.reject(new Error('plan rejected'));", outside('plan rejected')],
    ['pending-plan-timer.mjs', '', "setTimeout(() => { throw new Error('timer threw'); }, 0);", outside('timer threw')],
  ];
  for (const [file, top, plan, said] of pending) {
    it(`${file}: with --json, and with the table`, () => {
      const module = strategy(file, top, plan);
      for (const extra of [['--json'], []]) {
        const r = cli(['replay', OPS, '--mode', 'open', '-s', module, ...extra]);
        expect([r.code, r.stdout, r.stderr], extra.join(' ')).toEqual([4, '', `lockreplay: ${module}: ${said}\n`]);
      }
    });
  }

  it('fidelity: a promise the plan() rejected, with --json (was: the report printed, exit 0)', () => {
    const module = strategy('pending-fidelity.mjs', '', "Promise.reject(new Error('plan rejected'));");
    const r = cli(['fidelity', OPS, '-s', module, '--json']);
    expect([r.code, r.stdout, r.stderr]).toEqual([4, '', `lockreplay: ${module}: ${outside('plan rejected')}\n`]);
  });

  /**
   * compare -s FIRST,MODULE --threads 2: this process replays FIRST, whose plan() waits (at most
   * 20 s) until MODULE's plan() has run in the worker (a marker file), so the worker runs MODULE
   */
  function inWorker(name: string, plan: string): { first: string; module: string } {
    const marker = join(tmp, `${name}.ran`);
    const first = write(`${name}-first.mjs`, `import { existsSync } from 'node:fs';\nlet once = false;\nexport default { name: '${name}-first', rules: [], plan() { if (!once) { once = true; const end = Date.now() + 20000; while (!existsSync(${JSON.stringify(marker)}) && Date.now() < end); } return [{ type: 'work', fraction: 1 }]; } };\n`);
    const module = write(`${name}.mjs`, `import { writeFileSync } from 'node:fs';\nimport { isMainThread } from 'node:worker_threads';\nconst inWorker = process.send !== undefined || !isMainThread;\nlet once = false;\nexport default { name: '${name}', rules: [], plan() { if (inWorker && !once) { once = true; ${plan} writeFileSync(${JSON.stringify(marker)}, ''); } return [{ type: 'work', fraction: 1 }]; } };\n`);
    return { first, module };
  }

  it('in a worker process or thread of compare (was: a worker process kept its result, exit 0; a worker thread\'s was an internal error, exit 1)', () => {
    for (const [parallel, name, plan, said] of [
      ['processes', 'worker-reject', "Promise.reject(new Error('rejected in a worker'));", outside('rejected in a worker')],
      ['threads', 'thread-timer', "setTimeout(() => { throw new Error('timer threw in a worker'); }, 0);", outside('timer threw in a worker')],
      ['processes', 'worker-exit', 'setTimeout(() => process.exit(0), 0);', 'the strategy module called process.exit(0) from a timer or callback while it was loaded: a strategy module must not end the process (throw an Error to refuse); outputs not yet in place were removed'],
    ]) {
      const { first, module } = inWorker(name, plan);
      const r = cli(['compare', OPS, '--mode', 'open', '-s', `${first},${module}`, '--threads', '2', '--parallel', parallel, '--json']);
      expect([r.code, r.stdout, r.stderr], name).toEqual([4, '', `lockreplay: ${module}: ${said}\n`]);
    }
  });
});
