import { describe, expect, it } from 'vitest';
import { invariantError, EngineInvariantError, EVENTS_PER_STEP } from '../../../src/engine/invariants.js';
import { KIND_CODE, opTable } from '../../../src/engine/op-table.js';
import { ExitCode } from '../../../src/errors.js';
import { OP_KINDS, type Op, type OpKind } from '../../../src/model/op.js';

function op(id: number, pid: number, kind: OpKind, file: string, offset: number, lengthBytes: number, extra: Partial<Op> = {}): Op {
  return { id, tsNs: id * 10, pid, proc: `p${pid}`, comm: `c${pid}`, file, kind, offset, lengthBytes, line: id + 1, ...extra };
}

describe('opTable', () => {
  it('columns, interned files and processes, sizes per file in first-sized order, tasks in first-seen order', () => {
    const ops = [
      op(0, 5, 'write', 'B', 0, 100),
      op(1, 5, 'fault-read', 'A', 4096, 4096, { parent: 0 }),
      op(2, 7, 'read', 'A', 0, 0),
      op(3, 5, 'punch', 'B', 1000, 24, { proc: 'q' }),
      op(4, 7, 'read', 'A', 10, 5),
      op(5, 9, 'fsync', 'C', 0, 0),
      op(6, 5, 'read', 'A', 0, 1),
    ];
    const t = opTable(ops);
    expect(t.n).toBe(7);
    expect([...t.tsNs]).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect([...t.pid]).toEqual([5, 5, 7, 5, 7, 9, 5]);
    expect([...t.offset]).toEqual([0, 4096, 0, 1000, 10, 0, 0]);
    expect([...t.lengthBytes]).toEqual([100, 4096, 0, 24, 5, 0, 1]);
    expect([...t.kind].map((k) => OP_KINDS[k])).toEqual(['write', 'fault-read', 'read', 'punch', 'read', 'fsync', 'read']);
    expect(t.files).toEqual(['B', 'A', 'C']);
    expect([...t.file]).toEqual([0, 1, 1, 0, 1, 2, 1]);
    expect(t.procs).toEqual(['p5', 'p7', 'q', 'p9']);
    expect([...t.proc]).toEqual([0, 0, 1, 2, 1, 3, 0]);
    expect([...t.parentIndex]).toEqual([-1, 0, -1, -1, -1, -1, -1]);
    expect([...t.childStart]).toEqual([0, 1, 1, 1, 1, 1, 1, 1]);
    expect([...t.childList]).toEqual([1]);
    expect([...t.taskPid]).toEqual([5, 7, 9]);
    expect([...t.taskStart]).toEqual([0, 3, 5, 6]);
    expect([...t.taskOps]).toEqual([0, 3, 6, 2, 4, 5]);
    expect([...t.fileSizeBytes]).toEqual([['B', 1024], ['A', 8192]]);
  });

  it('parents by id when ids are not indices; a parent that is not an op leaves the child top-level', () => {
    const ops = [
      op(10, 1, 'write', 'F', 0, 10),
      op(11, 1, 'fault-read', 'F', 0, 10, { parent: 10 }),
      op(12, 1, 'fault-read', 'F', 0, 10, { parent: 10 }),
      op(13, 1, 'fault-read', 'F', 0, 10, { parent: 99 }),
    ];
    const t = opTable(ops);
    expect([...t.parentIndex]).toEqual([-1, 0, 0, -1]);
    expect([...t.childStart]).toEqual([0, 2, 2, 2, 2]);
    expect([...t.childList]).toEqual([1, 2]);
    expect([...t.taskOps]).toEqual([0, 3]);
    // ids that are indices: a parent out of range is dropped, a negative one too
    const idx = [op(0, 1, 'write', 'F', 0, 1), op(1, 1, 'fault-read', 'F', 0, 1, { parent: 5 }), op(2, 1, 'fault-read', 'F', 0, 1, { parent: -1 }), op(3, 2, 'fault-read', 'F', 0, 1, { parent: 0 })];
    const u = opTable(idx);
    expect([...u.parentIndex]).toEqual([-1, -1, -1, 0]);
    expect([...u.childList]).toEqual([3]);
    expect([...u.taskPid]).toEqual([1]);
    // a parent of id n (one past the last index) is none
    const edge = opTable([op(0, 1, 'write', 'F', 0, 1), op(1, 1, 'read', 'F', 0, 1, { parent: 2 })]);
    expect([...edge.parentIndex]).toEqual([-1, -1]);
  });

  it('grows its per-file size table past 64 files', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 130; i++) ops.push(op(i, 1, 'write', `f${i}`, i, 1));
    const t = opTable(ops);
    expect(t.files).toHaveLength(130);
    expect(t.fileSizeBytes.get('f129')).toBe(130);
    expect(t.fileSizeBytes.get('f64')).toBe(65);
    expect(t.fileSizeBytes.size).toBe(130);
  });

  it('an empty table', () => {
    const t = opTable([]);
    expect(t.n).toBe(0);
    expect([...t.taskStart]).toEqual([0]);
    expect(t.fileSizeBytes.size).toBe(0);
  });

  it('children and tasks as a plain reading of the ops gives them, on random op sets (ids rows or not, parents that name no op)', () => {
    let seed = 12345;
    const rand = (k: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % k;
    };
    for (let round = 0; round < 200; round++) {
      const n = rand(40);
      const idBase = rand(3) === 0 ? 1000 : 0;
      const ops: Op[] = [];
      for (let i = 0; i < n; i++) {
        const parentRow = i > 0 && rand(3) === 0 ? rand(i) : -1;
        const dangling = rand(10) === 0;
        const extra: Partial<Op> = parentRow >= 0 ? { parent: idBase + parentRow } : dangling ? { parent: 99_999 } : {};
        ops.push(op(idBase + i, 1 + rand(4), 'write', `f${rand(3)}`, 0, 4096, extra));
      }
      const t = opTable(ops);
      const parentOf = ops.map((o) => (o.parent === undefined ? -1 : ops.findIndex((p) => p.id === o.parent)));
      expect([...t.parentIndex], `round ${round}`).toEqual(parentOf);
      for (let i = 0; i < n; i++) {
        expect([...t.childList.slice(t.childStart[i], t.childStart[i + 1])]).toEqual(parentOf.flatMap((p, j) => (p === i ? [j] : [])));
      }
      const pids: number[] = [];
      for (let i = 0; i < n; i++) if (parentOf[i] < 0 && !pids.includes(ops[i].pid)) pids.push(ops[i].pid);
      expect([...t.taskPid]).toEqual(pids);
      pids.forEach((pid, k) => {
        expect([...t.taskOps.slice(t.taskStart[k], t.taskStart[k + 1])]).toEqual(ops.flatMap((o, i) => (parentOf[i] < 0 && o.pid === pid ? [i] : [])));
      });
    }
  });

  it('KIND_CODE numbers the kinds in OP_KINDS order', () => {
    expect(KIND_CODE.get('read')).toBe(0);
    expect(KIND_CODE.get('munmap')).toBe(OP_KINDS.length - 1);
  });
});

