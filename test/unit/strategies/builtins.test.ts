import { beforeEach, describe, expect, it } from 'vitest';
import { OP_KINDS, type OpKind } from '../../../src/model/op.js';
import { createStrategy, strategyNames } from '../../../src/strategies/index.js';
import type { Strategy } from '../../../src/strategies/types.js';
import { iMutexStrategy } from '../../../src/strategies/i-mutex.js';
import { linuxStrategy } from '../../../src/strategies/linux.js';
import { noneStrategy } from '../../../src/strategies/none.js';
import { pageLockStrategy } from '../../../src/strategies/page-lock.js';
import { rangeLockStrategy } from '../../../src/strategies/range-lock.js';
import { btrfsExtentStrategy, buesoRwStrategy, kara2013Strategy, listRangeStrategy, lustreWriteStrategy, segmentBitmapStrategy, twoStateStrategy } from '../../../src/strategies/range-designs.js';
import { ctx, mkOp, PARENT, plan, render, WORK } from './render.js';
import { strategySpecError } from '../../helpers.js';

const INF = 'Infinity';
const kinds = (list: string): OpKind[] => list.split(' ') as OpKind[];

describe('none', () => {
  it('takes no lock for any op', () => {
    const s = noneStrategy();
    for (const k of OP_KINDS) expect(plan(s, k)).toEqual(WORK);
    expect(s.name).toBe('none');
    expect(s.options).toEqual({});
    expect(s.rules).toEqual([{ kinds: 'every op', locks: 'none' }]);
  });
});

describe('i-mutex', () => {
  it('one exclusive mutex per file for every kind; a child on its parent\'s file takes nothing', () => {
    const s = iMutexStrategy();
    for (const k of OP_KINDS) expect(plan(s, k)).toEqual([`i_mutex:F mutex X [0,${INF}) #0`, 'work 1', 'rel #0']);
    expect(plan(s, 'fault-read', 0, 4096, PARENT)).toEqual(WORK);
    const other = render(s.plan(mkOp('fault-read', 0, 4096, { file: 'G' }), ctx(PARENT)));
    expect(other).toEqual([`i_mutex:G mutex X [0,${INF}) #0`, 'work 1', 'rel #0']);
    // one plan object per file
    expect(s.plan(mkOp('read'), ctx())).toBe(s.plan(mkOp('write'), ctx()));
    expect(s.plan(mkOp('read'), ctx())).not.toBe(s.plan(mkOp('read', 0, 1, { file: 'G' }), ctx()));
    expect(s.name).toBe('i-mutex');
  });
});

describe('page-lock', () => {
  let s: Strategy;
  beforeEach(() => {
    s = pageLockStrategy();
  });
  it('locks each page of buffered IO, faults, readahead, writeback and the removals, one at a time', () => {
    for (const k of kinds('fault-read fault-write readahead writeback truncate punch zero-range collapse-range insert-range')) {
      expect(plan(s, k), k).toEqual(['page:F range/fifo X [4096,8192) #0', 'work 1', 'rel #0']);
    }
    // a buffered read's or write's faults (its user buffer an mmap) come before its page locks
    for (const k of kinds('read write')) expect(plan(s, k), k).toEqual(['children', 'page:F range/fifo X [4096,8192) #0', 'work 1', 'rel #0']);
    expect(plan(s, 'read', 4000, 5000)).toEqual([
      'children',
      'page:F range/fifo X [0,4096) #0', `work ${1 / 3}`, 'rel #0',
      'page:F range/fifo X [4096,8192) #1', `work ${1 / 3}`, 'rel #1',
      'page:F range/fifo X [8192,12288) #2', `work ${1 / 3}`, 'rel #2',
    ]);
    // a zero-length read still locks its page
    expect(plan(s, 'read', 8192, 0)).toEqual(['children', 'page:F range/fifo X [8192,12288) #0', 'work 1', 'rel #0']);
  });
  it('takes none for DIO, fallocate, fsync, mmap, munmap, zero-length truncate/punch/writeback and a flush inside a syscall', () => {
    for (const k of kinds('dio-read dio-write fallocate fsync mmap munmap')) expect(plan(s, k), k).toEqual(WORK);
    for (const k of kinds('truncate punch writeback')) expect(plan(s, k, 4096, 0), k).toEqual(WORK);
    expect(plan(s, 'zero-range', 4096, 0)).toEqual(['page:F range/fifo X [4096,8192) #0', 'work 1', 'rel #0']);
    expect(plan(s, 'writeback', 0, 4096, PARENT)).toEqual(WORK);
    expect(plan(s, 'fault-read', 0, 4096, PARENT)).toEqual(['page:F range/fifo X [0,4096) #0', 'work 1', 'rel #0']);
  });
  it('a walk over more than 256 pages locks 256-page-bounded chunks', () => {
    const steps = plan(s, 'truncate', 0, 1000 * 4096);
    expect(steps).toHaveLength(250 * 3);
    expect(steps.slice(0, 3)).toEqual(['page:F range/fifo X [0,16384) #0', 'work 0.004', 'rel #0']);
    expect(steps.slice(-3)).toEqual([`page:F range/fifo X [${996 * 4096},${1000 * 4096}) #249`, 'work 0.004', 'rel #249']);
  });
});

