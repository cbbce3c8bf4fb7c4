import type { ReplayResult } from '../model/result.js';

/** The result as JSON bytes: stable key order (as built), Infinity written as null. */
export function resultJson(result: ReplayResult): string {
  return `${JSON.stringify(result, (_k, v) => (v === Infinity ? null : v), 2)}\n`;
}
