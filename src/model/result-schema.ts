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

const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const numOrNull = { type: ['number', 'null'] } as const;
const strings = { type: 'array', items: str } as const;
const counts = { type: 'object', additionalProperties: num, required: [] } as const;

const percentiles: SchemaObject = {
  type: 'object',
  properties: { count: num, p50: num, p90: num, p99: num, p99_9: num, max: num, mean: num },
  required: ['count', 'p50', 'p90', 'p99', 'p99_9', 'max', 'mean'],
};

const kindResult: SchemaObject = {
  type: 'object',
  properties: { count: num, bytes: num, latency: percentiles, lockWait: percentiles, latencyHistogram: str, lockWaitHistogram: str },
  required: ['count', 'bytes', 'latency', 'lockWait', 'latencyHistogram', 'lockWaitHistogram'],
};

const lockClassStats: SchemaObject = {
  type: 'object',
  properties: { acquisitions: num, contentions: num, waitTotalNs: num, waitMaxNs: num, holdTotalNs: num, spins: num, spinNs: num },
  required: ['acquisitions', 'contentions', 'waitTotalNs', 'waitMaxNs', 'holdTotalNs', 'spins', 'spinNs'],
};

const blockedTask: SchemaObject = {
  type: 'object',
  properties: {
    pid: num, comm: str, opId: num, kind: str, file: str, lockClass: str, lockKey: str, mode: str, start: num, end: numOrNull, sinceNs: num,
    waitsFor: { type: 'array', items: num },
  },
  required: ['pid', 'comm', 'opId', 'kind', 'file', 'lockClass', 'lockKey', 'mode', 'start', 'end', 'sinceNs', 'waitsFor'],
};

const raceSide: SchemaObject = {
  type: 'object',
  properties: { opId: num, pid: num, comm: str, kind: str, start: num, end: numOrNull, fromNs: num, toNs: num },
  required: ['opId', 'pid', 'comm', 'kind', 'start', 'end', 'fromNs', 'toNs'],
};

const race: SchemaObject = {
  type: 'object',
  properties: { file: str, class: str, consequence: str, a: raceSide, b: raceSide },
  required: ['file', 'class', 'consequence', 'a', 'b'],
};

const raceClass: SchemaObject = {
  type: 'object',
  properties: { class: str, severity: { type: 'string', enum: ['data', 'ordering'] }, consequence: str, count: num, first: { type: 'array', items: race } },
  required: ['class', 'severity', 'consequence', 'count', 'first'],
};

const timeline: SchemaObject = {
  type: 'object',
  properties: { intervalNs: num, startNs: num, opsPerSec: { type: 'array', items: num }, p99Ns: { type: 'array', items: num } },
  required: ['intervalNs', 'startNs', 'opsPerSec', 'p99Ns'],
};

const strategyResult: SchemaObject = {
  type: 'object',
  properties: {
    strategy: str,
    strategyOptions: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, required: [] },
    completedOps: num,
    throughput: { type: 'object', properties: { opsPerSec: num, mibPerSec: num, makespanNs: num }, required: ['opsPerSec', 'mibPerSec', 'makespanNs'] },
    all: kindResult,
    byKind: { type: 'object', additionalProperties: kindResult, required: [] },
    locks: { type: 'object', additionalProperties: lockClassStats, required: [] },
    cpuWaitTotalNs: num,
    cpu: { type: 'object', properties: { busyNs: num, spinNs: num, utilisation: num }, required: ['busyNs', 'spinNs', 'utilisation'] },
    timeline,
    races: { type: 'object', properties: { count: num, ordering: num, byClass: { type: 'array', items: raceClass } }, required: ['count', 'ordering', 'byClass'] },
    deadlock: {
      type: ['object', 'null'],
      properties: { atNs: num, reason: { type: 'string', enum: ['cycle', 'stall'] }, cycle: { type: 'array', items: blockedTask }, blocked: { type: 'array', items: blockedTask } },
      required: ['atNs', 'reason', 'cycle', 'blocked'],
    },
  },
  required: ['strategy', 'strategyOptions', 'completedOps', 'throughput', 'all', 'byKind', 'locks', 'cpuWaitTotalNs', 'cpu', 'timeline', 'races', 'deadlock'],
};

