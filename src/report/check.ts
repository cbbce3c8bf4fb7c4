/**
 * `lockreplay check`: compares a result with a baseline result, strategy by strategy and metric by
 * metric, and says which metrics regressed beyond their threshold. Replays are deterministic, so a
 * threshold of 0 is meaningful: any change in the worse direction is a regression.
 */
import { ExitCode, LockreplayError } from '../errors.js';
import { expectString } from '../util/arguments.js';
import type { ReplayResult, StrategyResult } from '../model/result.js';
import { labelOf, repeatedLabel } from '../model/labels.js';
import { CONFLICT_CLASSES } from '../model/conflicts.js';
import { optionDifference, serviceTimeDifference } from '../model/comparable.js';

export interface Threshold {
  /** relative (fraction of the baseline) or absolute (in the metric's unit) */
  relative: boolean;
  value: number;
}

/** metric → how much worse it may get; unnamed metrics default to 0 */
export type Thresholds = Record<string, Threshold>;

export const CHECK_METRICS = ['throughput', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'lockwait', 'races', 'deadlock', 'completed'] as const;

/**
 * The metrics measured over the ops a run completed: compared only when both runs completed as
 * many (a run that deadlocked stopped early; its numbers cover the ops done before the deadlock).
 */
const OVER_COMPLETED_OPS: readonly string[] = ['throughput', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'lockwait'];

export interface CheckRow {
  strategy: string;
  /** e.g. "p99", or "p99[write]" for a per-kind metric */
  metric: string;
  baseline: number;
  current: number;
  /** current − baseline, signed so that positive is worse */
  worseBy: number;
  /** allowed worsening in the metric's unit */
  allowed: number;
  pass: boolean;
  /**
   * why the row was not compared (it passes): a latency, throughput or lock wait of runs that
   * completed different numbers of ops (one of them deadlocked) measures different ops
   */
  skipped?: string;
}

export interface CheckReport {
  trace: string;
  baselineTrace: string;
  rows: CheckRow[];
  regressions: number;
  /** rows not compared (see CheckRow.skipped) */
  skipped: number;
  /** what may make the comparison mean less without refusing it (results of different lockreplay versions) */
  warnings: string[];
  /** strategies in the result with no counterpart in the baseline (not checked) */
  unmatched: string[];
  /**
   * strategies of the baseline missing from the result: each is a failed `present` row (a gate
   * must not pass because what it guards was not run)
   */
  missing: string[];
}

export function parseThresholds(spec: string | undefined): Thresholds {
  const out: Thresholds = {};
  if (spec !== undefined) expectString(spec, 'thresholds spec');
  if (spec === undefined || spec.trim() === '') return out;
  const given = new Set<string>();
  for (const part of spec.split(',')) {
    const m = /^\s*([a-z0-9.]+)\s*=\s*([0-9.]+)\s*(%?)\s*$/i.exec(part);
    if (!m || !(CHECK_METRICS as readonly string[]).includes(m[1])) {
      throw new LockreplayError(`--threshold ${part.trim()}: expected METRIC=N% or METRIC=N, with METRIC one of ${CHECK_METRICS.join(', ')}`, ExitCode.usage);
    }
    if (given.has(m[1])) throw new LockreplayError(`--threshold ${part.trim()}: ${m[1]} is given twice (which one counts?): give each metric once`, ExitCode.usage);
    given.add(m[1]);
    const value = Number(m[2]);
    if (Number.isNaN(value)) throw new LockreplayError(`--threshold ${part.trim()}: not a number`, ExitCode.usage);
    if (!Number.isFinite(value) || !Number.isFinite(m[3] === '%' ? value / 100 : value)) throw new LockreplayError(`--threshold ${part.trim()}: too large`, ExitCode.usage);
    out[m[1]] = { relative: m[3] === '%', value: m[3] === '%' ? value / 100 : value };
  }
  return out;
}

/**
 * Refuses to compare results of different traces, options or service times: the numbers would mean
 * nothing. (The same ops, by opsDigest, with other kernel lock waits or task sleeps replay other
 * service times: serviceTime records them.)
 */
