import { readFileSync } from 'node:fs';
import { ExitCode, LockreplayError, type ExitCodeValue } from '../errors.js';
import { RESULT_SCHEMA, type ReplayResult } from '../model/result.js';

/** Reads a result JSON file and checks it is one this version understands. */
export function loadResult(path: string, badInputCode: ExitCodeValue = ExitCode.badInput): ReplayResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LockreplayError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, badInputCode === ExitCode.badInput ? ExitCode.inputUnreadable : badInputCode);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LockreplayError(`${path}: not JSON (${(err as Error).message})`, badInputCode);
  }
  const r = json as Partial<ReplayResult> | null;
  if (r === null || typeof r !== 'object' || r.schema !== RESULT_SCHEMA) {
    const found = r !== null && typeof r === 'object' && 'schema' in r ? `schema "${String(r.schema)}"` : 'no schema field';
    throw new LockreplayError(`${path}: not a lockreplay result of schema "${RESULT_SCHEMA}" (${found})`, badInputCode);
  }
  if (!Array.isArray(r.results) || r.input === undefined || r.options === undefined) {
    throw new LockreplayError(`${path}: result is missing its input, options or results`, badInputCode);
  }
  return r as ReplayResult;
}
