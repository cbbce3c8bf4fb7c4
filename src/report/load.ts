import { readFileSync } from 'node:fs';
import { clip, ExitCode, LockreplayError, type ExitCodeValue } from '../errors.js';
import { type KindResult, RESULT_SCHEMA, type ReplayResult } from '../model/result.js';
import { OP_KINDS } from '../model/op.js';
import { decodeHistogram } from '../stats/histogram.js';
import { resultSchemaErrors } from '../util/result-validator.js';
import { isInheritedName } from '../util/strings.js';
import { summaryProblem } from './consistency.js';
import { derivedProblem } from './derived.js';

/** an error code of the file system in words, beside the code: "no such file (ENOENT)" */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'no such file', EACCES: 'permission denied', EPERM: 'operation not permitted', EISDIR: 'is a directory',
    ENOTDIR: 'a part of the path is not a directory', ELOOP: 'too many symbolic links', ENAMETOOLONG: 'the name is too long',
    EMFILE: 'too many open files', EIO: 'input/output error', ENXIO: 'no such device',
  };
  if (code === undefined) return String(err);
  return Object.hasOwn(words, code) ? `${words[code]} (${code})` : code;
}

/** deeper than any result (a result's deepest values are about 8 levels down) */
const MAX_NESTING = 64;

/** whether an object or array in `json` is nested more than MAX_NESTING levels deep (without recursion) */
function tooDeep(json: unknown): boolean {
  const stack: [unknown, number][] = [[json, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_NESTING) return true;
    for (const child of Object.values(v as Record<string, unknown>)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Reads a result JSON file and checks it is one this version understands. With `derivedParts` (the
 * default: the reports show them) its baseline, ratios and safe/unsafe lists are checked against its
 * strategies too; `check` and `merge` use none of them (merge derives them again).
 */
export function loadResult(path: string, badInputCode: ExitCodeValue = ExitCode.badInput, derivedParts = true): ReplayResult {
  if (path === '') throw new LockreplayError('empty path (an unset variable?): give a result JSON file', ExitCode.usage);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new LockreplayError(`${path}: cannot read: ${fsReason(err)}`, badInputCode === ExitCode.badInput ? ExitCode.inputUnreadable : badInputCode);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) throw new LockreplayError(`${path}: gzip data, not JSON (gunzip it first)`, badInputCode);
  // (a byte order mark, as some editors write it, is no part of the JSON)
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LockreplayError(`${path}: not JSON (${clip((err as Error).message, 200)})`, badInputCode);
  }
  const shape = shapeProblem(json);
  if (shape !== undefined) throw new LockreplayError(`${path}: ${shape}`, badInputCode);
  const r = json as ReplayResult;
  // (after the histograms decode: the summary numbers are checked against them)
  const summary = summaryProblem(r);
  if (summary !== undefined) throw new LockreplayError(`${path}: the summary numbers do not match the histograms and counters they are derived from: ${summary} (an edited result? write it again with replay or compare --out)`, badInputCode);
  const derived = derivedParts ? derivedProblem(r) : undefined;
  if (derived !== undefined) throw new LockreplayError(`${path}: the baseline, ratios or verdict do not match the strategies they are derived from: ${derived} (an edited result? write it again with replay or compare --out)`, badInputCode);
  return r;
}

/**
 * What makes `json` no result this version reads, from its shape (the schema, keys, op kinds) to its
 * histograms, described after "PATH: "; undefined when it is one. (Its numbers are not checked
 * against each other: summaryProblem, derivedProblem.)
 */
export function shapeProblem(json: unknown): string | undefined {
  // (before anything walks it: a field nested thousands deep overflowed the stack of the checks and of JSON.stringify)
  if (tooDeep(json)) return `not a valid lockreplay result (something in it is nested more than ${MAX_NESTING} levels deep; no result is)`;
  const r = json as Partial<ReplayResult> | null;
  if (r === null || typeof r !== 'object' || r.schema !== RESULT_SCHEMA) {
    const found = r !== null && typeof r === 'object' && 'schema' in r ? `schema "${String(r.schema)}"` : 'no schema field';
    return `not a lockreplay result of schema "${RESULT_SCHEMA}" (${found})`;
  }
  const errors = resultSchemaErrors(r);
  if (errors.length > 0) return `not a valid lockreplay result (${errors.slice(0, 3).join('; ')}${errors.length > 3 ? '; ...' : ''}): write it again with replay or compare --out`;
  const key = inheritedKey(r, '');
  if (key !== undefined) return `not a valid lockreplay result (${key}: a key no result has, the name of a property every object inherits)`;
  const kinds = (r as ReplayResult).results.flatMap((s, i) => Object.keys(s.byKind).filter((k) => !(OP_KINDS as readonly string[]).includes(k)).map((k) => `results[${i}].byKind.${k}`));
  if (kinds.length > 0) return `not a valid lockreplay result (${kinds[0]}: not an op kind; expected one of ${OP_KINDS.join(', ')})`;
  const histogramProblem = histogramsProblem(r as ReplayResult);
  if (histogramProblem !== undefined) return `not a valid lockreplay result (${histogramProblem}): write it again with replay or compare --out`;
  return undefined;
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

/** the path of the first key of `value` (recursively) that is an inherited name, if any */
function inheritedKey(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = inheritedKey(value[i], `${path}[${i}]`);
      if (at !== undefined) return at;
    }
    return undefined;
  }
  for (const k of Object.keys(value)) {
    const at = path === '' ? k : `${path}.${k}`;
    if (isInheritedName(k)) return at;
    const inner = inheritedKey((value as Record<string, unknown>)[k], at);
    if (inner !== undefined) return inner;
  }
  return undefined;
}
