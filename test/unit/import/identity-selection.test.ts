/** FileIdentity (recorder comments, bdi names, aliases, lock-wait ties) and the selection's edges (file keys, locks at the start of the window). */
import { describe, expect, it } from 'vitest';
import { LineCounter } from '../../../src/import/accounting.js';
import { FileIdentity } from '../../../src/import/file-identity.js';
import { fileSelectorKey, SelectingSink } from '../../../src/import/selection.js';
import { type ObservedLock, parseFileSelector } from '../../../src/model/op.js';

describe('FileIdentity: the recorder\'s comments', () => {
  it('fd lines: whole lines, runs of blanks, numbers of several digits', () => {
    const f = new FileIdentity();
    expect(f.comment('#lockreplay fd: 12 34 254:16:133  ')).toBe(true);
    expect(f.scannedFd(12, 34)).toBe('254:16:133');
    expect(f.comment('#  lockreplay fd:  5  6  7:0:1')).toBe(true);
    expect(f.scannedFd(5, 6)).toBe('7:0:1');
    expect(f.comment('x# lockreplay fd: 1 2 7:0:1')).toBe(false);
    // (one of the recorder's kinds not in its layout: why it is a bad line)
    expect(f.comment('# lockreplay fd: 1 2 7:0:1 x')).toMatch(/4 fields, 3 expected/);
    expect(f.comment('# lockreplay fd: 1 2 7:0')).toMatch(/MAJ:MIN:INO "7:0" is not three numbers/);
    expect(f.scannedFd(1, 2)).toBeUndefined();
  });

  it('bdi and mount lines', () => {
    const f = new FileIdentity();
    expect(f.comment('#lockreplay bdi:  btrfs-1  254:16')).toBe(true);
    expect(f.bdiKey('bdi btrfs-1: ino=257', 257)).toBe('254:16:257');
    expect(f.comment('x# lockreplay bdi: btrfs-2 0:41')).toBe(false);
    expect(f.comment('# lockreplay bdi: btrfs-2 0:41 x')).toMatch(/3 fields, 2 expected/);
    expect(f.bdiKey('bdi btrfs-2: ino=257', 257)).toBe('btrfs-2:257');
    expect(f.comment('#lockreplay mount: /mnt xfs')).toMatch(/MAJ:MIN "\/mnt" is not two numbers/);
    expect(f.comment('#lockreplay mount: 7:0 xfs /mnt')).toBe(true);
    expect(f.comment('x# lockreplay mount: /mnt xfs')).toBe(false);
  });

  it('bdiKey: the name after "bdi ", up to its colon', () => {
    const f = new FileIdentity();
    expect(f.bdiKey('x: ino=5', 5)).toBeUndefined();
    expect(f.bdiKey('abcdef: ino=5', 5)).toBeUndefined();
    expect(f.bdiKey('a:b bdi sdc: ino=5', 5)).toBe('sdc:5');
  });
});

