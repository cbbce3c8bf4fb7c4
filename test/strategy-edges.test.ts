/**
 * Edges of strategy specs, user strategy modules, `compare -s` and `synth` that a review found:
 * each is refused with a clear message and its own exit code, or handled, never an internal error.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, strategySpecError } from './helpers.js';
import { createStrategy, strategyNames } from '../src/strategies/index.js';
import { strategyLabel } from '../src/model/labels.js';
import { synthesize } from '../src/synth/scenarios.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-strategy-edges-'));

describe('synth streams its trace', () => {
  it('a trace far larger than the heap is written whole (it was built in memory and joined: out of memory)', () => {
    const out = join(tmp, 'big.trace');
    // 300,000 ops are 900,000 lines, ~110 MB of text: more than a 40 MB heap could hold
    const r = cli(['synth', 'shared-rw', '--tasks', '1', '--ops', '300000', '--out', out], undefined, { NODE_OPTIONS: '--max-old-space-size=40' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(100e6);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--tasks and --ops have documented bounds, refused (exit 2) before any output is made', () => {
    const out = join(tmp, 'refused.trace');
    const tasks = cli(['synth', 'shared-rw', '--tasks', '100001', '--out', out]);
    expect(tasks.code).toBe(2);
    expect(tasks.stderr).toContain('--tasks must be a whole number from 1 to 100,000, not 100001');
    const ops = cli(['synth', 'shared-rw', '--ops', '1000000001', '--out', out]);
    expect(ops.code).toBe(2);
    expect(ops.stderr).toContain('--ops must be a whole number from 1 to 1,000,000,000, not 1000000001');
    expect(existsSync(out)).toBe(false);
  });
});

/** a trace of two ops the strategy modules below plan */
function smallTrace(): string {
  const path = join(tmp, 'small.trace');
  if (!existsSync(path)) writeFileSync(path, cli(['synth', 'seed-deadlock']).stdout);
  return path;
}

/** writes a strategy module into the test's directory and returns its path */
function strategyModule(name: string, source: string): string {
  const path = join(tmp, name);
  writeFileSync(path, `const WORK = [{ type: 'work', fraction: 1 }];\n${source}\n`);
  return path;
}

describe('a JS strategy module that faults is a bad strategy (exit 4) naming the module and what it did', () => {
  const cases: [string, string, string][] = [
    ['factory.mjs', "export default function () { throw new Error('no options today'); }", "the module's strategy factory (its exported function) threw: no options today"],
    ['throw-null.mjs', "export default { name: 'n', plan() { throw null; } };", 'plan() threw on op 0 (write, line 13): null'],
    ['throw-string.mjs', "export default { name: 's', plan() { throw 'a string'; } };", 'plan() threw on op 0 (write, line 13): "a string"'],
    ['name-getter.mjs', "export default { get name() { throw new Error('no name'); }, plan: () => WORK };", 'reading strategy.name threw: no name'],
    ['top-null.mjs', 'throw null;', 'cannot load the strategy module (null)'],
    ['step-getter.mjs', "export default { name: 'g', plan: () => [{ get type() { throw new Error('no type'); } }] };", 'plan() for op 0 (write, line 13) returned steps that threw when read: no type'],
    ['cost-1e20.mjs', "export default { name: 'c', plan: () => [{ type: 'cost', baseNs: 1e20 }, ...WORK] };", 'plan() step 0 for op 0 (write): cost needs baseNs (and perNodeNs, if given) from 0 to 1,000,000,000 ns (one second)'],
    ['cost-1e16.mjs', "export default { name: 'c', plan: () => [{ type: 'cost', baseNs: 1, perNodeNs: 1e16 }, ...WORK] };", 'plan() step 0 for op 0 (write): cost needs baseNs'],
    ['nodes-null.mjs', "export default { name: 'c', plan: () => [{ type: 'cost', baseNs: 1, nodesOf: null }, ...WORK] };", "plan() step 0 for op 0 (write): cost's nodesOf, if given, must be { lockClass: string, key: string }"],
    // a range from -Infinity was replayed, and its deadlock report written as a result that could not be read back
    ['start-minus-infinity.mjs', "export default { name: 'r', plan: () => [{ type: 'acquire', lockClass: 'R', key: 'k', spec: { kind: 'range' }, mode: 'X', start: -Infinity, end: 4096, tag: 0 }, ...WORK, { type: 'release', tag: 0 }] };", 'plan() step 0 for op 0 (write): start must be a whole number of bytes, 0 or more (got -Infinity)'],
    ['start-negative.mjs', "export default { name: 'r', plan: () => [{ type: 'acquire', lockClass: 'R', key: 'k', spec: { kind: 'range' }, mode: 'X', start: -4096, end: 4096, tag: 0 }, ...WORK, { type: 'release', tag: 0 }] };", 'plan() step 0 for op 0 (write): start must be a whole number of bytes, 0 or more (got -4096)'],
    ['log-nodes-string.mjs', "export default { name: 'c', plan: () => [{ type: 'cost', baseNs: 1, perNodeNs: 5, logNodes: 'false' }, ...WORK] };", "plan() step 0 for op 0 (write): cost's logNodes, if given, must be true or false"],
  ];
  for (const [file, source, said] of cases) {
    it(file, () => {
      const module = strategyModule(file, source);
      const r = cli(['replay', smallTrace(), '-s', module]);
      expect(r.stderr.startsWith(`lockreplay: ${module}: `)).toBe(true);
      expect(r.stderr).toContain(said);
      expect(r.stderr).not.toContain('internal error');
      expect(r.code).toBe(4);
    });
  }

  it('a cost of one second is still accepted', () => {
    const module = strategyModule('cost-1s.mjs', "export default { name: 'c', plan: () => [{ type: 'cost', baseNs: 1e9, perNodeNs: 1e9 }, ...WORK] };");
    expect(cli(['replay', smallTrace(), '-s', module]).code).toBe(0);
  });
});

