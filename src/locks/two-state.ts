/** bcachefs's two-state shared lock. */
import { type BlockerPrefix, type LockMode, type LockPrimitive, type LockRequest, NONE } from './primitives.js';

/**
 * bcachefs's two-state shared lock ("pagecache add/block"): one signed counter per inode. Requests
 * in the same state share (S = add: buffered IO, faults; X = block: DIO, truncate, fallocate); the
 * other state waits until the count drops to zero; every waiter is woken then, with no queue
 * (modelled at the release: the waiters of the other state are not woken, docs/costs.md).
 */
export class TwoStateLock implements LockPrimitive {
  private readonly granted: LockRequest[] = [];
  private readonly waiting: LockRequest[] = [];

  private state(): LockMode | undefined {
    return this.granted[0]?.mode;
  }

  acquire(req: LockRequest): boolean {
    const s = this.state();
    if (s === undefined || s === req.mode) {
      req.granted = true;
      this.granted.push(req);
      return true;
    }
    this.waiting.push(req);
    return false;
  }

  release(req: LockRequest): LockRequest[] {
    const i = this.granted.indexOf(req);
    if (i < 0) throw new Error('two-state lock released by a request that does not hold it');
    this.granted.splice(i, 1);
    if (this.granted.length > 0 || this.waiting.length === 0) return NONE;
    // count reached zero: everyone is woken; the first waiter's state wins, the others of it join
    const mode = this.waiting[0].mode;
    const woken = this.waiting.filter((r) => r.mode === mode);
    for (const r of woken) {
      r.granted = true;
      this.granted.push(r);
    }
    const rest = this.waiting.filter((r) => r.mode !== mode);
    this.waiting.length = 0;
    // (a loop: a spread of many waiters overflows the stack)
    for (const r of rest) this.waiting.push(r);
    return woken;
  }

  holders(): LockRequest[] {
    return [...this.granted];
  }

  hasWaiters(): boolean {
    return this.waiting.length > 0;
  }

  blockersOf(req: LockRequest): LockRequest[] {
    return this.granted.filter((g) => g.mode !== req.mode);
  }

  /** the holders of the other state: one list per mode */
  blockersOfMany(reqs: readonly LockRequest[]): BlockerPrefix[] {
    const byMode = new Map<LockMode, LockRequest[]>();
    return reqs.map((r) => {
      let list = byMode.get(r.mode);
      if (list === undefined) byMode.set(r.mode, (list = this.blockersOf(r)));
      return { list, length: list.length };
    });
  }
}
