import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import * as lib from '../src/index.js';
import { compareToBaseline, labelOf } from '../src/model/labels.js';
import { verdictOf } from '../src/model/verdict.js';
import { cli, trace } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-schema-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { type?: string | string[]; properties?: Record<string, Schema>; additionalProperties?: Schema | boolean; items?: Schema; required?: string[] };

/** every path of `value` the schema does not describe (no `properties` entry, no `additionalProperties` schema) */
function undescribed(schema: Schema, value: Json, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    if (value.length > 0 && schema.items === undefined) out.push(`${path}[]`);
    for (const v of value) if (schema.items !== undefined) undescribed(schema.items, v, `${path}[]`, out);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (sub === undefined) out.push(`${path}.${k}`);
    else undescribed(sub, v, `${path}.${k}`, out);
  }
}

/** results with most of what a result can hold: deadlocks, races, both modes, every strategy, the kernel's observed waits */
const results: { name: string; json: Json }[] = [];
beforeAll(async () => {
  for (const s of ['seed-deadlock', 'dio-gup-mmap', 'seed-race']) {
    const path = join(tmp, `${s}.trace`);
    writeFileSync(path, lib.synthesize(s, { seed: 3 }));
    for (const mode of ['closed', 'open'] as const) results.push({ name: `${s} ${mode}`, json: JSON.parse(lib.resultJson(await lib.compare(path, lib.strategyNames(), { mode, timeScale: 0.01 }))) as Json });
  }
  results.push({ name: 'xfs-contended-small-issue', json: JSON.parse(lib.resultJson(await lib.compare(trace('xfs-contended-small-issue.trace.gz'), ['linux:xfs', 'range-lock']))) as Json });
}, 120_000);

