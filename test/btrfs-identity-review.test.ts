import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileIdentity } from '../src/import/file-identity.js';
import { readBdiNames, readBtrfsIds, type Mount } from '../src/record/identity.js';
import { fioLine, loadAccounted, writeLines } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lockreplay-btrfs-review-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FSID = '0612ed0f-22de-4daa-a594-f9b092f66faf';
const line = (us: number, text: string) => fioLine(100, us, text);
const extent = (us: number, ino: number, root = '5(FS_TREE)') => line(us, `btrfs_get_extent: ${FSID}: root=${root} ino=${ino} start=0 len=4096 flags= refs=2`);

describe('btrfs: an extent lookup of a fault nested in a syscall, without mmap_lock events (the recorder\'s no-locks preset)', () => {
  it('a write whose user buffer maps another btrfs file is on its own file, not the mapped one', async () => {
    const path = writeLines(dir, 'nested-nolocks.trace', [
      '# tracer: nop',
      '# lockreplay bdi: btrfs-1 0:40',
      `# lockreplay btrfs: ${FSID} 0:40`,
      line(10, 'sys_pwrite64(fd: 7, buf: 0x7f0000000000, count: 0x1000, pos: 0x0)'),
      // the user copy faults on a page of file 400 (0x190): the fault reads it, looking up its extents
      line(11, 'mm_filemap_fault: dev=0:40 ino=190 ofs=0'),
      extent(12, 400),
      // then the write's own page of file 300
      line(15, 'writeback_dirty_folio: bdi btrfs-1: ino=300 index=0'),
      extent(16, 300),
      line(20, 'sys_pwrite64 -> 0x1000'),
    ]);
    const r = await loadAccounted(path);
    expect(r.ops.filter((o) => o.kind === 'write').map((o) => o.file)).toEqual(['0:40:300']);
    expect(r.ops.filter((o) => o.kind === 'fault-read').map((o) => o.file)).toEqual(['0:40:400']);
    expect(r.summary.lines.bad).toBe(0);
  });

  it('the syscall\'s own lookup after the nested fault still names it (a punch on an fd nothing else names)', async () => {
    const path = writeLines(dir, 'nested-nolocks-punch.trace', [
      '# tracer: nop',
      `# lockreplay btrfs: ${FSID} 0:40`,
      line(10, 'sys_fallocate(fd: 7, mode: 3, offset: 0x30000, len: 0x10000)'),
      line(11, 'mm_filemap_fault: dev=0:40 ino=190 ofs=0'),
      extent(12, 400),
      extent(16, 300),
      line(20, 'sys_fallocate -> 0x0'),
    ]);
    const r = await loadAccounted(path);
    expect(r.ops.filter((o) => o.kind === 'punch').map((o) => o.file)).toEqual(['0:40:300']);
  });
});

describe('btrfs: inodes of the filesystem\'s own trees are no user file', () => {
  it('a free-space-cache inode (root=1, ROOT_TREE) or a relocation inode names no file, though its number is a file\'s elsewhere', () => {
    const id = new FileIdentity();
    id.comment(`# lockreplay btrfs: ${FSID} 0:40`, 1);
    const body = (root: string) => `${FSID}: root=${root} ino=257 start=0 len=4096 flags= refs=2`;
    expect(id.btrfsKey(body('1(ROOT_TREE)'))).toBeNull();
    expect(id.btrfsKey(body('18446744073709551607(DATA_RELOC_TREE)'))).toBeNull();
    expect(id.btrfsKey(body('5(FS_TREE)'))).toBe('0:40:257');
    expect(id.btrfsKey(body('256(-)'))).toBe('0:40:257');
  });

  it('a punch whose first lookup is of the free-space cache (a commit inside it) is on its own file', async () => {
    const path = writeLines(dir, 'space-cache.trace', [
      '# tracer: nop',
      `# lockreplay btrfs: ${FSID} 0:40`,
      line(10, 'sys_fallocate(fd: 7, mode: 3, offset: 0x30000, len: 0x10000)'),
      extent(12, 257, '1(ROOT_TREE)'),
      extent(16, 300),
      line(20, 'sys_fallocate -> 0x0'),
    ]);
    const r = await loadAccounted(path);
    expect(r.ops.map((o) => [o.kind, o.file])).toEqual([['punch', '0:40:300']]);
  });
});

describe('readBtrfsIds / readBdiNames: a btrfs filesystem on device-mapper (LUKS, LVM)', () => {
  it('a mount whose source is /dev/mapper/NAME (a link to dm-N) is the filesystem whose device is dm-N', () => {
    const sysfs = join(dir, 'sysfs-dm');
    mkdirSync(join(sysfs, FSID, 'devices', 'dm-0'), { recursive: true });
    symlinkSync('../../../devices/virtual/bdi/btrfs-3', join(sysfs, FSID, 'bdi'));
    const dev = join(dir, 'dev');
    mkdirSync(join(dev, 'mapper'), { recursive: true });
    writeFileSync(join(dev, 'dm-0'), '');
    symlinkSync('../dm-0', join(dev, 'mapper', 'luks-1234'));
    const mounts: Mount[] = [{ dev: '0:41', fsType: 'btrfs', mountPoint: '/home', source: join(dev, 'mapper', 'luks-1234') }];
    expect(readBtrfsIds(mounts, sysfs)).toEqual([{ fsid: FSID, dev: '0:41' }]);
    expect(readBdiNames(mounts, sysfs)).toEqual([{ name: 'btrfs-3', dev: '0:41' }]);
  });
});

describe('btrfs keys the header did not map resolve by inode number only to a btrfs device (major 0)', () => {
  // btrfs files carry an anonymous device number (0:N) in every event; XFS and ext4 on a disk do not
  const capture = (header: string[]) => [
    '# tracer: nop',
    ...header,
    // an ext4 file with inode number 300
    line(10, 'sys_pwrite64(fd: 5, buf: 0x7f0000000000, count: 0x1000, pos: 0x0)'),
    line(11, 'ext4_da_write_begin: dev 254,0 ino 300 pos 0 len 4096'),
    line(12, 'sys_pwrite64 -> 0x1000'),
    // a punch on btrfs's file 300, on an fd nothing else names
    line(20, 'sys_fallocate(fd: 7, mode: 3, offset: 0x30000, len: 0x10000)'),
    extent(21, 300),
    line(22, 'sys_fallocate -> 0x0'),
  ];

  it('a punch on btrfs\'s inode 300 is not put on ext4\'s inode 300', async () => {
    const r = await loadAccounted(writeLines(dir, 'other-fs.trace', capture([])));
    expect(r.ops.map((o) => [o.kind, o.file])).toEqual([['write', '254:0:300'], ['punch', `${FSID}:300`]]);
  });

  it('an older kernel\'s lookup (no filesystem id) neither', async () => {
    const r = await loadAccounted(writeLines(dir, 'other-fs-old.trace', capture([]).map((l) => l.replace(`${FSID}: `, ''))));
    expect(r.ops.map((o) => [o.kind, o.file])).toEqual([['write', '254:0:300'], ['punch', 'btrfs:300']]);
  });

  it('nor a buffered write\'s "bdi btrfs-1" key', async () => {
    const id = new FileIdentity();
    id.noteReleased('254:0:300');
    id.noteReleased('btrfs-1:300');
    id.noteReleased(`${FSID}:300`);
    id.noteReleased('0:40:301');
    id.noteReleased('btrfs-1:301');
    expect(Object.fromEntries(id.aliases())).toEqual({ 'btrfs-1:301': '0:40:301' });
  });
});
