/**
 * Block-layer ops from blktrace actions (trace-formats.md §3), whether they come from blkparse's
 * text or from the ftrace `blk` tracer. The device is the "file": offset = sector × 512, length =
 * sectors × 512. A queued bio (Q) is one op; its completion (C) ends it: service time is C minus
 * the issue to the driver (D), or minus Q when no D was traced. RWBS decides the kind: read, write,
 * discard (punch: exclusive class), flush (fsync).
 */
import type { Op, OpKind } from '../model/op.js';
import type { BadLines, LineCounter } from './accounting.js';
import { opProblem, rangeProblem } from './limits.js';
import type { SelectingSink } from './selection.js';
import { utf8FromLatin1 } from './lines.js';
import { keep } from '../util/strings.js';
import { DevicePending, type PendingIo } from './pending-bios.js';

export const SECTOR_BYTES = 512;

export interface BlockAction {
  tsNs: number;
  pid: number;
  comm: string;
  major: number;
  minor: number;
  action: string;
  rwbs: string;
  /** -1 when the action has no sector (P, U, flushes) */
  sector: number;
  sectors: number;
  line: number;
}

export interface BlockStats {
  unpairedCompletions: number;
  incomplete: number;
}

export function blockFileKey(major: number, minor: number): string {
  return `blk:${major}:${minor}`;
}

/**
 * RWBS → op kind: D discard, W write, R read; a flush (F first) with no data a flush, however the
 * rest reads (FN, and FWS: the preflush of a journal commit, which blkparse prints without a
 * sector); N alone (no data) gives no op.
 */
export function kindOfRwbs(rwbs: string, sectors: number): OpKind | undefined {
  if (rwbs.includes('D')) return 'punch';
  if (rwbs.startsWith('F') && sectors <= 0) return 'fsync';
  if (rwbs.includes('W')) return 'write';
  if (rwbs.includes('R')) return 'read';
  return undefined;
}

/**
 * Pairs actions into ops. Ops are queued until every earlier-issued op is complete, so the stream
 * stays in issue order. Each action goes to the earliest queued bio it can be (pending-bios.ts).
 */
export class BlockOpBuilder {
  private readonly pending = new Map<string, DevicePending>();
  /** ops in issue order from `head` on; the ones before it are released */
  private readonly order: PendingIo[] = [];
  private head = 0;
  /** devices whose trace has dispatches (D): there, a completion ends only dispatched or merged bios */
  private readonly dispatching = new Set<string>();
  readonly stats: BlockStats = { unpairedCompletions: 0, incomplete: 0 };
  /** the earliest and latest time of the actions handled (NaN before the first): the import summary's span */
  readonly span = { firstTsNs: NaN, lastTsNs: NaN };

  constructor(private readonly out: SelectingSink, private readonly counter: LineCounter, private readonly badLines: BadLines) {}

