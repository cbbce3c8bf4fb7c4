/**
 * mkdir -p without Node's recursive mkdirSync, which loops forever where a directory cannot be
 * made and the kernel says ENOENT for it (under /proc: `mkdirSync('/proc/x/y', { recursive: true })`
 * never returns). Each missing directory is made from the top down; the first failure throws the
 * error of that level. Returns the directories it made, from the top down (empty if there were none
 * to make), so that a run that fails can remove them again (removeMadeDirs).
 */
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirs(path: string): string[] {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      // (ENOTDIR: a file above it, named when the walk gets there)
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      missing.push(p);
      if (dirname(p) === p) break;
      continue;
    }
    if (!isDir) throw Object.assign(new Error(`${p}: not a directory`), { code: 'ENOTDIR' });
    break;
  }
  const made: string[] = [];
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]);
      made.push(missing[i]);
    } catch (err) {
      // (made meanwhile by someone else: fine)
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(missing[i]).isDirectory()) {
        removeMadeDirs(made);
        throw err;
      }
    }
  }
  return made;
}

/** Removes directories makeDirs made (given top down), deepest first, each only while it is empty. */
export function removeMadeDirs(made: readonly string[]): void {
  for (let i = made.length - 1; i >= 0; i--) {
    try {
      rmdirSync(made[i]);
    } catch {
      // (not empty, or gone: kept as it is, and so are the ones above it)
      return;
    }
  }
}