describe('a JS strategy module with options on the command line', () => {
  it('--strategy ./mine.mjs:key=value gives the options to its exported function; compare tells two of them apart (was: read as a file named ./mine.mjs:key=value, exit 3)', () => {
    const module = strategyModule('opts.mjs', "export default (o) => ({ name: 'opts', options: o, plan: () => WORK });");
    const one = cli(['replay', smallTrace(), '-s', `${module}:depth=3,mode=fast`, '--json']);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout).results[0]).toMatchObject({ strategy: 'opts', strategyOptions: { depth: '3', mode: 'fast' } });
    const two = cli(['compare', smallTrace(), '-s', `${module}:depth=3,mode=fast,${module}:depth=4,none`, '--json']);
    expect(two.code, two.stderr).toBe(0);
    expect(JSON.parse(two.stdout).results.map((r: { strategyOptions: object }) => r.strategyOptions)).toEqual([{ depth: '3', mode: 'fast' }, { depth: '4' }, {}]);
    const object = strategyModule('object.mjs', "export default { name: 'o', plan: () => WORK };");
    const refused = cli(['replay', smallTrace(), '-s', `${object}:depth=3`]);
    expect([refused.code, refused.stderr]).toEqual([2, `lockreplay: ${object}:depth=3: the module exports a strategy object, which takes no options: to take them, export a function (options) => strategy (it gets { key: 'value', ... })\n`]);
  });
});

describe('compare --strategy', () => {
  it('a list that names no strategy ("", ",", " , ") is refused (exit 2), as replay refuses -s ""', () => {
    for (const value of ['', ',', ' , ']) {
      const r = cli(['compare', smallTrace(), '-s', value]);
      expect(r.stderr).toBe(`lockreplay: --strategy "${value}" names no strategy; give one or more, comma-separated (lockreplay strategies lists them)\n`);
      expect(r.stdout).toBe('');
      expect(r.code).toBe(2);
    }
  });
});

