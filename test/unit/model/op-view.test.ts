/**
 * The view a built-in strategy's plan() gets of an op (model/op-view.ts): every field as the Op
 * object OpColumns.at makes, on real traces' rows and on rows with ids apart from their indices and
 * wide fields; every built-in strategy plans the same steps from views as from Op objects, child
 * ops with their parent included; a JavaScript module's strategy still gets Op objects of its own.
 */
import { describe, expect, it } from 'vitest';
import { OpColumns } from '../../../src/model/op-columns.js';
import { OpView } from '../../../src/model/op-view.js';
import type { Op } from '../../../src/model/op.js';
import { loadForReplay, replayStrategies, traceOfColumns } from '../../../src/replay/index.js';
import { createStrategy, strategyNames } from '../../../src/strategies/index.js';
import { plansFromViews } from '../../../src/strategies/views.js';
import { DEFAULT_COSTS, type PlanContext, type Strategy } from '../../../src/strategies/types.js';

const FIELDS = ['id', 'tsNs', 'durNs', 'pid', 'proc', 'comm', 'file', 'kind', 'offset', 'lengthBytes', 'parent', 'line'] as const;

function sameFields(view: Op, op: Op): void {
  for (const f of FIELDS) expect([f, view[f]]).toEqual([f, op[f]]);
}

/** the trace's ops as the columns a replay keeps */
async function columnsOf(path: string): Promise<OpColumns> {
  const { columns } = await loadForReplay(path);
  if (columns === undefined) throw new Error(`${path}: loaded without columns`);
  return columns;
}

const TRACES = ['traces/xfs-mix.trace.gz', 'traces/ext4-mix.trace.gz', 'traces/xfs-contended-faults.trace.gz'];

describe('OpView', () => {
  it.each(TRACES)('reads every field of every row of %s as OpColumns.at gives it', async (path) => {
    const columns = await columnsOf(path);
    const v = new OpView(columns);
    let parents = 0;
    for (let i = 0; i < columns.n; i++) {
      v.i = i;
      const op = columns.at(i);
      sameFields(v, op);
      if (op.parent !== undefined) parents++;
    }
    // (rows with a parent and rows without one: both ways of the optional field are read)
    expect(parents).toBeGreaterThan(0);
    expect(parents).toBeLessThan(columns.n);
  });

  it('reads ids apart from indices, missing durations, wide pids and parents, and no parent', () => {
    const c = new OpColumns(2);
    const ops: Op[] = [
      { id: 7, tsNs: 1.5, pid: 2 ** 40, proc: 'tgid:1', comm: 'a', file: 'F', kind: 'write', offset: 2 ** 52, lengthBytes: 4096, line: 3 },
      { id: 2 ** 45, tsNs: 9, durNs: 0, pid: 3, proc: 'tgid:3', comm: 'b', file: 'G', kind: 'fault-read', offset: 0, lengthBytes: 1, parent: 7, line: 2 ** 33 },
      { id: 9, tsNs: 10, durNs: 5, pid: 3, proc: 'tgid:3', comm: 'b', file: 'F', kind: 'punch', offset: 4096, lengthBytes: 0, line: 5 },
    ];
    for (const o of ops) c.push(o);
    const v = new OpView(c);
    ops.forEach((o, i) => {
      v.i = i;
      sameFields(v, c.at(i));
      sameFields(v, { ...o, durNs: o.durNs, parent: o.parent });
    });
  });

  it('every built-in strategy plans from views the steps it plans from Op objects, child ops too', async () => {
    const columns = await columnsOf('traces/xfs-mix.trace.gz');
    const byId = new Map<number, number>();
    for (let i = 0; i < columns.n; i++) byId.set(columns.idOf(i), i);
    const view = new OpView(columns);
    const parentView = new OpView(columns);
    for (const name of strategyNames()) {
      const fromViews = createStrategy(name);
      const fromObjects = createStrategy(name);
      expect(plansFromViews(fromViews)).toBe(true);
      for (let i = 0; i < columns.n; i++) {
        const op = columns.at(i);
        const p = op.parent !== undefined ? byId.get(op.parent) : undefined;
        const ctxOf = (parent: Op | undefined): PlanContext => ({ parent, pageSizeBytes: 4096, fileSizeBytes: () => 1 << 20, costs: DEFAULT_COSTS });
        view.i = i;
        if (p !== undefined) parentView.i = p;
        const a = fromViews.plan(view, ctxOf(p !== undefined ? parentView : undefined));
        const b = fromObjects.plan(op, ctxOf(p !== undefined ? columns.at(p) : undefined));
        expect([name, i, a]).toEqual([name, i, b]);
      }
    }
  });

  it('a JavaScript strategy gets an Op object of its own for each plan, which it may keep', async () => {
    const trace = await loadForReplay('traces/xfs-mix.trace.gz');
    const columns = await columnsOf('traces/xfs-mix.trace.gz');
    const kept: Op[] = [];
    const keeper: Strategy = {
      name: 'keeper', summary: 'keeps every op it plans', source: 'test', rules: [], options: {},
      plan(op) {
        kept.push(op);
        return [{ type: 'work', fraction: 1 }];
      },
    };
    expect(plansFromViews(keeper)).toBe(false);
    const r = replayStrategies(traceOfColumns(columns, trace.summary, trace.waits), [keeper]);
    expect(r.results[0].completedOps).toBe(columns.n);
    expect(kept.length).toBe(columns.n);
    expect(new Set(kept).size).toBe(kept.length);
    // each one still the op it was planned for, once every later plan has been made
    const byId = new Map(columns.toArray().map((o) => [o.id, o]));
    for (const o of kept) expect(o).toEqual(byId.get(o.id));
  });
});
