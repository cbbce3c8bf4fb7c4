import { describe, expect, it } from 'vitest';
import { HeapBound } from '../../../src/util/gc.js';

const MB = 1 << 20;

describe('HeapBound: a forced collection only when the heap in use passes its bound', () => {
  it('collects once the heap passes the floor, then once it passes twice what that collection left', () => {
    let usedBytes = 0;
    const collections: number[] = [];
    const bound = new HeapBound(32 * MB, () => usedBytes, () => {
      collections.push(usedBytes);
      usedBytes = usedBytes === 40 * MB ? 20 * MB : 10 * MB;
    });
    for (const mb of [5, 20, 32]) {
      usedBytes = mb * MB;
      bound.look();
    }
    expect(collections).toEqual([]);
    usedBytes = 40 * MB;
    bound.look();
    // the collection left 20 MB: the bound is now 40 MB
    expect(collections).toEqual([40 * MB]);
    usedBytes = 40 * MB - 1;
    bound.look();
    expect(bound.forced).toBe(1);
    usedBytes = 41 * MB;
    bound.look();
    // this one left 10 MB: back to the floor
    expect(collections).toEqual([40 * MB, 41 * MB]);
    usedBytes = 33 * MB;
    bound.look();
    expect(bound.forced).toBe(3);
  });
});
