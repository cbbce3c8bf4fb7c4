import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FileIdentity } from '../src/import/file-identity.js';
import type { Op } from '../src/model/op.js';
import { readBtrfsIds, type Mount } from '../src/record/identity.js';
import { DEFAULT_EVENTS, EVENT_PRESETS } from '../src/record/recorder.js';
import { fioJobs, fioLine, loadAccounted, trace, writeLines } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lockreplay-btrfs-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** the filesystem id of the btrfs the captures were made on */
const FSID = '0612ed0f-22de-4daa-a594-f9b092f66faf';
const FILES = ['0:40:277', '0:40:278', '0:40:279'];
const DATA_KINDS = ['write', 'dio-read', 'punch'];

/** the capture's lines, some left out */
function captureWithout(drop: (line: string) => boolean): string[] {
  return gunzipSync(readFileSync(trace('btrfs-fdreuse.trace.gz'))).toString('latin1').replace(/\n$/, '').split('\n').filter((l) => !drop(l));
}

/**
 * fio's writes, direct reads and punches on the capture's data device (`dev`), or on files nothing
 * identified: count by file and kind. Left out: fio's 2-byte writes to a pipe, and files of that
 * device with fewer than 10 such ops (on ext4 the data device is the root disk, where fio writes
 * its report in two writes).
 */
function byFileKind(ops: Op[], dev = '0:40'): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const o of ops) {
    if (o.comm !== 'fio' || !DATA_KINDS.includes(o.kind) || o.lengthBytes <= 2 || /^\d+:\d+:\d+$/.test(o.file) && !o.file.startsWith(`${dev}:`)) continue;
    const f = (out[o.file] ??= {});
    f[o.kind] = (f[o.kind] ?? 0) + 1;
  }
  for (const [file, kinds] of Object.entries(out)) {
    if (file.startsWith(`${dev}:`) && Object.values(kinds).reduce((a, b) => a + b, 0) < 10) delete out[file];
  }
  return out;
}

const PER_FILE = { write: 512, 'dio-read': 512, punch: 32 };

describe('one file, one key on XFS, ext4 and btrfs, when each job reuses its fd for the next file (fdreuse.fio, lockreplay record)', () => {
  // XFS and ext4 name the inode in every one of these syscalls (xfs_file_*, xfs_free_file_space,
  // iomap, ext4_da_write_begin, ext4_punch_hole); the btrfs capture is below
  it.each([
    ['xfs-fdreuse', '7:1', ['7:1:131', '7:1:132', '7:1:133']],
    ['ext4-fdreuse', '254:0', ['254:0:16041988', '254:0:16041989', '254:0:16041990']],
  ])('%s: each of the three files has its 512 writes, 512 direct reads and 32 punches', async (name, dev, files) => {
    const fio = fioJobs(`${name}.fio.json`);
    expect([fio.bw.write, fio.dr.read, fio.punch.trim]).toEqual([1536, 1536, 96]);
    const r = await loadAccounted(trace(`${name}.trace.gz`));
    expect(byFileKind(r.ops, dev)).toEqual(Object.fromEntries(files.map((f) => [f, PER_FILE])));
    expect(r.summary.lines.bad).toBe(0);
  });
});

describe('btrfs: one file, one key in a subvolume (not mounted on its own: its files\' st_dev is its own, the events\' is the superblock\'s)', () => {
  it('btrfs-subvol: writes, direct reads, punches and fsyncs of the one file are on one key', async () => {
    const fio = fioJobs('btrfs-subvol.fio.json');
    const r = await loadAccounted(trace('btrfs-subvol.trace.gz'));
    const got = byFileKind(r.ops);
    expect(got).toEqual({ '0:40:258': { write: fio.bw.write, 'dio-read': fio.dr.read, punch: fio.punch.trim } });
    expect(r.summary.ops.byFile['0:40:258']?.fsync).toBe(31); // fio's own count: 512 writes, fsync=16 (the last 16 are synced by the close)
    // the subvolume's extent lookups say root=256: the header maps the filesystem, whatever the subvolume
    expect(gunzipSync(readFileSync(trace('btrfs-subvol.trace.gz'))).toString('latin1')).toContain('root=256(-) ino=258');
  });
});

