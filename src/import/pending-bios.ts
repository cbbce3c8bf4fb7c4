/**
 * One device's bios queued and not completed yet, indexed by start sector (bio-index.ts): the ones
 * not dispatched (waiting), the ones at the driver (dispatched), and the flushes without a sector
 * among the waiting ones. Each index is ordered by (start, arrival), so "the earliest bio at sector
 * S" is the one a scan of the device's bios in arrival order finds first; but no action scans every
 * bio the device has pending (a trace whose completions were lost made that quadratic: 60,000
 * requests never completed, then 60,000 completions of other sectors, took 10–20 s).
 */
import type { Op } from '../model/op.js';
import { BioIndex, type BioNode } from './bio-index.js';

export interface SplitBio {
  /** parts not completed yet */
  remaining: number;
  /** the earliest dispatch (or queueing, for a part never dispatched) of the parts completed so far */
  fromNs: number;
}

export class PendingIo {
  dispatchedNs = -1;
  /** a bio the block layer split (X): its parts, which complete the op together */
  split: SplitBio | undefined = undefined;

  /** its place in the waiting or the dispatched index: its sectors [start, end), its arrival */
  node!: BioNode<PendingIo>;
  /** queued without a sector (a flush), its dispatch has none either: its place among the waiting flushes */
  flushNode: BioNode<PendingIo> | undefined = undefined;

  constructor(
    readonly op: Op,
    /** input lines this op accounts for: its Q, its D, the C that completed it first (a split part's go to its owner) */
    public lines: number,
    /** a split part: the io whose op (and line count) it is */
    readonly owner: PendingIo | undefined,
  ) {}

  get start(): number {
    return this.node.start;
  }

  get end(): number {
    return this.node.end;
  }

  get seq(): number {
    return this.node.seq;
  }
}

export class DevicePending {
  private readonly waiting = new BioIndex<PendingIo>();
  private readonly dispatched = new BioIndex<PendingIo>();
  private readonly flushes = new BioIndex<PendingIo>();
  private seq = 0;
  private readonly scratch: BioNode<PendingIo>[] = [];

  /** A bio queued now, waiting for its dispatch. */
  add(op: Op, start: number, end: number, lines: number, owner: PendingIo | undefined, noSector: boolean): PendingIo {
    const seq = this.seq++;
    const io = new PendingIo(op, lines, owner);
    io.node = this.waiting.node(io, start, end, seq);
    if (noSector) io.flushNode = this.flushes.node(io, 0, 0, seq);
    this.toWaiting(io);
    return io;
  }

  /** The earliest queued bio at `sector` not dispatched yet. */
  firstWaitingAt(sector: number): PendingIo | undefined {
    return this.waiting.first(sector, sector + 1)?.item;
  }

  /** The earliest queued bio at `sector`, not dispatched yet, that ends after `sectorAfter`. */
  firstWaitingAtEndingAfter(sector: number, sectorAfter: number): PendingIo | undefined {
    return this.waiting.first(sector, sector + 1, sectorAfter)?.item;
  }

  /** The earliest queued bio, not dispatched yet, with `from` <= start < `to` and end <= `to`. */
  firstWaitingWithin(from: number, to: number): PendingIo | undefined {
    return this.waiting.first(from, to, -Infinity, to)?.item;
  }

  /** The earliest queued flush without a sector not dispatched yet. */
  firstWaitingFlush(): PendingIo | undefined {
    return this.flushes.first(0, 1)?.item;
  }

  /** The earliest queued bio at `sector` that is at the driver. */
  firstDispatchedAt(sector: number): PendingIo | undefined {
    return this.dispatched.first(sector, sector + 1)?.item;
  }

  /** The bios not dispatched yet whose start is in [from, to), by start then arrival (a scratch array, valid until the next call). */
  waitingFrom(from: number, to: number): readonly BioNode<PendingIo>[] {
    return this.startingIn(this.waiting, from, to);
  }

  /** The dispatched bios whose start is in [from, to), by start then arrival (a scratch array, valid until the next call). */
  dispatchedFrom(from: number, to: number): readonly BioNode<PendingIo>[] {
    return this.startingIn(this.dispatched, from, to);
  }

  dispatch(io: PendingIo, tsNs: number): void {
    if (io.dispatchedNs < 0) {
      this.fromWaiting(io);
      this.dispatched.insert(io.node);
    }
    io.dispatchedNs = tsNs;
  }

  /** Requeued (R): waiting for a dispatch again. */
  requeue(io: PendingIo): void {
    if (io.dispatchedNs >= 0) {
      this.dispatched.remove(io.node);
      this.toWaiting(io);
    }
    io.dispatchedNs = -1;
  }

  /** A waiting bio split at `sector` (X) keeps [start, sector). */
  shorten(io: PendingIo, sector: number): void {
    this.fromWaiting(io);
    io.node.end = sector;
    this.toWaiting(io);
  }

  /** Completed: no longer pending. */
  complete(io: PendingIo): void {
    if (io.dispatchedNs >= 0) this.dispatched.remove(io.node);
    else this.fromWaiting(io);
  }

  private startingIn(index: BioIndex<PendingIo>, from: number, to: number): readonly BioNode<PendingIo>[] {
    this.scratch.length = 0;
    index.startingIn(from, to, this.scratch);
    return this.scratch;
  }

  private toWaiting(io: PendingIo): void {
    this.waiting.insert(io.node);
    if (io.flushNode !== undefined) this.flushes.insert(io.flushNode);
  }

  private fromWaiting(io: PendingIo): void {
    this.waiting.remove(io.node);
    if (io.flushNode !== undefined) this.flushes.remove(io.flushNode);
  }
}
