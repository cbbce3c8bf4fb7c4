import type { Strategy } from './types.js';
import { WORK_ONLY } from './plan-helpers.js';

/** No locks at all: the lower bound of what any locking can achieve on this trace. */
export function noneStrategy(): Strategy {
  return {
    name: 'none',
    summary: 'No locks: the lower bound (and the upper bound on races).',
    source: 'docs/strategies.md#none (the oracle baseline)',
    rules: [{ kinds: 'every op', locks: 'none' }],
    options: {},
    plan: () => WORK_ONLY,
  };
}
