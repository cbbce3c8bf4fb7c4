import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findRaces } from '../src/engine/races.js';
import { simulate, type SimOptions } from '../src/engine/simulator.js';
import { fidelity } from '../src/fidelity/index.js';
import { loadTrace } from '../src/import/index.js';
import type { Op, OpKind } from '../src/model/op.js';
import { createStrategy, strategyNames } from '../src/strategies/index.js';
import { DEFAULT_COSTS, ZERO_COSTS, type Strategy } from '../src/strategies/types.js';
import { loadStrategy } from '../src/strategies/user.js';
import { cli, ROOT, trace } from './helpers.js';

const US = 1000;
const F = '7:0:133';
const tmp = mkdtempSync(join(tmpdir(), 'lockreplay-strategies-'));

function ops(list: { pid: number; kind: OpKind; t: number; dur: number; off: number; len: number }[]): Op[] {
  return list.map((o, id) => ({ id, tsNs: o.t * US, durNs: o.dur * US, pid: o.pid, proc: `pid:${o.pid}`, comm: `t${o.pid}`, file: F, kind: o.kind, offset: o.off, lengthBytes: o.len, line: id + 1 }));
}

/** [start µs, end µs, lock wait µs] per op */
function run(list: Op[], strategy: string | Strategy, opts: Partial<SimOptions> = {}): number[][] {
  const s = typeof strategy === 'string' ? createStrategy(strategy) : strategy;
  const sim = simulate(list, Float64Array.from(list.map((o) => o.durNs ?? 0)), s, { mode: 'closed', timeScale: 1, cpus: 8, pageSizeBytes: 4096, costs: ZERO_COSTS, mmapLock: false, ...opts });
  const o = sim.outcomes;
  return list.map((_, i) => [o.startNs[i] / US, o.endNs[i] / US, o.lockWaitNs[i] / US]);
}

