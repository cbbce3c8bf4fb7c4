/**
 * A merge of time shards keeps every shard's own warnings, each after its file name. Two shards that
 * deadlocked each warned "range-lock: deadlock at 0.050 ms: …" (each in its own run's virtual time),
 * and the merged result listed the same words twice, neither saying which run it was of.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lockreplay-merge-warnings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const warningsOf = (path: string): string[] => (JSON.parse(readFileSync(path, 'utf8')) as { warnings: string[] }).warnings;

describe('merged time shards: each shard\'s warnings name their shard', () => {
  it('two rounds of seed-deadlock, a shard each, both deadlocked under range-lock: the merged warnings say which shard each deadlock is of', () => {
    const trace = join(dir, 'seed-deadlock-2.trace');
    expect(cli(['synth', 'seed-deadlock', '--ops', '2', '-o', trace]).code).toBe(0);
    // (the rounds are 1 ms apart: the first shard ends before the second round, the second starts after the first)
    const a = join(dir, 'round-1.json');
    const b = join(dir, 'round-2.json');
    expect(cli(['replay', trace, '-s', 'range-lock', '--to', '+0.0005', '-o', a]).code).toBe(0);
    expect(cli(['replay', trace, '-s', 'range-lock', '--from', '+0.0009', '-o', b]).code).toBe(0);
    const [wa, wb] = [warningsOf(a), warningsOf(b)];
    const deadlock = (w: string[]) => w.filter((x) => x.startsWith('range-lock: deadlock at 0.050 ms'));
    // each shard deadlocked at 50 µs of its own run, in the same words
    expect(deadlock(wa)).toHaveLength(1);
    expect(deadlock(wb)).toEqual(deadlock(wa));
    const merged = join(dir, 'merged.json');
    expect(cli(['merge', a, b, '--out', merged]).code).toBe(0);
    const w = warningsOf(merged);
    // every shard warning once, after its shard's name, in the order the shards were given
    expect(w.filter((x) => x.includes('deadlock at'))).toEqual([`${a}: ${deadlock(wa)[0]}`, `${b}: ${deadlock(wb)[0]}`]);
    for (const x of wa) expect(w).toContain(`${a}: ${x}`);
    for (const x of wb) expect(w).toContain(`${b}: ${x}`);
    // a result merged alone is that result: its warnings as they were
    const alone = join(dir, 'alone.json');
    expect(cli(['merge', a, '--out', alone]).code).toBe(0);
    expect(warningsOf(alone)).toEqual(wa);
  });
});
