/**
 * The result schema's validator (model/result-schema.ts), compiled once on first use (only what
 * reads or merges results pays for it), and its errors as a reader writes them: the JSON path of
 * the field and what is wrong with it, a number beyond its bound with the bound in words.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { RESULT_JSON_SCHEMA } from '../model/result-schema.js';
import { schemaPath } from './schema-path.js';

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // (verbose: an error carries the value and the schema it broke, whose description says the bound)
  validate ??= new Ajv({ allowUnionTypes: true, verbose: true }).compile(RESULT_JSON_SCHEMA);
  return validate;
}

/**
 * "results[0].locks.folio: must have required property 'spins'"; "results[0].throughput.makespanNs:
 * must be <= 9007199254740991 (2^53 − 1 ns, about 104 days: ...), not 1e+300"
 */
function describe(e: ErrorObject): string {
  const path = schemaPath(e.instancePath);
  const where = path === '' ? '(top level)' : path;
  const bound = (e.parentSchema as { description?: unknown } | undefined)?.description;
  if (e.keyword === 'maximum' && typeof bound === 'string') return `${where}: ${e.message ?? 'is too large'} (${bound}), not ${String(e.data)}`;
  return `${where}: ${e.message ?? 'is not valid'}`;
}

/** what makes `json` no result of the schema, described (the first few), or [] when it fits */
export function resultSchemaErrors(json: unknown): string[] {
  const check = validator();
  return check(json) ? [] : (check.errors ?? []).map(describe);
}
