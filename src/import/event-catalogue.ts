/**
 * The kernel events the op builder knows (trace-formats.md §2 and §7): which syscalls it tracks
 * and how each tracepoint is handled. An event in neither table is skipped as irrelevant.
 */

/** The syscalls tracked as ops, by the kind of work they do. */
export type SyscallFamily = 'read' | 'write' | 'fallocate' | 'ftruncate' | 'truncate' | 'fsync' | 'mmap' | 'munmap';

export const SYSCALLS: ReadonlyMap<string, SyscallFamily> = new Map([
  ['sys_mmap', 'mmap'], ['sys_munmap', 'munmap'],
  ['sys_read', 'read'], ['sys_pread64', 'read'], ['sys_readv', 'read'], ['sys_preadv', 'read'], ['sys_preadv2', 'read'],
  ['sys_write', 'write'], ['sys_pwrite64', 'write'], ['sys_writev', 'write'], ['sys_pwritev', 'write'], ['sys_pwritev2', 'write'],
  ['sys_fallocate', 'fallocate'], ['sys_ftruncate', 'ftruncate'], ['sys_truncate', 'truncate'],
  ['sys_fsync', 'fsync'], ['sys_fdatasync', 'fsync'],
] as const);

/** How each event is handled. */
export const enum H {
  XfsFile, IomapDioBegin, IomapDioComplete, Ext4WriteBegin, Ext4Falloc, Ext4TruncateEnter, XfsFreeSpace,
  Fsync, Ext4Writepages, IomapWriteback, WritebackSingle, DirtyFolio, PageCacheRa, IomapReadahead, GetPages,
  PageFaultUser, FilemapFault, MapPages, XfsFault, XfsFilemapFault, MmapLock, XfsIlock, XfsSetattr, Ext4Other,
  ContentionBegin, ContentionEnd, SchedWakeup, SchedSwitch, BtrfsExtent,
}

export const HANDLERS: ReadonlyMap<string, H> = new Map<string, H>([
  ['xfs_file_buffered_read', H.XfsFile], ['xfs_file_buffered_write', H.XfsFile], ['xfs_file_direct_read', H.XfsFile],
  ['xfs_file_direct_write', H.XfsFile], ['xfs_file_dax_read', H.XfsFile], ['xfs_file_dax_write', H.XfsFile],
  ['iomap_dio_rw_begin', H.IomapDioBegin], ['iomap_dio_complete', H.IomapDioComplete],
  ['ext4_da_write_begin', H.Ext4WriteBegin], ['ext4_write_begin', H.Ext4WriteBegin],
  ['ext4_punch_hole', H.Ext4Falloc], ['ext4_zero_range', H.Ext4Falloc], ['ext4_collapse_range', H.Ext4Falloc],
  ['ext4_insert_range', H.Ext4Falloc], ['ext4_fallocate_enter', H.Ext4Falloc],
  ['ext4_truncate_enter', H.Ext4TruncateEnter],
  ['xfs_free_file_space', H.XfsFreeSpace], ['xfs_zero_file_space', H.XfsFreeSpace],
  ['xfs_file_fsync', H.Fsync], ['ext4_sync_file_enter', H.Fsync],
  ['ext4_writepages', H.Ext4Writepages], ['iomap_writeback_folio', H.IomapWriteback], ['iomap_writepage', H.IomapWriteback],
  ['writeback_single_inode', H.WritebackSingle],
  ['writeback_dirty_folio', H.DirtyFolio], ['writeback_dirty_page', H.DirtyFolio],
  ['page_cache_sync_ra', H.PageCacheRa], ['page_cache_async_ra', H.PageCacheRa], ['iomap_readahead', H.IomapReadahead],
  ['mm_filemap_get_pages', H.GetPages],
  ['page_fault_user', H.PageFaultUser], ['mm_filemap_fault', H.FilemapFault], ['mm_filemap_map_pages', H.MapPages],
  ['xfs_read_fault', H.XfsFault], ['xfs_write_fault', H.XfsFault], ['xfs_filemap_fault', H.XfsFilemapFault],
  ['mmap_lock_start_locking', H.MmapLock], ['mmap_lock_acquire_returned', H.MmapLock], ['mmap_lock_released', H.MmapLock],
  ['xfs_ilock', H.XfsIlock], ['xfs_ilock_nowait', H.XfsIlock], ['xfs_ilock_demote', H.XfsIlock], ['xfs_iunlock', H.XfsIlock],
  ['xfs_setattr', H.XfsSetattr], ['xfs_itruncate_extents_start', H.XfsSetattr],
  ['contention_begin', H.ContentionBegin], ['contention_end', H.ContentionEnd],
  ['sched_wakeup', H.SchedWakeup], ['sched_switch', H.SchedSwitch],
  // btrfs has no inode event in a punch or a truncate; its extent lookup names the inode (and its fsync event the synced one)
  ['btrfs_get_extent', H.BtrfsExtent], ['btrfs_sync_file', H.BtrfsExtent],
  ['f2fs_write_begin', H.Ext4WriteBegin], ['f2fs_sync_file_enter', H.Fsync],
  ['f2fs_write_end', H.Ext4Other], ['f2fs_sync_file_exit', H.Ext4Other],
  ['ext4_truncate_exit', H.Ext4Other], ['ext4_writepages_result', H.Ext4Other], ['ext4_sync_file_exit', H.Ext4Other],
  ['ext4_fallocate_exit', H.Ext4Other], ['ext4_da_write_end', H.Ext4Other], ['ext4_write_end', H.Ext4Other],
]);
