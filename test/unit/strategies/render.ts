/** Plans as short strings, for exact assertions. */
import type { Op, OpKind } from '../../../src/model/op.js';
import { DEFAULT_COSTS, type PlanContext, type Step, type Strategy } from '../../../src/strategies/types.js';

export function render(steps: readonly Step[]): string[] {
  return steps.map((s) => {
    switch (s.type) {
      case 'acquire': {
        const spec = s.spec;
        const how = spec.kind === 'rwsem' || spec.kind === 'range' ? `${spec.kind}/${spec.fairness}` : spec.kind === 'list-range' ? `list-range${spec.exclusiveOnly ? '/excl' : ''}` : spec.kind;
        return `${s.lockClass}:${s.key} ${how} ${s.mode} [${s.start},${s.end}) #${s.tag}`;
      }
      case 'release': return `rel #${s.tag}`;
      case 'work': return `work ${s.fraction}${s.cached === true ? ' cached' : ''}`;
      case 'children': return 'children';
      case 'cost': return `cost ${s.baseNs}${s.perNodeNs !== undefined ? `+${s.perNodeNs}` : ''}${s.nodesOf !== undefined ? `×${s.nodesOf.lockClass}:${s.nodesOf.key}` : ''}${s.logNodes ? ' log' : ''}`;
      default: return `? ${JSON.stringify(s)}`;
    }
  });
}

export function mkOp(kind: OpKind, offset = 5000, lengthBytes = 3000, extra: Partial<Op> = {}): Op {
  return { id: 1, tsNs: 0, pid: 1, proc: 'p', comm: 'c', file: 'F', kind, offset, lengthBytes, line: 1, ...extra };
}

export function ctx(parent?: Op, sizes: Record<string, number> = {}): PlanContext {
  return { parent, pageSizeBytes: 4096, fileSizeBytes: (f) => sizes[f] ?? 0, costs: DEFAULT_COSTS };
}

/** the plan of `op` (kind, offset, length) as strings */
export function plan(s: Strategy, kind: OpKind, offset = 5000, lengthBytes = 3000, parent?: Op, sizes?: Record<string, number>): string[] {
  return render(s.plan(mkOp(kind, offset, lengthBytes), ctx(parent, sizes)));
}

export const PARENT = mkOp('write', 0, 4096, { id: 0 });
export const WORK = ['work 1'];
