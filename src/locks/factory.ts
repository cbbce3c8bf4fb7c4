/** The lock primitive a plan's lock spec names. */
import type { LockSpec } from '../model/locks.js';
import { LinuxRwSem } from './linux-rwsem.js';
import { ListRangeLock } from './list-range.js';
import { type LockPrimitive, Mutex, RwSem } from './primitives.js';
import { RangeLock } from './range-lock.js';
import { TwoStateLock } from './two-state.js';

/** (an option given as null, which a user plan may write, is left out: the primitive's default) */
export function createLock(spec: LockSpec): LockPrimitive {
  switch (spec.kind) {
    case 'mutex':
    case 'spinlock':
      return new Mutex();
    case 'rwsem':
      return spec.fairness === 'linux' ? new LinuxRwSem(spec.hz ?? undefined) : new RwSem(spec.fairness ?? undefined);
    case 'range':
      return new RangeLock(spec.fairness ?? undefined);
    case 'list-range':
      return new ListRangeLock(spec.exclusiveOnly ?? undefined);
    default:
      return new TwoStateLock();
  }
}
