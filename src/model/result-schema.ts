/**
 * The result JSON's shape (model/result.ts, docs/result.md) as a JSON Schema (draft-07). `report`,
 * `check` and `merge` validate every result file they read with it (report/load.ts), so a file
 * edited by hand or cut short is refused with the path of what is wrong instead of failing deep in
 * a renderer. Every field the tool writes is required; extra fields are allowed. A test walks real
 * results and fails on any field this schema does not describe (ajv's JSONSchemaType cannot type
 * the nullable fields under strict null checks, so the check is there rather than at compile time).
 */
import type { SchemaObject } from 'ajv';
import { RESULT_SCHEMA } from './result.js';

/** an object with these fields, every one of them required */
function fields(properties: Record<string, SchemaObject>, type: string | string[] = 'object'): SchemaObject {
  return { type, properties, required: Object.keys(properties) };
}

/** as fields, with `optional` ones besides: written since a later version, absent in older results */
function fieldsSince(properties: Record<string, SchemaObject>, optional: Record<string, SchemaObject>): SchemaObject {
  return { type: 'object', properties: { ...properties, ...optional }, required: Object.keys(properties) };
}

/** an object whose keys are names (kinds, lock classes) and whose values are all `values` */
function byName(values: SchemaObject): SchemaObject {
  return { type: 'object', additionalProperties: values };
}

const num = { type: 'number' };
/** a count or a duration (ns, bytes, ops, a rate): never negative */
const amount = { type: 'number', minimum: 0 };
const amounts = { type: 'array', items: amount };
const int = { type: 'integer' };
const str = { type: 'string' };
const bool = { type: 'boolean' };
const numOrNull = { type: ['number', 'null'] };
const strings = { type: 'array', items: str };
const numbers = { type: 'array', items: num };
const counts = byName(amount);
const oneOf = (...values: string[]): SchemaObject => ({ type: 'string', enum: values });

const percentiles = fields({ count: amount, p50: amount, p90: amount, p99: amount, p99_9: amount, max: amount, mean: amount });
const kindResult = fields({ count: amount, bytes: amount, latency: percentiles, lockWait: percentiles, latencyHistogram: str, lockWaitHistogram: str });
const lockClassStats = fields({ acquisitions: amount, contentions: amount, waitTotalNs: amount, waitMaxNs: amount, holdTotalNs: amount, spins: amount, spinNs: amount });
const blockedTask = fieldsSince({
  pid: num, comm: str, opId: num, kind: str, file: str, lockClass: str, lockKey: str, mode: str, start: num, end: numOrNull, sinceNs: num, waitsFor: numbers,
}, { waitsForCount: amount });
const raceSide = fields({ opId: num, pid: num, comm: str, kind: str, start: num, end: numOrNull, fromNs: num, toNs: num });
const race = fields({ file: str, class: str, consequence: str, a: raceSide, b: raceSide });
const raceClass = fields({ class: str, severity: oneOf('data', 'ordering'), consequence: str, count: amount, first: { type: 'array', items: race } });

const strategyResult = fields({
  strategy: str,
  strategyOptions: byName({ type: ['string', 'number', 'boolean'] }),
  completedOps: amount,
  throughput: fields({ opsPerSec: amount, mibPerSec: amount, makespanNs: amount }),
  all: kindResult,
  byKind: byName(kindResult),
  locks: byName(lockClassStats),
  cpuWaitTotalNs: amount,
  cpu: fields({ busyNs: amount, spinNs: amount, utilisation: amount }),
  timeline: fields({ intervalNs: amount, startNs: num, opsPerSec: amounts, p99Ns: amounts }),
  races: fields({ count: amount, ordering: amount, byClass: { type: 'array', items: raceClass } }),
  deadlock: fields({ atNs: num, reason: oneOf('cycle', 'stall'), cycle: { type: 'array', items: blockedTask }, blocked: { type: 'array', items: blockedTask } }, ['object', 'null']),
});

const ranking = fields({ strategy: str, vsNone: numOrNull, tiedWith: strings }, ['object', 'null']);

export const RESULT_JSON_SCHEMA: SchemaObject = {
  $id: 'https://lockreplay.dev/schema/lockreplay-result-2.json',
  ...fields({
    schema: { type: 'string', const: RESULT_SCHEMA },
    tool: fields({ name: { type: 'string', const: 'lockreplay' }, version: str }),
    input: fields({
      trace: str, opsDigest: str, format: str, ops: amount, files: amount, cpusInTrace: numOrNull,
      lines: fields({ total: amount, used: amount, skipped: counts, bad: amount, badSamples: strings }),
    }),
    options: fieldsSince({
      mode: oneOf('closed', 'open'), timeScale: num, cpus: int, mmapLock: bool, spin: bool, keepObservedWaits: bool,
      costs: fields({ atomicNs: num, cacheMissNs: num, wakeupNs: num, spinBaseNs: num, perNodeNs: num }),
      cpusSource: oneOf('flag', 'trace', 'default'), pageSizeBytes: num, files: strings, tasks: strings,
    }, { cpuModel: oneOf('per-segment', 'preempt-none') }),
    serviceTime: fieldsSince({
      observed: num,
      modelled: num,
      modelledByKind: counts,
      model: fields({ byKindAndSize: byName(byName(num)), byKind: byName(num), defaultBaseNs: num, defaultPerPageNs: num }),
      observedWaits: fieldsSince({ waits: num, attributed: num, removedNs: num, keptNs: num, byKind: byName(fields({ waits: num, removedNs: num })), kept: bool }, { spinNs: num }),
    }, { offCpu: fields({ ops: num, asleepNs: num, byKind: byName(fields({ ops: num, asleepNs: num, serviceNs: num })) }) }),
    results: { type: 'array', items: strategyResult },
    baseline: { type: ['string', 'null'] },
    comparison: { type: 'array', items: fields({ strategy: str, throughputRatio: numOrNull, p99Ratio: numOrNull, lockWaitRatio: numOrNull, races: num, deadlock: bool }) },
    verdict: fields({
      safe: strings,
      unsafe: { type: 'array', items: fields({ strategy: str, races: num, deadlock: bool }) },
      fastestByThroughput: ranking,
      throughputRanks: bool,
      fastestByP99: ranking,
      p99Ranks: bool,
      cpuSaturated: bool,
      text: str,
    }),
    warnings: strings,
  }),
};
