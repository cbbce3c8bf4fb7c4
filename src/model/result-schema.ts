/**
 * The result JSON's shape (model/result.ts, docs/result.md) as a JSON Schema (draft-07). `report`,
 * `check` and `merge` validate every result file they read with it (report/load.ts), so a file
 * edited by hand or cut short is refused with the path of what is wrong instead of failing deep in
 * a renderer. Every field the tool writes is required; extra fields are allowed. Numbers are within
 * what a replay writes (counts whole, times within 2^53 − 1 ns, sums within 2^106, none negative):
 * a result whose numbers agree with each other but no replay could have made (a makespan of 1e300
 * ns) is refused, naming the field, not printed. A test walks real
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

/**
 * The longest time in a result, ns: 2^53 − 1 (about 104 days), where virtual time stops being exact.
 * A replay refuses to go past it (import/limits.ts MAX_SPAN_NS; replay/virtual-time.ts), so a result
 * with a longer latency, wait, makespan or instant was not written by one.
 */
export const MAX_RESULT_NS = Number.MAX_SAFE_INTEGER;
/** the largest count in a result: 2^53 − 1, the largest whole number a double holds exactly */
export const MAX_RESULT_COUNT = Number.MAX_SAFE_INTEGER;
/**
 * The largest sum over a run's ops or lock acquisitions (bytes, a total wait or hold, CPU time),
 * 2^106: fewer than 2^53 of them, each at most 2^53 (bytes of one op's range, ns of one op's time).
 */
export const MAX_RESULT_TOTAL = 2 ** 106;

const num = { type: 'number' };
/** a rate or a share (ops/s, MiB/s, utilisation): never negative, derived from the counts and times (report/consistency.ts) */
const amount = { type: 'number', minimum: 0 };
/** a count (ops, lines, acquisitions, races): a whole number, 0 or more */
const count = { type: 'integer', minimum: 0, maximum: MAX_RESULT_COUNT, description: '2^53 − 1: the largest count a double holds exactly' };
/** a time of one op or of the run (a latency, a wait, the makespan, an instant of virtual time), ns */
const timeNs = { type: 'number', minimum: 0, maximum: MAX_RESULT_NS, description: '2^53 − 1 ns, about 104 days: the longest time a replay keeps exact' };
/** a sum over a run's ops or acquisitions (bytes, ns) */
const total = { type: 'number', minimum: 0, maximum: MAX_RESULT_TOTAL, description: '2^106: fewer than 2^53 ops or acquisitions of at most 2^53 each' };
const amounts = { type: 'array', items: amount };
const times = { type: 'array', items: timeNs };
const str = { type: 'string' };
const bool = { type: 'boolean' };
const numOrNull = { type: ['number', 'null'] };
const strings = { type: 'array', items: str };
const numbers = { type: 'array', items: num };
const counts = byName(count);
const oneOf = (...values: string[]): SchemaObject => ({ type: 'string', enum: values });

const percentiles = fields({ count, p50: timeNs, p90: timeNs, p99: timeNs, p99_9: timeNs, max: timeNs, mean: timeNs });
const kindResult = fields({ count, bytes: total, latency: percentiles, lockWait: percentiles, latencyHistogram: str, lockWaitHistogram: str });
const lockClassStats = fields({ acquisitions: count, contentions: count, waitTotalNs: total, waitMaxNs: timeNs, holdTotalNs: total, spins: count, spinNs: total });
const blockedTask = fieldsSince({
  pid: num, comm: str, opId: num, kind: str, file: str, lockClass: str, lockKey: str, mode: str, start: num, end: numOrNull, sinceNs: timeNs, waitsFor: numbers,
}, { waitsForCount: count });
const raceSide = fields({ opId: num, pid: num, comm: str, kind: str, start: num, end: numOrNull, fromNs: timeNs, toNs: timeNs });
const race = fields({ file: str, class: str, consequence: str, a: raceSide, b: raceSide });
const raceClass = fields({ class: str, severity: oneOf('data', 'ordering'), consequence: str, count, first: { type: 'array', items: race } });

const strategyResult = fields({
  strategy: str,
  strategyOptions: byName({ type: ['string', 'number', 'boolean'] }),
  completedOps: count,
  throughput: fields({ opsPerSec: amount, mibPerSec: amount, makespanNs: timeNs }),
  all: kindResult,
  byKind: byName(kindResult),
  locks: byName(lockClassStats),
  cpuWaitTotalNs: total,
  cpu: fields({ busyNs: total, spinNs: total, utilisation: amount }),
  timeline: fields({ intervalNs: timeNs, startNs: timeNs, opsPerSec: amounts, p99Ns: times }),
  races: fields({ count, ordering: count, byClass: { type: 'array', items: raceClass } }),
  deadlock: fields({ atNs: timeNs, reason: oneOf('cycle', 'stall'), cycle: { type: 'array', items: blockedTask }, blocked: { type: 'array', items: blockedTask } }, ['object', 'null']),
});

const ranking = fields({ strategy: str, vsNone: numOrNull, tiedWith: strings }, ['object', 'null']);

export const RESULT_JSON_SCHEMA: SchemaObject = {
  $id: 'https://lockreplay.dev/schema/lockreplay-result-2.json',
  ...fields({
    schema: { type: 'string', const: RESULT_SCHEMA },
    tool: fields({ name: { type: 'string', const: 'lockreplay' }, version: str }),
    input: fieldsSince({
      trace: str, opsDigest: str, format: str, ops: count, files: count, cpusInTrace: numOrNull,
      lines: fields({ total: count, used: count, skipped: counts, bad: count, badSamples: strings }),
    }, { firstOpTsNs: { type: ['number', 'null'], minimum: 0, exclusiveMaximum: 2 ** 63 } }),
    options: fieldsSince({
      mode: oneOf('closed', 'open'), timeScale: { type: 'number', exclusiveMinimum: 0 }, cpus: { type: 'integer', minimum: 1, maximum: 65536 }, mmapLock: bool, spin: bool, keepObservedWaits: bool,
      costs: fields({ atomicNs: timeNs, cacheMissNs: timeNs, wakeupNs: timeNs, spinBaseNs: timeNs, perNodeNs: timeNs }),
      cpusSource: oneOf('flag', 'trace', 'default'), pageSizeBytes: { type: 'integer', minimum: 1, maximum: 2 ** 30 }, files: strings, tasks: strings,
    }, { cpuModel: oneOf('per-segment', 'preempt-none') }),
    serviceTime: fieldsSince({
      observed: count,
      modelled: count,
      modelledByKind: counts,
      model: fields({ byKindAndSize: byName(byName(timeNs)), byKind: byName(timeNs), defaultBaseNs: timeNs, defaultPerPageNs: timeNs }),
      observedWaits: fieldsSince({ waits: count, attributed: count, removedNs: total, keptNs: total, byKind: byName(fields({ waits: count, removedNs: total })), kept: bool }, { spinNs: total }),
    }, { offCpu: fields({ ops: count, asleepNs: total, byKind: byName(fields({ ops: count, asleepNs: total, serviceNs: total })) }) }),
    results: { type: 'array', items: strategyResult },
    baseline: { type: ['string', 'null'] },
    comparison: { type: 'array', items: fields({ strategy: str, throughputRatio: numOrNull, p99Ratio: numOrNull, lockWaitRatio: numOrNull, races: count, deadlock: bool }) },
    verdict: fields({
      safe: strings,
      unsafe: { type: 'array', items: fields({ strategy: str, races: count, deadlock: bool }) },
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