  handle(a: BlockAction): void {
    this.out.clock(a.tsNs);
    if (!(a.tsNs >= this.span.firstTsNs)) this.span.firstTsNs = a.tsNs;
    if (!(a.tsNs <= this.span.lastTsNs)) this.span.lastTsNs = a.tsNs;
    const file = blockFileKey(a.major, a.minor);
    switch (a.action) {
      case 'Q': {
        const kind = kindOfRwbs(a.rwbs, a.sectors);
        if (kind === undefined) {
          this.counter.skip('block-no-data');
          return;
        }
        const offset = Math.max(0, a.sector) * SECTOR_BYTES;
        const lengthBytes = Math.max(0, a.sectors) * SECTOR_BYTES;
        const problem = rangeProblem(offset, lengthBytes);
        if (problem !== undefined) {
          this.badLines.report(a.line, `sector ${a.sector} + ${a.sectors}: ${problem}`);
          return;
        }
        const op: Op = { id: -1, tsNs: a.tsNs, pid: a.pid, proc: `pid:${a.pid}`, comm: utf8FromLatin1(a.comm), file, kind, offset, lengthBytes, line: a.line };
        let device = this.pending.get(file);
        if (device === undefined) this.pending.set(file, (device = new DevicePending()));
        this.order.push(device.add(op, Math.max(0, a.sector), a.sector + Math.max(0, a.sectors), 1, undefined, a.sector < 0));
        return;
      }
      case 'D': {
        this.dispatching.add(file);
        const device = this.pending.get(file);
        // (a flush without data has no sector: it is dispatched as one too)
        const hit = device === undefined ? undefined : a.sector >= 0 ? device.firstWaitingAt(a.sector) : device.firstWaitingFlush();
        if (hit !== undefined && device !== undefined) {
          device.dispatch(hit, a.tsNs);
          (hit.owner ?? hit).lines++;
          // the request goes to the driver with the bios merged into it (M, F): the first bio not
          // dispatched yet at each start in (sector, sector + n) (a second bio queued at the same
          // sector is a request of its own; a bio that runs past the request's end is not in it)
          const end = a.sector + a.sectors;
          for (let from = a.sector + 1; from < end; ) {
            const p = device.firstWaitingWithin(from, end);
            if (p === undefined) break;
            device.dispatch(p, a.tsNs);
            // (queued starts are below 2^44 sectors, where + 1 is exact; the test keeps a loop from staying)
            if (!(p.start + 1 > from)) break;
            from = p.start + 1;
          }
          return;
        }
        // a request whose Q was not traced: the op starts at its dispatch
        if (a.sector >= 0) {
          this.handle({ ...a, action: 'Q' });
          const device = this.pending.get(file);
          const again = device?.firstWaitingAt(a.sector);
          if (again !== undefined) device!.dispatch(again, a.tsNs);
          return;
        }
        this.counter.skip('block-dispatch-without-sector');
        return;
      }
      case 'C': {
        const device = this.pending.get(file);
        if (device === undefined || a.sector < 0) {
          this.stats.unpairedCompletions++;
          this.counter.skip('block-complete-without-queue');
          return;
        }
        // the completion covers [sector, sector + n): every bio dispatched in it ends now; a bio
        // queued there but not dispatched yet is another request, still to come (where the trace
        // has no dispatches at all, every queued bio in the range ends)
        const end = a.sector + Math.max(1, a.sectors);
        const done = this.dispatching.has(file) ? device.dispatchedFrom(a.sector, end) : device.waitingFrom(a.sector, end);
        if (done.length === 0) {
          this.stats.unpairedCompletions++;
          this.counter.skip('block-complete-without-queue');
          return;
        }
        // the completion line is accounted once, with the earliest queued bio it completes
        let first = done[0].item;
        for (const n of done) if (n.item.seq < first.seq) first = n.item;
        (first.owner ?? first).lines++;
        const ended = done.map((n) => n.item);
        for (const p of ended) {
          const from = p.dispatchedNs >= 0 ? p.dispatchedNs : p.op.tsNs;
          const split = (p.owner ?? p).split;
          if (split === undefined) p.op.durNs = Math.max(0, a.tsNs - from);
          else {
            // a split bio's op ends with its last part, and began with its first dispatch
            split.fromNs = Math.min(split.fromNs, from);
            if (--split.remaining === 0) p.op.durNs = Math.max(0, a.tsNs - split.fromNs);
          }
          device.complete(p);
        }
        this.release();
        return;
      }
      case 'R': {
        // requeued: back in the queue, dispatched again later (the op's device time is from its last D)
        const device = this.pending.get(file);
        const hit = a.sector >= 0 ? device?.firstDispatchedAt(a.sector) : undefined;
        if (hit === undefined || device === undefined) {
          this.counter.skip('block-action-requeue');
          return;
        }
        device.requeue(hit);
        (hit.owner ?? hit).lines++;
        return;
      }
      case 'X': {
        // "X RWBS SECTOR / NEW": the request at SECTOR keeps [SECTOR, NEW), the rest is a new
        // request of the same op (parseBlockTail gives sectors = NEW - SECTOR)
        const at = a.sector + a.sectors;
        const device = this.pending.get(file);
        const p = device !== undefined && a.sector >= 0 && a.sectors > 0 ? device.firstWaitingAtEndingAfter(a.sector, at) : undefined;
        if (p === undefined || device === undefined) {
          this.counter.skip('block-action-split');
          return;
        }
        const owner = p.owner ?? p;
        owner.split ??= { remaining: 1, fromNs: Infinity };
        owner.split.remaining++;
        device.add(p.op, at, p.end, 0, owner, false);
        device.shorten(p, at);
        owner.lines++;
        return;
      }
      default:
        this.counter.skip(`block-action-${actionName(a.action)}`);
    }
  }

