import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import * as lib from '../src/index.js';
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
  });
});
