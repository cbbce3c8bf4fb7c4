/**
 * The library's functions that take a check report (formatCheck, checkJunit) are called from
 * JavaScript, whose callers are not held to the types: an argument that is no report (undefined,
 * the result instead of check()'s report, a report cut short) is refused with a LockreplayError
 * (exit 2) naming the argument and the field, not a TypeError deep inside a formatter.
 */
import { ExitCode, LockreplayError } from '../errors.js';
import { expectObject, kindOf } from '../util/arguments.js';
import type { CheckReport } from './check.js';

/** what a field must be, and whether `value` is it */
const KINDS = {
  string: (v: unknown): boolean => typeof v === 'string',
  number: (v: unknown): boolean => typeof v === 'number' && !Number.isNaN(v),
  boolean: (v: unknown): boolean => typeof v === 'boolean',
  strings: (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string'),
} as const;
const EXPECTED: Record<keyof typeof KINDS, string> = { string: 'a string', number: 'a number', boolean: 'true or false', strings: 'an array of strings' };

const REPORT_FIELDS: Record<string, keyof typeof KINDS> = { trace: 'string', regressions: 'number', skipped: 'number', unmatched: 'strings', missing: 'strings' };
const ROW_FIELDS: Record<string, keyof typeof KINDS> = { strategy: 'string', metric: 'string', baseline: 'number', current: 'number', worseBy: 'number', allowed: 'number', pass: 'boolean' };

function expectFields(value: Record<string, unknown>, fields: Record<string, keyof typeof KINDS>, at: string): void {
  for (const [field, kind] of Object.entries(fields)) {
    if (!KINDS[kind](value[field])) throw new LockreplayError(`${at}.${field}: expected ${EXPECTED[kind]}, not ${kindOf(value[field])}`, ExitCode.usage);
  }
}

export function assertCheckReportArgument(value: unknown, name: string): asserts value is CheckReport {
  expectObject(value, name, 'a check report (what check() returns)');
  if (!Array.isArray(value.rows)) throw new LockreplayError(`${name}.rows: expected an array of check rows, not ${kindOf(value.rows)} (is ${name} what check() returns?)`, ExitCode.usage);
  expectFields(value, REPORT_FIELDS, name);
  value.rows.forEach((row: unknown, i) => {
    expectObject(row, `${name}.rows[${i}]`, 'a check row');
    expectFields(row, ROW_FIELDS, `${name}.rows[${i}]`);
    if (row.skipped !== undefined && typeof row.skipped !== 'string') throw new LockreplayError(`${name}.rows[${i}].skipped: expected a string or nothing, not ${kindOf(row.skipped)}`, ExitCode.usage);
  });
}
