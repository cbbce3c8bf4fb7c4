/**
 * Edges of strategy specs, user strategy modules, `compare -s` and `synth` that a review found:
 * each is refused with a clear message and its own exit code, or handled, never an internal error.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';

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
