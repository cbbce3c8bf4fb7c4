/**
 * The library's functions that take results (check, mergeResults, the reports) are called from
 * JavaScript, whose callers are not held to the types: an argument that is no result (undefined, a
 * parsed file of another kind, a result cut short) is refused with a LockreplayError (exit 2) naming
 * the argument and what is wrong, as loadResult names a file's, instead of a TypeError deep inside.
 */
import { ExitCode, LockreplayError } from '../errors.js';
import type { ReplayResult } from '../model/result.js';
import { kindOf } from '../util/arguments.js';
import { shapeProblem } from './load.js';

export function assertResultArgument(value: unknown, name: string): asserts value is ReplayResult {
  // checked as it is written (a result in memory holds Infinity, a range to the end of a file, where its JSON has null)
  let json: unknown;
  try {
    json = value === undefined ? undefined : JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v === Infinity ? null : v)) as string) as unknown;
  } catch (err) {
    throw new LockreplayError(`${name}: not a lockreplay result (it cannot be written as JSON: ${(err as Error).message})`, ExitCode.usage);
  }
  const problem = shapeProblem(json);
  if (problem !== undefined) throw new LockreplayError(`${name}: ${problem}`, ExitCode.usage);
}

/** an array of results (`name[0]`, `name[1]`... in the messages) */
export function assertResultsArgument(value: unknown, name: string): asserts value is ReplayResult[] {
  if (!Array.isArray(value)) throw new LockreplayError(`${name}: expected an array of results, not ${kindOf(value)}`, ExitCode.usage);
  value.forEach((r, i) => assertResultArgument(r, `${name}[${i}]`));
}
