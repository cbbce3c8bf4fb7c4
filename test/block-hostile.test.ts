/**
 * Block traces that made the request matching quadratic: every D, C, R and X scanned the device's
 * pending bios, so requests never completed (lost completions, a cut trace) made each later action
 * cost their number. Each shape is on a device of its own in one blkparse file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-block-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Summary {
  lines: { total: number; used: number; skipped: Record<string, number>; bad: number };
  ops: { total: number; byFile: Record<string, Record<string, number>> };
  notes: string[];
}

describe('block request matching on hostile traces', () => {
  it('40,000 requests never completed, then 40,000 actions each, on five devices, import in seconds (was: quadratic, over a minute)', () => {
    const n = 40_000;
    const lines: string[] = [];
    let seq = 0;
    let tNs = 0;
    const act = (minor: number, action: string, rest: string): void => {
      tNs += 1000;
      lines.push(`  8,${String(minor).padEnd(3)} 0 ${String(++seq).padStart(8)} ${String(Math.floor(tNs / 1e9)).padStart(5)}.${String(tNs % 1e9).padStart(9, '0')}  1234  ${action} ${rest}`);
    };
    // minor 0: completions of sectors nothing was queued at (was 10–20 s alone)
    for (let i = 0; i < n; i++) act(0, 'Q', `W ${i * 16} + 8 [fio]`);
    for (let i = 0; i < n; i++) act(0, 'C', `W ${i * 16 + 8} + 8 [0]`);
    // minor 16: requests dispatched and never completed, then completions elsewhere
    for (let i = 0; i < n; i++) act(16, 'Q', `W ${i * 16} + 8 [fio]`);
    for (let i = 0; i < n; i++) act(16, 'D', `W ${i * 16} + 8 [fio]`);
    for (let i = 0; i < n; i++) act(16, 'C', `W ${i * 16 + 8} + 8 [0]`);
    // minor 32: requests completed in issue order, after all were queued
    for (let i = 0; i < n; i++) act(32, 'Q', `W ${i * 16} + 8 [fio]`);
    for (let i = 0; i < n; i++) act(32, 'C', `W ${i * 16} + 8 [0]`);
    // minor 48: splits at a sector whose bios are all too short to split there
    for (let i = 0; i < n; i++) act(48, 'Q', 'W 0 + 8 [fio]');
    for (let i = 0; i < n; i++) act(48, 'X', 'W 0 / 16 [fio]');
    // minor 64: dispatches whose range starts many bios that run past its end (none merged)
    for (let i = 0; i < n; i++) act(64, 'Q', 'W 0 + 8 [fio]');
    for (let i = 0; i < n; i++) act(64, 'Q', `W ${i + 1} + 100000000 [fio]`);
    for (let i = 0; i < n; i++) act(64, 'D', 'W 0 + 1000 [fio]');
    const path = join(tmp, 'hostile.blkparse');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const started = Date.now();
    const r = cli(['import', path, '--json']);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.lines.total).toBe(12 * n);
    expect(s.lines.skipped).toEqual({ 'block-action-split': n, 'block-complete-without-queue': 2 * n });
    expect(s.ops.total).toBe(6 * n);
    expect(Object.fromEntries(Object.entries(s.ops.byFile).map(([file, kinds]) => [file, kinds.write]))).toEqual({
      'blk:8:0': n, 'blk:8:16': n, 'blk:8:32': n, 'blk:8:48': n, 'blk:8:64': 2 * n,
    });
    // only minor 32's requests completed
    expect(s.notes).toContain(`${5 * n} requests never completed in the trace: replayed without an observed duration`);
  }, 90_000);
});
