/**
 * `fidelity` without --strategy replays the Linux profile of the capture's filesystem, and says
 * which and why (fidelity/default-strategy.ts): linux:xfs where the trace has xfs_ilock events,
 * else the filesystem the capture's mounts give to the files with most of the kernel's inode-lock
 * waits (ext4 → linux:ext4, btrfs → linux:generic), else linux:xfs. The import summary names the
 * mounted filesystem of the ops' devices (`fileSystems`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fidelityStrategyFor } from '../src/fidelity/default-strategy.js';
import { loadTrace } from '../src/import/index.js';
import { cli, trace } from './helpers.js';

function fidelityJson(args: string[]): { strategy: string; strategyChosen?: string; contention: { rows: { lockClass: string; opKind: string; predicted: number }[] } } {
  const r = cli(['fidelity', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('fidelity picks the capture filesystem\'s profile when no strategy is named', () => {
  it('ext4-contended-mixed: linux:ext4, from its i_rwsem waits on the ext4 device 7:0; the same rows as --strategy linux:ext4', () => {
    const chosen = fidelityJson([trace('ext4-contended-mixed.trace.gz')]);
    expect(chosen.strategy).toBe('linux:ext4');
    expect(chosen.strategyChosen).toBe('linux:ext4, as no --strategy was given: most of the capture\'s inode-lock waits (lock:contention_* events) are on ext4 (device 7:0: 424 of 424)');
    const named = fidelityJson([trace('ext4-contended-mixed.trace.gz'), '--strategy', 'linux:ext4']);
    expect(named.strategyChosen).toBeUndefined();
    expect(chosen.contention).toEqual(named.contention);
    // and the table says so, without claiming XFS files
    const text = cli(['fidelity', trace('ext4-contended-mixed.trace.gz')]);
    expect(text.stdout.split('\n')[0]).toMatch(/: linux:ext4 \(the trace has no xfs_ilock events: lock modes not compared\)$/);
    expect(text.stdout).toContain('note: strategy linux:ext4, as no --strategy was given');
  });

  it('btrfs-mix: linux:generic from the waits on btrfs, though the root filesystem (ext4) has more of its ops', async () => {
    const r = fidelityJson([trace('btrfs-mix.trace.gz')]);
    expect(r.strategy).toBe('linux:generic');
    expect(r.strategyChosen).toMatch(/are on btrfs \(device 0:39: 109 of 109\); btrfs has no profile of its own$/);
    const t = await loadTrace(trace('btrfs-mix.trace.gz'), { keepLocks: true });
    expect(t.summary.fileSystems).toEqual({ '0:39': 'btrfs', '254:0': 'ext4' });
    // without the kernel's waits, the ops decide: the root filesystem's background IO wins
    const noWaits = t.locks.filter((l) => l.event !== 'contention');
    expect(fidelityStrategyFor(t.summary, t.ops, noWaits)).toEqual({ spec: 'linux:ext4', why: 'most of the capture\'s ops are on ext4 (device 254:0: 5226 of 9797)' });
  });

  it('an XFS capture: linux:xfs from its xfs_ilock events, whatever its mounts say', async () => {
    const r = fidelityJson([trace('xfs-contended-writers.trace.gz')]);
    expect(r.strategy).toBe('linux:xfs');
    expect(r.strategyChosen).toBe('linux:xfs, as no --strategy was given: the trace has XFS\'s xfs_ilock events');
    const t = await loadTrace(trace('xfs-contended-writers.trace.gz'), { keepLocks: true });
    expect(fidelityStrategyFor({ ...t.summary, fileSystems: { '7:0': 'ext4' } }, t.ops, t.locks).spec).toBe('linux:xfs');
  });

  it('a capture that names no filesystem (no mount lines, no xfs_ilock): linux:xfs, saying so', async () => {
    const t = await loadTrace(trace('ext4-mix.trace.gz'), { keepLocks: true });
    expect(t.summary.fileSystems).toBeUndefined();
    expect(fidelityStrategyFor(t.summary, t.ops, t.locks)).toEqual({ spec: 'linux:xfs', why: 'the capture names no filesystem of its files (no xfs_ilock events, and no mount line of lockreplay record names their devices): linux:xfs' });
    // mount lines that name none of the ops' devices say nothing of them either
    const elsewhere = { fileSystems: { '9:9': 'ext4' }, ops: { total: 3, byKind: { write: 3 }, byFile: { '7:0:5': { write: 3 }, 'fd:1:3': { write: 1 } } } };
    expect(fidelityStrategyFor(elsewhere, [], []).spec).toBe('linux:xfs');
    expect(fidelityStrategyFor({ ...elsewhere, fileSystems: { '7:0': 'f2fs' } }, [], [])).toEqual({ spec: 'linux:generic', why: 'most of the capture\'s ops are on f2fs (device 7:0: 3 of 3); f2fs has no profile of its own' });
  });

  it('an op stream keeps the filesystems (its footer): fidelity of it picks the same profile, for the same reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockreplay-fs-'));
    try {
      const ops = join(dir, 'ext4.ops.csv');
      const r = cli(['import', trace('ext4-contended-mixed.trace.gz'), '-o', ops]);
      expect(r.code, r.stderr).toBe(0);
      const fromStream = fidelityJson([ops]);
      const fromTrace = fidelityJson([trace('ext4-contended-mixed.trace.gz')]);
      expect([fromStream.strategy, fromStream.strategyChosen]).toEqual([fromTrace.strategy, fromTrace.strategyChosen]);
      const s = JSON.parse(cli(['import', ops, '--json']).stdout);
      expect((s.summary ?? s).fileSystems).toEqual({ '254:0': 'ext4', '7:0': 'ext4' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the import summary: the mounted filesystem of each device of the ops, none for devices without a mount line', async () => {
    const r = cli(['import', trace('ext4-contended-mixed.trace.gz'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect((s.summary ?? s).fileSystems).toEqual({ '254:0': 'ext4', '7:0': 'ext4' });
  });
});
