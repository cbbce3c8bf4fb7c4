/**
 * The simulated schedule as Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing):
 * one process per strategy, one thread (track) per task; `X` slices for ops (a child op nests in its
 * parent), lock waits and CPU queueing inside them; lock holds as async slices (holds of one task
 * overlap without nesting); flow arrows (`s` → `f`) from the op whose release granted a lock to the
 * op that waited for it. Times in µs, as the format wants.
 */
import type { OpColumns } from '../model/op-columns.js';
import type { ScheduleLog } from '../engine/schedule-log.js';
import type { OpOutcomes, SimOutput } from '../engine/simulator.js';

type TraceEvent = Record<string, unknown>;

const us = (ns: number): number => Math.round(ns) / 1000;

function range(start: number, end: number): string {
  return `[${start}, ${end === Infinity ? '∞' : end})`;
}

/**
 * Turns one strategy's schedule into trace events (pid = the strategy's process), each handed to
 * `emit` as it happens: a long schedule's events are written out, never all held (the events of 15
 * strategies on a trace of 200,000 ops were 1.6 GB of JSON: past the heap, and past V8's longest
 * string).
 */
export class PerfettoCollector implements ScheduleLog {
  private nextId: number;

  constructor(private readonly ops: OpColumns, private readonly pid: number, firstId: number, private readonly emit: (e: TraceEvent) => void) {
    this.nextId = firstId;
  }

  lockWait(opIndex: number, lockClass: string, mode: string, rangeStart: number, rangeEnd: number, fromNs: number, toNs: number, spun: boolean): void {
    this.emit({ ph: 'X', cat: 'lock-wait', name: `${spun ? 'spin' : 'wait'} ${lockClass} ${mode}`, pid: this.pid, tid: this.ops.pid[opIndex], ts: us(fromNs), dur: us(toNs) - us(fromNs), args: { lockClass, mode, range: range(rangeStart, rangeEnd), op: this.ops.idOf(opIndex), spun } });
  }

  lockHold(opIndex: number, lockClass: string, mode: string, rangeStart: number, rangeEnd: number, fromNs: number, toNs: number): void {
    const id = this.nextId++;
    const common = { cat: 'lock-hold', name: `hold ${lockClass} ${mode}`, pid: this.pid, tid: this.ops.pid[opIndex], id };
    this.emit({ ...common, ph: 'b', ts: us(fromNs), args: { lockClass, mode, range: range(rangeStart, rangeEnd), op: this.ops.idOf(opIndex) } });
    this.emit({ ...common, ph: 'e', ts: us(toNs) });
  }

  cpuWait(opIndex: number, fromNs: number, toNs: number): void {
    this.emit({ ph: 'X', cat: 'cpu-wait', name: 'waiting for a CPU', pid: this.pid, tid: this.ops.pid[opIndex], ts: us(fromNs), dur: us(toNs) - us(fromNs), args: { op: this.ops.idOf(opIndex) } });
  }

  wake(fromOp: number, toOp: number, atNs: number): void {
    const id = this.nextId++;
    this.emit({ ph: 's', cat: 'wake', name: 'grants', id, pid: this.pid, tid: this.ops.pid[fromOp], ts: us(atNs) });
    this.emit({ ph: 'f', bp: 'e', cat: 'wake', name: 'grants', id, pid: this.pid, tid: this.ops.pid[toOp], ts: us(atNs) });
  }

  /** the ids this collector used end below this */
  get idsEnd(): number {
    return this.nextId;
  }

  /**
   * The op slices and the process and thread names (after the run, from its outcomes). A run that
   * stopped on a deadlock (`stalled`) also gets what it stopped in: each blocked task's wait up to
   * then (cat `deadlock`), an instant at that time, and the ops it left unfinished (cat
   * `op-unfinished`: started, and either active or blocked), none of which a finished slice shows.
   */
  finish(strategy: string, o: OpOutcomes, stalled?: SimOutput['stalled']): void {
    this.emit({ ph: 'M', name: 'process_name', pid: this.pid, args: { name: strategy } });
    this.emit({ ph: 'M', name: 'process_sort_index', pid: this.pid, args: { sort_index: this.pid } });
    const named = new Set<number>();
    const blockedOps = new Set(stalled?.blocked.map((b) => b.opId));
    for (let i = 0; i < this.ops.n; i++) {
      const op = this.ops.at(i);
      if (!named.has(op.pid)) {
        named.add(op.pid);
        this.emit({ ph: 'M', name: 'thread_name', pid: this.pid, tid: op.pid, args: { name: `${op.comm} ${op.pid}` } });
      }
      if (o.done[i] !== 1) {
        if (stalled !== undefined && (o.activeNs[i] >= 0 || blockedOps.has(op.id))) {
          this.emit({
            ph: 'X', cat: 'op-unfinished', name: `${op.kind} (unfinished)`, pid: this.pid, tid: op.pid, ts: us(o.startNs[i]), dur: us(stalled.atNs) - us(o.startNs[i]),
            args: { op: op.id, file: op.file, offset: op.offset, length: op.lengthBytes, line: op.line },
          });
        }
        continue;
      }
      this.emit({
        ph: 'X', cat: 'op', name: op.kind, pid: this.pid, tid: op.pid, ts: us(o.startNs[i]), dur: us(o.endNs[i]) - us(o.startNs[i]),
        args: { op: op.id, file: op.file, offset: op.offset, length: op.lengthBytes, line: op.line, lockWaitNs: Math.round(o.lockWaitNs[i]), cpuWaitNs: Math.round(o.cpuWaitNs[i]) },
      });
    }
    if (stalled === undefined) return;
    const inCycle = new Set(stalled.cycle.map((b) => b.pid));
    for (const b of stalled.blocked) {
      this.emit({
        ph: 'X', cat: 'deadlock', name: `blocked: wait ${b.lockClass} ${b.mode}`, pid: this.pid, tid: b.pid, ts: us(b.sinceNs), dur: us(stalled.atNs) - us(b.sinceNs),
        args: { op: b.opId, lockClass: b.lockClass, lockKey: b.lockKey, mode: b.mode, range: range(b.start, b.end ?? Infinity), waitsFor: b.waitsFor, inCycle: inCycle.has(b.pid) },
      });
    }
    const name = stalled.reason === 'cycle' ? `deadlock: ${stalled.cycle.length}-task cycle` : `stall: ${stalled.blocked.length} tasks blocked with nothing left to happen`;
    this.emit({ ph: 'i', s: 'p', cat: 'deadlock', name, pid: this.pid, tid: stalled.blocked[0]?.pid ?? 0, ts: us(stalled.atNs) });
  }
}

/**
 * Writes trace-event JSON piece by piece: open() the object, event() each event (in the order
 * given), close() it; the bytes are those of JSON.stringify of the whole object.
 */
export class PerfettoJsonWriter {
  private first = true;
  constructor(private readonly write: (piece: string) => void) {}

  open(title: string): void {
    this.write(`{"displayTimeUnit":"ns","otherData":${JSON.stringify({ generator: 'lockreplay', trace: title })},"traceEvents":[`);
  }

  event(e: TraceEvent): void {
    this.write(this.first ? JSON.stringify(e) : `,${JSON.stringify(e)}`);
    this.first = false;
  }

  close(): void {
    this.write(']}\n');
  }
}
