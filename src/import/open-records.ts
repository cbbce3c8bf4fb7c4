/**
 * The op builder's open records (syscalls, fault episodes, fs-event ops) in the two orders the
 * give-up needs (release.ts): by age, to take the oldest record, and by first line, to know when
 * the oldest line still open is recent enough. Kept from one flush to the next, so that giving up
 * records costs their number, not a sort of every open record at each flush.
 *
 * A record enters when a flush's scan first sees it open (`add`), and leaves lazily: one closed
 * since is dropped when it comes to the front of an order, and `compact` drops the rest once they
 * outnumber the open ones.
 */
import { NumHeap } from '../util/num-heap.js';
import type { Pending, TaskState } from './pending.js';

/** closed records kept beyond twice the open ones before a compaction */
const COMPACT_SLACK = 4096;

export class OpenRecords {
  private owners: TaskState[] = [];
  private recs: Pending[] = [];
  /**
   * by start time, then in the order of the scan that gives up records one at a time: the
   * tasks in the order they entered the open tasks, a task's syscall, fault episode, fs-event op
   */
  private byAge = new NumHeap();
  /** by first line */
  private byLine = new NumHeap();
  /** the records whose issue number (seq) is below this were offered to `add` already */
  seenBefore = 0;

  /** Adds an open record of `owner` (once: the caller offers only records new since the last scan). */
  add(owner: TaskState, rec: Pending): void {
    const i = this.recs.length;
    this.owners.push(owner);
    this.recs.push(rec);
    this.push(i);
  }

  /** The oldest open record's slot (`owner`, `record`), or -1 if none is open. */
  oldest(): number {
    const h = this.byAge;
    while (h.size > 0 && !this.isOpen(h.peekValue())) h.pop();
    return h.size > 0 ? h.peekValue() : -1;
  }

  /** The first line of the open record that began longest ago (Infinity if none is open). */
  oldestLine(): number {
    const h = this.byLine;
    while (h.size > 0 && !this.isOpen(h.peekValue())) h.pop();
    return h.size > 0 ? this.recs[h.peekValue()].line : Infinity;
  }

  /** the records held, open or closed since (closed ones leave at the front or at a compaction) */
  get size(): number {
    return this.recs.length;
  }

  owner(slot: number): TaskState {
    return this.owners[slot];
  }

  record(slot: number): Pending {
    return this.recs[slot];
  }

  /**
   * Drops the closed records once they outnumber the `openCount` open ones (and some slack): what
   * is kept stays proportional to the records open, whatever never came to the front.
   */
  compact(openCount: number): void {
    if (this.recs.length <= 2 * openCount + COMPACT_SLACK) return;
    const owners = this.owners, recs = this.recs;
    this.owners = [];
    this.recs = [];
    this.byAge = new NumHeap();
    this.byLine = new NumHeap();
    for (let i = 0; i < recs.length; i++) {
      const t = owners[i], p = recs[i];
      if (t.sys === p || t.fault === p || t.fsop === p) this.add(t, p);
    }
  }

  private push(i: number): void {
    const p = this.recs[i];
    this.byAge.push(p.tsNs, this.owners[i].openSeq * 3 + p.pk, i);
    this.byLine.push(p.line, i, i);
  }

  /** whether the record is still its task's syscall, fault episode or fs-event op */
  private isOpen(i: number): boolean {
    const t = this.owners[i], p = this.recs[i];
    return t.sys === p || t.fault === p || t.fsop === p;
  }
}
