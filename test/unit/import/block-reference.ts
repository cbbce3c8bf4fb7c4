/**
 * The block op builder as it was before it indexed its pending requests: every D, C, R and X
 * scans the device's list of pending bios in arrival order, and released ops leave the issue-order
 * queue by splice. Quadratic on a trace with many requests never completed, but simple: kept as the
 * reference the indexed builder must agree with, line for line.
 */
import type { Op } from '../../../src/model/op.js';
import type { BadLines, LineCounter } from '../../../src/import/accounting.js';
import { opProblem, rangeProblem } from '../../../src/import/limits.js';
import type { SelectingSink } from '../../../src/import/selection.js';
import { utf8FromLatin1 } from '../../../src/import/lines.js';
import { type BlockAction, type BlockStats, blockFileKey, kindOfRwbs, SECTOR_BYTES } from '../../../src/import/block.js';

interface PendingIo {
  op: Op;
  dispatchedNs: number;
  start: number;
  end: number;
  lines: number;
  split?: SplitBio;
  owner?: PendingIo;
  noSector?: boolean;
}

interface SplitBio {
  remaining: number;
  fromNs: number;
}

export class ScanBlockOpBuilder {
  private readonly pending = new Map<string, PendingIo[]>();
  private readonly order: PendingIo[] = [];
  /** devices whose trace has dispatches (D): there, a completion ends only dispatched or merged bios */
  private readonly dispatching = new Set<string>();
  readonly stats: BlockStats = { unpairedCompletions: 0, incomplete: 0 };

  constructor(private readonly out: SelectingSink, private readonly counter: LineCounter, private readonly badLines: BadLines) {}

  handle(a: BlockAction): void {
    this.out.clock(a.tsNs);
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
        let list = this.pending.get(file);
        if (list === undefined) this.pending.set(file, (list = []));
        const io: PendingIo = { op, dispatchedNs: -1, start: Math.max(0, a.sector), end: a.sector + Math.max(0, a.sectors), lines: 1 };
        if (a.sector < 0) io.noSector = true;
        list.push(io);
        this.order.push(io);
        return;
      }
      case 'D': {
        this.dispatching.add(file);
        const list = this.pending.get(file);
        // (a flush without data has no sector: it is dispatched as one too)
        const hit = list?.find((p) => (a.sector >= 0 ? p.start === a.sector : p.noSector === true) && p.dispatchedNs < 0);
        if (hit !== undefined && list !== undefined) {
          hit.dispatchedNs = a.tsNs;
          (hit.owner ?? hit).lines++;
          // the request goes to the driver with the bios merged into it (M, F): the first bio not
          // dispatched yet at each start in [sector, sector + n) (a second bio queued at the same
          // sector is a request of its own)
          const end = a.sector + a.sectors;
          let starts: Set<number> | undefined;
          for (const p of list) {
            // (a bio that runs past the request's end is not in it: another request)
            if (p.start <= a.sector || p.start >= end || p.end > end || p.dispatchedNs >= 0) continue;
            starts ??= new Set();
            if (starts.has(p.start)) continue;
            starts.add(p.start);
            p.dispatchedNs = a.tsNs;
          }
          return;
        }
        // a request whose Q was not traced: the op starts at its dispatch
        if (a.sector >= 0) {
          this.handle({ ...a, action: 'Q' });
          const again = this.pending.get(file)?.find((p) => p.start === a.sector && p.dispatchedNs < 0);
          if (again !== undefined) again.dispatchedNs = a.tsNs;
          return;
        }
        this.counter.skip('block-dispatch-without-sector');
        return;
      }
      case 'C': {
        const list = this.pending.get(file);
        if (list === undefined || a.sector < 0) {
          this.stats.unpairedCompletions++;
          this.counter.skip('block-complete-without-queue');
          return;
        }
        // the completion covers [sector, sector + n): every bio dispatched in it ends now; a bio
        // queued there but not dispatched yet is another request, still to come (where the trace
        // has no dispatches at all, every queued bio in the range ends)
        const end = a.sector + Math.max(1, a.sectors);
        const dispatchTraced = this.dispatching.has(file);
        let matched = 0;
        for (let i = 0; i < list.length; i++) {
          const p = list[i];
          const s = p.start;
          if (s >= a.sector && s < end && (!dispatchTraced || p.dispatchedNs >= 0)) {
            const from = p.dispatchedNs >= 0 ? p.dispatchedNs : p.op.tsNs;
            const owner = p.owner ?? p;
            const split = owner.split;
            if (split === undefined) p.op.durNs = Math.max(0, a.tsNs - from);
            else {
              // a split bio's op ends with its last part, and began with its first dispatch
              split.fromNs = Math.min(split.fromNs, from);
              if (--split.remaining === 0) p.op.durNs = Math.max(0, a.tsNs - split.fromNs);
            }
            // the completion line is accounted once, with the first bio it completes
            if (matched === 0) owner.lines++;
            list.splice(i--, 1);
            matched++;
          }
        }
        if (matched === 0) {
          this.stats.unpairedCompletions++;
          this.counter.skip('block-complete-without-queue');
          return;
        }
        this.release();
        return;
      }
      case 'R': {
        // requeued: back in the queue, dispatched again later (the op's device time is from its last D)
        const hit = a.sector >= 0 ? this.pending.get(file)?.find((p) => p.start === a.sector && p.dispatchedNs >= 0) : undefined;
        if (hit === undefined) {
          this.counter.skip('block-action-requeue');
          return;
        }
        hit.dispatchedNs = -1;
        (hit.owner ?? hit).lines++;
        return;
      }
      case 'X': {
        // "X RWBS SECTOR / NEW": the request at SECTOR keeps [SECTOR, NEW), the rest is a new
        // request of the same op (parseBlockTail gives sectors = NEW - SECTOR)
        const at = a.sector + a.sectors;
        const list = this.pending.get(file);
        const p = a.sector >= 0 && a.sectors > 0 ? list?.find((q) => q.start === a.sector && q.dispatchedNs < 0 && at < q.end) : undefined;
        if (p === undefined || list === undefined) {
          this.counter.skip('block-action-split');
          return;
        }
        const owner = p.owner ?? p;
        owner.split ??= { remaining: 1, fromNs: Infinity };
        owner.split.remaining++;
        list.push({ op: p.op, dispatchedNs: -1, start: at, end: p.end, lines: 0, owner });
        p.end = at;
        owner.lines++;
        return;
      }
      default:
        this.counter.skip(`block-action-${actionName(a.action)}`);
    }
  }

  /** Emits completed ops in issue order, up to the first one still in flight. */
  private release(): void {
    let k = 0;
    while (k < this.order.length && this.order[k].op.durNs !== undefined) {
      this.emit(this.order[k]);
      k++;
    }
    if (k > 0) this.order.splice(0, k);
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
    for (const io of this.order) {
      if (io.op.durNs === undefined) this.stats.incomplete++;
      this.emit(io);
    }
    this.order.length = 0;
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
