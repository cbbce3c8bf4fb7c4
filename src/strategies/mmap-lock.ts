/**
 * Each process's mmap_lock, wrapped around the strategy's plans (SimOptions.mmapLock): an rwsem with
 * a strict queue (a waiting writer blocks new readers), taken shared around a fault's whole plan,
 * exclusive around mmap and munmap (an mmap's own faults run after it is released), and shared by
 * direct IO to pin its user buffer (get_user_pages), then released. A direct IO pins after its
 * strategy's locks and after it has flushed its range, before the rest of its work: the kernel
 * (__iomap_dio_rw) flushes and invalidates the range first (filemap_write_and_wait_range,
 * kiocb_invalidate_pages: the op's leading child writebacks) and only then builds the bios,
 * pinning the user pages of each (bio_iov_iter_get_pages, whose slow path takes mmap_lock shared).
 * A plan with a children step before its first work pins there instead, right after its children
 * (a design that pins before it locks: kara-2013). The IO's other children (the faults of its
 * get_user_pages) keep their recorded positions in the work, each under its own mmap_lock S.
 * It is not a strategy of its own: every strategy runs under it, which is what puts the i_rwsem →
 * mmap_lock order and the deadlocks against it into a replay.
 */
import { type OpKind, OP_KINDS } from '../model/op.js';
import { type AcquireStep, type ChildrenStep, MMAP_LOCK_TAG, type ReleaseStep, type Step } from './types.js';

const code = (k: OpKind): number => OP_KINDS.indexOf(k);
const FAULT_READ = code('fault-read');
const FAULT_WRITE = code('fault-write');
const MMAP = code('mmap');
const MUNMAP = code('munmap');
const DIO_READ = code('dio-read');
const DIO_WRITE = code('dio-write');

/** the engine's own mmap_lock steps have a tag no plan uses (MMAP_LOCK_TAG; plans' tags are >= 0) */
const MMAP_RELEASE: ReleaseStep = { type: 'release', tag: MMAP_LOCK_TAG };
const CHILDREN: ChildrenStep = { type: 'children' };
/** a direct IO's flush of its range, before it pins its buffer (the engine's step: a plan's children step runs every child) */
const FLUSHES: ChildrenStep = { type: 'children', flushesOnly: true };
const MMAP_SPEC = { kind: 'rwsem', fairness: 'fifo' } as const;

function mmapAcquire(proc: string, mode: 'S' | 'X'): AcquireStep {
  return { type: 'acquire', lockClass: 'mmap_lock', key: proc, spec: MMAP_SPEC, mode, start: 0, end: Infinity, tag: MMAP_LOCK_TAG };
}

export class MmapLockPlans {
  // acquire steps are immutable data: one per (process, mode)
  private readonly shared: AcquireStep[];
  private readonly exclusive: AcquireStep[];

  /** `procs`: the processes (mmap_lock keys) by index */
  constructor(procs: readonly string[]) {
    this.shared = procs.map((p) => mmapAcquire(p, 'S'));
    this.exclusive = procs.map((p) => mmapAcquire(p, 'X'));
  }

  /** `steps` with the mmap_lock steps of an op of kind `kindCode` (an OP_KINDS index) of process `proc` */
  wrap(steps: readonly Step[], kindCode: number, proc: number): readonly Step[] {
    const k = kindCode;
    const len = steps.length;
    if (k === FAULT_READ || k === FAULT_WRITE || k === MMAP || k === MUNMAP) {
      // around the whole plan; an mmap's faults (MAP_POPULATE, mlock) come after it: the kernel
      // drops the write lock before it populates the mapping (vm_mmap_pgoff → mm_populate, which
      // takes the lock shared, as each fault does)
      const populate = k === MMAP;
      const out: Step[] = new Array(len + (populate ? 3 : 2));
      out[0] = k === MMAP || k === MUNMAP ? this.exclusive[proc] : this.shared[proc];
      for (let i = 0; i < len; i++) out[i + 1] = steps[i];
      out[len + 1] = MMAP_RELEASE;
      if (populate) out[len + 2] = CHILDREN;
      return out;
    }
    if (k === DIO_READ || k === DIO_WRITE) {
      // get_user_pages of the user buffer: right after the plan's children step if it has one
      // before its first work (it pins there), else after the strategy's locks and the flush of
      // the IO's range, before the work
      let w = 0;
      while (w < len && steps[w].type !== 'work' && steps[w].type !== 'children') w++;
      if (w === len) return steps;
      const own = steps[w].type === 'children';
      const at = own ? w + 1 : w;
      const extra = own ? 2 : 3;
      const out: Step[] = new Array(len + extra);
      for (let i = 0; i < at; i++) out[i] = steps[i];
      let j = at;
      if (!own) out[j++] = FLUSHES;
      out[j++] = this.shared[proc];
      out[j++] = MMAP_RELEASE;
      for (let i = at; i < len; i++) out[i + extra] = steps[i];
      return out;
    }
    return steps;
  }
}