describe('btrfs: one file, one key, when an fd lives only for a few punches', () => {
  it('btrfs-fdreuse (lockreplay record): each of the three files has its writes, direct reads and punches, none left under fd:PID:FD', async () => {
    const fio = fioJobs('btrfs-fdreuse.fio.json');
    expect([fio.bw.write, fio.dr.read, fio.punch.trim]).toEqual([1536, 1536, 96]);
    const r = await loadAccounted(trace('btrfs-fdreuse.trace.gz'));
    expect(byFileKind(r.ops)).toEqual(Object.fromEntries(FILES.map((f) => [f, PER_FILE])));
    // fio's layout step: one fallocate per file
    for (const f of FILES) expect(r.summary.ops.byFile[f]?.fallocate).toBe(1);
    expect(r.summary.lines.bad).toBe(0);
    // the extent lookups of fio's invalidation after an open (posix_fadvise, not traced) are outside every op
    expect(r.summary.lines.skipped['btrfs-extent-outside-op']).toBeGreaterThan(0);
  });

  it('without btrfs_get_extent the puncher\'s short fd lifetimes stay unidentified (what the event adds) when nothing else names them', async () => {
    // Left out too: the recorder's open-file scans (every 20 ms at most, they catch a lifetime of a
    // few ms or not) and the kernel's lock waits (a punch that waited on an inode lock is tied to
    // the file by it; in this capture each of the three lifetimes did)
    const noExtent = (l: string) => l.includes('btrfs_get_extent:') || l.includes('tracing_mark_write: lockreplay fd:') || / contention_(begin|end): /.test(l);
    const path = writeLines(dir, 'no-extent.trace', captureWithout(noExtent));
    const r = await loadAccounted(path);
    const got = byFileKind(r.ops);
    const punchesOnFiles = FILES.reduce((a, f) => a + (got[f]?.punch ?? 0), 0);
    expect(punchesOnFiles).toBeLessThan(96);
    expect(Object.keys(got).filter((f) => f.startsWith('fd:')).length).toBeGreaterThan(0);
    // the extent lookups alone, without scans and lock waits, put every punch on its file
    const onlyExtents = writeLines(dir, 'only-extent.trace', captureWithout((l) => !l.includes('btrfs_get_extent:') && noExtent(l)));
    expect(byFileKind((await loadAccounted(onlyExtents)).ops)).toEqual(Object.fromEntries(FILES.map((f) => [f, PER_FILE])));
  });

  it('without the "# lockreplay btrfs:" header the lookups still name the files (the one file with that inode number)', async () => {
    const path = writeLines(dir, 'no-header.trace', captureWithout((l) => l.startsWith('# lockreplay btrfs:')));
    const r = await loadAccounted(path);
    expect(byFileKind(r.ops)).toEqual(Object.fromEntries(FILES.map((f) => [f, PER_FILE])));
  });

  it('the recorder takes btrfs_get_extent and btrfs_sync_file in both presets', () => {
    for (const e of ['btrfs/btrfs_get_extent', 'btrfs/btrfs_sync_file']) {
      expect(DEFAULT_EVENTS).toContain(e);
      expect(EVENT_PRESETS['no-locks']).toContain(e);
    }
  });
});

