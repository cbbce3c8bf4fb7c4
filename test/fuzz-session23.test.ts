/**
 * Inputs a session-23 hostile-input pass (user strategies whose module or plan returns hostile
 * values; the .hgrm files named after a strategy) found to crash or mislead, each as a regression
 * test. The modules and traces are made here.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz23-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** a user strategy module `name`.mjs: `body` is its default export's fields after name */
function strategyModule(name: string, body: string, file = name): string {
  return write(`${file}.mjs`, `const WORK = [{ type: 'work', fraction: 1 }];\nexport default { name: '${name}', ${body} };\n`);
}

/** a plan of one lock held around the work: `acquire` is the acquire step's fields beyond the usual */
function onePlan(acquire: string): string {
  return `plan(op) { return [{ type: 'acquire', lockClass: 'c', key: op.file, spec: { kind: 'mutex' }, mode: 'X', start: 0, end: Infinity, tag: 0, ${acquire} }, ...WORK, { type: 'release', tag: 0 }]; }`;
}

let trace = '';

beforeAll(() => {
  // 8 tasks writing one file at once, 40 ops
  const rows = ['# lockreplay-ops v2', 'rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns'];
  for (let i = 0; i < 40; i++) rows.push(`op,${i},${1000 * i},50000,${100 + (i % 8)},pid:${100 + (i % 8)},fio,7:0:1,write,${4096 * (i % 5)},4096,,${i + 3},,,`);
  trace = write('contended.ops.csv', `${rows.join('\n')}\n`);
});

