/**
 * The engine's invariants, and the error that reports a broken one. The simulator checks them on
 * the way (a comparison or two per step or event) and stops with an internal error (exit 1) that
 * names the strategy, the op and the plan step, instead of hanging or printing NaN:
 *
 * - virtual time is finite and never goes back;
 * - a `work` step's fraction is in (0, 1]; an op's own service time, a CPU segment and a `cost`
 *   step are finite and 0 or more;
 * - a plan's `release` names a lock the op holds, and an op holds no lock when it completes;
 * - an acquire's byte range is not empty (start < end);
 * - the events of a run stay within EVENTS_PER_STEP × (ops + plan steps): each op, acquire, work
 *   share and cost is a handful of events, so a run past the bound is a loop, not a workload.
 *
 * A user strategy's plan (a JS module's, or an object given to the library's replay or compare) is
 * checked when it is made (strategies/user.ts, exit 4 naming its file or `strategy NAME`), so a
 * broken invariant here is a bug in lockreplay or in a built-in strategy.
 */
import { clip, ExitCode, LockreplayError } from '../errors.js';
import type { Op } from '../model/op.js';
import type { Step } from '../strategies/types.js';

/** events allowed per op and per plan step (a step takes at most a few: issue, CPU done, grant, spin done) */
export const EVENTS_PER_STEP = 64;

export class EngineInvariantError extends LockreplayError {
  constructor(message: string) {
    super(message, ExitCode.internal);
    this.name = 'EngineInvariantError';
  }
}

/** Where the engine was: the op (undefined before any) and the index of the step in its plan. */
export interface EngineWhere {
  strategy: string;
  op: Op | undefined;
  steps: readonly Step[] | undefined;
  stepIndex: number;
}

/** The one-line message of a broken invariant: strategy, op (id, kind, line), step, what. */
export function invariantError(where: EngineWhere, what: string): EngineInvariantError {
  const op = where.op === undefined ? 'no op' : `op ${where.op.id} (${where.op.kind}, line ${where.op.line})`;
  const steps = where.steps;
  const step = steps === undefined ? 'before its plan'
    : where.stepIndex < steps.length ? `step ${where.stepIndex} of ${steps.length} (${String((steps[where.stepIndex] as { type?: unknown }).type)})`
      : `after its last step (${steps.length})`;
  const message = `internal error in the replay engine: strategy ${where.strategy}, ${op}, ${step}: ${what}`;
  return new EngineInvariantError(clip(message.replace(/\n/g, ' '), 600));
}
