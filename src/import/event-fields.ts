/**
 * Field parsers for the bodies of the events the op builder handles (trace-formats.md §2): the
 * inode an event names, ext4/f2fs decimal fields, and a syscall's return value. Like fields.ts,
 * a missing or non-numeric value is NaN (or undefined for a key).
 */
import type { KernelEvent } from './builder-state.js';
import { devOf, keyNumberAt, numAfter, numberAt, numberEnd } from './fields.js';
import { EventFields } from './ftrace-prefix.js';
import { InodeBody } from './inode-body.js';

/** "MAJ:MIN:INO" from an event body; `radix` is how the subsystem prints ino without a 0x prefix. */
export function inodeKey(body: string, radix: 10 | 16): string | undefined {
  // most events name the same few inodes: reuse the key when the body starts with the same text
  const cache = radix === 16 ? hexCache : decCache;
  if (cache.prefix !== '' && body.startsWith(cache.prefix)) {
    // (not when the number goes on: a digit, or the 'x' of "0x1" after a cached "0")
    const c = body.charCodeAt(cache.prefix.length);
    if (!(c >= 48 && c <= 57) && !((c | 32) >= 97 && (c | 32) <= 102) && (c | 32) !== 120) return cache.key;
  }
  const dev = devOf(body);
  if (dev === undefined) return undefined;
  let k = body.indexOf('ino');
  // skip "ino" inside other words (e.g. cgroup_ino)
  while (k > 0 && body.charCodeAt(k - 1) !== 32 && body.charCodeAt(k - 1) !== 44) k = body.indexOf('ino', k + 3);
  if (k < 0) return undefined;
  let at = k + 3;
  while (body.charCodeAt(at) === 32 || body.charCodeAt(at) === 61) at++;
  const ino = numberAt(body, at, radix);
  if (Number.isNaN(ino)) return undefined;
  const key = `${dev}:${keyNumberAt(ino, body, at, radix)}`;
  // cached only when the prefix decides the device too: devOf reads the first "dev", and it lies
  // before "ino" ("ino 0x86 dev 7:0" and "ino 0x86 dev 8:0" share the prefix "ino 0x86", not the key)
  const devAt = body.indexOf('dev');
  if (devAt >= 0 && devAt < k) {
    cache.prefix = body.slice(0, numberEnd(body, at));
    cache.key = key;
  }
  return key;
}

const hexCache = { prefix: '', key: '' };
const decCache = { prefix: '', key: '' };

/** ext4 and f2fs print inodes in decimal; xfs, iomap and filemap in hex. */
function isDecimalFs(event: string): boolean {
  return event.startsWith('ext4') || event.startsWith('f2fs');
}

const inodeBytes = new InodeBody();

/** inodeKey of an event's body: read from the line's bytes where it can, else from the body's text */
export function bodyInodeKey(ev: KernelEvent, radix: 10 | 16): string | undefined {
  if (ev instanceof EventFields) {
    const key = inodeBytes.key(ev.bytes, ev.bodyStart + ev.base, ev.bodyEnd + ev.base, radix);
    if (key !== undefined) return key;
  }
  return inodeKey(ev.body, radix);
}

/** The inode key of an event of any filesystem (its radix chosen by the event's name). */
export function eventInodeKey(event: string, body: string): string | undefined {
  return inodeKey(body, isDecimalFs(event) ? 10 : 16);
}

/** eventInodeKey of an event, read from the line's bytes where it can */
export function inodeKeyOfEvent(ev: KernelEvent): string | undefined {
  return bodyInodeKey(ev, isDecimalFs(ev.event) ? 10 : 16);
}

/** A decimal field printed "name N" (ext4), "name=N" or "name = N" (f2fs). */
export function decimalField(body: string, name: string): number {
  let k = body.indexOf(`${name} `);
  while (k > 0 && body.charCodeAt(k - 1) !== 32 && body.charCodeAt(k - 1) !== 44) k = body.indexOf(`${name} `, k + 1);
  if (k < 0) {
    const eq = numAfter(body, `${name}=`, 10);
    return eq;
  }
  let at = k + name.length;
  while (body.charCodeAt(at) === 32 || body.charCodeAt(at) === 61) at++;
  return numberAt(body, at, 10);
}

/** "0x1000", "0xfffffffffffffff2" (a negative errno), "-2", "4096" → number (negative on error). */
export function parseSyscallReturn(body: string): number {
  const s = body.trim();
  if (s.startsWith('0x') && s.length === 18 && s.charCodeAt(2) >= 56 /* '8' */) {
    const v = BigInt.asIntN(64, BigInt(s));
    return Number(v);
  }
  return numberAt(s, 0, s.startsWith('0x') ? 16 : 10);
}