export function assertComparable(current: ReplayResult, baseline: ReplayResult, currentName: string, baselineName: string): void {
  const fail = (what: string): never => {
    throw new LockreplayError(`${currentName} and ${baselineName} cannot be compared: ${what}`, ExitCode.incompatible);
  };
  if (current.input.opsDigest !== baseline.input.opsDigest) fail(`they replay different ops (digest ${current.input.opsDigest} vs ${baseline.input.opsDigest}): a different trace or selection`);
  // (in closed mode ops issue when their task's previous op completes: --time-scale changes nothing)
  const option = optionDifference(current, baseline, current.options.mode === 'closed' && baseline.options.mode === 'closed' ? ['timeScale'] : []);
  if (option !== undefined) fail(option);
  const service = serviceTimeDifference(current, baseline);
  if (service !== undefined) fail(service);
}

function metricValue(s: StrategyResult, metric: string): number {
  const l = s.all.latency;
  switch (metric) {
    case 'throughput': return s.throughput.opsPerSec;
    case 'p50': return l.p50;
    case 'p90': return l.p90;
    case 'p99': return l.p99;
    case 'p99.9': return l.p99_9;
    case 'max': return l.max;
    case 'mean': return l.mean;
    case 'lockwait': return Object.values(s.locks).reduce((a, c) => a + c.waitTotalNs, 0);
    case 'races': return s.races.count;
    case 'completed': return s.completedOps;
    default: return s.deadlock === null ? 0 : 1;
  }
}

/** what the messages of `check` call the two results (the CLI: their paths) */
export interface CheckNames {
  current: string;
  baseline: string;
}

/**
 * Refuses (exit 2) thresholds `check` would not use as given: a key that is no metric (a typo such as
 * `throughtput` was silently ignored, leaving that metric at 0) or a value that is not a finite number
 * of 0 or more. A relative threshold's value is a fraction of the baseline (0.05 is 5%).
 */
export function assertThresholds(thresholds: Thresholds): void {
  if (thresholds === null || typeof thresholds !== 'object' || Array.isArray(thresholds)) throw new LockreplayError('thresholds: expected an object of METRIC: { relative, value }', ExitCode.usage);
  for (const key of Object.keys(thresholds)) {
    if (!(CHECK_METRICS as readonly string[]).includes(key)) throw new LockreplayError(`threshold "${key}": not a metric (expected one of ${CHECK_METRICS.join(', ')})`, ExitCode.usage);
    const t = thresholds[key] as Partial<Threshold> | null;
    if (t === null || typeof t !== 'object' || typeof t.relative !== 'boolean' || typeof t.value !== 'number' || !Number.isFinite(t.value) || t.value < 0) {
      throw new LockreplayError(`threshold "${key}": expected { relative: boolean, value: a finite number >= 0 } (a relative value is a fraction: 0.05 is 5%)`, ExitCode.usage);
    }
  }
}

/**
 * Compares `current` with `baseline`, strategy by strategy and metric by metric. Refuses (exit 11)
 * results that cannot be compared (assertComparable) and (exit 2) thresholds that are not metrics.
 */
