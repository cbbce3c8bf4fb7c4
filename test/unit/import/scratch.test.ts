import { it } from 'vitest';
import { load, brief, HEADER } from './helpers.js';
it('probe', async () => {
  const t = HEADER + `             fio-12734   [000] .....   618.022805: sys_pwrite64(fd: 7, buf: 0x55cf0c00d610, count: 0x1000, pos: 0x3dc000)
             fio-12734   [000] .....   618.022808: xfs_ilock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller xfs_file_buffered_write+0x12f/0x2e0
             fio-12734   [000] .....   618.022826: xfs_file_buffered_write: dev 7:0 ino 0x85 disize 0x4000000 pos 0x3dc000 bytecount 0x1000
             fio-12734   [000] d..1.   618.022842: writeback_dirty_folio: bdi 7:0: ino=133 index=988
             fio-12734   [000] .....   618.022847: xfs_iunlock: dev 7:0 ino 0x85 flags IOLOCK_EXCL caller xfs_file_buffered_write+0x287/0x2e0
             fio-12734   [000] .....   618.022848: sys_pwrite64 -> 0x1000
             fio-12734   [000] d....   618.022851: page_fault_user: address=0x7fc610634db0 ip=0x55cef6b914c8 error_code=0x6
             fio-12734   [000] .....   618.022852: mmap_lock_start_locking: mm=000000004dc60d36 memcg_id=5018 write=false
             fio-12734   [000] .....   618.022853: mmap_lock_acquire_returned: mm=000000004dc60d36 memcg_id=5018 write=false success=true
             fio-12734   [000] .....   618.022857: mmap_lock_released: mm=000000004dc60d36 memcg_id=5018 write=false
             fio-12730   [001] .....   618.022860: sys_pread64(fd: 3, buf: 0x7ffc998fa250, count: 0x310, pos: 0x40)
             fio-12730   [001] .....   618.022861: mm_filemap_get_pages: dev=254:0 ino=52db4 ofs=0-4095
             fio-12730   [001] .....   618.022862: sys_pread64 -> 0x310
`;
  const r = await load(t);
  console.log(r.ops.map(brief).join('\n'));
  console.log(JSON.stringify(r.locks));
  console.log(JSON.stringify(r.summary, null, 1));
});
