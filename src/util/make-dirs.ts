/**
 * mkdir -p without Node's recursive mkdirSync, which loops forever where a directory cannot be
 * made and the kernel says ENOENT for it (under /proc: `mkdirSync('/proc/x/y', { recursive: true })`
 * never returns). Each missing directory is made from the top down; the first failure throws the
 * error of that level.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirs(path: string): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(p);
      if (dirname(p) === p) break;
      continue;
    }
    if (!isDir) throw Object.assign(new Error(`${p}: not a directory`), { code: 'ENOTDIR' });
    break;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]);
    } catch (err) {
      // (made meanwhile by someone else: fine)
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(missing[i]).isDirectory()) throw err;
    }
  }
}