const P = 4096;
describe('timelines follow each strategy\'s rules', () => {
  it('i-rwsem: reads share, a write waits, and a read behind the queued writer waits too (Linux fairness)', () => {
    const list = ops([
      { pid: 1, kind: 'read', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'write', t: 1, dur: 5, off: 64 * P, len: P },
      { pid: 3, kind: 'read', t: 2, dur: 3, off: 128 * P, len: P },
    ]);
    // (without optimistic spinning: the writer sleeps at once, so the reader finds a sleeper)
    expect(run(list, 'i-rwsem', { spin: false })).toEqual([[0, 10, 0], [1, 15, 9], [2, 18, 13]]);
    // with it, the writer spins on the reader (up to 10.5 µs), sets no waiters flag, and the
    // second reader shares the lock: linux-rwsem.test.ts has the timelines
    expect(run(list, 'i-rwsem')).toEqual([[0, 10, 0], [1, 15, 9], [2, 5, 0]]);
  });

  it('linux:xfs: a punch holds IOLOCK and MMAPLOCK exclusively; a write fault and a buffered read wait for it', () => {
    const list = ops([
      { pid: 1, kind: 'punch', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'fault-write', t: 1, dur: 2, off: 512 * P, len: P },
      { pid: 3, kind: 'read', t: 1, dur: 2, off: 1024 * P, len: P },
    ]);
    expect(run(list, 'linux:xfs')).toEqual([[0, 10, 0], [1, 12, 9], [1, 12, 9]]);
  });

  it('linux:ext4 reads take no i_rwsem; linux:generic serialises aligned DIO writes that xfs and ext4 share', () => {
    const rw = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'read', t: 1, dur: 2, off: 64 * P, len: P },
    ]);
    expect(run(rw, 'linux:ext4')).toEqual([[0, 10, 0], [1, 3, 0]]);
    expect(run(rw, 'linux:xfs')).toEqual([[0, 10, 0], [1, 12, 9]]);
    const dio = ops([
      { pid: 1, kind: 'dio-write', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'dio-write', t: 1, dur: 2, off: 64 * P, len: P },
    ]);
    expect(run(dio, 'linux:xfs')).toEqual([[0, 10, 0], [1, 3, 0]]);
    expect(run(dio, 'linux:generic')).toEqual([[0, 10, 0], [1, 12, 9]]);
  });

  it('linux:ext4 and linux:generic: a buffered read takes invalidate_lock S (the page-cache fill), so it waits for a punch or truncate holding it X; xfs\'s IOLOCK S already does', () => {
    for (const removal of ['punch', 'truncate'] as OpKind[]) {
      const list = ops([
        { pid: 1, kind: removal, t: 0, dur: 10, off: 0, len: 16 * P },
        { pid: 2, kind: 'read', t: 2, dur: 4, off: 0, len: 16 * P },
      ]);
      for (const s of ['linux:ext4', 'linux:generic', 'linux:xfs']) expect(run(list, s), `${s} ${removal}`).toEqual([[0, 10, 0], [2, 14, 8]]);
      const sim = simulate(list, Float64Array.from(list.map((o) => o.durNs ?? 0)), createStrategy('linux:ext4'), { mode: 'closed', timeScale: 1, cpus: 8, pageSizeBytes: 4096, costs: ZERO_COSTS, mmapLock: false });
      expect(findRaces(list, sim.outcomes).count).toBe(0);
    }
    // a read's child fault (copying to an mmap of the file) runs before its invalidate_lock. Here the
    // child waits for mmap_lock (a munmap of its process holds it) while a punch queues for
    // invalidate_lock X: had the read taken invalidate_lock S first, the child would then queue
    // behind the punch, which waits for the read (a cycle)
    const nested: Op[] = [
      { id: 0, tsNs: 0, durNs: 3 * US, pid: 3, proc: 'pid:1', comm: 'u', file: F, kind: 'munmap', offset: 0, lengthBytes: P, line: 1 },
      { id: 1, tsNs: 0.5 * US, durNs: 10 * US, pid: 1, proc: 'pid:1', comm: 'r', file: F, kind: 'read', offset: 0, lengthBytes: P, line: 2 },
      { id: 2, tsNs: 0.6 * US, durNs: 2 * US, pid: 1, proc: 'pid:1', comm: 'r', file: F, kind: 'fault-read', offset: 64 * P, lengthBytes: P, line: 3, parent: 1 },
      { id: 3, tsNs: 1 * US, durNs: 3 * US, pid: 2, proc: 'pid:2', comm: 'p', file: F, kind: 'punch', offset: 128 * P, lengthBytes: P, line: 4 },
    ];
    const sim = simulate(nested, Float64Array.from(nested.map((o) => o.durNs ?? 0)), createStrategy('linux:ext4'), { mode: 'closed', timeScale: 1, cpus: 8, pageSizeBytes: 4096, costs: ZERO_COSTS, mmapLock: true, spin: false });
    expect(sim.stalled).toBeUndefined();
    expect(sim.completed).toBe(4);
  });

  it('kara-2013: writes serialise on i_mutex; a fault holds its page range only while inserting the page', () => {
    const w = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'write', t: 0, dur: 10, off: 64 * P, len: P },
    ]);
    expect(run(w, 'kara-2013')).toEqual([[0, 10, 0], [0, 20, 10]]);
    const f = ops([
      { pid: 1, kind: 'fault-read', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'punch', t: 0.5, dur: 5, off: 0, len: P },
    ]);
    // the fault's range lock covers its first tenth (1 µs); the punch waits only for that
    expect(run(f, 'kara-2013')).toEqual([[0, 10, 0], [0.5, 6, 0.5]]);
  });

  it('bueso-rw: disjoint writes run together, overlapping ones queue', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: 2 * P },
      { pid: 2, kind: 'write', t: 1, dur: 2, off: 64 * P, len: P },
      { pid: 3, kind: 'write', t: 2, dur: 2, off: P, len: P },
    ]);
    expect(run(list, 'bueso-rw')).toEqual([[0, 10, 0], [1, 3, 0], [2, 12, 8]]);
  });

  it('list-rl: no waiter queue, so a shared request passes a waiting exclusive one (range-lock FIFO does not)', () => {
    const list = ops([
      { pid: 1, kind: 'read', t: 0, dur: 10, off: 0, len: 2 * P },
      { pid: 2, kind: 'punch', t: 1, dur: 5, off: 0, len: P },
      { pid: 3, kind: 'read', t: 2, dur: 3, off: 0, len: P },
    ]);
    expect(run(list, 'list-rl')).toEqual([[0, 10, 0], [1, 15, 9], [2, 5, 0]]);
    expect(run(list, 'range-lock')).toEqual([[0, 10, 0], [1, 15, 9], [2, 18, 13]]);
  });

  it('segment-bitmap: writes in one segment serialise, writes in different segments do not', () => {
    // 64 segments over a 64 MiB file: 1 MiB segments
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'write', t: 1, dur: 2, off: 8 * P, len: P },
      { pid: 3, kind: 'write', t: 1, dur: 2, off: 512 * P, len: P },
      { pid: 4, kind: 'read', t: 0, dur: 1, off: 16383 * P, len: P },
    ]);
    expect(run(list, 'segment-bitmap')).toEqual([[0, 10, 0], [1, 12, 9], [1, 3, 0], [0, 1, 0]]);
  });

  it('two-state: DIOs share the block state; a buffered write waits until the count drops to zero', () => {
    const list = ops([
      { pid: 1, kind: 'dio-write', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'dio-read', t: 1, dur: 2, off: 0, len: P },
      { pid: 3, kind: 'write', t: 2, dur: 3, off: 64 * P, len: P },
    ]);
    expect(run(list, 'two-state')).toEqual([[0, 10, 0], [1, 3, 0], [2, 13, 8]]);
  });

  it('two-state: a direct write and a punch share the block state, but the punch waits for the write in flight (inode_dio_wait) and a write waits for the punch (inode lock)', () => {
    // bcachefs: bch2_direct_write takes inode_lock → inode_dio_begin → pagecache_block_get and drops the
    // inode lock before its IO; fallocate and truncate take inode_lock → inode_dio_wait → pagecache_block_get
    const dioFirst = ops([
      { pid: 1, kind: 'dio-write', t: 0, dur: 10, off: 0, len: 4 * P },
      { pid: 2, kind: 'punch', t: 1, dur: 5, off: 0, len: 16 * P },
      { pid: 3, kind: 'dio-write', t: 2, dur: 2, off: 64 * P, len: P },
    ]);
    // the second direct write waits for the punch's inode lock, which the punch holds while it waits for the first
    expect(run(dioFirst, 'two-state')).toEqual([[0, 10, 0], [1, 15, 9], [2, 17, 13]]);
    const punchFirst = ops([
      { pid: 1, kind: 'truncate', t: 0, dur: 10, off: 0, len: 0 },
      { pid: 2, kind: 'dio-write', t: 1, dur: 4, off: 0, len: 4 * P },
    ]);
    expect(run(punchFirst, 'two-state')).toEqual([[0, 10, 0], [1, 14, 9]]);
    // two direct writes still run together: the inode lock covers only their setup
    const dios = ops([
      { pid: 1, kind: 'dio-write', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'dio-write', t: 1, dur: 2, off: 0, len: P },
    ]);
    expect(run(dios, 'two-state')).toEqual([[0, 10, 0], [1, 3, 0]]);
  });

  it('btrfs-extent: overlapping DIOs exclude each other; a buffered read holds its extent bits only briefly', () => {
    const list = ops([
      { pid: 1, kind: 'read', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'dio-write', t: 0.5, dur: 4, off: 0, len: P },
      { pid: 3, kind: 'dio-read', t: 1, dur: 2, off: 0, len: P },
    ]);
    expect(run(list, 'btrfs-extent')).toEqual([[0, 10, 0], [0.5, 5, 0.5], [1, 7, 4]]);
  });

  it('btrfs-extent: a fault inside a syscall locks its extent like a top-level one, before its parent takes its own (never nested in them)', () => {
    // a read(2) into a mapping of the file it reads, a punch of that range arriving after the read's
    // mapping lookup: the child read fault (recorded at 5 µs) runs first, then the read locks for a
    // tenth of its own 9 µs, then the punch
    const read = [...ops([
      { pid: 1, kind: 'read', t: 0, dur: 10, off: 0, len: 4 * P },
      { pid: 2, kind: 'punch', t: 2, dur: 3, off: 0, len: 4 * P },
    ]), { id: 2, tsNs: 5 * US, durNs: 1 * US, pid: 1, proc: 'pid:1', comm: 't1', file: F, kind: 'fault-read' as OpKind, offset: 2 * P, lengthBytes: P, line: 3, parent: 0 }];
    const r = run(read, 'btrfs-extent');
    expect(r[1]).toEqual([2, 5, 0]);
    expect(r[2]).toEqual([0, 1, 0]);
    // a write (or a direct write) from a mapping of the range it writes: the source is faulted in
    // first, so its extent bits are free, and the write does not wait for itself
    for (const kind of ['write', 'dio-write'] as OpKind[]) {
      const self = [...ops([{ pid: 1, kind, t: 0, dur: 10, off: 0, len: 4 * P }]),
        { id: 1, tsNs: 5 * US, durNs: 1 * US, pid: 1, proc: 'pid:1', comm: 't1', file: F, kind: 'fault-read' as OpKind, offset: P, lengthBytes: P, line: 2, parent: 0 }];
      const sim = simulate(self, Float64Array.from(self.map((o) => o.durNs ?? 0)), createStrategy('btrfs-extent'), { mode: 'closed', timeScale: 1, cpus: 8, pageSizeBytes: 4096, costs: ZERO_COSTS });
      expect(sim.stalled, kind).toBeUndefined();
      expect([sim.outcomes.startNs[1] / US, sim.outcomes.endNs[1] / US, sim.outcomes.endNs[0] / US], kind).toEqual([0, 1, 10]);
    }
  });

  it('lustre-write: overlapping writes serialise; buffered reads take nothing', () => {
    const list = ops([
      { pid: 1, kind: 'write', t: 0, dur: 10, off: 0, len: P },
      { pid: 2, kind: 'write', t: 1, dur: 2, off: 0, len: P },
      { pid: 3, kind: 'read', t: 1, dur: 2, off: 0, len: P },
    ]);
    expect(run(list, 'lustre-write')).toEqual([[0, 10, 0], [1, 12, 9], [1, 3, 0]]);
  });

  it('a tree under one spinlock serialises even disjoint ranges: its cost grows with the requests present', () => {
    const list = ops(Array.from({ length: 4 }, (_, i) => ({ pid: i + 1, kind: 'dio-read' as OpKind, t: 0, dur: 1, off: i * 64 * P, len: P })));
    const withCosts = run(list, 'bueso-rw', { costs: DEFAULT_COSTS });
    const ends = withCosts.map((r) => r[1]);
    // all four start at 0; each waits for the spinlock held by the ones before it
    expect(withCosts.every((r) => r[0] === 0)).toBe(true);
    expect(new Set(ends).size).toBe(4);
    expect(Math.max(...ends)).toBeGreaterThan(1 + (4 * (DEFAULT_COSTS.spinBaseNs + DEFAULT_COSTS.perNodeNs)) / US);
  });
});