/** replays `strategy` (a path) and expects exit 4 with `message` on its first stderr line, no internal error */
function refused(strategy: string, message: RegExp): void {
  const r = cli(['replay', trace, '-s', strategy, '--cpus', '4', '--json']);
  expect(r.code, r.stderr).toBe(4);
  expect(r.stderr.split('\n')[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stdout).toBe('');
}

describe('session 23 fuzz findings', () => {
  it('61: a strategy\'s options that a result cannot record are refused naming the module (was: a BigInt, a cycle or a throwing getter an internal error; a string recorded as {"0":"h",...}; a nested object or NaN a result report refused to read)', () => {
    const cases: [string, string, RegExp][] = [
      ['opt-bigint', 'options: { x: 10n }', /opt-bigint\.mjs: strategy\.options must be an object of option name → string, finite number or boolean: options\.x is a bigint$/],
      ['opt-cycle', 'options: (() => { const o = { a: 1 }; o.self = o; return o; })()', /opt-cycle\.mjs: strategy\.options must be .*: options\.self is an object$/],
      ['opt-getter', "options: { get x() { throw new Error('no x'); } }", /opt-getter\.mjs: reading strategy\.options\.x threw: no x$/],
      ['opt-string', "options: 'hello'", /opt-string\.mjs: strategy\.options must be an object .*, not string$/],
      ['opt-nested', 'options: { x: { y: [1, 2] } }', /opt-nested\.mjs: strategy\.options must be .*: options\.x is an object$/],
      ['opt-nan', 'options: { x: NaN }', /opt-nan\.mjs: strategy\.options must be .*: options\.x is NaN$/],
      ['opt-inherited', 'options: { toString: 1 }', /opt-inherited\.mjs: strategy\.options\.toString: the name of a property every object inherits/],
    ];
    for (const [name, options, message] of cases) refused(strategyModule(name, `${options}, plan: () => WORK`), message);
    // options of strings, finite numbers and booleans are recorded as they are, and the result reads back
    const out = join(tmp, 'options.json');
    const ok = cli(['replay', trace, '-s', strategyModule('opt-ok', "options: { mode: 'fast', depth: 2.5, on: true }, plan: () => WORK"), '--out', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { results: { strategyOptions: unknown }[] }).results[0].strategyOptions).toEqual({ mode: 'fast', depth: 2.5, on: true });
    expect(cli(['report', out]).code).toBe(0);
  });

  it('62: a lock class named like an inherited property (toString, __proto__), from a JS plan or a JSON table, is refused (was: a result report refused to read, or, for __proto__, one without the class\'s statistics)', () => {
    for (const cls of ['toString', '__proto__', 'constructor']) {
      refused(strategyModule(`cls-${cls}`, onePlan(`lockClass: '${cls}'`)), new RegExp(`cls-${cls}\\.mjs: plan\\(\\) step 0 for op 0 \\(write\\): lockClass "${cls}" is the name of a property every object inherits`));
      const table = write(`cls-${cls}.json`, JSON.stringify({ name: 't', locks: { [cls]: { kind: 'mutex' } }, rules: { default: [{ lock: cls, mode: 'X', range: 'op' }] } }));
      refused(table, new RegExp(`cls-${cls}\\.json: locks\\.${cls}: the lock's name "${cls}" is the name of a property every object inherits`));
    }
  });

  it('63: one lock instance acquired as two kinds (a spinlock and an rwsem, a mutex and a spinlock) is refused naming it (was: an internal error, "rwsem released by a request that does not hold it", or a stall reported as a deadlock)', () => {
    const mixed = (name: string, a: string, b: string): string => strategyModule(name, onePlan(`spec: op.id % 3 === 0 ? ${a} : ${b}`));
    refused(mixed('mix-rwsem', "{ kind: 'rwsem', fairness: 'linux' }", "{ kind: 'spinlock' }"), /mix-rwsem\.mjs: plan\(\) step 0 for op 1 \(write\): lock "c" "7:0:1" is a rwsem in an earlier acquire and a spinlock here: every acquire of a lock instance names the same kind/);
    refused(mixed('mix-mutex', "{ kind: 'mutex' }", "{ kind: 'spinlock' }"), /mix-mutex\.mjs: .*lock "c" "7:0:1" is a mutex in an earlier acquire and a spinlock here/);
    // one kind with other options: the first acquire decides them, as before
    const fair = cli(['replay', trace, '-s', mixed('mix-fairness', "{ kind: 'rwsem', fairness: 'linux' }", "{ kind: 'rwsem', fairness: 'fifo' }"), '--json']);
    expect(fair.code, fair.stderr).toBe(0);
    // (each replay of a compare has its own instances: two strategies may name one class as other kinds)
    const both = cli(['compare', trace, '-s', `${strategyModule('kind-a', onePlan("spec: { kind: 'spinlock' }"))},${strategyModule('kind-b', onePlan("spec: { kind: 'range', fairness: 'fifo' }"))}`, '--json']);
    expect(both.code, both.stderr).toBe(0);
  });

  it('63: a plan\'s acquire of mmap_lock, the engine\'s own rwsem, as another kind is refused (was: a made-up deadlock of an op with itself)', () => {
    refused(strategyModule('mmap-spin', "plan(op) { return [{ type: 'acquire', lockClass: 'mmap_lock', key: op.proc, spec: { kind: 'spinlock' }, mode: 'X', start: 0, end: Infinity, tag: 0 }, ...WORK, { type: 'release', tag: 0 }]; }"), /step 0 for op 0 \(write\): lockClass "mmap_lock" is each process's mmap_lock, an rwsem the engine takes around faults and direct IO: a plan's acquire of it must be an rwsem, not a spinlock$/);
    const ok = cli(['replay', trace, '-s', strategyModule('mmap-rwsem', "plan(op) { return [{ type: 'acquire', lockClass: 'mmap_lock', key: op.proc, spec: { kind: 'rwsem' }, mode: 'S', start: 0, end: Infinity, tag: 0 }, ...WORK, { type: 'release', tag: 0 }]; }"), '--json']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('64: a JS plan\'s rwsem hz is a whole number from 100 to 10,000 (was: 0, NaN, "abc" or -250 taken, the last changing the hand-offs)', () => {
    for (const [hz, shown] of [['0', '0'], ['NaN', 'NaN'], ["'abc'", '"abc"'], ['-250', '-250'], ['250.5', '250.5']]) {
      refused(strategyModule(`hz-${shown.replace(/\W/g, '')}`, onePlan(`spec: { kind: 'rwsem', fairness: 'linux', hz: ${hz} }`)), new RegExp(`step 0 for op 0 \\(write\\): spec\\.hz: expected a whole number from 100 to 10,000 \\(the kernel's CONFIG_HZ: 100, 250, 300 or 1000\\), got ${shown.replace(/\./g, '\\.')}$`));
    }
    const ok = cli(['replay', trace, '-s', strategyModule('hz-ok', onePlan("spec: { kind: 'rwsem', fairness: 'linux', hz: 1000 }")), '--json']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('64: an rwsem hz or a fairness given as null is the default, as when left out (was: hz null made jiffies infinite, so no waiter ever set the hand-off; fairness null was none of the modes); a BigInt hz is named', () => {
    // 8 tasks on one file, ops of 5 ms: waits past the rwsem's 4-8 ms hand-off timeout; odd tasks read (S), even ones write (X)
    const rows = ['# lockreplay-ops v2', 'rec,id,ts_ns,dur_ns,pid,proc,comm,file,kind,offset,length,parent,line,mode,caller,spin_ns'];
    for (let i = 0; i < 40; i++) rows.push(`op,${i},${1000 * i},5000000,${100 + (i % 8)},pid:${100 + (i % 8)},fio,7:0:1,write,${4096 * (i % 5)},4096,,${i + 3},,,`);
    const slow = write('slow.ops.csv', `${rows.join('\n')}\n`);
    const ownWork = (name: string, spec: string): unknown => {
      const r = cli(['replay', slow, '-s', strategyModule('same', onePlan(`spec: ${spec}, mode: op.pid % 2 ? 'S' : 'X'`), name), '--cpus', '4', '--json']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { results: unknown[] }).results[0];
    };
    expect(ownWork('hz-null', "{ kind: 'rwsem', fairness: 'linux', hz: null }")).toEqual(ownWork('hz-left-out', "{ kind: 'rwsem', fairness: 'linux' }"));
    expect(ownWork('range-null', "{ kind: 'range', fairness: null }")).toEqual(ownWork('range-fifo', "{ kind: 'range', fairness: 'fifo' }"));
    expect(ownWork('rwsem-null', "{ kind: 'rwsem', fairness: null }")).toEqual(ownWork('rwsem-fifo', "{ kind: 'rwsem', fairness: 'fifo' }"));
    refused(strategyModule('hz-bigint', onePlan("spec: { kind: 'rwsem', fairness: 'linux', hz: 250n }")), /spec\.hz: expected a whole number from 100 to 10,000 \(.*\), got 250n$/);
  });

  it('65: a plan that throws a proxy whose every read throws is refused naming the module (was: an internal error)', () => {
    refused(strategyModule('throw-proxy', "plan() { throw new Proxy({}, { get() { throw new Error('x'); }, getPrototypeOf() { throw new Error('y'); } }); }"), /throw-proxy\.mjs: plan\(\) threw on op 0 \(write, line 3\): object$/);
  });

  it('66: a plan of a billion steps (an array-like of that length) is refused at once, and a hole in a plan is a step that is not one (was: a hang; "Cannot read properties of undefined")', () => {
    const started = Date.now();
    refused(strategyModule('billion', 'plan: () => new Proxy([], { get(t, p) { return p === \'length\' ? 1e9 : t[p]; } })'), /billion\.mjs: plan\(\) returned 1,000,000,000 steps for op 0 \(write, line 3\): at most 1,000,000$/);
    refused(strategyModule('huge-array', 'plan: () => new Array(2 ** 32 - 1)'), /huge-array\.mjs: plan\(\) returned 4,294,967,295 steps/);
    expect(Date.now() - started).toBeLessThan(30_000);
    refused(strategyModule('hole', 'plan() { const a = []; a[2] = WORK[0]; return a; }'), /hole\.mjs: plan\(\) step 0 for op 0 \(write\): type must be one of acquire, release, work, children, cost$/);
  });

  it('67: a strategy label longer than a file name can be gets .hgrm files of a name cut short (was: ENAMETOOLONG, exit 6, no result written)', () => {
    const x = 'x'.repeat(200);
    const long = strategyModule('x'.repeat(300), 'plan: () => WORK', 'long');
    const dir = join(tmp, 'hgrm');
    const r = cli(['replay', trace, '-s', long, '--hgrm', dir, '--out', join(tmp, 'long.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([`${x}.all.hgrm`, `${x}.write.hgrm`]);
    // two labels alike in their first 200 characters are told apart
    const other = strategyModule(`${'x'.repeat(300)}y`, 'plan: () => WORK', 'long-y');
    const dir2 = join(tmp, 'hgrm2');
    const both = cli(['compare', trace, '-s', `${long},${other}`, '--hgrm', dir2, '--json']);
    expect(both.code, both.stderr).toBe(0);
    expect(readdirSync(dir2).sort()).toEqual([`${x}-2.all.hgrm`, `${x}-2.write.hgrm`, `${x}.all.hgrm`, `${x}.write.hgrm`]);
  });
});
