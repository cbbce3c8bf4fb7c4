/**
 * The simulated schedule as Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing):
 * one process per strategy, one thread (track) per task; `X` slices for ops (a child op nests in its
 * parent), lock waits and CPU queueing inside them; lock holds as async slices (holds of one task
 * overlap without nesting); flow arrows (`s` → `f`) from the op whose release granted a lock to the
 * op that waited for it. Times in µs, as the format wants.
 */
import type { OpColumns } from '../model/op-columns.js';
import type { ScheduleLog } from '../engine/schedule-log.js';
import type { OpOutcomes } from '../engine/simulator.js';

type TraceEvent = Record<string, unknown>;

const us = (ns: number): number => Math.round(ns) / 1000;

function range(start: number, end: number): string {
  return `[${start}, ${end === Infinity ? '∞' : end})`;
}

/** Collects one strategy's schedule as trace events (pid = the strategy's process). */
export class PerfettoCollector implements ScheduleLog {
  readonly events: TraceEvent[] = [];
  private nextId: number;

  constructor(private readonly ops: OpColumns, private readonly pid: number, firstId: number) {
    this.nextId = firstId;
  }

  lockWait(opIndex: number, lockClass: string, mode: string, rangeStart: number, rangeEnd: number, fromNs: number, toNs: number, spun: boolean): void {
    this.events.push({ ph: 'X', cat: 'lock-wait', name: `${spun ? 'spin' : 'wait'} ${lockClass} ${mode}`, pid: this.pid, tid: this.ops.pid[opIndex], ts: us(fromNs), dur: us(toNs) - us(fromNs), args: { lockClass, mode, range: range(rangeStart, rangeEnd), op: this.ops.idOf(opIndex), spun } });
  }

  lockHold(opIndex: number, lockClass: string, mode: string, rangeStart: number, rangeEnd: number, fromNs: number, toNs: number): void {
    const id = this.nextId++;
    const common = { cat: 'lock-hold', name: `hold ${lockClass} ${mode}`, pid: this.pid, tid: this.ops.pid[opIndex], id };
    this.events.push({ ...common, ph: 'b', ts: us(fromNs), args: { lockClass, mode, range: range(rangeStart, rangeEnd), op: this.ops.idOf(opIndex) } });
    this.events.push({ ...common, ph: 'e', ts: us(toNs) });
  }

  cpuWait(opIndex: number, fromNs: number, toNs: number): void {
    this.events.push({ ph: 'X', cat: 'cpu-wait', name: 'waiting for a CPU', pid: this.pid, tid: this.ops.pid[opIndex], ts: us(fromNs), dur: us(toNs) - us(fromNs), args: { op: this.ops.idOf(opIndex) } });
  }

  wake(fromOp: number, toOp: number, atNs: number): void {
    const id = this.nextId++;
    this.events.push({ ph: 's', cat: 'wake', name: 'grants', id, pid: this.pid, tid: this.ops.pid[fromOp], ts: us(atNs) });
    this.events.push({ ph: 'f', bp: 'e', cat: 'wake', name: 'grants', id, pid: this.pid, tid: this.ops.pid[toOp], ts: us(atNs) });
  }

  /** the ids this collector used end below this */
  get idsEnd(): number {
    return this.nextId;
  }

  /** The op slices and the process and thread names (after the run, from its outcomes). */
  finish(strategy: string, o: OpOutcomes): void {
    this.events.push({ ph: 'M', name: 'process_name', pid: this.pid, args: { name: strategy } });
    this.events.push({ ph: 'M', name: 'process_sort_index', pid: this.pid, args: { sort_index: this.pid } });
    const named = new Set<number>();
    for (let i = 0; i < this.ops.n; i++) {
      const op = this.ops.at(i);
      if (!named.has(op.pid)) {
        named.add(op.pid);
        this.events.push({ ph: 'M', name: 'thread_name', pid: this.pid, tid: op.pid, args: { name: `${op.comm} ${op.pid}` } });
      }
      if (o.done[i] !== 1) continue;
      this.events.push({
        ph: 'X', cat: 'op', name: op.kind, pid: this.pid, tid: op.pid, ts: us(o.startNs[i]), dur: us(o.endNs[i]) - us(o.startNs[i]),
        args: { op: op.id, file: op.file, offset: op.offset, length: op.lengthBytes, line: op.line, lockWaitNs: Math.round(o.lockWaitNs[i]), cpuWaitNs: Math.round(o.cpuWaitNs[i]) },
      });
    }
  }
}

/** The trace-event JSON of several strategies' schedules (as collected), in a fixed order. */
export function perfettoJson(collectors: PerfettoCollector[], title: string): string {
  const traceEvents: TraceEvent[] = [];
  // (one push per event: a spread of a long schedule's events overflows the stack)
  for (const c of collectors) for (const e of c.events) traceEvents.push(e);
  return `${JSON.stringify({ displayTimeUnit: 'ns', otherData: { generator: 'lockreplay', trace: title }, traceEvents })}\n`;
}
