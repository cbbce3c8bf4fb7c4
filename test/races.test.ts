import { describe, expect, it } from 'vitest';
import { findRaces } from '../src/engine/races.js';
import { simulate } from '../src/engine/simulator.js';
import { CONFLICT_CLASSES, conflictClassOf } from '../src/model/conflicts.js';
import { type Op, OP_KINDS, type OpKind } from '../src/model/op.js';
import { loadForReplay, replayStrategies } from '../src/replay/index.js';
import { createStrategy, strategyNames } from '../src/strategies/index.js';
import { ZERO_COSTS } from '../src/strategies/types.js';
import { trace } from './helpers.js';

const US = 1000;
const READS: OpKind[] = ['read', 'fault-read', 'readahead', 'dio-read'];
const kindIndex = (k: OpKind): number => OP_KINDS.indexOf(k);
const classOf = (a: OpKind, b: OpKind): string | undefined => {
  const c = conflictClassOf(kindIndex(a), kindIndex(b));
  return c < 0 ? undefined : CONFLICT_CLASSES[c].id;
};

describe('the conflict matrix', () => {
  it('is symmetric, and has the cells the design names', () => {
    for (const a of OP_KINDS) for (const b of OP_KINDS) expect(classOf(a, b)).toBe(classOf(b, a));
    expect(classOf('fault-read', 'punch')).toBe('stale-instantiation');
    expect(classOf('readahead', 'truncate')).toBe('stale-instantiation');
    expect(classOf('read', 'zero-range')).toBe('stale-instantiation');
    expect(classOf('write', 'punch')).toBe('write-into-removal');
    expect(classOf('fault-write', 'collapse-range')).toBe('write-into-removal');
    expect(classOf('dio-write', 'read')).toBe('dio-stale-cache');
    expect(classOf('dio-write', 'fault-read')).toBe('dio-stale-cache');
    expect(classOf('dio-write', 'write')).toBe('dio-lost-update');
    expect(classOf('dio-read', 'fault-write')).toBe('dio-read-dirty');
    expect(classOf('dio-read', 'truncate')).toBe('io-to-freed-blocks');
    expect(classOf('dio-write', 'insert-range')).toBe('io-to-freed-blocks');
    expect(classOf('dio-write', 'dio-write')).toBe('dio-write-overlap');
    expect(CONFLICT_CLASSES.find((c) => c.id === 'dio-write-overlap')?.severity).toBe('ordering');
  });

  it('never pairs two reads, nor fallocate (mode 0), fsync, mmap, munmap or writeback with anything', () => {
    for (const a of READS) for (const b of READS) expect(classOf(a, b)).toBeUndefined();
    for (const quiet of ['fallocate', 'fsync', 'mmap', 'munmap', 'writeback'] as OpKind[]) {
      for (const b of OP_KINDS) expect(classOf(quiet, b)).toBeUndefined();
    }
  });

  it('gives every class a consequence and a reason', () => {
    for (const c of CONFLICT_CLASSES) {
      expect(c.consequence.length).toBeGreaterThan(10);
      expect(c.why.length).toBeGreaterThan(10);
    }
  });
});

/** two ops of two tasks overlapping in time and bytes under `none` (nothing serialises them) */
function pair(a: OpKind, b: OpKind, lenB = 4096): Op[] {
  return [
    { id: 0, tsNs: 0, durNs: 10 * US, pid: 1, proc: 'pid:1', comm: 'a', file: 'f', kind: a, offset: 0, lengthBytes: 8192, line: 1 },
    { id: 1, tsNs: 2 * US, durNs: 4 * US, pid: 2, proc: 'pid:2', comm: 'b', file: 'f', kind: b, offset: 4096, lengthBytes: lenB, line: 2 },
  ];
}

