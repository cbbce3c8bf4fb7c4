import type { ReplayResult } from '../model/result.js';

/** The result as JSON bytes: stable key order (as built), Infinity written as null. */
export function resultJson(result: ReplayResult): string {
  return `${JSON.stringify(result, (_k, v) => (v === Infinity ? null : v), 2)}\n`;
}

/** Any report (import summary, fidelity, check, strategies) as indented JSON, one line feed at the end. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