describe('range-lock', () => {
  it('fifo, syscall ranges, no prefault (the defaults)', () => {
    const s = rangeLockStrategy();
    expect(s.name).toBe('range-lock');
    expect(s.options).toEqual({ fairness: 'fifo', prefault: false, buffered: 'syscall' });
    for (const k of kinds('read write fault-read fault-write readahead writeback fallocate')) expect(plan(s, k), k).toEqual(['range:F range/fifo S [4096,8192) #0', 'work 1', 'rel #0']);
    for (const k of kinds('dio-read dio-write punch zero-range')) expect(plan(s, k), k).toEqual(['range:F range/fifo X [4096,8192) #0', 'work 1', 'rel #0']);
    for (const k of kinds('truncate collapse-range insert-range')) expect(plan(s, k), k).toEqual([`range:F range/fifo X [4096,${INF}) #0`, 'work 1', 'rel #0']);
    for (const k of kinds('fsync mmap munmap')) expect(plan(s, k), k).toEqual(WORK);
    expect(plan(s, 'punch', 5000, 0)).toEqual([`range:F range/fifo X [0,${INF}) #0`, 'work 1', 'rel #0']);
    expect(plan(s, 'zero-range', 5000, 0)).toEqual([`range:F range/fifo X [0,${INF}) #0`, 'work 1', 'rel #0']);
    expect(plan(s, 'writeback', 5000, 0)).toEqual([`range:F range/fifo S [0,${INF}) #0`, 'work 1', 'rel #0']);
    expect(plan(s, 'dio-read', 5000, 0)).toEqual(['range:F range/fifo X [4096,8192) #0', 'work 1', 'rel #0']);
    expect(plan(s, 'writeback', 0, 4096, PARENT)).toEqual(WORK);
    expect(plan(s, 'fault-read', 0, 4096, PARENT)).toEqual(['range:F range/fifo S [0,4096) #0', 'work 1', 'rel #0']);
    expect(s.rules[0]).toEqual({ kinds: 'read, write', locks: 'range S on the op range (page-aligned), whole op' });
    expect(s.rules[9].locks).toBe('its own range S on the page, nested inside the parent\'s range hold');
  });
  it('buffered=page walks the pages shared; prefault puts the children first', () => {
    const s = rangeLockStrategy({ fairness: 'reader-pref', prefault: true, buffered: 'page' });
    expect(s.options).toEqual({ fairness: 'reader-pref', prefault: true, buffered: 'page' });
    expect(plan(s, 'write', 4096, 8192)).toEqual(['children', 'range:F range/reader-pref S [4096,8192) #0', 'work 0.5', 'rel #0', 'range:F range/reader-pref S [8192,12288) #1', 'work 0.5', 'rel #1']);
    expect(plan(s, 'read', 4096, 4096)).toEqual(['children', 'range:F range/reader-pref S [4096,8192) #0', 'work 1', 'rel #0']);
    // only buffered IO is walked or prefaulted
    expect(plan(s, 'readahead', 4096, 8192)).toEqual(['range:F range/reader-pref S [4096,12288) #0', 'work 1', 'rel #0']);
    expect(s.rules[0].locks).toBe('range S on each page of the op range, one at a time');
    expect(s.rules[9].locks).toBe('its own range S on the page, before the parent takes its range (prefault)');
    const p = rangeLockStrategy({ prefault: true });
    expect(plan(p, 'write', 4096, 8192)).toEqual(['children', 'range:F range/fifo S [4096,12288) #0', 'work 1', 'rel #0']);
  });
});