describe('btrfs inode events inside syscalls (hand-built lines in the capture\'s layout)', () => {
  const line = (us: number, text: string) => fioLine(100, us, text);
  const lines = (header: string[]) => [
    '# tracer: nop',
    '#',
    ...header,
    line(10, 'sys_openat(dfd: 0xffffff9c, filename: 0x7f24cb823b70, flags: 0x42, mode: 0x180)'),
    line(12, 'sys_openat -> 0x7'),
    line(20, 'sys_fsync(fd: 7)'),
    line(21, `btrfs_sync_file: ${FSID}: root=5(FS_TREE) ino=300 parent=256 datasync=0`),
    line(40, 'sys_fsync -> 0x0'),
    line(50, 'sys_fallocate(fd: 7, mode: 3, offset: 0x30000, len: 0x10000)'),
    line(52, `btrfs_get_extent: ${FSID}: root=5(FS_TREE) ino=300 start=0 len=2097152 flags= refs=2`),
    line(60, 'sys_fallocate -> 0x0'),
    line(70, 'sys_close(fd: 7)'),
    line(71, 'sys_close -> 0x0'),
    line(80, `btrfs_get_extent: ${FSID}: root=5(FS_TREE) ino=300 start=0 len=4096 flags= refs=2`),
  ];

  it('an fsync (btrfs_sync_file) and a punch (btrfs_get_extent) on an fd nothing else names are on the file the header maps', async () => {
    const r = await loadAccounted(writeLines(dir, 'hand.trace', lines([`# lockreplay btrfs: ${FSID} 0:40`])));
    expect(r.ops.map((o) => [o.kind, o.file])).toEqual([['fsync', '0:40:300'], ['punch', '0:40:300']]);
    expect(r.summary.lines.skipped['btrfs-extent-outside-op']).toBe(1);
    expect(r.summary.lines.bad).toBe(0);
  });

  it('a mapping written into the ring buffer after the lookups it names (a marker line) renames their keys at the end', async () => {
    const all = lines([]);
    const marker = line(90, `tracing_mark_write: lockreplay btrfs: ${FSID} 0:40`);
    const r = await loadAccounted(writeLines(dir, 'hand-late.trace', [...all, marker]));
    expect(r.ops.map((o) => [o.kind, o.file])).toEqual([['fsync', '0:40:300'], ['punch', '0:40:300']]);
    expect(r.summary.fileAliases).toEqual({ [`${FSID}:300`]: '0:40:300' });
  });

  it('a filesystem id that is no UUID names nothing (header line and lookup)', async () => {
    const id = new FileIdentity();
    expect(id.comment('# lockreplay btrfs: ---- 0:40', 3)).toMatch(/FSID "----" is not a UUID/);
    expect(id.btrfsKey('----: root=5(FS_TREE) ino=300 start=0 len=4096')).toBeUndefined();
    expect(id.btrfsKey(`${FSID}x: root=5(FS_TREE) ino=300 start=0 len=4096`)).toBeUndefined();
  });

  it('without the header and with no other key for that inode number, the key names the filesystem by its id', async () => {
    const r = await loadAccounted(writeLines(dir, 'hand-noheader.trace', lines([])));
    expect(r.ops.map((o) => [o.kind, o.file])).toEqual([['fsync', `${FSID}:300`], ['punch', `${FSID}:300`]]);
  });
});

