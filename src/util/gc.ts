import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection on demand. A streaming import keeps only a few MB alive, but V8 grows
 * its old generation with the allocation rate, so peak RSS would track the input's length; a
 * collection every few tens of MB of input (a few ms each, the live set being small) keeps the peak
 * flat. Falls back to a no-op where the runtime refuses.
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
