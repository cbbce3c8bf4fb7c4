/**
 * The paths `check` is given, checked before any work (exit 2): none empty, the result and the
 * baseline not one file, the JUnit file neither of them nor a directory, and one output on stdout.
 */
import { type Stats, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExitCode, LockreplayError } from '../errors.js';

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  let x: Stats;
  let y: Stats;
  try {
    x = statSync(a);
    y = statSync(b);
  } catch {
    return false; // (a missing file fails on its own, with its own exit code)
  }
  return x.dev === y.dev && x.ino === y.ino;
}

/** Refuses (exit 2) the usage errors among check's paths, naming the flag. */
export function refuseCheckPaths(result: string, baseline: string, junit: string | undefined, json: boolean): void {
  if (result === '') throw new LockreplayError('the result path is empty (an unset variable?): give the result JSON to check', ExitCode.usage);
  if (baseline === '') throw new LockreplayError('--baseline: empty path (an unset variable?): give the baseline result JSON', ExitCode.usage);
  if (junit === '') throw new LockreplayError('--junit: empty path (an unset variable?): give the JUnit XML file to write, or leave --junit out', ExitCode.usage);
  if (sameFile(result, baseline)) throw new LockreplayError(`${result} is also the baseline (${baseline}): a result checked against itself always passes; give the committed baseline`, ExitCode.usage);
  if (junit === undefined) return;
  if (junit === '-') {
    if (json) throw new LockreplayError('--json prints the comparison on stdout, and --junit - would write the XML there too: give --junit a file', ExitCode.usage);
    return;
  }
  for (const [what, path] of [['the result', result], ['the baseline', baseline]] as const) {
    if (sameFile(junit, path)) throw new LockreplayError(`--junit ${junit} is ${what} ${path}: writing there would replace it; name another file`, ExitCode.usage);
  }
  // (a directory was refused only after the verdict, exit 6 or 10: a name given for the wrong thing,
  // known before any work. A file that cannot be written for another reason still fails after the
  // verdict, which it must not hide.)
  if (isDirectory(junit)) throw new LockreplayError(`--junit ${junit}: is a directory, not a file to write: name the XML file (${join(junit, 'check.xml')}?)`, ExitCode.usage);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