describe('fidelity against the real kernel', () => {
  it('linux:xfs agrees >= 99% on IOLOCK and MMAPLOCK modes for buffered write, direct read and fallocate ops', async () => {
    const agree: Record<string, { compared: number; io: number; mm: number }> = {};
    for (const name of ['xfs-mix', 'xfs-mmap-truncate', 'xfs-nested-fault', 'xfs-disjoint-writers']) {
      const t = await loadTrace(trace(`${name}.trace.gz`));
      const r = fidelity(t.ops, t.locks, createStrategy('linux:xfs'), name, 2);
      for (const [kind, k] of Object.entries(r.byKind)) {
        const a = agree[kind] ?? (agree[kind] = { compared: 0, io: 0, mm: 0 });
        a.compared += k.compared;
        a.io += k.iolockAgree;
        a.mm += k.mmaplockAgree;
      }
    }
    for (const kind of ['write', 'dio-read', 'punch', 'fallocate']) {
      expect(agree[kind].compared).toBeGreaterThan(0);
      expect(agree[kind].io / agree[kind].compared).toBeGreaterThanOrEqual(0.99);
      expect(agree[kind].mm / agree[kind].compared).toBeGreaterThanOrEqual(0.99);
    }
    // linux:generic differs from xfs only for DIO writes, so it agrees on direct reads
    const t = await loadTrace(trace('xfs-mix.trace.gz'));
    const generic = fidelity(t.ops, t.locks, createStrategy('linux:generic'), 'xfs-mix', 2);
    expect(generic.byKind['dio-read'].iolockPct).toBe(100);
    const json = await loadStrategy(join(ROOT, 'examples/strategies/xfs-like.json'));
    expect(fidelity(t.ops, t.locks, json, 'xfs-mix', 2).byKind.write.iolockPct).toBe(100);
    // a strategy with other rules disagrees, so the check can fail
    const allS = { ...createStrategy('i-rwsem'), name: 'all-shared', plan: (op: Op) => [{ type: 'acquire' as const, lockClass: 'i_rwsem', key: op.file, spec: { kind: 'rwsem' as const, fairness: 'fifo' as const }, mode: 'S' as const, start: 0, end: Infinity, tag: 0 }, { type: 'work' as const, fraction: 1 }, { type: 'release' as const, tag: 0 }] };
    expect(fidelity(t.ops, t.locks, allS, 'xfs-mix', 2).byKind.write.iolockPct).toBe(0);
    // a lock not observable for a kind compares nothing: no share for it (was 100%), and no disagreement
    const xfs = fidelity(t.ops, t.locks, createStrategy('linux:xfs'), 'xfs-mix', 2).byKind['fault-read'];
    expect(xfs.notObservable).toEqual(['MMAPLOCK']);
    expect(xfs.compared).toBeGreaterThan(1000);
    expect([xfs.iolockPct, xfs.mmaplockPct]).toEqual([100, null]);
    expect(fidelity(t.ops, t.locks, allS, 'xfs-mix', 2).byKind['fault-read'].mmaplockPct).toBeNull();
  });

  it('the fidelity command prints agreement per op kind', () => {
    const r = cli(['fidelity', trace('xfs-mix.trace.gz'), '--strategy', 'linux:xfs']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^write\s+1501\s+1501\s+100\.00%\s+100\.00%/m);
    expect(r.stdout).toMatch(/^dio-read\s+1501\s+1501\s+100\.00%\s+100\.00%/m);
  });
});

