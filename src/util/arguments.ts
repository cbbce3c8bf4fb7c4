/**
 * Checks of a library caller's arguments (JavaScript callers are not held to the types): one of
 * the wrong kind is a LockreplayError (exit 2) naming it, not a TypeError deep inside.
 */
import { ExitCode, LockreplayError } from '../errors.js';

/** "null", "an array", "number 5", "string" */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'number' || typeof value === 'boolean' ? `${typeof value} ${String(value)}` : typeof value;
}

/** a string (a spec, a path) */
export function expectString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new LockreplayError(`${what}: expected a string, not ${kindOf(value)}`, ExitCode.usage);
}

/** an options object, or undefined (the defaults) */
export function expectOptions(value: unknown, what: string): void {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) throw new LockreplayError(`${what}: expected an object of options, not ${kindOf(value)}`, ExitCode.usage);
}

/** an array (of strategies, of results) */
export function expectArray(value: unknown, what: string): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw new LockreplayError(`${what}: expected an array, not ${kindOf(value)}`, ExitCode.usage);
}

/** a plain object (not null, not an array) */
export function expectObject(value: unknown, what: string, expected = 'an object'): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new LockreplayError(`${what}: expected ${expected}, not ${kindOf(value)}`, ExitCode.usage);
}

/** true or false; undefined or null too when `optional` (the default they stand for) */
export function expectBoolean(value: unknown, what: string, optional = false): void {
  if (typeof value !== 'boolean' && !(optional && (value === undefined || value === null))) throw new LockreplayError(`${what}: expected true or false, not ${kindOf(value)}`, ExitCode.usage);
}

/** a finite number, `min` or more */
export function expectNumber(value: unknown, what: string, min = -Infinity): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new LockreplayError(`${what}: expected a finite number${min > -Infinity ? ` of ${min} or more` : ''}, not ${kindOf(value)}`, ExitCode.usage);
}
