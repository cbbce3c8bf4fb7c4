import { clip } from '../errors.js';

/**
 * What a user module threw, for a message: an Error's (first line of) message; any other value as
 * a JS literal (`"a string"`, `null`, `42`), so a thrown string is not taken for a message of ours.
 */
export function describeThrown(err: unknown): string {
  try {
    if (err instanceof Error || (err !== null && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string')) {
      return clip(String((err as { message: string }).message).split('\n')[0], 300);
    }
    if (typeof err === 'string') return clip(JSON.stringify(err), 300);
    if (typeof err === 'object' && err !== null) return clip(`${Object.prototype.toString.call(err)} ${JSON.stringify(err) ?? ''}`.trim(), 300);
    return String(err);
  } catch {
    // (an object whose message or JSON throws in turn: say what it is, no more)
    try {
      return Object.prototype.toString.call(err);
    } catch {
      // (a proxy whose every read throws)
      return typeof err;
    }
  }
}