describe('user strategies', () => {
  it('the README\'s JS-module and JSON-rules examples replay xfs-mix', () => {
    const r = cli(['compare', trace('xfs-mix.trace.gz'), '--strategy', './examples/strategies/whole-file-rwsem.js,./examples/strategies/xfs-like.json', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.results.map((s: { strategy: string }) => s.strategy)).toEqual(['whole-file-rwsem', 'xfs-like-rules']);
    for (const s of j.results) expect(s.completedOps).toBe(j.input.ops);
    expect(j.results[0].locks.file_rwsem.acquisitions).toBeGreaterThan(0);
    expect(j.results[1].locks.iolock.acquisitions).toBeGreaterThan(0);
  });

  it('JSON rules are validated with precise errors naming the file and field', () => {
    const bad = (name: string, json: unknown) => {
      const p = join(tmp, name);
      writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json));
      return cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', p]);
    };
    let r = bad('a.json', { name: 'a', locks: { io: { kind: 'rwsem' } }, rules: { write: [{ lock: 'io', mode: 'Q', range: 'op' }] } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/a\.json: rules\.write\[0\]\.mode: expected "S" or "X", got "Q"/);
    r = bad('b.json', { name: 'b', locks: { io: { kind: 'rwsem' } }, rules: { scribble: [] } });
    expect(r.stderr).toMatch(/b\.json: rules\.scribble: not an op kind/);
    r = bad('c.json', { name: 'c', locks: { io: { kind: 'spin' } }, rules: {} });
    expect(r.stderr).toMatch(/c\.json: locks\.io\.kind: expected "mutex", "spinlock", "rwsem", "range", "list-range" or "two-state", got "spin"/);
    r = bad('d.json', { name: 'd', locks: { io: { kind: 'rwsem' } }, rules: { write: [{ lock: 'nope', mode: 'S', range: 'op' }] } });
    expect(r.stderr).toMatch(/d\.json: rules\.write\[0\]\.lock: expected one of the locks \(io\), got "nope"/);
    r = bad('e.json', '{ not json');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/e\.json: not JSON/);
  });

  it('JSON and JS strategies can name a spinlock: its waiters spin (the result counts the spinning)', () => {
    const json = join(tmp, 'spin.json');
    writeFileSync(json, JSON.stringify({ name: 'spin-json', locks: { sl: { kind: 'spinlock' } }, rules: { default: [{ lock: 'sl', mode: 'X', range: 'file' }] } }));
    const js = join(tmp, 'spin.mjs');
    writeFileSync(js, "export default { name: 'spin-js', rules: [], plan: (op) => [{ type: 'acquire', lockClass: 'sl', key: op.file, spec: { kind: 'spinlock' }, mode: 'X', start: 0, end: Infinity, tag: 0 }, { type: 'work', fraction: 1 }, { type: 'release', tag: 0 }] };\n");
    const r = cli(['compare', trace('xfs-mix.trace.gz'), '--strategy', `${json},${js}`, '--mode', 'open', '--time-scale', '0.05', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as { results: { cpu: { spinNs: number }; locks: Record<string, { contentions: number; spins: number; spinNs: number }> }[] };
    for (const s of res.results) {
      expect(s.locks.sl.contentions).toBeGreaterThan(0);
      expect(s.locks.sl.spins).toBe(s.locks.sl.contentions);
      expect(s.cpu.spinNs).toBeGreaterThanOrEqual(s.locks.sl.spinNs);
      expect(s.locks.sl.spinNs).toBeGreaterThan(0);
    }
  });

  it('a JS module with a malformed plan is reported, not crashed on', () => {
    const p = join(tmp, 'bad.mjs');
    writeFileSync(p, "export default { name: 'bad', rules: [], plan: () => [{ type: 'acquire', lockClass: 'x', key: 'f', spec: { kind: 'rwsem' }, mode: 'W', start: 0, end: 1, tag: 0 }] };\n");
    const r = cli(['replay', trace('xfs-mix.trace.gz'), '--strategy', p]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/bad\.mjs: plan\(\) step 0 for op \d+ \(\S+\): mode must be "S" or "X"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('strategies and compare --all', () => {
  it('compare --all gives byte-identical JSON serially, in 2 and 3 worker processes, and on 2 threads', () => {
    const runs = [['--threads', '1'], ['--threads', '2'], ['--threads', '3'], ['--threads', '2', '--parallel', 'threads'], []];
    const outs = runs.map((flags) => {
      const r = cli(['compare', trace('xfs-mix.trace.gz'), '--all', ...flags, '--json']);
      expect(r.code).toBe(0);
      return r.stdout;
    });
    expect(JSON.parse(outs[0]).results.length).toBe(strategyNames().length);
    for (const out of outs.slice(1)) expect(out).toBe(outs[0]);
  });

  // (one core: the default is serial whatever the ops, and this test has nothing to show)
  it.skipIf(availableParallelism() < 2)('compare\'s default: worker processes from LOCKREPLAY_PARALLEL_MIN_OPS ops (the same bytes), one after the other below, when they cannot be given the ops, and for --parallel threads alone', () => {
    const args = ['compare', trace('xfs-mix.trace.gz'), '--strategy', 'none,i-mutex,range-lock', '--json'];
    const serial = cli([...args, '--threads', '1']);
    expect(serial.code).toBe(0);
    const debug = { LOCKREPLAY_DEBUG: '1' };
    const auto = cli(args, undefined, { ...debug, LOCKREPLAY_PARALLEL_MIN_OPS: '1' });
    expect(auto.stderr).toContain(`lockreplay: 5872 ops, parallel from 1: ${Math.min(3, availableParallelism())} processes`);
    expect(auto.stdout).toBe(serial.stdout);
    const below = cli(args, undefined, { ...debug, LOCKREPLAY_PARALLEL_MIN_OPS: '5873' });
    expect(below.stderr).toMatch(/parallel from 5873: one strategy after the other/);
    expect(below.stdout).toBe(serial.stdout);
    expect(cli(args, undefined, debug).stderr).toMatch(/parallel from 300000: one strategy after the other/);
    // no temporary directory to hand the ops over: a note, and the strategies one after the other
    const noTmp = { TMPDIR: join(tmp, 'no-such-dir'), LOCKREPLAY_PARALLEL_MIN_OPS: '1' };
    const fallback = cli(args, undefined, noTmp);
    expect(fallback.code).toBe(0);
    expect(fallback.stderr).toMatch(/note: the worker processes could not be given the ops through a file in \S+no-such-dir \(ENOENT\): the strategies are replayed one after the other/);
    expect(fallback.stdout).toBe(serial.stdout);
    // asked for: an error naming the directory, exit 6 (output failed), no stack
    const asked = cli([...args, '--threads', '2'], undefined, noTmp);
    expect(asked.code).toBe(6);
    expect(asked.stderr).toMatch(/cannot hand the ops to the worker processes through a file in \S+no-such-dir \(ENOENT\): set TMPDIR/);
    expect(asked.stderr).not.toMatch(/\n\s+at /);
    expect(cli([...args, '--parallel', 'threads'], undefined, { ...debug, LOCKREPLAY_PARALLEL_MIN_OPS: '1' }).stderr).not.toMatch(/processes/);
    const bad = cli(args, undefined, { LOCKREPLAY_PARALLEL_MIN_OPS: '1e5' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/LOCKREPLAY_PARALLEL_MIN_OPS=1e5: not a whole number of ops/);
  }, 120_000);

  it('the library\'s compare gives the same JSON serially, in worker processes and on worker threads', async () => {
    // (the built package: its workers load dist/replay/*-worker.js)
    const lib = await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href);
    const t = await lib.importTrace(trace('xfs-mix.trace.gz'));
    const specs = ['none', 'i-mutex', 'range-lock'];
    const serial = lib.resultJson(await lib.compare(t, specs, { mode: 'open', timeScale: 0.05 }));
    for (const parallel of ['processes', 'threads']) {
      expect(lib.resultJson(await lib.compare(t, specs, { mode: 'open', timeScale: 0.05, threads: 2, parallel })), parallel).toBe(serial);
    }
    await expect(lib.compare(t, specs, { threads: 2, parallel: 'fibers' })).rejects.toThrow(/parallel must be processes or threads, not fibers/);
  }, 60_000);

  it('a strategy failing on another thread is reported with its exit code, not crashed on', () => {
    const p = join(tmp, 'bad-parallel.mjs');
    writeFileSync(p, "export default { name: 'bad', rules: [], plan: () => { throw new Error('no plan here'); } };\n");
    for (const parallel of ['processes', 'threads']) {
      for (const specs of [`none,${p}`, `${p},none`, `none,i-mutex,range-lock,${p}`]) {
        const r = cli(['compare', trace('xfs-mix.trace.gz'), '--strategy', specs, '--threads', '2', '--parallel', parallel]);
        expect(r.code, `${parallel} ${specs}`).toBe(4);
        expect(r.stderr).toMatch(/bad-parallel\.mjs: plan\(\) threw on op \d+ .*no plan here/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
  });

  it('a worker process that dies is reported with its exit and what it printed, not waited for', () => {
    // (the calling process claims strategies too: the module dies only in a worker, and in the
    // calling process its 2,000th plan (inside its first replay) waits 1.5 s, so that the worker
    // claims one meanwhile)
    // (six modules: a compare's strategies each have a label of their own; process.exit() in a
    // plan is refused, so the module ends its worker with a signal)
    const modules = [1, 2, 3, 4, 5, 6].map((k) => {
      const p = join(tmp, `dies-${k}.mjs`);
      writeFileSync(p, [
        'let calls = 0;',
        `export default { name: 'dies-${k}', rules: [], plan: () => {`,
        "  if (process.send !== undefined) { process.stderr.write('Error: gone on purpose\\n'); process.kill(process.pid, 'SIGKILL'); }",
        '  if (++calls === 2000) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);',
        "  return [{ type: 'work', fraction: 1 }];",
        '} };',
        '',
      ].join('\n'));
      return p;
    });
    const r = cli(['compare', trace('xfs-mix.trace.gz'), '--strategy', modules.join(','), '--threads', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a replay worker process ended before its results \(SIGKILL: Error: gone on purpose\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('compare with workers: a trace that cannot be read or imported keeps its exit code and message (workers start before the import)', () => {
    const bad = join(tmp, 'not-a-trace.txt');
    writeFileSync(bad, 'garbage\nmore garbage\n');
    const cases: [string, number, RegExp][] = [
      [join(tmp, 'missing.trace'), 3, /missing\.trace: cannot read \(ENOENT\)/],
      [bad, 5, /not-a-trace\.txt: cannot tell the format/],
    ];
    for (const parallel of ['processes', 'threads']) {
      for (const [input, code, message] of cases) {
        const r = cli(['compare', input, '--all', '--threads', '3', '--parallel', parallel]);
        expect([r.code, r.stderr]).toEqual([code, expect.stringMatching(message)]);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
  });

  it('compare --all on xfs-mix shows every strategy, none deadlocks', () => {
    const r = cli(['compare', trace('xfs-mix.trace.gz'), '--all', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.results.map((s: { strategy: string }) => s.strategy)).toEqual(strategyNames());
    expect(strategyNames()).toEqual(expect.arrayContaining(['i-rwsem', 'linux:xfs', 'linux:ext4', 'linux:generic', 'kara-2013', 'bueso-rw', 'list-rl', 'segment-bitmap', 'two-state', 'btrfs-extent', 'lustre-write']));
    for (const s of j.results) expect([s.strategy, s.deadlock]).toEqual([s.strategy, null]);
  });

  it('lockreplay strategies prints every strategy with its rules table and source', () => {
    const r = cli(['strategies']);
    for (const n of strategyNames()) expect(r.stdout).toContain(`${n}: `);
    // every strategy cites its section of the design reference
    for (const n of strategyNames()) {
      const source = new RegExp(`^${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*\n  source: docs/strategies\.md#([a-z0-9-]+)`, 'm').exec(r.stdout);
      expect(source, n).not.toBeNull();
      expect(doc, n).toContain(`\n## ${(source as RegExpExecArray)[1]}\n`);
    }
    expect(r.stdout).not.toMatch(/locking-designs/);
  });
});

const doc = readFileSync(join(ROOT, 'docs', 'strategies.md'), 'utf8');

describe('docs/strategies.md, the design reference', () => {
  it('describes every built-in strategy (a new strategy without a section fails here)', () => {
    for (const n of strategyNames()) expect(doc, n).toMatch(new RegExp(`(^## ${n}$|^\\| ${n} \\||\`${n}\`)`, 'm'));
    const sections = [...doc.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    for (const n of strategyNames()) expect(sections, n).toContain(n.startsWith('linux:') ? 'linux' : n);
  });

  it('its table of deadlocks and races is what the strategies do on the synth scenarios', async () => {
    const head = /^\| strategy \| ((?:[a-z-]+ \| )+)$/m.exec(doc.replace(/\|$/gm, '| ')) as RegExpExecArray;
    expect(head).not.toBeNull();
    const scenarios = head[1].split(' | ').map((s) => s.trim()).filter((s) => s !== '');
    expect(scenarios).toEqual(['seed-race', 'single-page-storm', 'seed-deadlock', 'dio-gup-mmap']);
    const lines = doc.slice(head.index).split('\n').slice(2);
    const rows = lines.slice(0, lines.findIndex((l) => !l.startsWith('| '))).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(strategyNames()));
    const { synthesize } = await import('../src/synth/scenarios.js');
    const { loadForReplay, replayStrategies } = await import('../src/replay/index.js');
    const seen: Record<string, string[]> = {};
    for (const sc of scenarios) {
      const path = join(tmp, `${sc}.trace`);
      writeFileSync(path, synthesize(sc, { seed: 1 }));
      const r = replayStrategies(await loadForReplay(path), rows.map((row) => row[0]));
      r.results.forEach((s, i) => (seen[rows[i][0]] ??= []).push(s.deadlock !== null ? 'deadlock' : s.races.count > 0 ? 'races' : 'safe'));
    }
    for (const row of rows) expect([row[0], ...seen[row[0]]]).toEqual(row);
  }, 120_000);
});
