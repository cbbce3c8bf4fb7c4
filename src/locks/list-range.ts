/** The range lock without a waiter queue (wake all, retry). */
import { type BlockerPrefix, type LockPrimitive, type LockRequest, NONE, overlaps } from './primitives.js';

/**
 * A range lock without a waiter queue (Kogan/Dice/Issa 2020, FreeBSD rangelock): a request is
 * granted when it conflicts with no granted range; otherwise it sleeps, and every release wakes
 * every sleeper to retry in arrival order (modelled at the release: a sleeper that would lose the
 * retry is not woken, so the herd's wakeups cost nothing; docs/costs.md). No FIFO among conflicting requests: a steady stream of
 * compatible requests can starve an exclusive one, and the model shows it instead of hiding it.
 * `exclusiveOnly` turns every request exclusive (btrfs extent bits).
 */
export class ListRangeLock implements LockPrimitive {
  private readonly granted: LockRequest[] = [];
  private readonly sleeping: LockRequest[] = [];
  constructor(private readonly exclusiveOnly = false) {}

  private fits(req: LockRequest): boolean {
    for (const g of this.granted) if (this.conflict(g, req)) return false;
    return true;
  }

  private conflict(a: LockRequest, b: LockRequest): boolean {
    return (this.exclusiveOnly || a.mode === 'X' || b.mode === 'X') && overlaps(a, b);
  }

  acquire(req: LockRequest): boolean {
    if (this.fits(req)) {
      req.granted = true;
      this.granted.push(req);
      return true;
    }
    this.sleeping.push(req);
    return false;
  }

  release(req: LockRequest): LockRequest[] {
    const i = this.granted.indexOf(req);
    if (i < 0) throw new Error('list range lock released by a request that does not hold it');
    this.granted.splice(i, 1);
    if (this.sleeping.length === 0) return NONE;
    const woken: LockRequest[] = [];
    const still: LockRequest[] = [];
    for (const r of this.sleeping) {
      if (this.fits(r)) {
        r.granted = true;
        this.granted.push(r);
        woken.push(r);
      } else {
        still.push(r);
      }
    }
    this.sleeping.length = 0;
    // (a loop: a spread of many sleepers overflows the stack)
    for (const r of still) this.sleeping.push(r);
    return woken;
  }

  holders(): LockRequest[] {
    return [...this.granted];
  }

  hasWaiters(): boolean {
    return this.sleeping.length > 0;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    return this.granted.filter((g) => g !== req && this.conflict(g, req));
  }

  /** the conflicting holders: one list per range and mode among the sleepers (a holder is asked by blockersOf: it is not its own blocker) */
  blockersOfMany(reqs: readonly LockRequest[]): (BlockerPrefix | undefined)[] {
    const holding = new Set(this.granted);
    const alike = new Map<string, LockRequest[]>();
    return reqs.map((r) => {
      if (holding.has(r)) return undefined;
      const key = `${r.start} ${r.end} ${r.mode}`;
      let list = alike.get(key);
      if (list === undefined) alike.set(key, (list = this.blockersOf(r)));
      return { list, length: list.length };
    });
  }
}