const lineAccounting: SchemaObject = {
  type: 'object',
  properties: { total: num, used: num, skipped: counts, bad: num, badSamples: strings },
  required: ['total', 'used', 'skipped', 'bad', 'badSamples'],
};

const observedWaits: SchemaObject = {
  type: 'object',
  properties: {
    waits: num, attributed: num, removedNs: num, keptNs: num,
    byKind: { type: 'object', additionalProperties: { type: 'object', properties: { waits: num, removedNs: num }, required: ['waits', 'removedNs'] }, required: [] },
    kept: bool,
  },
  required: ['waits', 'attributed', 'removedNs', 'keptNs', 'byKind', 'kept'],
};

const ranking: SchemaObject = {
  type: ['object', 'null'],
  properties: { strategy: str, vsNone: numOrNull, tiedWith: strings },
  required: ['strategy', 'vsNone', 'tiedWith'],
};

const verdict: SchemaObject = {
  type: 'object',
  properties: {
    safe: strings,
    unsafe: { type: 'array', items: { type: 'object', properties: { strategy: str, races: num, deadlock: bool }, required: ['strategy', 'races', 'deadlock'] } },
    fastestByThroughput: ranking,
    throughputRanks: bool,
    fastestByP99: ranking,
    p99Ranks: bool,
    cpuSaturated: bool,
    text: str,
  },
  required: ['safe', 'unsafe', 'fastestByThroughput', 'throughputRanks', 'fastestByP99', 'p99Ranks', 'cpuSaturated', 'text'],
};

export const RESULT_JSON_SCHEMA: SchemaObject = {
  $id: 'https://lockreplay.dev/schema/lockreplay-result-2.json',
  type: 'object',
  properties: {
    schema: { type: 'string', const: RESULT_SCHEMA },
    tool: { type: 'object', properties: { name: { type: 'string', const: 'lockreplay' }, version: str }, required: ['name', 'version'] },
    input: {
      type: 'object',
      properties: { trace: str, opsDigest: str, format: str, lines: lineAccounting, ops: num, files: num, cpusInTrace: numOrNull },
      required: ['trace', 'opsDigest', 'format', 'lines', 'ops', 'files', 'cpusInTrace'],
    },
    options: {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['closed', 'open'] },
        timeScale: num,
        cpus: int,
        mmapLock: bool,
        spin: bool,
        keepObservedWaits: bool,
        costs: {
          type: 'object',
          properties: { atomicNs: num, cacheMissNs: num, wakeupNs: num, spinBaseNs: num, perNodeNs: num },
          required: ['atomicNs', 'cacheMissNs', 'wakeupNs', 'spinBaseNs', 'perNodeNs'],
        },
        cpusSource: { type: 'string', enum: ['flag', 'trace', 'default'] },
        pageSizeBytes: num,
        files: strings,
        tasks: strings,
      },
      required: ['mode', 'timeScale', 'cpus', 'mmapLock', 'spin', 'keepObservedWaits', 'costs', 'cpusSource', 'pageSizeBytes', 'files', 'tasks'],
    },
    serviceTime: {
      type: 'object',
      properties: {
        observed: num,
        modelled: num,
        modelledByKind: counts,
        model: {
          type: 'object',
          properties: { byKindAndSize: { type: 'object', additionalProperties: counts, required: [] }, byKind: counts, defaultBaseNs: num, defaultPerPageNs: num },
          required: ['byKindAndSize', 'byKind', 'defaultBaseNs', 'defaultPerPageNs'],
        },
        observedWaits,
      },
      required: ['observed', 'modelled', 'modelledByKind', 'model', 'observedWaits'],
    },
    results: { type: 'array', items: strategyResult },
    baseline: { type: ['string', 'null'] },
    comparison: {
      type: 'array',
      items: {
        type: 'object',
        properties: { strategy: str, throughputRatio: numOrNull, p99Ratio: numOrNull, lockWaitRatio: numOrNull, races: num, deadlock: bool },
        required: ['strategy', 'throughputRatio', 'p99Ratio', 'lockWaitRatio', 'races', 'deadlock'],
      },
    },
    verdict,
    warnings: strings,
  },
  required: ['schema', 'tool', 'input', 'options', 'serviceTime', 'results', 'baseline', 'comparison', 'verdict', 'warnings'],
};