  /** Emits completed ops in issue order, up to the first one still in flight. */
  private release(): void {
    const order = this.order;
    let k = this.head;
    while (k < order.length && order[k].op.durNs !== undefined) {
      this.emit(order[k]);
      k++;
    }
    this.head = k;
    // (released ops leave the array in one move once they are half of it, not one splice each)
    if (k > 1024 && k * 2 > order.length) {
      order.copyWithin(0, k);
      order.length -= k;
      this.head = 0;
    }
  }

  private emit(io: PendingIo): void {
    const problem = opProblem(io.op);
    if (problem !== undefined) {
      this.badLines.reportOp(io.op.line, problem, io.lines);
      return;
    }
    this.out.op(io.op, io.lines);
  }

  /** At the end: ops never completed are still replayed, without an observed duration. */
  finish(): void {
    for (let k = this.head; k < this.order.length; k++) {
      const io = this.order[k];
      if (io.op.durNs === undefined) this.stats.incomplete++;
      this.emit(io);
    }
    this.order.length = 0;
    this.head = 0;
    this.pending.clear();
  }
}

function actionName(a: string): string {
  const names: Record<string, string> = {
    A: 'remap', B: 'bounce', F: 'front-merge', G: 'get-request', I: 'insert', M: 'back-merge', P: 'plug', R: 'requeue',
    S: 'sleep', T: 'unplug-timer', U: 'unplug', UT: 'unplug-timer', X: 'split', m: 'message', Z: 'zone',
  };
  return names[a] ?? a;
}

/**
 * The action part of a blk line: "ACTION RWBS rest", rest being "SECTOR + N [comm]",
 * "SECTOR + N [error]", "[comm]" or "[comm] N". Returns false if it is not one.
 */
export function parseBlockTail(text: string, out: { action: string; rwbs: string; sector: number; sectors: number; comm: string; problem?: string }): boolean {
  const m = /^\s*([A-Za-z]{1,2})\s+([A-Z]+)\s*(.*)$/.exec(text);
  if (!m) return false;
  out.action = m[1];
  out.rwbs = m[2];
  out.problem = undefined;
  const rest = m[3];
  const range = /^(\d+)\s+\+\s+(\d+)/.exec(rest);
  const split = range ? null : /^(\d+)\s+\/\s+(\d+)/.exec(rest);
  if (range) {
    out.sector = Number(range[1]);
    out.sectors = Number(range[2]);
  } else if (split) {
    // a split (X): "SECTOR / NEW", as the sectors up to the new request
    out.sector = Number(split[1]);
    out.sectors = Number(split[2]) - out.sector;
  } else {
    const single = /^(\d+)\s*(?:\[|$)/.exec(rest);
    out.sector = single ? Number(single[1]) : -1;
    out.sectors = 0;
    // a sector field that is there but no whole number (-5 + 8, NaN + 8, 12.5 + 8, 12 + -8): bad,
    // not an op on no sector (which would cover the whole device); a message (m) is free text
    if (single === null && out.action !== 'm' && /^[-+]?(?:\d|\.\d|nan\b|inf(?:inity)?\b)/i.test(rest)) out.problem = `sector field "${rest.replace(/\s*\[.*$/, '')}" is not SECTOR + COUNT in whole numbers`;
  }
  // the comm is the last field ("[comm]", "[comm] N" of an unplug), and any byte may be in it, "]"
  // too: it runs from the first "[" to the last "]"
  const open = rest.indexOf('[');
  const close = rest.lastIndexOf(']');
  out.comm = open >= 0 && close > open ? keep(rest.slice(open + 1, close)) : '';
  return true;
}
