/**
 * File keys "MAJ:MIN:INO" (the inode number in decimal, as inodeKey in event-fields.ts makes them)
 * from the numbers a byte reader found: a key made once is reused, so a line naming an inode seen
 * before makes no string.
 */

/** the inode keys of one device, by inode number: at most this many before they are dropped */
const MAX_KEYS_PER_DEV = 1 << 16;
/** the most devices whose keys are cached */
const MAX_DEVS = 256;
/**
 * Device numbers this size or more are not cached (their keys are made each time). Linux's are
 * below it (a 12-bit major, a 20-bit minor); the byte readers leave larger ones to the text reader
 * (devOf), which keeps the exact digits of a number past 2^53 that a byte reader would round.
 */
export const DEV_LIMIT = 1 << 20;

export class InodeKeys {
  private readonly keysByDev = new Map<number, Map<number, string>>();
  /** the device of the last key, and its keys */
  private lastDev = -1;
  private lastKeys = new Map<number, string>();

  key(major: number, minor: number, ino: number): string {
    if (major >= DEV_LIMIT || minor >= DEV_LIMIT) return `${major}:${minor}:${ino}`;
    const dev = major * DEV_LIMIT + minor;
    let keys = this.lastKeys;
    if (dev !== this.lastDev) {
      const known = this.keysByDev.get(dev);
      keys = known ?? new Map<number, string>();
      if (known === undefined) {
        if (this.keysByDev.size >= MAX_DEVS) this.keysByDev.clear();
        this.keysByDev.set(dev, keys);
      }
      this.lastDev = dev;
      this.lastKeys = keys;
    }
    let key = keys.get(ino);
    if (key === undefined) {
      if (keys.size >= MAX_KEYS_PER_DEV) keys.clear();
      key = `${major}:${minor}:${ino}`;
      keys.set(ino, key);
    }
    return key;
  }
}
