/**
 * What two results must share for their numbers to be compared (`check`) or added (`merge`): the
 * options of the replay, compared by value (the order of an object's keys is no difference: a
 * baseline reformatted with `jq -S` is the same baseline).
 */
import type { ReplayOptionsInfo, ReplayResult } from './result.js';

/** the replay options that change a result's numbers */
export const COMPARED_OPTIONS: readonly (keyof ReplayOptionsInfo)[] = ['mode', 'timeScale', 'cpus', 'mmapLock', 'spin', 'cpuModel', 'keepObservedWaits', 'costs', 'pageSizeBytes'];

/** the value of an option a result leaves out when it has it (written since a later version, or only when not the default) */
const OPTION_DEFAULTS: Partial<Record<keyof ReplayOptionsInfo, unknown>> = { cpuModel: 'per-segment' };

/** JSON with every object's keys sorted, recursively: equal values give equal text, whatever their key order */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
  return out;
}

/** the same value, whatever the order of its objects' keys */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** the first option of COMPARED_OPTIONS the two results differ in, with both values; `skip` leaves some out */
export function optionDifference(a: ReplayResult, b: ReplayResult, skip: readonly string[] = []): string | undefined {
  for (const k of COMPARED_OPTIONS) {
    if (skip.includes(k)) continue;
    const x = a.options[k] ?? OPTION_DEFAULTS[k];
    const y = b.options[k] ?? OPTION_DEFAULTS[k];
    if (!sameValue(x, y)) return `option ${k} differs (${canonicalJson(x)} vs ${canonicalJson(y)})`;
  }
  return undefined;
}

/**
 * What the service times replayed were made of, as each result records it: counts of observed and
 * modelled service times, the model, the kernel's lock waits removed from them (observedWaits) and
 * the tasks' sleeps replayed off the CPUs (offCpu). The same ops (opsDigest) with other waits or
 * sleeps (a trace imported with --no-locks, or another capture of the same ops) replay other
 * service times: every number differs. The first part that differs, described, if any.
 */
export function serviceTimeDifference(a: ReplayResult, b: ReplayResult): string | undefined {
  const x = a.serviceTime as unknown as Record<string, unknown>;
  const y = b.serviceTime as unknown as Record<string, unknown>;
  const what: Record<string, string> = {
    observed: 'the count of ops with an observed service time',
    modelled: 'the count of ops with a modelled service time',
    modelledByKind: 'the modelled service times per op kind',
    model: 'the service-time model',
    observedWaits: "the kernel's lock waits removed from service times",
    offCpu: "the tasks' sleeps replayed off the CPUs",
  };
  const keys = [...new Set([...Object.keys(what), ...Object.keys(x), ...Object.keys(y)])];
  for (const k of keys) {
    if (sameValue(x[k], y[k])) continue;
    return `they replay other service times: serviceTime.${k} differs (${what[k] ?? 'a field of the service times'}: ${summary(k, x[k])} vs ${summary(k, y[k])}): the same ops with other lock or scheduler events (a trace imported with --no-locks, another capture)`;
  }
  return undefined;
}

function summary(key: string, v: unknown): string {
  if (v === undefined) return 'none';
  if (key === 'observedWaits' && v !== null && typeof v === 'object') {
    const w = v as { waits?: unknown; removedNs?: unknown };
    return `${String(w.waits)} waits, ${String(w.removedNs)} ns removed`;
  }
  if (key === 'offCpu' && v !== null && typeof v === 'object') {
    const o = v as { ops?: unknown; asleepNs?: unknown };
    return `${String(o.ops)} ops, ${String(o.asleepNs)} ns asleep`;
  }
  const text = canonicalJson(v);
  return text.length <= 80 ? text : `${text.slice(0, 77)}...`;
}