describe('btrfs without the header: a syscall that names its file both ways ties the filesystem id to its device', () => {
  const A = FSID;
  const B = '7777ed0f-22de-4daa-a594-f9b092f66faf';
  const line = fioLine;
  const lookup = (pid: number, us: number, fsid: string) => line(pid, us, `btrfs_get_extent: ${fsid}: root=5(FS_TREE) ino=300 start=0 len=4096 flags= refs=2`);
  const dioRead = (pid: number, us: number, dev: string, fsid: string, lookupFirst: boolean) => [
    line(pid, us, 'sys_pread64(fd: 5, buf: 0x7f0000000000, count: 0x1000, pos: 0x0)'),
    ...(lookupFirst ? [lookup(pid, us + 1, fsid)] : []),
    line(pid, us + 2, `iomap_dio_rw_begin: dev ${dev} ino 0x12c size 0x200000 offset 0x0 length 0x1000 done_before 0x0 flags DIRECT dio_flags DIO_PARTIAL`),
    ...(lookupFirst ? [] : [lookup(pid, us + 3, fsid)]),
    line(pid, us + 5, 'sys_pread64 -> 0x1000'),
  ];
  const punch = (pid: number, us: number, fsid: string) => [
    line(pid, us, 'sys_fallocate(fd: 7, mode: 3, offset: 0x0, len: 0x10000)'),
    lookup(pid, us + 1, fsid),
    line(pid, us + 5, 'sys_fallocate -> 0x0'),
  ];

  it('two btrfs filesystems, both with inode 300: each punch is on its own filesystem\'s file (in either order of the pair\'s events, punches before or after)', async () => {
    const path = writeLines(dir, 'two-btrfs.trace', [
      '# tracer: nop',
      ...punch(100, 10, A),
      ...dioRead(101, 20, '0:40', A, true),
      ...dioRead(102, 30, '0:41', B, false),
      ...punch(103, 40, B),
    ]);
    const r = await loadAccounted(path);
    expect(r.ops.map((o) => [o.pid, o.kind, o.file])).toEqual([
      [100, 'punch', '0:40:300'], [101, 'dio-read', '0:40:300'], [102, 'dio-read', '0:41:300'], [103, 'punch', '0:41:300'],
    ]);
  });

  it('a header line names the device whatever the events paired before; without a pair the key stays the id\'s', async () => {
    const id = new FileIdentity();
    id.pairBtrfs('0:41:300', `${A}:300`);
    expect(id.btrfsKey(`${A}: root=5(FS_TREE) ino=9999 start=0`)).toBe('0:41:9999');
    expect(id.comment(`# lockreplay btrfs: ${A} 0:40`, 4)).toBe(true);
    expect(id.btrfsKey(`${A}: root=5(FS_TREE) ino=9999 start=0`)).toBe('0:40:9999');
    // another inode number, a disk's device, or a bdi name: no pair
    const other = new FileIdentity();
    other.pairBtrfs('0:41:301', `${B}:300`);
    other.pairBtrfs('254:0:300', `${B}:300`);
    other.pairBtrfs('0:41:300', 'btrfs-1:300');
    expect(other.btrfsKey(`${B}: root=5(FS_TREE) ino=300 start=0`)).toBe(`${B}:300`);
  });
});

describe('btrfs: an extent lookup inside a fault nested in a syscall is the fault\'s', () => {
  const line = (us: number, text: string) => fioLine(100, us, text);

  it('a write whose user buffer maps another file: the write is on its own file, whichever lookup comes first', async () => {
    const path = writeLines(dir, 'nested.trace', [
      '# tracer: nop',
      `# lockreplay btrfs: ${FSID} 0:40`,
      line(10, 'sys_pwrite64(fd: 7, buf: 0x7f0000000000, count: 0x1000, pos: 0x0)'),
      line(11, 'mmap_lock_start_locking: mm=00000000d34ba4a1 memcg_id=1 write=false'),
      line(12, 'mmap_lock_acquire_returned: mm=00000000d34ba4a1 memcg_id=1 write=false success=true'),
      line(13, `btrfs_get_extent: ${FSID}: root=5(FS_TREE) ino=400 start=0 len=4096 flags= refs=2`),
      line(14, 'mmap_lock_released: mm=00000000d34ba4a1 memcg_id=1 write=false'),
      line(15, `btrfs_get_extent: ${FSID}: root=5(FS_TREE) ino=300 start=0 len=4096 flags= refs=2`),
      line(20, 'sys_pwrite64 -> 0x1000'),
    ]);
    const r = await loadAccounted(path);
    expect(r.ops.map((o) => [o.kind, o.file])).toEqual([['write', '0:40:300']]);
  });
});