export function check(current: ReplayResult, baseline: ReplayResult, thresholds: Thresholds, names: CheckNames = { current: 'the result', baseline: 'the baseline' }): CheckReport {
  assertThresholds(thresholds);
  assertComparable(current, baseline, names.current, names.baseline);
  // (rows name strategies by label: two under one label would be checked twice, or, in the baseline, the last would win)
  for (const [r, name] of [[current, names.current], [baseline, names.baseline]] as const) {
    const twice = repeatedLabel(r.results.map(labelOf));
    if (twice !== undefined) throw new LockreplayError(`${name} holds two strategies labelled ${twice}: which one to compare is ambiguous (compare refuses such runs)`, ExitCode.incompatible);
  }
  const rows: CheckRow[] = [];
  const unmatched: string[] = [];
  const base = new Map(baseline.results.map((s) => [labelOf(s), s]));
  for (const s of current.results) {
    const label = labelOf(s);
    const b = base.get(label);
    if (b === undefined) {
      unmatched.push(label);
      continue;
    }
    // (a deadlock stops a run early: the latencies and the throughput of runs that completed
    // different numbers of ops are of different ops; the `completed` and `deadlock` rows judge them)
    const sameOps = s.completedOps === b.completedOps;
    const note = sameOps ? undefined : `not comparable: the baseline completed ${b.completedOps} ops${b.deadlock === null ? '' : ' (deadlocked)'}, the result ${s.completedOps}${s.deadlock === null ? '' : ' (deadlocked)'}`;
    const add = (metric: string, thresholdKey: string, cur: number, was: number, higherIsBetter: boolean): void => {
      const t = Object.hasOwn(thresholds, thresholdKey) ? thresholds[thresholdKey] : { relative: false, value: 0 };
      const allowed = t.relative ? Math.abs(was) * t.value : t.value;
      const worseBy = higherIsBetter ? was - cur : cur - was;
      const row: CheckRow = { strategy: label, metric, baseline: was, current: cur, worseBy: round(worseBy), allowed: round(allowed), pass: worseBy <= allowed + 1e-9 };
      if (note !== undefined && (OVER_COMPLETED_OPS.includes(thresholdKey))) {
        row.pass = true;
        row.skipped = note;
      }
      rows.push(row);
    };
    for (const m of CHECK_METRICS) add(m, m, metricValue(s, m), metricValue(b, m), m === 'throughput' || m === 'completed');
    for (const [kind, k] of Object.entries(s.byKind)) {
      const bk = Object.hasOwn(b.byKind, kind) ? b.byKind[kind] : undefined;
      if (bk !== undefined) add(`p99[${kind}]`, 'p99', k.latency.p99, bk.latency.p99, false);
    }
    // an op kind of the baseline the result has no op of (a run that stopped early, on a deadlock):
    // its p99 cannot be checked, which is a regression, as a missing strategy is
    for (const [kind, bk] of Object.entries(b.byKind)) {
      if (!Object.hasOwn(s.byKind, kind) && bk.count > 0) rows.push({ strategy: label, metric: `present[${kind}]`, baseline: bk.count, current: 0, worseBy: bk.count, allowed: 0, pass: false });
    }
    // race counts per conflict class (ordering overlaps are not races: they do not gate)
    const present = new Set([...s.races.byClass, ...b.races.byClass].map((c) => c.class));
    for (const c of CONFLICT_CLASSES) if (c.severity === 'data' && present.has(c.id)) add(`races[${c.id}]`, 'races', classCount(s, c.id), classCount(b, c.id), false);
  }
  const have = new Set(current.results.map(labelOf));
  const missing = baseline.results.map(labelOf).filter((l) => !have.has(l));
  if (rows.length === 0) {
    // (a result without strategies is said in words: "none" is a strategy's name)
    const listed = (r: ReplayResult): string => (r.results.length === 0 ? 'no strategies' : r.results.map(labelOf).join(', '));
    throw new LockreplayError(`no strategy of ${names.current} is in ${names.baseline} (${names.current}: ${listed(current)}; ${names.baseline}: ${listed(baseline)})`, ExitCode.incompatible);
  }
  for (const label of missing) rows.push({ strategy: label, metric: 'present', baseline: 1, current: 0, worseBy: 1, allowed: 0, pass: false });
  const warnings = current.tool.version === baseline.tool.version ? [] : [`${names.current} was made by lockreplay ${current.tool.version}, ${names.baseline} by ${baseline.tool.version}: their models may differ (make the baseline again with this version)`];
  return { trace: current.input.trace, baselineTrace: baseline.input.trace, rows, warnings, regressions: rows.filter((r) => !r.pass).length, skipped: rows.filter((r) => r.skipped !== undefined).length, unmatched, missing };
}

function classCount(s: StrategyResult, id: string): number {
  return s.races.byClass.find((c) => c.class === id)?.count ?? 0;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
