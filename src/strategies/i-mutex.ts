import type { Op } from '../model/op.js';
import { acquire, underOneLock, WORK_ONLY } from './plan-helpers.js';
import type { LockSpec, PlanContext, Step, Strategy } from './types.js';

const MUTEX: LockSpec = { kind: 'mutex' };

/**
 * One exclusive FIFO mutex per inode, taken by every op kind: the classic i_mutex taken everywhere.
 * A child op (a fault inside a syscall) on the file its parent already holds runs under the
 * parent's hold and takes nothing (it cannot re-take a mutex its own task holds).
 */
export function iMutexStrategy(): Strategy {
  const byFile = new Map<string, readonly Step[]>();
  return {
    name: 'i-mutex',
    summary: 'One exclusive FIFO mutex per inode, taken by every op for its whole duration.',
    source: 'docs/strategies.md#i-mutex (the classic i_mutex, taken by every op kind)',
    rules: [
      { kinds: 'every op kind', locks: 'i_mutex X (whole file), held for the whole op' },
      { kinds: 'child op on its parent\'s file (fault, flush)', locks: 'none (runs under the parent\'s hold)' },
    ],
    options: {},
    plan(op: Op, ctx: PlanContext): readonly Step[] {
      if (ctx.parent !== undefined && ctx.parent.file === op.file) return WORK_ONLY;
      // the plan depends on the file only: one per file (plans are read-only to the engine)
      let steps = byFile.get(op.file);
      if (steps === undefined) byFile.set(op.file, (steps = underOneLock(acquire('i_mutex', op.file, MUTEX, 'X', 0, Infinity, 0))));
      return steps;
    },
  };
}
