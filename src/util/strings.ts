/**
 * Strings kept from input lines. V8 makes a substring of 13 characters or more a view into the
 * string it was cut from: a comm, an mm or a lock mode kept from a line would keep the whole
 * 64 KiB piece of input text it came from alive, and a long trace's text with it (a streaming
 * import grew with the number of tasks; a loaded trace with its lock records held its text).
 */

/** A copy of `s` that owns its characters. */
export function owned(s: string): string {
  if (s.length < 13) return s;
  // slicing a new concatenation flattens it: a new string with a copy of the characters
  return (' ' + s).slice(1);
}

const kept = new Map<string, string>();
const MAX_KEPT = 1 << 16;

/** `owned(s)`, one copy per distinct value (comms, modes, callers repeat on every line). */
export function keep(s: string): string {
  const k = kept.get(s);
  if (k !== undefined) return k;
  const o = owned(s);
  if (kept.size < MAX_KEPT) kept.set(o, o);
  return o;
}

/** names every object inherits ("constructor", "__proto__", "toString"...) */
const INHERITED = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * Whether `name` is the name of a property every object inherits: as a key of a result's maps (a
 * lock class, a strategy option), lookups would find the inherited one, and results are refused.
 */
export function isInheritedName(name: string): boolean {
  return INHERITED.has(name);
}