describe('FileIdentity: aliases', () => {
  it('a chain of nine steps is followed to its end; a cycle ends', () => {
    const f = new FileIdentity();
    for (let i = 1; i < 9; i++) f.learn(`n${i}:1`, `n${i + 1}:1`);
    f.learn('n9:1', '7:0:1');
    f.noteReleased('n1:1');
    expect([...f.aliases()]).toEqual([['n1:1', '7:0:1']]);
    const c = new FileIdentity();
    c.learn('a:1', 'b:1');
    c.learn('b:1', 'a:1');
    c.noteReleased('a:1');
    expect(c.aliases().size).toBe(1);
  });

  it('aliases come sorted by key', () => {
    const f = new FileIdentity();
    f.noteReleased('fd:1:9');
    f.noteReleased('fd:1:10');
    f.learn('fd:1:9', '7:0:9');
    f.learn('fd:1:10', '7:0:10');
    expect([...f.aliases().keys()]).toEqual(['fd:1:10', 'fd:1:9']);
  });

  it('a NAME:INO key takes the one numeric key with its inode; no other key does', () => {
    const f = new FileIdentity();
    f.noteNumeric('7:0:257');
    f.noteReleased('fd:257');
    f.noteReleased('sdb:257');
    // a numeric key it was learnt to be is final
    f.learn('sdc:1', '9:257:5');
    f.noteReleased('sdc:1');
    expect([...f.aliases()]).toEqual([['sdb:257', '7:0:257'], ['sdc:1', '9:257:5']]);
    const two = new FileIdentity();
    two.noteNumeric('7:0:300');
    two.noteNumeric('8:0:300');
    two.noteReleased('sdb:300');
    expect(two.aliases().size).toBe(0);
  });

  it('an fd\'s lifetimes: a close ends one, an open onto a number in use ends it too, a first open does not', () => {
    const f = new FileIdentity();
    // opened before anything was said of it: still the first lifetime
    f.openFd(1, 7);
    expect(f.fdKey(1, 7)).toBe('1:7');
    expect(f.comment('# lockreplay fd: 1 7 7:0:9')).toBe(true);
    expect(f.scannedFd(1, 7)).toBe('7:0:9');
    f.closeFd(1, 7);
    expect(f.scannedFd(1, 7)).toBeUndefined();
    f.openFd(1, 7);
    expect(f.fdKey(1, 7)).toBe('1:7/1');
    // reopened without a traced close: the number was in use (its key was asked for)
    f.openFd(1, 7);
    expect(f.fdKey(1, 7)).toBe('1:7/2');
    expect([f.fdKey(2, 7), f.fdKey(1, 8)]).toEqual(['2:7', '1:8']);
    expect(f.fdLifetimesEnded).toBe(2);
    // the scan named the first lifetime only
    for (const k of ['fd:1:7', 'fd:1:7/1', 'fd:1:7/2']) f.noteReleased(k);
    expect([...f.aliases()]).toEqual([['fd:1:7', '7:0:9']]);
  });

  it('a dup: what identifies either fd identifies the other, learnt before or after', () => {
    // (learnt about the copy after the dup, about the original after it, about the original before it)
    const cases: [string, string, boolean, string][] = [['fd:1:9', 'fd:1:7', false, '7:0:5'], ['fd:1:7', 'fd:1:9', false, '7:0:6'], ['fd:1:7', 'fd:1:9', true, '7:0:8']];
    for (const [learnt, released, learntFirst, file] of cases) {
      const f = new FileIdentity();
      if (learntFirst) f.learn(learnt, file);
      f.sameFile('fd:1:9', 'fd:1:7');
      if (!learntFirst) f.learn(learnt, file);
      f.noteReleased(released);
      expect([...f.aliases()], `${learnt} ${learntFirst}`).toEqual([[released, file]]);
    }
    // a chain of dups, and a cycle, end
    const chain = new FileIdentity();
    chain.sameFile('fd:1:4', 'fd:1:3');
    chain.sameFile('fd:1:5', 'fd:1:4');
    chain.sameFile('fd:1:3', 'fd:1:5');
    chain.learn('fd:1:5', '7:0:1');
    for (const k of ['fd:1:3', 'fd:1:4']) chain.noteReleased(k);
    expect([...chain.aliases()]).toEqual([['fd:1:3', '7:0:1'], ['fd:1:4', '7:0:1']]);
  });

  it('lock waits tie unidentified fds to the one file the identified waiters are on: process keys are files, NAME:INO keys are not', () => {
    for (const file of ['tgid:5', 'mm:ab', 'pid:5']) {
      const f = new FileIdentity();
      f.noteLockWait('A', 'fd:1:3');
      f.noteLockWait('A', 'fd:1:4');
      f.learn('fd:1:3', file);
      f.noteReleased('fd:1:4');
      expect([...f.aliases()], file).toEqual([['fd:1:4', file]]);
      expect(f.fdsFromLockWaits).toBe(1);
    }
    const p = new FileIdentity();
    p.noteLockWait('A', 'fd:1:3');
    p.noteLockWait('A', 'fd:1:4');
    p.learn('fd:1:3', 'sdb:5');
    p.noteReleased('fd:1:4');
    expect(p.aliases().size).toBe(0);
    // waiters on two files: no tie
    const two = new FileIdentity();
    for (const fd of ['fd:1:3', 'fd:1:4', 'fd:1:5']) two.noteLockWait('A', fd);
    two.learn('fd:1:3', '7:0:1');
    two.learn('fd:1:4', '7:0:2');
    two.noteReleased('fd:1:5');
    expect(two.aliases().size).toBe(0);
    expect(two.fdsFromLockWaits).toBe(0);
  });
});

describe('selection edges', () => {
  it('file keys as an op stream spells them: whole, with numbers of several digits', () => {
    for (const k of ['blk:259:16', 'fd:12:34', 'fd:12:34/56', 'tgid:12', 'pid:12', 'mm:abc']) expect(fileSelectorKey(k, parseFileSelector), k).toBe(k);
    for (const k of ['xblk:1:2', 'blk:1:2x', 'xfd:1:2', 'fd:1:2x', 'fd:1:2/', 'fd:1:2/3x', 'xtgid:1', 'tgid:1x', 'xmm:a', 'mm:a b', 'xvol:1']) expect(fileSelectorKey(k, () => undefined), k).toBeUndefined();
  });

  it('a lock at the first instant of the window is kept', () => {
    const c = new LineCounter();
    const kept: ObservedLock[] = [];
    const s = new SelectingSink({ op: () => {}, lock: (l) => kept.push(l) }, c, { fromNs: 100, toNs: 200 });
    const lock = (tsNs: number): ObservedLock => ({ tsNs, pid: 1, comm: 'c', target: '7:0:1', event: 'xfs_ilock', mode: 'x', caller: 'y', line: 1 });
    expect([s.lock(lock(99), 1), s.lock(lock(100), 1), s.lock(lock(200), 1), s.lock(lock(201), 1)]).toEqual([false, true, true, false]);
    expect(kept.map((l) => l.tsNs)).toEqual([100, 200]);
  });
});