function racesOf(list: Op[], strategy = 'none') {
  const sim = simulate(list, Float64Array.from(list.map((o) => o.durNs ?? 0)), createStrategy(strategy), { mode: 'closed', timeScale: 1, cpus: 4, pageSizeBytes: 4096, costs: ZERO_COSTS, mmapLock: false });
  return findRaces(list, sim.outcomes);
}

describe('races on a schedule', () => {
  it('an overlap of a conflicting pair is a race with its class, consequence and both sides', () => {
    const r = racesOf(pair('dio-write', 'read'));
    expect(r.count).toBe(1);
    expect(r.ordering).toBe(0);
    expect(r.byClass).toHaveLength(1);
    const c = r.byClass[0];
    expect(c).toMatchObject({ class: 'dio-stale-cache', severity: 'data', count: 1 });
    expect(c.first[0]).toMatchObject({ file: 'f', class: 'dio-stale-cache', a: { kind: 'dio-write', pid: 1, start: 0, end: 8192, fromNs: 0, toNs: 10 * US }, b: { kind: 'read', pid: 2, start: 4096, end: 8192, fromNs: 2 * US, toNs: 6 * US } });
    expect(c.first[0].consequence).toBe(c.consequence);
  });

  it('preallocation and read pairs overlapping are no race', () => {
    for (const [a, b] of [['fallocate', 'dio-read'], ['fallocate', 'write'], ['dio-read', 'read'], ['dio-read', 'fault-read'], ['writeback', 'punch']] as [OpKind, OpKind][]) {
      expect(racesOf(pair(a, b))).toEqual({ count: 0, ordering: 0, byClass: [] });
    }
  });

  it('a fault-around window (a read fault longer than a page: it maps cached pages) is no side of a race, under any strategy; a one-page fault that read its page is', () => {
    for (const removal of ['punch', 'truncate', 'dio-write'] as OpKind[]) {
      for (const strategy of ['none', 'page-lock', 'linux:xfs', 'linux:ext4']) {
        expect(racesOf(pair(removal, 'fault-read', 8192), strategy).count, `${removal} ${strategy}`).toBe(0);
      }
      expect(racesOf(pair(removal, 'fault-read', 4096)).count, removal).toBe(1);
    }
  });

  it('overlapping direct writes are counted apart as ordering, not as races', () => {
    const r = racesOf(pair('dio-write', 'dio-write'));
    expect(r.count).toBe(0);
    expect(r.ordering).toBe(1);
    expect(r.byClass.map((c) => [c.class, c.severity, c.count])).toEqual([['dio-write-overlap', 'ordering', 1]]);
  });

  it('no race without a byte overlap, within one task, or when a strategy serialises the pair', () => {
    const apart = pair('dio-write', 'read');
    apart[1].offset = 65536;
    expect(racesOf(apart).count).toBe(0);
    const oneTask = pair('dio-write', 'read');
    oneTask[1].pid = 1;
    expect(racesOf(oneTask).count).toBe(0);
    expect(racesOf(pair('dio-write', 'read'), 'i-mutex').count).toBe(0);
    expect(racesOf(pair('dio-write', 'read'), 'range-lock').count).toBe(0);
  });

  it('lists at most three examples per class, the earliest in time, and counts them all', () => {
    const list: Op[] = [{ id: 0, tsNs: 0, durNs: 100 * US, pid: 1, proc: 'pid:1', comm: 'p', file: 'f', kind: 'punch', offset: 0, lengthBytes: 1 << 20, line: 1 }];
    for (let i = 0; i < 6; i++) list.push({ id: i + 1, tsNs: (10 + 10 * i) * US, durNs: 2 * US, pid: 2 + i, proc: `pid:${2 + i}`, comm: 'r', file: 'f', kind: 'fault-read', offset: i * 4096, lengthBytes: 4096, line: i + 2 });
    const r = racesOf(list);
    expect(r.count).toBe(6);
    expect(r.byClass[0].first.map((x) => x.b.opId)).toEqual([1, 2, 3]);
  });
});

