/**
 * Inputs a session-15 fuzzing pass (real traces mutated, run through the CLI) found to mislead, each
 * as a regression test (test/fixtures/fuzz-repro/README.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, FIXTURES } from './helpers.js';

const DIR = join(FIXTURES, 'fuzz-repro');
const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-fuzz15-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('session 15 fuzz findings', () => {
  it('40: a lock event of a task id beyond 2^53 is a bad line, as an op would be (was: kept, and the op stream written from it could not be read back)', () => {
    const f = join(DIR, '40-ftrace-lock-event-huge-pid.trace');
    const strict = cli(['import', f]);
    expect(strict.code).toBe(4);
    expect(strict.stderr).toMatch(/40-ftrace-lock-event-huge-pid\.trace:14: mmap_lock_acquired: task id \d+ is not a whole number, 0 or more, below 2\^53/);
    const out = join(tmp, 'o.ops.csv');
    const lenient = cli(['import', f, '--lenient', '--json', '--out', out]);
    expect(lenient.code).toBe(0);
    const s = JSON.parse(lenient.stdout) as { lines: { total: number; used: number; bad: number; skipped: Record<string, number> }; observedLocks: number; schedWakes: number; schedSleeps: number };
    expect([s.lines.total, s.lines.used, s.lines.bad, s.observedLocks, s.schedWakes, s.schedSleeps]).toEqual([18, 5, 1, 2, 1, 1]);
    // what it wrote reads back
    const back = cli(['import', out, '--json']);
    expect(back.code, back.stderr).toBe(0);
    expect((JSON.parse(back.stdout) as { observedLocks: number }).observedLocks).toBe(2);
  });
});
