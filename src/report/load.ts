import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ExitCode, LockreplayError, type ExitCodeValue } from '../errors.js';
import { type KindResult, RESULT_SCHEMA, type ReplayResult } from '../model/result.js';
import { RESULT_JSON_SCHEMA } from '../model/result-schema.js';
import { decodeHistogram } from '../stats/histogram.js';
import { schemaPath } from '../util/schema-path.js';
import { summaryProblem } from './consistency.js';

let validate: ValidateFunction | undefined;

/** the result schema's validator, compiled once (on first use: only the commands that read results pay for it) */
function validator(): ValidateFunction {
  validate ??= new Ajv({ allowUnionTypes: true }).compile(RESULT_JSON_SCHEMA);
  return validate;
}

/** "results[0].locks.folio: must have required property 'spins'" */
function describe(e: ErrorObject): string {
  const path = schemaPath(e.instancePath);
  return `${path === '' ? '(top level)' : path}: ${e.message ?? 'is not valid'}`;
}

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
  const check = validator();
  if (!check(r)) {
    const errors = check.errors ?? [];
    throw new LockreplayError(`${path}: not a valid lockreplay result (${errors.slice(0, 3).map(describe).join('; ')}${errors.length > 3 ? '; ...' : ''}): write it again with replay or compare --out`, badInputCode);
  }
  const histogramProblem = histogramsProblem(r as ReplayResult);
  if (histogramProblem !== undefined) throw new LockreplayError(`${path}: not a valid lockreplay result (${histogramProblem}): write it again with replay or compare --out`, badInputCode);
  // (after the histograms decode: the summary numbers are checked against them)
  const summary = summaryProblem(r as ReplayResult);
  if (summary !== undefined) throw new LockreplayError(`${path}: the summary numbers do not match the histograms and counters they are derived from: ${summary} (an edited result? write it again with replay or compare --out)`, badInputCode);
  return r as ReplayResult;
}

/**
 * The first histogram that does not decode (HdrHistogram V2, compressed, base64) or whose count is
 * not its kind's count: the schema sees only strings, and the HTML, .hgrm and merge read them.
 */
function histogramsProblem(r: ReplayResult): string | undefined {
  for (let i = 0; i < r.results.length; i++) {
    const s = r.results[i];
    const kinds: [string, KindResult][] = [['all', s.all], ...Object.entries(s.byKind).map(([k, v]): [string, KindResult] => [`byKind.${k}`, v])];
    for (const [where, kr] of kinds) {
      for (const field of ['latencyHistogram', 'lockWaitHistogram'] as const) {
        const at = `results[${i}].${where}.${field}`;
        let count: number;
        try {
          const h = decodeHistogram(kr[field], true);
          count = h.totalCount;
          h.destroy();
        } catch (err) {
          return `${at}: not an HdrHistogram (compressed, base64): ${(err as Error).message}`;
        }
        if (count !== kr.count) return `${at}: holds ${count} values, but count is ${kr.count}`;
      }
    }
  }
  return undefined;
}