describe('a page-reading op whose plan marks work `cached`', () => {
  /** a fault (0-10 µs) and a punch of its page arriving at 2 µs: `lockFraction` of the fault is under a range lock the punch also takes */
  function faultAndPunch(kind: OpKind, cached: boolean | undefined): ReturnType<typeof findRaces> {
    const list: Op[] = [
      { id: 0, tsNs: 0, durNs: 10 * US, pid: 1, proc: 'pid:1', comm: 'a', file: 'f', kind, offset: 0, lengthBytes: 4096, line: 1 },
      { id: 1, tsNs: 2 * US, durNs: 4 * US, pid: 2, proc: 'pid:2', comm: 'b', file: 'f', kind: 'punch', offset: 0, lengthBytes: 4096, line: 2 },
    ];
    const spec = { kind: 'range' as const, fairness: 'fifo' as const };
    const strategy = {
      name: 'insert-only',
      summary: 'the fault takes the range lock only to insert the page',
      source: 'test',
      rules: [],
      options: {},
      plan(op: Op) {
        const take = { type: 'acquire' as const, lockClass: 'r', key: op.file, spec, mode: 'X' as const, start: 0, end: 4096, tag: 0 };
        if (op.kind === 'punch') return [take, { type: 'work' as const, fraction: 1 }, { type: 'release' as const, tag: 0 }];
        // the page is put in the cache under the lock (the first tenth), then mapped
        return [take, { type: 'work' as const, fraction: 0.1 }, { type: 'release' as const, tag: 0 }, { type: 'work' as const, fraction: 0.9, cached }];
      },
    };
    const sim = simulate(list, Float64Array.from(list.map((o) => o.durNs ?? 0)), strategy, { mode: 'closed', timeScale: 1, cpus: 4, pageSizeBytes: 4096, costs: ZERO_COSTS, mmapLock: false });
    // the punch took the lock at 2 µs, after the fault released it at 1 µs: it overlaps only the fault's mapping
    expect(sim.outcomes.startNs[1]).toBe(2 * US);
    return findRaces(list, sim.outcomes);
  }

  it('ends a read, readahead or read fault\'s race section where the cached work begins', () => {
    for (const kind of ['fault-read', 'read', 'readahead'] as OpKind[]) {
      expect(faultAndPunch(kind, undefined).count).toBe(1);
      expect(faultAndPunch(kind, true).count).toBe(0);
    }
    const r = faultAndPunch('fault-read', undefined);
    expect(r.byClass[0].first[0]).toMatchObject({ class: 'stale-instantiation', a: { kind: 'fault-read', fromNs: 0, toNs: 10 * US } });
  });

  it('keeps a write fault\'s section whole: its page_mkwrite dirties the page after the insertion', () => {
    expect(faultAndPunch('fault-write', true).count).toBe(1);
  });
});