describe('invariantError', () => {
  const o = op(3, 1, 'punch', 'F', 0, 1);
  it('names the op and the step, or that there is none', () => {
    const steps = [{ type: 'work' as const, fraction: 1 }, { type: 'release' as const, tag: 1 }];
    expect(invariantError({ strategy: 's', op: o, steps, stepIndex: 1 }, 'what').message).toBe('internal error in the replay engine: strategy s, op 3 (punch, line 4), step 1 of 2 (release): what');
    expect(invariantError({ strategy: 's', op: o, steps, stepIndex: 2 }, 'what').message).toBe('internal error in the replay engine: strategy s, op 3 (punch, line 4), after its last step (2): what');
    expect(invariantError({ strategy: 's', op: undefined, steps: undefined, stepIndex: 0 }, 'what').message).toBe('internal error in the replay engine: strategy s, no op, before its plan: what');
  });
  it('is one line, clipped, with the internal exit code', () => {
    const e = invariantError({ strategy: 'a\nb', op: o, steps: undefined, stepIndex: 0 }, 'x\ny'.repeat(400));
    expect(e).toBeInstanceOf(EngineInvariantError);
    expect(e.name).toBe('EngineInvariantError');
    expect(e.exitCode).toBe(ExitCode.internal);
    expect(e.message).not.toContain('\n');
    expect(e.message.startsWith('internal error in the replay engine: strategy a b, op 3')).toBe(true);
    // 600 characters and an ellipsis
    expect(e.message).toHaveLength(601);
    expect(e.message.endsWith('…')).toBe(true);
    expect(EVENTS_PER_STEP).toBe(64);
  });
});
