// A user strategy as a JavaScript module: one reader/writer semaphore per file, shared for reads
// (buffered and direct), exclusive for everything that writes or changes the file's extent.
// Use it with: lockreplay compare TRACE --strategy ./examples/strategies/whole-file-rwsem.js,range-lock
const RWSEM = { kind: 'rwsem', fairness: 'fifo' };
const SHARED = new Set(['read', 'dio-read', 'fault-read', 'readahead']);
const NO_LOCK = new Set(['fsync', 'mmap', 'munmap', 'writeback']);

export default {
  name: 'whole-file-rwsem',
  summary: 'One rwsem per file: shared for reads, exclusive for writes, faults on write, truncate and fallocate.',
  source: 'examples/strategies/whole-file-rwsem.js',
  rules: [
    { kinds: 'read, dio-read, fault-read, readahead', locks: 'file rwsem S' },
    { kinds: 'write, dio-write, fault-write, truncate, punch, zero/collapse/insert-range, fallocate', locks: 'file rwsem X' },
    { kinds: 'fsync, writeback, mmap, munmap; a child op', locks: 'none' },
  ],
  plan(op, ctx) {
    // a fault inside a syscall runs under its parent's hold
    if (NO_LOCK.has(op.kind) || ctx.parent !== undefined) return [{ type: 'work', fraction: 1 }];
    const mode = SHARED.has(op.kind) ? 'S' : 'X';
    return [
      { type: 'acquire', lockClass: 'file_rwsem', key: op.file, spec: RWSEM, mode, start: 0, end: Infinity, tag: 0 },
      { type: 'work', fraction: 1 },
      { type: 'release', tag: 0 },
    ];
  },
};
