/**
 * Inputs a session-14 fuzzing campaign (real traces and result files mutated, run through the CLI)
 * found to hang, crash or mislead, each as a regression test (test/fixtures/fuzz-repro/README.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, FIXTURES, trace } from './helpers.js';

const DIR = join(FIXTURES, 'fuzz-repro');
const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz14-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const json = (args: string[]): { code: number; out: Record<string, unknown>; stderr: string } => {
  const r = cli([...args, '--json']);
  return { code: r.code, out: r.code === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : {}, stderr: r.stderr };
};

describe('session 14 fuzz findings', () => {
  it('30: a gzip stream followed by zero padding is read to its end (was: exit 13, no message), from a file and from stdin', () => {
    const one = json(['import', join(DIR, '30-gzip-zero-padding-exit13.trace.gz')]);
    expect([one.code, (one.out.lines as { total: number }).total, (one.out.ops as { total: number }).total]).toEqual([0, 1, 1]);
    const padded = join(tmp, 'padded.trace.gz');
    writeFileSync(padded, Buffer.concat([readFileSync(trace('xfs-mix.trace.gz')), Buffer.alloc(200_000)]));
    const plain = json(['import', trace('xfs-mix.trace.gz')]).out;
    expect(json(['import', padded]).out.ops).toEqual(plain.ops);
    const stdin = cli(['import', '-', '--json'], readFileSync(padded));
    expect([stdin.code, (JSON.parse(stdin.stdout) as { ops: unknown }).ops]).toEqual([0, plain.ops]);
  });

  it('31: the faults of an mmap(MAP_POPULATE) run after it has released mmap_lock (was: a 1-task deadlock under every strategy, none too)', () => {
    const r = json(['compare', join(DIR, '31-ftrace-mmap-populate-self-deadlock.trace'), '--all', '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    const results = r.out.results as { strategy: string; completedOps: number; deadlock: unknown }[];
    expect(results.length).toBe(15);
    for (const s of results) expect([s.strategy, s.completedOps, s.deadlock]).toEqual([s.strategy, 2, null]);
    // the fault is a child of the mmap, as the kernel ran it
    const ops = cli(['import', join(DIR, '31-ftrace-mmap-populate-self-deadlock.trace'), '--out', '-']).stdout.split('\n').filter((l) => l.startsWith('op,'));
    expect(ops.map((l) => l.split(',')[8])).toEqual(['mmap', 'fault-read']);
    expect(ops[1].split(',')[11]).toBe('0');
  });
});