describe('built-in strategy options', () => {
  const usageError = (spec: string): string => strategySpecError(createStrategy, spec);

  it('an option given twice is refused, not the last taken', () => {
    expect(usageError('range-lock:fairness=fifo,fairness=reader-pref')).toBe('strategy option "fairness" given twice in "range-lock:fairness=fifo,fairness=reader-pref"');
    expect(usageError('linux:xfs:hz=250, hz=1000')).toBe('strategy option "hz" given twice in "linux:xfs:hz=250, hz=1000"');
    expect(usageError('range-lock:__proto__=x')).toBe('range-lock: unknown option "__proto__"; it takes fairness, prefault, buffered');
  });

  it('every option a strategy shows is accepted under that name, and every label is a spec giving the same strategy', () => {
    const variants = [...strategyNames(), 'range-lock:fairness=reader-pref,prefault=true,buffered=page', 'segment-bitmap:segments=8,minSegmentBytes=4096', 'linux:xfs:rwsem=fifo,hz=1000', 'i-rwsem:hz=100'];
    for (const spec of variants) {
      const s = createStrategy(spec);
      for (const [key, value] of Object.entries(s.options)) expect(usageError(`${spec.split(/:(?=[^:]*=)/)[0]}:${key}=${String(value)}`), `${spec} ${key}`).toBe('no error');
      const label = strategyLabel(s.name, s.options);
      const again = createStrategy(label);
      expect([again.name, again.options], label).toEqual([s.name, s.options]);
      expect(strategyLabel(again.name, again.options)).toBe(label);
    }
    // (the labels of results did not change: a default instance's label is its name)
    expect(strategyLabel(createStrategy('segment-bitmap:minSegmentBytes=4096').name, createStrategy('segment-bitmap:minSegmentBytes=4096').options)).toBe('segment-bitmap:minSegmentBytes=4096');
  });

  it('numeric options are decimal whole numbers within their documented ranges', () => {
    expect(usageError('segment-bitmap:segments=64,minSegmentBytes=1099511627776')).toBe('no error');
    expect(usageError('segment-bitmap:segments=1,minSegmentBytes=1')).toBe('no error');
    expect(usageError('segment-bitmap:segments=1e9')).toBe('segment-bitmap: segments must be a whole number from 1 to 64 (the bits of one 64-bit word), in decimal digits, not "1e9"');
    expect(usageError('segment-bitmap:segments=65')).toContain('segments must be a whole number from 1 to 64');
    expect(usageError('segment-bitmap:minSegmentBytes=1e300')).toBe('segment-bitmap: minSegmentBytes must be a whole number from 1 to 1099511627776 (1 TiB), in decimal digits, not "1e300"');
    expect(usageError('segment-bitmap:minSegmentBytes=1099511627777')).toContain('minSegmentBytes must be a whole number from 1 to 1099511627776');
    expect(usageError('linux:xfs:hz=0x3e8')).toBe(`linux:xfs: hz must be a whole number from 100 to 10000 (the kernel's CONFIG_HZ: 100, 250, 300 or 1000), in decimal digits, not "0x3e8"`);
    for (const bad of ['+250', '250.0', '1e3', ' ', '']) expect(usageError(`i-rwsem:hz=${bad}`), bad).toContain('i-rwsem: hz must be a whole number from 100 to 10000');
    expect(usageError('linux:ext4:hz=99')).toContain('linux:ext4: hz must be');
    expect(usageError('linux:generic:hz=1000')).toBe('no error');
  });

  it('the CLI takes segment-bitmap:minSegmentBytes=65536, the name `strategies` prints', () => {
    expect(cli(['strategies']).stdout).toContain('options: segments=64, minSegmentBytes=65536');
    const r = cli(['replay', smallTrace(), '-s', 'segment-bitmap:minSegmentBytes=65536']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('synth options', () => {
  /** task id → comm of every event line of a trace */
  function tasksOf(text: string): Map<number, Set<string>> {
    const tasks = new Map<number, Set<string>>();
    for (const m of text.matchAll(/^ *(\S+)-(\d+) +\(/gm)) {
      const pid = Number(m[2]);
      tasks.set(pid, (tasks.get(pid) ?? new Set()).add(m[1]));
    }
    return tasks;
  }

  it('single-page-storm: no storm task shares the truncater pid, whatever --tasks (task 999 was 4999 too)', () => {
    const tasks = tasksOf(synthesize('single-page-storm', { seed: 1, tasks: 1001, ops: 1 }));
    expect(tasks.size).toBe(1002);
    expect([...tasks.get(4999) ?? []]).toEqual(['truncate']);
    expect([...tasks.values()].every((comms) => comms.size === 1)).toBe(true);
  });

  it('seed-race needs a faulter and a puncher: --tasks 1 is refused (it had no punch task, 0 races)', () => {
    expect(() => synthesize('seed-race', { seed: 1, tasks: 1 })).toThrow('--tasks 1: seed-race needs 2 or more (half the tasks fault, half punch: one task would be a faulter with nothing to race)');
    const comms = new Set([...tasksOf(synthesize('seed-race', { seed: 1, tasks: 2, ops: 3 })).values()].flatMap((c) => [...c]));
    expect([...comms].sort()).toEqual(['mmapread', 'punch']);
  });

  it('a seed is a whole number in [0, 2^32): others are refused (exit 2), not reduced modulo 2^32', () => {
    for (const seed of ['-1', '4294967296', '99999999999999999999']) {
      const r = cli(['synth', 'seed-deadlock', '--seed', seed]);
      expect(r.stderr, seed).toMatch(/^lockreplay: --seed must be a whole number from 0 to 4294967295, not /);
      expect(r.stdout).toBe('');
      expect(r.code).toBe(2);
    }
    expect(cli(['synth', 'seed-deadlock', '--seed', '4294967295']).code).toBe(0);
    expect(cli(['synth', 'seed-deadlock', '--seed', '0']).code).toBe(0);
  });

  it('--out "" is a usage error (exit 2), not an output failure', () => {
    const r = cli(['synth', 'seed-deadlock', '--out', '']);
    expect(r.stderr).toBe('lockreplay: --out needs a file name (or - for standard output), not ""\n');
    expect(r.code).toBe(2);
  });
});
