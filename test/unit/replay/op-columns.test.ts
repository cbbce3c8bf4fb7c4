/**
 * The ops of a replay as columns (model/op-columns.ts): rows give back the ops pushed, field for
 * field; the op table shares them and merges renamed files; a trace loaded as columns replays to
 * the same bytes as its Op objects, and makes those objects only when `ops` is read.
 */
import { serialize, deserialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { OpColumns } from '../../../src/model/op-columns.js';
import { opTable } from '../../../src/engine/op-table.js';
import type { Op, OpKind } from '../../../src/model/op.js';
import { loadTrace } from '../../../src/import/index.js';
import { loadForReplay, type LoadedTrace, opsDigest, replayStrategies, traceOfColumns } from '../../../src/replay/index.js';

function op(id: number, pid: number, kind: OpKind, file: string, extra: Partial<Op> = {}): Op {
  return { id, tsNs: 1000 * id + 0.5, pid, proc: `tgid:${pid}`, comm: `c${pid}`, file, kind, offset: 4096 * id, lengthBytes: 4096, line: 10 + id, ...extra };
}

describe('OpColumns', () => {
  const ops = [
    op(0, 5, 'write', 'A', { durNs: 700 }),
    op(1, 5, 'fault-read', 'B', { parent: 0, durNs: 0 }),
    op(2, 6, 'dio-read', 'A', { comm: 'x' }),
    op(3, 6, 'punch', 'C', { durNs: 2 ** 40, offset: 2 ** 50 }),
  ];

  it('gives back each op pushed, with the optional fields it had and no others, past a growth of its arrays', () => {
    const c = new OpColumns(1);
    for (let k = 0; k < 10; k++) for (const o of ops) c.push({ ...o, id: o.id + 4 * k });
    expect(c.n).toBe(40);
    expect(c.length).toBe(40);
    const back = c.toArray();
    expect(back.slice(0, 4)).toStrictEqual(ops);
    expect(back[37]).toEqual({ ...ops[1], id: 37 });
    expect('durNs' in back[2]).toBe(false);
    expect('parent' in back[0]).toBe(false);
    expect(back[1].durNs).toBe(0);
    expect(c.files).toEqual(['A', 'B', 'C']);
    expect(c.comms).toEqual(['c5', 'x', 'c6']);
    expect(c.fileOf(3)).toBe('C');
  });

  it('keeps pids, parent ids and line numbers in 32 bits while they fit, and in 64-bit floats (the same values) from the first that does not', () => {
    const narrow = OpColumns.fromOps(ops);
    expect(narrow.pid).toBeInstanceOf(Uint32Array);
    expect(narrow.parent).toBeInstanceOf(Int32Array);
    expect(narrow.line).toBeInstanceOf(Uint32Array);
    expect([0, 1, 2, 3].map((i) => narrow.parentOf(i))).toEqual([NaN, 0, NaN, NaN]);
    for (const [field, value, column] of [
      ['pid', 2 ** 32, 'pid'], ['pid', -1, 'pid'], ['pid', 7.5, 'pid'],
      ['parent', 2 ** 31, 'parent'], ['parent', -1, 'parent'], ['parent', 0.5, 'parent'],
      ['line', 2 ** 33, 'line'], ['line', -3, 'line'],
    ] as const) {
      // (20 ops first: the odd one comes after the columns grew past their first 16 rows)
      const before = Array.from({ length: 20 }, (_, k) => ({ ...ops[k % 4], id: k, parent: k % 4 === 1 ? k - 1 : undefined }));
      for (const o of before) if (o.parent === undefined) delete o.parent;
      const odd = [...before, op(20, 5, 'write', 'A', { [field]: value }), { ...ops[1], id: 21, parent: 20 }];
      const c = new OpColumns(2);
      for (const o of odd) c.push(o);
      expect(c[column], `${field} ${value}`).toBeInstanceOf(Float64Array);
      expect(c.toArray(), `${field} ${value}`).toStrictEqual(odd);
      expect(Array.from({ length: 22 }, (_, i) => c.hasParent(i))).toEqual(odd.map((o) => o.parent !== undefined));
    }
  });

  it('a parent of null or NaN (JSON has no NaN) is no parent, in 32-bit and in 64-bit columns', () => {
    for (const wide of [false, true]) {
      const list: Op[] = [
        op(0, 5, 'write', 'A', wide ? { parent: 2 ** 40 } : {}),
        op(1, 5, 'write', 'A', { parent: null as unknown as number }),
        op(2, 5, 'write', 'A', { parent: NaN }),
        op(3, 5, 'fault-read', 'A', { parent: 0 }),
        op(4, 5, 'write', 'A', { parent: null as unknown as number }),
      ];
      const c = OpColumns.fromOps(list);
      expect(c.parent).toBeInstanceOf(wide ? Float64Array : Int32Array);
      expect([0, 1, 2, 3, 4].map((i) => c.hasParent(i)), `wide ${wide}`).toEqual([wide, false, false, true, false]);
      expect(c.at(1)).not.toHaveProperty('parent');
      expect([...opTable(c).parentIndex]).toEqual([-1, -1, -1, 0, -1]);
    }
  });

  it('the op table shares the parent column as its parent indices when ids are rows, and not when a parent names no row', () => {
    const c = OpColumns.fromOps(ops);
    const t = opTable(c);
    expect(t.parentIndex).toEqual(Int32Array.from([-1, 0, -1, -1]));
    expect(t.parentIndex.buffer).toBe(c.parent.buffer);
    const dangling = OpColumns.fromOps([...ops, op(4, 5, 'write', 'A', { parent: 9 })]);
    const d = opTable(dangling);
    expect(d.parentIndex).toEqual(Int32Array.from([-1, 0, -1, -1, -1]));
    expect(d.parentIndex.buffer).not.toBe(dangling.parent.buffer);
    expect(dangling.parentOf(4)).toBe(9);
    expect(Array.from(d.childList)).toEqual([1]);
  });

  it('keeps process and comm numbers in 16 bits up to 65,536 of them, then in 32', () => {
    const c = new OpColumns(4);
    for (let k = 0; k < 70_000; k++) c.push(op(k, k, 'write', 'A'));
    expect(c.proc).toBeInstanceOf(Int32Array);
    expect(c.comm).toBeInstanceOf(Int32Array);
    expect(c.at(69_999)).toEqual(op(69_999, 69_999, 'write', 'A'));
    expect(c.at(65_535).proc).toBe('tgid:65535');
    expect(OpColumns.fromOps(ops).proc).toBeInstanceOf(Uint16Array);
  });

  it('finds a parent whose id does not fit 32 bits', () => {
    const big = 2 ** 40;
    const c = OpColumns.fromOps([op(big, 5, 'write', 'A', { durNs: 10 }), op(1, 5, 'fault-read', 'A', { parent: big, durNs: 5 })]);
    expect(opTable(c).parentIndex).toEqual(Int32Array.from([-1, 0]));
  });

  it('keeps no id column while ids are row numbers, and keeps ids from the first that is not', () => {
    const c = OpColumns.fromOps(ops);
    expect(c.ids).toBeUndefined();
    expect(c.idOf(3)).toBe(3);
    c.push(op(9, 7, 'fault-write', 'A', { parent: 7 }));
    c.push(op(7, 7, 'write', 'A'));
    expect(c.ids).toBeDefined();
    expect([0, 1, 2, 3, 4, 5].map((i) => c.idOf(i))).toEqual([0, 1, 2, 3, 9, 7]);
    expect(c.at(4)).toEqual(op(9, 7, 'fault-write', 'A', { parent: 7 }));
    // the fault's parent is found by its id, not its row
    expect([...opTable(c).parentIndex]).toEqual([-1, 0, -1, -1, 5, -1]);
    expect(OpColumns.unpack(structuredClone(c.pack())).toArray()).toEqual(c.toArray());
  });

  it('kept ids grow with the other columns', () => {
    const c = new OpColumns(1);
    for (let i = 0; i < 100; i++) c.push(op(1000 - i, 1, 'read', 'A'));
    expect(c.idOf(0)).toBe(1000);
    expect(c.idOf(99)).toBe(901);
    expect(c.toArray().map((o) => o.id)).toEqual(Array.from({ length: 100 }, (_, i) => 1000 - i));
  });

  it('takes more ops after an unpack of none, and after a rename each op keeps the key it names', () => {
    const empty = OpColumns.unpack(structuredClone(new OpColumns().pack()));
    empty.push(ops[0]);
    expect(empty.toArray()).toEqual([ops[0]]);
    const c = OpColumns.fromOps([op(0, 1, 'write', 'a'), op(1, 1, 'write', 'b')]);
    c.renameFiles({ a: 'b' });
    c.push(op(2, 1, 'write', 'a'));
    c.push(op(3, 1, 'write', 'b'));
    expect(c.toArray().map((o) => o.file)).toEqual(['b', 'b', 'a', 'b']);
    expect([...opTable(c).file]).toEqual([0, 0, 1, 0]);
  });

  it('a duration that is not a number is no duration', () => {
    const c = OpColumns.fromOps([op(0, 1, 'write', 'a', { durNs: NaN })]);
    expect('durNs' in c.at(0)).toBe(false);
  });

  it('refuses an op kind that is not one', () => {
    expect(() => new OpColumns().push(op(0, 1, 'scribble' as OpKind, 'A'))).toThrow(/not an op kind: scribble/);
  });

  it('packs to views and unpacks to the same rows', () => {
    const c = OpColumns.fromOps(ops);
    const p = c.pack();
    expect(p.tsNs.length).toBe(4);
    expect(OpColumns.unpack(structuredClone(p)).toArray()).toStrictEqual(ops);
    // what the worker processes get (v8.serialize, as their job file), narrow and widened columns
    const widened = [...ops, op(4, 2 ** 33, 'write', 'A', { line: 2 ** 40, parent: 2 ** 35 })];
    for (const list of [ops, widened]) {
      const back = OpColumns.unpack(deserialize(serialize(OpColumns.fromOps(list).pack())) as ReturnType<OpColumns['pack']>);
      expect(back.toArray()).toStrictEqual(list);
    }
  });

  it('renamed files: the op table merges two keys that became one, in order of first appearance', () => {
    const c = OpColumns.fromOps(ops);
    c.renameFiles({ B: 'A' });
    expect(c.at(1).file).toBe('A');
    const t = opTable(c);
    expect(t.files).toEqual(['A', 'C']);
    expect([...t.file]).toEqual([0, 0, 0, 1]);
    expect(t).toEqual(opTable(c.toArray()));
    // unrenamed, the table's columns are the op columns themselves
    const u = OpColumns.fromOps(ops);
    expect(opTable(u).tsNs.buffer).toBe(u.tsNs.buffer);
  });
});

describe('a trace loaded as columns', () => {
  it('btrfs-mix (file keys renamed after the import): the same ops, digest and compare bytes as its Op objects', async () => {
    const loaded = await loadForReplay('traces/btrfs-mix.trace.gz');
    const plain = await loadTrace('traces/btrfs-mix.trace.gz', { keepLocks: false, keepContention: true });
    expect(plain.summary.fileAliases).toBeDefined();
    const columns = loaded.columns as OpColumns;
    expect(columns.n).toBe(plain.ops.length);
    expect(opsDigest(columns)).toBe(opsDigest(plain.ops));
    const viaColumns = replayStrategies(loaded, ['none', 'range-lock', 'linux:generic'], { mode: 'open', timeScale: 0.05 });
    // nothing read its ops: the replay made no Op array
    expect(loaded.columns).toBe(columns);
    const viaOps = replayStrategies({ ops: plain.ops, summary: plain.summary, waits: plain.locks.filter((l) => l.event === 'contention') }, ['none', 'range-lock', 'linux:generic'], { mode: 'open', timeScale: 0.05 });
    expect(JSON.stringify(viaColumns)).toBe(JSON.stringify(viaOps));
    expect(loaded.ops).toEqual(plain.ops);
  });

  it('xfs-contended-mixed (kernel lock waits removed from service times): the same bytes as its Op objects', async () => {
    const loaded = await loadForReplay('traces/xfs-contended-mixed.trace.gz');
    const plain = await loadTrace('traces/xfs-contended-mixed.trace.gz', { keepLocks: false, keepContention: true });
    expect((loaded.waits ?? []).length).toBeGreaterThan(500);
    const a = replayStrategies(loaded, ['linux:xfs', 'page-lock']);
    const b = replayStrategies({ ops: plain.ops, summary: plain.summary, waits: plain.locks.filter((l) => l.event === 'contention') }, ['linux:xfs', 'page-lock']);
    expect(a.serviceTime.observedWaits.removedNs).toBeGreaterThan(0);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('once `ops` is read, it is what is replayed: a caller may filter it', () => {
    const c = OpColumns.fromOps([op(0, 5, 'write', 'A', { durNs: 100 }), op(1, 6, 'punch', 'A', { durNs: 100 }), op(2, 7, 'write', 'B', { durNs: 100 })]);
    const summary = { input: 'made', format: 'ftrace', lines: { total: 3 } } as unknown as LoadedTrace['summary'];
    const t = traceOfColumns(c, summary, []);
    expect(Object.keys(t)).toContain('ops');
    expect(t.columns).toBe(c);
    const all = replayStrategies(t, ['none'], { cpus: 1 });
    expect(all.input.ops).toBe(3);
    expect(all.input.files).toBe(2);
    t.ops = t.ops.filter((o) => o.file === 'A');
    expect(t.columns).toBeUndefined();
    const some = replayStrategies(t, ['none'], { cpus: 1 });
    expect(some.input.ops).toBe(2);
    expect(some.input.files).toBe(1);
  });
});