describe('the result JSON schema', () => {
  it('accepts every result the tool writes, and describes every field of them', () => {
    const validate = new Ajv({ allowUnionTypes: true }).compile(lib.RESULT_JSON_SCHEMA);
    const all = JSON.stringify(results.map((r) => r.json));
    // the set holds what the schema must describe: a wait-for cycle, a range to EOF in it, races
    expect(['"reason":"cycle"', '"end":null,"sinceNs"', '"severity":"data"', '"cpusInTrace":2'].filter((s) => !all.includes(s))).toEqual([]);
    for (const r of results) {
      expect(validate(r.json) ? [] : validate.errors, r.name).toEqual([]);
      const missing: string[] = [];
      undescribed(lib.RESULT_JSON_SCHEMA as Schema, r.json, '', missing);
      expect([...new Set(missing)], r.name).toEqual([]);
    }
  });

  /** the first strategy's result of a result JSON */
  const first = (r: { [k: string]: Json }): { all: { [k: string]: Json }; byKind: Record<string, { [k: string]: Json }> } => (r.results as unknown as { all: { [k: string]: Json }; byKind: Record<string, { [k: string]: Json }> }[])[0];

  it('report, check and merge refuse a result that does not fit, naming what is wrong, with their exit codes', () => {
    const good = results[0].json as { [k: string]: Json };
    const cases: { mutate: (r: { [k: string]: Json }) => void; says: string }[] = [
      { mutate: (r) => delete ((r.results as { [k: string]: Json }[])[0]).locks, says: "results[0]: must have required property 'locks'" },
      { mutate: (r) => delete r.warnings, says: "(top level): must have required property 'warnings'" },
      { mutate: (r) => ((r.results as Json[])[1] = null), says: 'results[1]: must be object' },
      { mutate: (r) => ((((r.results as { [k: string]: Json }[])[0].all as { [k: string]: Json }).latency as { [k: string]: Json }).p99 = '12'), says: 'results[0].all.latency.p99: must be number' },
      { mutate: (r) => ((r.options as { [k: string]: Json }).mode = 'sideways'), says: 'options.mode: must be equal to one of the allowed values' },
      // the schema sees strings: the histograms are decoded and counted too
      { mutate: (r) => { first(r).all.latencyHistogram = 'HISTFAAAACp4nJNpmSzMwMDA'; }, says: 'results[0].all.latencyHistogram: not an HdrHistogram (compressed, base64): unexpected end of file' },
      { mutate: (r) => { first(r).byKind.write.count = 2; }, says: 'results[0].byKind.write.latencyHistogram: holds 1 values, but count is 2' },
    ];
    cases.forEach((c, k) => {
      const bad = structuredClone(good);
      c.mutate(bad);
      const path = join(tmp, `bad-${k}.json`);
      writeFileSync(path, JSON.stringify(bad));
      const report = cli(['report', path]);
      expect([report.code, report.stderr.trim()]).toEqual([lib.ExitCode.badInput, `lockreplay: ${path}: not a valid lockreplay result (${c.says}): write it again with replay or compare --out`]);
      expect(report.stdout).toBe('');
      const goodPath = join(tmp, 'good.json');
      writeFileSync(goodPath, JSON.stringify(good));
      expect(cli(['check', path, '--baseline', goodPath]).code).toBe(lib.ExitCode.incompatible);
      expect(cli(['merge', goodPath, path]).code).toBe(lib.ExitCode.incompatible);
    });
    // the good one reads back in every format
    const goodPath = join(tmp, 'good.json');
    for (const f of ['table', 'csv', 'md', 'html', 'json']) expect(cli(['report', goodPath, '--format', f]).code, f).toBe(0);
    // (three commands for each case: about 20 s alone, three times that beside the rest of the suite)
  }, 180_000);

  it('report, check and merge refuse an absurd result whose numbers agree with each other (times past 2^53 ns, counts past 2^53, sums past 2^106, negative times), naming the file and the field', () => {
    const good = results[0].json as unknown as lib.ReplayResult;
    const big = 'must be <= 9007199254740991 (2^53 − 1 ns, about 104 days: the longest time a replay keeps exact)';
    const many = 'must be <= 9007199254740991 (2^53 − 1: the largest count a double holds exactly)';
    const deadlocked = good.results.findIndex((s) => s.deadlock !== null);
    expect(deadlocked).toBeGreaterThan(0);
    const cases: { mutate: (r: lib.ReplayResult) => void; says: string }[] = [
      // (its rates and CPU share as the makespan gives them: 0)
      { mutate: (r) => { r.results[0].throughput = { opsPerSec: 0, mibPerSec: 0, makespanNs: 1e300 }; r.results[0].cpu.utilisation = 0; }, says: `results[0].throughput.makespanNs: ${big}, not 1e+300` },
      { mutate: (r) => { r.results[0].timeline.p99Ns[0] = 2 ** 60; }, says: `results[0].timeline.p99Ns[0]: ${big}, not 1152921504606847000` },
      { mutate: (r) => { r.results[deadlocked].deadlock!.atNs = 2 ** 53; }, says: `results[${deadlocked}].deadlock.atNs: ${big}, not 9007199254740992` },
      { mutate: (r) => { r.input.ops = 2 ** 60; }, says: `input.ops: ${many}, not 1152921504606847000` },
      { mutate: (r) => { r.input.files = 2.5; }, says: 'input.files: must be integer' },
      { mutate: (r) => { r.results[0].cpu.busyNs = 1e300; r.results[0].cpu.utilisation = Math.round((1e300 / (r.options.cpus * r.results[0].throughput.makespanNs)) * 10000) / 10000; }, says: 'results[0].cpu.busyNs: must be <= 8.112963841460668e+31 (2^106: fewer than 2^53 ops or acquisitions of at most 2^53 each), not 1e+300' },
      { mutate: (r) => { r.results[0].timeline.startNs = -5; }, says: 'results[0].timeline.startNs: must be >= 0' },
      { mutate: (r) => { r.serviceTime.observedWaits.removedNs = -1; }, says: 'serviceTime.observedWaits.removedNs: must be >= 0' },
      { mutate: (r) => { r.results[deadlocked].deadlock!.blocked[0].sinceNs = -1; }, says: `results[${deadlocked}].deadlock.blocked[0].sinceNs: must be >= 0` },
    ];
    cases.forEach((c, k) => {
      const bad = structuredClone(good);
      c.mutate(bad);
      // the baseline, ratios and verdict as its strategies give them: nothing but the absurd number is wrong
      const base = bad.results.find((s) => labelOf(s) === bad.baseline) as lib.StrategyResult;
      bad.comparison = compareToBaseline(bad.results, base);
      bad.verdict = verdictOf(bad.results, labelOf, bad.options.mode);
      const path = join(tmp, `absurd-${k}.json`);
      writeFileSync(path, JSON.stringify(bad));
      // (report's loader: the derived parts checked too)
      expect(() => lib.loadResult(path), c.says).toThrow(expect.objectContaining({ exitCode: lib.ExitCode.badInput, message: `${path}: not a valid lockreplay result (${c.says}): write it again with replay or compare --out` }));
    });
    // the commands, with their exit codes, on the first
    const path = join(tmp, 'absurd-0.json');
    const report = cli(['report', path]);
    expect([report.code, report.stderr.trim(), report.stdout]).toEqual([lib.ExitCode.badInput, `lockreplay: ${path}: not a valid lockreplay result (${cases[0].says}): write it again with replay or compare --out`, '']);
    const goodPath = join(tmp, 'good.json');
    writeFileSync(goodPath, JSON.stringify(good));
    const checked = cli(['check', path, '--baseline', goodPath]);
    expect([checked.code, checked.stderr]).toEqual([lib.ExitCode.incompatible, expect.stringContaining(`${path}: not a valid lockreplay result (${cases[0].says})`)]);
    const merged = cli(['merge', goodPath, path, '--out', join(tmp, 'never.json')]);
    expect([merged.code, merged.stderr]).toEqual([lib.ExitCode.incompatible, expect.stringContaining(`${path}: not a valid lockreplay result (${cases[0].says})`)]);
  }, 60_000);
});