describe('overlaps the modelled design serialises are no race of its strategy', () => {
  /** op rows as in an op stream: [pid, file, kind, ts µs, dur µs, offset, length, parent?] */
  function stream(rows: [number, string, OpKind, number, number, number, number, number?][]): Op[] {
    return rows.map(([pid, file, kind, t, dur, offset, lengthBytes, parent], id) => ({ id, tsNs: t * US, durNs: dur * US, pid, proc: `tgid:${pid}`, comm: `p${pid}`, file, kind, offset, lengthBytes, line: id + 3, ...(parent === undefined ? {} : { parent }) }));
  }
  function replayed(list: Op[], strategy: string) {
    // the compare defaults: lock costs and mmap_lock on
    const sim = simulate(list, Float64Array.from(list.map((o) => o.durNs ?? 0)), createStrategy(strategy), { mode: 'closed', timeScale: 1, cpus: 4, pageSizeBytes: 4096 });
    return { stalled: sim.stalled, races: findRaces(list, sim.outcomes) };
  }

  it('two-state: a direct write and a punch or truncate of its range (bcachefs: inode_lock, inode_dio_begin; the removal: inode_lock, inode_dio_wait)', () => {
    for (const removal of ['punch', 'truncate'] as OpKind[]) {
      const r = replayed(stream([[301, 'f', removal, 0, 100, 0, 65536], [401, 'f', 'dio-write', 10, 40, 0, 16384]]), 'two-state');
      expect(r.stalled, removal).toBeUndefined();
      expect(r.races.byClass, removal).toEqual([]);
    }
  });

  it('btrfs-extent: a read fault inside read(2) or a direct IO locks its extent, so it neither refills a punched range nor caches under a direct write', () => {
    // read(2) into a mapping of the file it reads, a punch of the range between the read and its copy
    const readPunch = replayed(stream([[201, 'f', 'read', 0, 100, 0, 16384], [301, 'f', 'punch', 20, 30, 0, 16384], [201, 'f', 'fault-read', 50, 10, 8192, 4096, 0]]), 'btrfs-extent');
    expect(readPunch.races.byClass).toEqual([]);
    // the same with a direct write instead of the punch
    const readDio = replayed(stream([[201, 'f', 'read', 0, 100, 0, 16384], [301, 'f', 'dio-write', 20, 30, 0, 16384], [201, 'f', 'fault-read', 50, 10, 8192, 4096, 0]]), 'btrfs-extent');
    expect(readDio.races.byClass).toEqual([]);
    // two direct writes, each from a mapping of the other's file: the faults run with no extent held
    // (btrfs: faults disabled, partial IO, fault-in, retry), so neither a race nor a 2-task cycle
    const crossed = replayed(stream([[201, 'f1', 'dio-write', 0, 100, 0, 16384], [301, 'f2', 'dio-write', 1, 100, 0, 16384], [201, 'f2', 'fault-read', 50, 10, 8192, 4096, 0], [301, 'f1', 'fault-read', 51, 10, 8192, 4096, 1]]), 'btrfs-extent');
    expect(crossed.stalled).toBeUndefined();
    expect(crossed.races.byClass).toEqual([]);
  });
});

describe('races on the bundled captures', () => {
  it('no reported race is a read/read pair or involves fallocate; the demo trace has no data race under any strategy', async () => {
    for (const name of ['xfs-mix.trace.gz', 'ext4-mix.trace.gz', 'ext4-dio-buffered.trace.gz', 'xfs-mmap-truncate.trace.gz']) {
      const t = await loadForReplay(trace(name));
      for (const opts of [{}, { mode: 'open' as const, timeScale: 0.05 }]) {
        const r = replayStrategies(t, strategyNames(), opts);
        for (const s of r.results) {
          expect(s.races.count + s.races.ordering).toBe(s.races.byClass.reduce((a, c) => a + c.count, 0));
          for (const c of s.races.byClass) {
            for (const x of c.first) {
              expect(READS.includes(x.a.kind as OpKind) && READS.includes(x.b.kind as OpKind)).toBe(false);
              expect([x.a.kind, x.b.kind]).not.toContain('fallocate');
              expect(classOf(x.a.kind as OpKind, x.b.kind as OpKind)).toBe(c.class);
            }
          }
          if (name === 'xfs-mix.trace.gz') expect(s.races.count).toBe(0);
        }
      }
    }
  }, 300_000);
});

describe('docs/races.md', () => {
  it('has a row for every class of the code\'s table, with its severity and consequence', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { ROOT } = await import('./helpers.js');
    const doc = readFileSync(join(ROOT, 'docs', 'races.md'), 'utf8');
    for (const c of CONFLICT_CLASSES) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${c.id}\` |`));
      expect(row, c.id).toBeDefined();
      expect(row).toContain(`| ${c.severity === 'data' ? 'race' : 'ordering'} |`);
      expect(row).toContain(c.consequence);
      for (const k of [...c.a, ...c.b]) expect(row).toContain(k);
    }
  });
});
