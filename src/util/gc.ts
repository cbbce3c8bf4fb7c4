import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection on demand. Falls back to a no-op where the runtime refuses.
 */
let gcFn: (() => void) | undefined;

export function collectGarbage(): void {
  if (gcFn === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    } catch {
      gcFn = () => undefined;
    }
  }
  gcFn();
}

/** the heap in use, bytes (young and old generations) */
function heapUsedBytes(): number {
  return getHeapStatistics().used_heap_size;
}

/**
 * Keeps a streaming import's heap from growing with the input's length. A streaming import keeps
 * only a few MB alive, but V8 may let its old generation grow with the allocation rate (it does
 * when `import -o` writes the op stream) instead of collecting it, and peak RSS would then track
 * the input's length. `look` is called every few MB of input: it forces a full collection only once
 * the heap in use passes a bound (`floorBytes`, or twice what the last forced collection left,
 * whichever is more). Forcing one every 16 MiB of input whatever the heap held (as before) paused
 * a plain import of the bench trace 6 times for 10–42 ms, for nothing (docs/performance.md, "Memory").
 */
export class HeapBound {
  private boundBytes: number;
  /** forced collections so far */
  forced = 0;

  constructor(private readonly floorBytes = 32 << 20, private readonly used: () => number = heapUsedBytes, private readonly collect: () => void = collectGarbage) {
    this.boundBytes = floorBytes;
  }

  look(): void {
    if (this.used() <= this.boundBytes) return;
    this.collect();
    this.forced++;
    this.boundBytes = Math.max(this.floorBytes, 2 * this.used());
  }
}