describe('FileIdentity.btrfsKey', () => {
  const body = (root: string, ino: string) => `${FSID}: root=${root} ino=${ino} start=0 len=2097152 flags= refs=2`;

  it('maps the filesystem the header names to its device (every subvolume: other events name the superblock\'s device), skips btrfs\'s own trees', () => {
    const id = new FileIdentity();
    expect(id.comment(`# lockreplay btrfs: ${FSID} 0:40`, 3)).toBe(true);
    expect(id.btrfsKey(body('5(FS_TREE)', '273'))).toBe('0:40:273');
    expect(id.btrfsKey(body('256(-)', '257'))).toBe('0:40:257');
    expect(id.btrfsKey(body('5(FS_TREE)', '1'))).toBeNull();
    expect(id.btrfsKey('state=000000004 mask=GFP_NOFS')).toBeUndefined();
    expect(id.btrfsKey(body('5(FS_TREE)', '273').replace(FSID, '1111ed0f-22de-4daa-a594-f9b092f66faf'))).toBe('1111ed0f-22de-4daa-a594-f9b092f66faf:273');
    // an upper-case id (as a user may write it) is the same filesystem
    expect(id.comment(`# lockreplay btrfs: ${FSID.toUpperCase()} 0:40`, 9)).toBe(true);
  });

  it('a kernel that prints no filesystem id (older ones): "btrfs:N", resolved as a bdi name is', () => {
    const id = new FileIdentity();
    expect(id.comment(`# lockreplay btrfs: ${FSID} 0:40`, 3)).toBe(true);
    expect(id.btrfsKey('root=5(FS_TREE) ino=272 start=0 len=4096 flags= refs=2')).toBe('btrfs:272');
    expect(id.btrfsKey('root=5(FS_TREE) ino=2 start=0 len=4096')).toBeNull();
  });

  it('an inode number past 2^53 keeps its digits', () => {
    const id = new FileIdentity();
    expect(id.btrfsKey(body('5(FS_TREE)', '18446744073709551615'))).toBe(`${FSID}:18446744073709551615`);
  });

  it('a filesystem mapped to two devices is a bad line naming the first', () => {
    const id = new FileIdentity();
    expect(id.comment(`# lockreplay btrfs: ${FSID} 0:40`, 3)).toBe(true);
    expect(id.comment(`# lockreplay btrfs: ${FSID} 0:41`, 7)).toBe(`btrfs ${FSID} is device 0:41 here but 0:40 on line 3 (one filesystem, one device in a capture)`);
    expect(id.btrfsKey(body('5(FS_TREE)', '300'))).toBe('0:40:300');
  });
});

describe('readBtrfsIds', () => {
  it('each btrfs filesystem by its id, with the device its mounts show', () => {
    const sysfs = join(dir, 'sysfs-btrfs');
    const fsid = '0612ed0f-22de-4daa-a594-f9b092f66faf';
    const other = '7777ed0f-22de-4daa-a594-f9b092f66faf';
    mkdirSync(join(sysfs, fsid, 'devices', 'loop0'), { recursive: true });
    mkdirSync(join(sysfs, other, 'devices', 'sdz'), { recursive: true });
    mkdirSync(join(sysfs, 'features'), { recursive: true });
    const mounts: Mount[] = [
      { dev: '7:1', fsType: 'xfs', mountPoint: '/mnt/x', source: '/dev/loop0' },
      { dev: '0:40', fsType: 'btrfs', mountPoint: '/mnt/a', source: '/dev/loop0' },
      // a subvolume's mount: the same superblock, the same device
      { dev: '0:40', fsType: 'btrfs', mountPoint: '/mnt/b', source: '/dev/loop0' },
    ];
    // (the other filesystem is not mounted: no line)
    expect(readBtrfsIds(mounts, sysfs)).toEqual([{ fsid, dev: '0:40' }]);
    expect(readBtrfsIds(mounts, join(dir, 'no-such-dir'))).toEqual([]);
  });
});
