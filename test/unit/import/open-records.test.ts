/** The give-up's index of the open records (open-records.ts): the oldest by time and task order, the oldest line, closed records passed over and compacted away. */
import { describe, expect, it } from 'vitest';
import { OpenRecords } from '../../../src/import/open-records.js';
import { type Pending, type TaskState, PKind } from '../../../src/import/pending.js';

const task = (pid: number, openSeq: number): TaskState => ({ pid, tgid: -1, comm: 'fio', mm: '', sys: undefined, fault: undefined, fsop: undefined, earlyExit: '', fdCall: undefined, openSeq });
/** a record of the kind `pk` opened on `t` at `tsNs`, line `line` (only what the index reads) */
function open(t: TaskState, pk: PKind, tsNs: number, line: number): Pending {
  const p = { pk, tsNs, line, pid: t.pid } as Pending;
  if (pk === PKind.Syscall) t.sys = p as TaskState['sys'];
  else if (pk === PKind.Fault) t.fault = p as TaskState['fault'];
  else t.fsop = p as TaskState['fsop'];
  return p;
}
const who = (o: OpenRecords, slot: number): string => (slot < 0 ? 'none' : `${o.owner(slot).pid}/${o.record(slot).pk}`);

describe('the open records by age', () => {
  it('the oldest is the earliest, ties in the order tasks entered the open tasks, then syscall, fault episode, fs-event op; closed ones are passed over', () => {
    const o = new OpenRecords();
    const a = task(1, 5), b = task(2, 3);
    o.add(a, open(a, PKind.FsOp, 100, 10));
    o.add(a, open(a, PKind.Syscall, 100, 11));
    o.add(b, open(b, PKind.Fault, 100, 12));
    o.add(b, open(b, PKind.Syscall, 200, 1));
    expect(who(o, o.oldest())).toBe('2/1');
    expect(o.oldestLine()).toBe(1);
    b.fault = undefined;
    expect(who(o, o.oldest())).toBe('1/0');
    a.sys = undefined;
    expect(who(o, o.oldest())).toBe('1/2');
    b.sys = undefined;
    expect(o.oldestLine()).toBe(10);
    a.fsop = undefined;
    expect(o.oldest()).toBe(-1);
    expect(o.oldestLine()).toBe(Infinity);
  });

  it('a record that replaced a closed one of its task is itself, not the closed one', () => {
    const o = new OpenRecords();
    const a = task(1, 0);
    o.add(a, open(a, PKind.Syscall, 50, 1));
    o.add(a, open(a, PKind.Syscall, 70, 2));
    expect(o.record(o.oldest()).tsNs).toBe(70);
    expect(o.oldestLine()).toBe(2);
  });

  it('closed records are dropped once they outnumber the open ones, the open ones kept in order', () => {
    const o = new OpenRecords();
    const old = task(1, 0);
    o.add(old, open(old, PKind.Syscall, 10, 1));
    const many = Array.from({ length: 5_000 }, (_, k) => task(100 + k, 1 + k));
    for (const t of many) o.add(t, open(t, PKind.Syscall, 20 + t.pid, t.pid));
    const late = task(2, 9_999);
    o.add(late, open(late, PKind.Fault, 15, 9_000));
    o.compact(5_002);
    expect(o.size).toBe(5_002);
    for (const t of many) t.sys = undefined;
    o.compact(2);
    expect(o.size).toBe(2);
    expect(who(o, o.oldest())).toBe('1/0');
    old.sys = undefined;
    expect(who(o, o.oldest())).toBe('2/1');
    expect(o.oldestLine()).toBe(9_000);
  });
});