describe('linux', () => {
  let xfs: Strategy, ext4: Strategy, generic: Strategy, rw: Strategy;
  beforeEach(() => {
    xfs = linuxStrategy('xfs');
    ext4 = linuxStrategy('ext4');
    generic = linuxStrategy('generic');
    rw = linuxStrategy('i-rwsem');
  });
  const io = (cls: string, mode: string, tag = 1000): string => `${cls}:F rwsem/linux ${mode} [0,${INF}) #${tag}`;
  const folio = (s: number, e: number, tag = 0): string => `folio:F range/fifo X [${s},${e}) #${tag}`;
  it('names and options', () => {
    expect([xfs.name, ext4.name, generic.name, rw.name]).toEqual(['linux:xfs', 'linux:ext4', 'linux:generic', 'i-rwsem']);
    expect(xfs.summary).toBe('Linux today, xfs profile: i_rwsem + invalidate_lock + folio locks, Linux rwsem fairness.');
    expect(rw.summary).toContain('The VFS i_rwsem alone');
    expect(xfs.options).toEqual({ rwsem: 'linux', hz: 250 });
    expect(linuxStrategy('xfs', 'fifo').options).toEqual({ rwsem: 'fifo', hz: 250 });
    expect(plan(linuxStrategy('ext4', 'fifo'), 'write')[0]).toBe('i_rwsem:F rwsem/fifo X [0,' + INF + ') #1000');
  });
  it('xfs: IOLOCK, MMAPLOCK and folio locks by kind', () => {
    expect(plan(xfs, 'read')).toEqual([io('iolock', 'S'), 'children', 'work 1', 'rel #1000']);
    expect(plan(xfs, 'write')).toEqual([io('iolock', 'X'), 'children', folio(4096, 8192), 'work 1', 'rel #0', 'rel #1000']);
    expect(plan(xfs, 'dio-read')).toEqual([io('iolock', 'S'), 'work 1', 'rel #1000']);
    expect(plan(xfs, 'dio-write', 4096, 8192)).toEqual([io('iolock', 'S'), 'work 1', 'rel #1000']);
    expect(plan(xfs, 'dio-write', 4096, 100)).toEqual([io('iolock', 'X'), 'work 1', 'rel #1000']);
    expect(plan(xfs, 'dio-write', 100, 4096)).toEqual([io('iolock', 'X'), 'work 1', 'rel #1000']);
    for (const k of kinds('truncate punch')) expect(plan(xfs, k), k).toEqual([io('iolock', 'X'), io('mmaplock', 'X', 1001), folio(4096, 8192), 'work 1', 'rel #0', 'rel #1001', 'rel #1000']);
    for (const k of kinds('zero-range collapse-range insert-range fallocate')) expect(plan(xfs, k), k).toEqual([io('iolock', 'X'), io('mmaplock', 'X', 1001), 'work 1', 'rel #1001', 'rel #1000']);
    expect(plan(xfs, 'truncate', 5000, 0)).toEqual([io('iolock', 'X'), io('mmaplock', 'X', 1001), 'work 1', 'rel #1001', 'rel #1000']);
    expect(plan(xfs, 'fault-read', 4096, 4096)).toEqual([io('mmaplock', 'S'), folio(4096, 8192), 'work 1', 'rel #0', 'rel #1000']);
    expect(plan(xfs, 'fault-read', 4096, 4097)).toEqual([folio(4096, 8192), 'work 0.5', 'rel #0', folio(8192, 12288, 1), 'work 0.5', 'rel #1']);
    expect(plan(xfs, 'fault-write', 4096, 8192)).toEqual([io('mmaplock', 'S'), folio(4096, 8192), 'work 0.5', 'rel #0', folio(8192, 12288, 1), 'work 0.5', 'rel #1', 'rel #1000']);
    expect(plan(xfs, 'readahead')).toEqual([io('mmaplock', 'S'), folio(4096, 8192), 'work 1', 'rel #0', 'rel #1000']);
    expect(plan(xfs, 'writeback')).toEqual([folio(4096, 8192), 'work 1', 'rel #0']);
    expect(plan(xfs, 'writeback', 0, 0)).toEqual(WORK);
    for (const k of kinds('fsync mmap munmap')) expect(plan(xfs, k), k).toEqual(WORK);
  });
  it('a child takes no i_rwsem; a flush inside a syscall nothing', () => {
    expect(plan(xfs, 'fault-read', 0, 4096, PARENT)).toEqual([io('mmaplock', 'S'), folio(0, 4096), 'work 1', 'rel #0', 'rel #1000']);
    expect(plan(xfs, 'write', 0, 4096, PARENT)).toEqual(['children', folio(0, 4096), 'work 1', 'rel #0']);
    expect(plan(xfs, 'dio-read', 0, 4096, PARENT)).toEqual(WORK);
    expect(plan(xfs, 'writeback', 0, 4096, PARENT)).toEqual(WORK);
  });
  it('ext4 and generic: buffered reads take no i_rwsem but invalidate_lock S, after their child faults; generic DIO writes are exclusive', () => {
    expect(plan(ext4, 'read')).toEqual(['children', io('invalidate_lock', 'S'), 'work 1', 'rel #1000']);
    expect(plan(generic, 'read')).toEqual(['children', io('invalidate_lock', 'S'), 'work 1', 'rel #1000']);
    expect(plan(ext4, 'dio-write', 4096, 8192)).toEqual([io('i_rwsem', 'S'), 'work 1', 'rel #1000']);
    expect(plan(generic, 'dio-write', 4096, 8192)).toEqual([io('i_rwsem', 'X'), 'work 1', 'rel #1000']);
    expect(plan(ext4, 'punch')).toEqual([io('i_rwsem', 'X'), io('invalidate_lock', 'X', 1001), folio(4096, 8192), 'work 1', 'rel #0', 'rel #1001', 'rel #1000']);
  });
  it('i-rwsem: the i_rwsem layer alone, xfs modes', () => {
    expect(plan(rw, 'read')).toEqual([io('i_rwsem', 'S'), 'children', 'work 1', 'rel #1000']);
    expect(plan(rw, 'write')).toEqual([io('i_rwsem', 'X'), 'children', 'work 1', 'rel #1000']);
    expect(plan(rw, 'truncate')).toEqual([io('i_rwsem', 'X'), 'work 1', 'rel #1000']);
    expect(plan(rw, 'fault-write')).toEqual(WORK);
    expect(plan(rw, 'dio-write', 4096, 4096)).toEqual([io('i_rwsem', 'S'), 'work 1', 'rel #1000']);
  });
  it('rules tables name the profile\'s locks', () => {
    expect(xfs.rules.map((r) => r.kinds)).toEqual(['read', 'write', 'dio-read', 'dio-write', 'truncate, punch, zero/collapse/insert-range, fallocate', 'fault-write (page_mkwrite)', 'fault-read', 'readahead', 'write, writeback', 'truncate, punch', 'faults, writeback, fsync', 'child fault (inside a syscall)']);
    expect(xfs.rules[0].locks).toBe('IOLOCK (i_rwsem) S');
    expect(xfs.rules[3].locks).toBe('IOLOCK (i_rwsem) S if page-aligned, else X');
    expect(xfs.rules[4].locks).toBe('IOLOCK (i_rwsem) X, then MMAPLOCK (invalidate_lock) X');
    expect(xfs.rules[5].locks).toBe('MMAPLOCK (invalidate_lock) S, folio X');
    expect(ext4.rules[0].locks).toMatch(/^invalidate_lock S \(a page-cache miss fills under it/);
    expect(ext4.rules[1].locks).toBe('i_rwsem X');
    expect(generic.rules[3].locks).toBe('i_rwsem X');
    expect(rw.rules.map((r) => r.kinds)).toEqual(['read', 'write', 'dio-read', 'dio-write', 'truncate, punch, zero/collapse/insert-range, fallocate', 'faults, writeback, fsync', 'child fault (inside a syscall)']);
    expect(rw.rules[0].locks).toBe('i_rwsem S');
    expect(rw.rules[4].locks).toBe('i_rwsem X');
    expect(rw.rules[5].locks).toBe('never i_rwsem (taken above mmap_lock only)');
    expect(rw.rules[3].locks).toBe('i_rwsem S if page-aligned, else X');
    expect(rw.rules[1].locks).toBe('i_rwsem X');
    expect(ext4.rules[4].locks).toBe('i_rwsem X, then invalidate_lock X');
    expect(ext4.rules[5].locks).toBe('invalidate_lock S, folio X');
    expect(ext4.rules[3].locks).toBe('i_rwsem S if page-aligned, else X');
    expect(generic.rules[0].locks).toBe(ext4.rules[0].locks);
    expect(xfs.rules[11].locks).toBe('its own locks, under the parent\'s i_rwsem (the i_rwsem → mmap_lock order); child writeback: none');
    expect(xfs.rules[10].locks).toBe('never IOLOCK (i_rwsem) (taken above mmap_lock only)');
    expect(generic.rules[10].locks).toBe('never i_rwsem (taken above mmap_lock only)');
  });
});

const walk = (cls: string, tag: number): string[] => [`tree_spinlock:F spinlock X [0,${INF}) #${tag}`, `cost 50+30×${cls}:F log`, `rel #${tag}`];

describe('kara-2013', () => {
  let s: Strategy;
  beforeEach(() => {
    s = kara2013Strategy();
  });
  const range = (start: number, end: number | string): string[] => [...walk('mapping_range', 901), `mapping_range:F range/fifo X [${start},${end}) #1`];
  it('by kind', () => {
    for (const k of kinds('fsync mmap munmap writeback fallocate')) expect(plan(s, k), k).toEqual(WORK);
    expect(plan(s, 'write')).toEqual([`i_mutex:F mutex X [0,${INF}) #0`, 'work 1', 'rel #0']);
    for (const k of kinds('read readahead fault-read fault-write')) expect(plan(s, k), k).toEqual([...range(4096, 8192), 'work 0.1', 'rel #1', 'work 0.9 cached']);
    // the RFC pins the user buffer before it locks the range (dio_bio_submit): its children, then the engine's get_user_pages, first
    for (const k of kinds('dio-read dio-write')) expect(plan(s, k), k).toEqual(['children', ...range(4096, 8192), 'work 1', 'rel #1']);
    expect(plan(s, 'truncate')).toEqual([`i_mutex:F mutex X [0,${INF}) #0`, ...range(4096, INF), 'work 1', 'rel #1', 'rel #0']);
    expect(plan(s, 'punch', 5000, 0)).toEqual([`i_mutex:F mutex X [0,${INF}) #0`, ...range(0, INF), 'work 1', 'rel #1', 'rel #0']);
    expect(plan(s, 'zero-range')).toEqual([`i_mutex:F mutex X [0,${INF}) #0`, ...range(4096, 8192), 'work 1', 'rel #1', 'rel #0']);
    expect(plan(s, 'punch', 0, 4096, PARENT)).toEqual([...range(0, 4096), 'work 1', 'rel #1']);
    expect(plan(s, 'writeback', 0, 4096, PARENT)).toEqual(WORK);
    // an empty read covers its page (only punch, zero-range and writeback mean the whole file)
    expect(plan(s, 'read', 5000, 0)).toEqual([...range(4096, 8192), 'work 0.1', 'rel #1', 'work 0.9 cached']);
  });
});

describe('bueso-rw', () => {
  let s: Strategy;
  beforeEach(() => {
    s = buesoRwStrategy();
  });
  const rl = (mode: string, start: number, end: number | string): string[] => [...walk('range', 900), `range:F range/fifo ${mode} [${start},${end}) #0`];
  const inval = (mode: string, tag: number): string => `invalidate_lock:F rwsem/fifo ${mode} [0,${INF}) #${tag}`;
  it('by kind', () => {
    for (const k of kinds('fsync mmap munmap writeback')) expect(plan(s, k), k).toEqual(WORK);
    for (const k of kinds('fault-read fault-write readahead')) expect(plan(s, k), k).toEqual([inval('S', 0), 'work 1', 'rel #0']);
    expect(plan(s, 'fault-read', 0, 4096, PARENT)).toEqual([inval('S', 0), 'work 1', 'rel #0']);
    expect(plan(s, 'read', 0, 4096, PARENT)).toEqual(WORK);
    for (const k of kinds('read dio-read')) expect(plan(s, k), k).toEqual([...rl('S', 4096, 8192), 'work 1', 'rel #0']);
    for (const k of kinds('write dio-write')) expect(plan(s, k), k).toEqual([...rl('X', 4096, 8192), 'work 1', 'rel #0']);
    expect(plan(s, 'truncate')).toEqual([...rl('X', 4096, INF), inval('X', 1), 'work 1', 'rel #1', 'rel #0']);
    for (const k of kinds('punch zero-range fallocate')) expect(plan(s, k), k).toEqual([...rl('X', 4096, 8192), inval('X', 1), 'work 1', 'rel #1', 'rel #0']);
  });
});

describe('list-rl', () => {
  let s: Strategy;
  beforeEach(() => {
    s = listRangeStrategy();
  });
  it('by kind', () => {
    const p = (mode: string, start: number, end: number | string): string[] => ['cost 20+100×list_range:F', `list_range:F list-range ${mode} [${start},${end}) #0`, 'work 1', 'rel #0'];
    for (const k of kinds('fsync mmap munmap')) expect(plan(s, k), k).toEqual(WORK);
    expect(plan(s, 'writeback', 0, 4096, PARENT)).toEqual(WORK);
    for (const k of kinds('read write fault-read fault-write readahead writeback fallocate')) expect(plan(s, k), k).toEqual(p('S', 4096, 8192));
    for (const k of kinds('dio-read dio-write punch zero-range')) expect(plan(s, k), k).toEqual(p('X', 4096, 8192));
    expect(plan(s, 'insert-range')).toEqual(p('X', 4096, INF));
    expect(plan(s, 'writeback', 5000, 0)).toEqual(p('S', 0, INF));
    expect(plan(s, 'fault-read', 0, 4096, PARENT)).toEqual(p('S', 0, 4096));
  });
});

describe('segment-bitmap', () => {
  it('writes take i_rwsem shared and the bits of every segment they cover', () => {
    const s = segmentBitmapStrategy();
    expect(s.name).toBe('segment-bitmap');
    expect(s.options).toEqual({ segments: 64, minSegmentBytes: 65536 });
    expect(s.summary).toBe('Dave Chinner 2025: per inode 64 exclusive segment bits (segment = max(64 KiB, EOF/64)) under i_rwsem shared; i_rwsem exclusive for truncate/fallocate.');
    const rws = (m: string): string => `i_rwsem:F rwsem/fifo ${m} [0,${INF}) #0`;
    // an 8 MiB file: segment 128 KiB
    const sizes = { F: 8 << 20 };
    expect(plan(s, 'write', 100_000, 200_000, undefined, sizes)).toEqual([rws('S'), 'cost 60', 'segment_bits:F range/fifo X [0,393216) #1', 'work 1', 'rel #1', 'rel #0']);
    expect(plan(s, 'write', 131_072, 131_072, undefined, sizes)).toEqual([rws('S'), 'cost 20', 'segment_bits:F range/fifo X [131072,262144) #1', 'work 1', 'rel #1', 'rel #0']);
    expect(plan(s, 'write', 131_072, 131_073, undefined, sizes)).toEqual([rws('S'), 'cost 40', 'segment_bits:F range/fifo X [131072,393216) #1', 'work 1', 'rel #1', 'rel #0']);
    // an empty write covers its first byte's segment; a small file: the minimum segment
    expect(plan(s, 'write', 65_536, 0, undefined, sizes)).toEqual([rws('S'), 'cost 20', 'segment_bits:F range/fifo X [0,131072) #1', 'work 1', 'rel #1', 'rel #0']);
    expect(plan(s, 'write', 65_536, 1)).toEqual([rws('S'), 'cost 20', 'segment_bits:F range/fifo X [65536,131072) #1', 'work 1', 'rel #1', 'rel #0']);
    // EOF/segments rounds up: 64 × 65536 + 1 bytes → 65537-byte segments
    expect(plan(s, 'write', 65_537, 1, undefined, { F: 64 * 65536 + 1 })).toEqual([rws('S'), 'cost 20', 'segment_bits:F range/fifo X [65537,131074) #1', 'work 1', 'rel #1', 'rel #0']);
    for (const k of kinds('read dio-read dio-write')) expect(plan(s, k), k).toEqual([rws('S'), 'work 1', 'rel #0']);
    for (const k of kinds('truncate punch zero-range collapse-range insert-range fallocate')) expect(plan(s, k), k).toEqual([rws('X'), 'work 1', 'rel #0']);
    for (const k of kinds('fault-read fault-write readahead writeback fsync mmap munmap')) expect(plan(s, k), k).toEqual(WORK);
    expect(plan(s, 'write', 0, 4096, PARENT)).toEqual(WORK);
    const small = segmentBitmapStrategy(4, 1024);
    expect(plan(small, 'write', 1024, 1, undefined, { F: 1000 })).toEqual([rws('S'), 'cost 20', 'segment_bits:F range/fifo X [1024,2048) #1', 'work 1', 'rel #1', 'rel #0']);
    expect(plan(small, 'write', 1024, 1, undefined, { F: 8192 })).toEqual([rws('S'), 'cost 20', 'segment_bits:F range/fifo X [0,2048) #1', 'work 1', 'rel #1', 'rel #0']);
  });
});

describe('two-state', () => {
  let s: Strategy;
  beforeEach(() => {
    s = twoStateStrategy();
  });
  const pc = (m: string): string => `pagecache_add_block:F two-state ${m} [0,${INF}) #0`;
  it('by kind', () => {
    for (const k of kinds('writeback fsync mmap munmap')) expect(plan(s, k), k).toEqual(WORK);
    for (const k of kinds('read write readahead fault-read fault-write')) expect(plan(s, k), k).toEqual([pc('S'), 'work 1', 'rel #0']);
    expect(plan(s, 'dio-read')).toEqual([pc('X'), 'work 1', 'rel #0']);
    // bch2_direct_write: inode_lock → inode_dio_begin → pagecache_block_get, the inode lock dropped before the IO
    expect(plan(s, 'dio-write')).toEqual([`i_rwsem:F rwsem/fifo X [0,${INF}) #1`, `i_dio_count:F rwsem/fifo S [0,${INF}) #2`, pc('X'), 'rel #1', 'work 1', 'rel #0', 'rel #2']);
    // removals drain in-flight direct writes (inode_dio_wait) under the inode lock, then block
    for (const k of kinds('truncate punch zero-range collapse-range insert-range fallocate')) expect(plan(s, k), k).toEqual([`i_rwsem:F rwsem/fifo X [0,${INF}) #1`, `i_dio_count:F rwsem/fifo X [0,${INF}) #2`, 'rel #2', pc('X'), 'work 1', 'rel #0', 'rel #1']);
    expect(plan(s, 'punch', 0, 4096, PARENT)).toEqual([pc('X'), 'work 1', 'rel #0']);
    expect(plan(s, 'writeback', 0, 4096, PARENT)).toEqual(WORK);
  });
});

describe('btrfs-extent', () => {
  let s: Strategy;
  beforeEach(() => {
    s = btrfsExtentStrategy();
  });
  const ext = (start: number, end: number | string): string[] => [...walk('extent_bits', 900), `extent_bits:F list-range/excl X [${start},${end}) #0`];
  const lk = (cls: string, tag: number): string => `${cls}:F rwsem/fifo X [0,${INF}) #${tag}`;
  it('by kind', () => {
    for (const k of kinds('fsync mmap munmap writeback fallocate')) expect(plan(s, k), k).toEqual(WORK);
    // a page read into the cache (read_folio, readahead) locks its extent around the mapping lookup, inside a syscall too;
    // a read, write or direct IO runs its children (faults, a direct IO's flush) before it takes its own extent bits
    for (const k of kinds('readahead fault-read')) expect(plan(s, k), k).toEqual([...ext(4096, 8192), 'work 0.1', 'rel #0', 'work 0.9 cached']);
    expect(plan(s, 'read')).toEqual(['children', ...ext(4096, 8192), 'work 0.1', 'rel #0', 'work 0.9 cached']);
    expect(plan(s, 'fault-read', 4096, 4096, PARENT)).toEqual([...ext(4096, 8192), 'work 0.1', 'rel #0', 'work 0.9 cached']);
    for (const k of kinds('dio-read dio-write')) expect(plan(s, k), k).toEqual(['children', ...ext(4096, 8192), 'work 1', 'rel #0']);
    expect(plan(s, 'fault-write')).toEqual([...ext(4096, 8192), 'work 1', 'rel #0']);
    expect(plan(s, 'punch', 0, 4096, PARENT)).toEqual([...ext(0, 4096), 'work 1', 'rel #0']);
    expect(plan(s, 'write')).toEqual([lk('inode_lock', 1), 'children', ...ext(4096, 8192), 'work 1', 'rel #0', 'rel #1']);
    expect(plan(s, 'truncate')).toEqual([lk('inode_lock', 1), lk('invalidate_lock', 2), ...ext(4096, INF), 'work 1', 'rel #0', 'rel #2', 'rel #1']);
    expect(plan(s, 'zero-range', 5000, 0)).toEqual([lk('inode_lock', 1), lk('invalidate_lock', 2), ...ext(0, INF), 'work 1', 'rel #0', 'rel #2', 'rel #1']);
  });
});

describe('lustre-write', () => {
  let s: Strategy;
  beforeEach(() => {
    s = lustreWriteStrategy();
  });
  it('by kind', () => {
    for (const k of kinds('write dio-read dio-write punch zero-range')) expect(plan(s, k), k).toEqual(['lustre_range:F range/fifo X [4096,8192) #0', 'work 1', 'rel #0']);
    for (const k of kinds('truncate collapse-range insert-range')) expect(plan(s, k), k).toEqual([`lustre_range:F range/fifo X [4096,${INF}) #0`, 'work 1', 'rel #0']);
    for (const k of kinds('read fault-read fault-write readahead writeback fsync mmap munmap fallocate')) expect(plan(s, k), k).toEqual(WORK);
    expect(plan(s, 'write', 0, 4096, PARENT)).toEqual(WORK);
  });
});

describe('what `lockreplay strategies` prints of each', () => {
  it('a summary, a source in docs/strategies.md and a rules table of non-empty rows', () => {
    const rows: Record<string, number> = {
      none: 1, 'page-lock': 7, 'i-mutex': 2, 'range-lock': 11, 'i-rwsem': 7, 'linux:xfs': 12, 'linux:ext4': 12, 'linux:generic': 12,
      'kara-2013': 5, 'bueso-rw': 6, 'list-rl': 4, 'segment-bitmap': 5, 'two-state': 5, 'btrfs-extent': 7, 'lustre-write': 3,
    };
    for (const name of strategyNames()) {
      const s = createStrategy(name);
      expect(s.summary.length, name).toBeGreaterThan(30);
      expect(s.source, name).toMatch(/^docs\/strategies\.md#[a-z0-9-]+ /);
      expect(s.rules, name).toHaveLength(rows[name]);
      for (const r of s.rules) {
        expect(r.kinds.length, `${name} ${JSON.stringify(r)}`).toBeGreaterThan(2);
        expect(r.locks.length, `${name} ${JSON.stringify(r)}`).toBeGreaterThan(3);
      }
    }
  });
});

describe('createStrategy', () => {
  it('knows every built-in, in compare --all order', () => {
    expect(strategyNames()).toEqual(['none', 'page-lock', 'i-mutex', 'range-lock', 'i-rwsem', 'linux:xfs', 'linux:ext4', 'linux:generic', 'kara-2013', 'bueso-rw', 'list-rl', 'segment-bitmap', 'two-state', 'btrfs-extent', 'lustre-write']);
    for (const n of strategyNames()) expect(createStrategy(n).name).toBe(n);
  });

  it('parses options', () => {
    expect(createStrategy(' range-lock:fairness=reader-pref , prefault = yes,buffered=page ').options).toEqual({ fairness: 'reader-pref', prefault: true, buffered: 'page' });
    expect(createStrategy('range-lock:prefault=1').options).toMatchObject({ prefault: true });
    expect(createStrategy('range-lock:prefault=true').options).toMatchObject({ prefault: true });
    for (const f of ['false', '0', 'no']) expect(createStrategy(`range-lock:prefault=${f}`).options).toMatchObject({ prefault: false });
    expect(createStrategy('range-lock:fairness=nested-shared-ok').options).toMatchObject({ fairness: 'nested-shared-ok' });
    expect(createStrategy('range-lock:').options).toEqual({ fairness: 'fifo', prefault: false, buffered: 'syscall' });
    expect(createStrategy('segment-bitmap:segments=8,minSegmentBytes=4096').options).toEqual({ segments: 8, minSegmentBytes: 4096 });
    expect(createStrategy('segment-bitmap').options).toEqual({ segments: 64, minSegmentBytes: 65536 });
    expect(createStrategy('linux:xfs').name).toBe('linux:xfs');
    expect(createStrategy('linux:ext4:').name).toBe('linux:ext4');
    expect(createStrategy('range-lock:buffered=a=b'.replace('a=b', 'page')).options).toMatchObject({ buffered: 'page' });
  });

  it('refuses unknown names, options and values with usage errors', () => {
    const err = (spec: string): string => strategySpecError(createStrategy, spec);
    expect(err('nope')).toBe(`unknown strategy "nope"; known: ${strategyNames().join(', ')} (see: lockreplay strategies)`);
    expect(err('linux')).toBe('linux needs a profile: linux:xfs, linux:ext4, linux:generic');
    expect(err('linux:zfs')).toBe('linux needs a profile: linux:xfs, linux:ext4, linux:generic');
    expect(err('linux:xfs:x=1')).toBe('linux:xfs: unknown option "x"; it takes rwsem, hz');
    expect(err('none:x=1')).toBe('none: unknown option "x"; it takes no options');
    expect(err('i-rwsem:x=1')).toBe('i-rwsem: unknown option "x"; it takes rwsem, hz');
    expect(err('linux:xfs:rwsem=fair')).toBe('linux:xfs: rwsem must be linux or fifo, not "fair"');
    for (const n of ['page-lock', 'i-mutex', 'kara-2013', 'bueso-rw', 'list-rl', 'two-state', 'btrfs-extent', 'lustre-write']) expect(err(`${n}:x=1`)).toBe(`${n}: unknown option "x"; it takes no options`);
    expect(err('linux:ext4:a=1')).toBe('linux:ext4: unknown option "a"; it takes rwsem, hz');
    expect(err('linux:generic:a=1')).toBe('linux:generic: unknown option "a"; it takes rwsem, hz');
    expect(err('range-lock:speed=1')).toBe('range-lock: unknown option "speed"; it takes fairness, prefault, buffered');
    expect(err('range-lock:fairness=fair')).toBe('range-lock: fairness must be fifo or reader-pref or nested-shared-ok, not "fair"');
    expect(err('range-lock:buffered=all')).toBe('range-lock: buffered must be syscall or page, not "all"');
    expect(err('range-lock:prefault=maybe')).toBe('range-lock: prefault must be true or false (or yes/no, 1/0), not "maybe"');
    expect(err('range-lock:fairness')).toBe('strategy option "fairness" in "range-lock:fairness": expected key=value');
    expect(err('range-lock:=fifo')).toBe('strategy option "=fifo" in "range-lock:=fifo": expected key=value');
    expect(err('segment-bitmap:segments=0')).toBe('segment-bitmap: segments must be a whole number from 1 to 64 (the bits of one 64-bit word), in decimal digits, not "0"');
    expect(err('segment-bitmap:segments=1.5')).toBe('segment-bitmap: segments must be a whole number from 1 to 64 (the bits of one 64-bit word), in decimal digits, not "1.5"');
    expect(err('segment-bitmap:minSegmentBytes=x')).toBe('segment-bitmap: minSegmentBytes must be a whole number from 1 to 1099511627776 (1 TiB), in decimal digits, not "x"');
    expect(err('segment-bitmap:segments=1')).toBe('no error');
    expect(err('segment-bitmap:width=1')).toBe('segment-bitmap: unknown option "width"; it takes segments, minSegmentBytes');
  });
});
