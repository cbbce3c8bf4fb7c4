/**
 * `lockreplay merge`: adds results made with the same strategies and options (shards of a trace
 * replayed in parallel, e.g. by a CI matrix): histograms add, counters add, maxima take the max,
 * makespans add (shards are consecutive slices of time), percentiles are derived again, timelines are
 * put on the trace's clock (merge-timeline.ts); and results of the same ops with other strategies
 * (shards by strategy), whose strategy entries are listed together.
 */
import { ExitCode, LockreplayError } from '../errors.js';
import type { KindResult, ReplayResult, StrategyResult } from '../model/result.js';
import { compareToBaseline, labelOf, repeatedLabel } from '../model/labels.js';
import { optionDifference, serviceTimeDifference } from '../model/comparable.js';
import { decodeHistogram, encodeHistogram, percentiles } from '../stats/histogram.js';
import type { LockClassStats } from '../engine/simulator.js';
import type { RaceClassReport, RaceReport } from '../engine/races.js';
import { CONFLICT_CLASSES } from '../model/conflicts.js';
import { verdictOf } from '../model/verdict.js';
import { resultSchemaErrors } from '../util/result-validator.js';
import { mergedFirstOpTsNs, mergeTimelines, timelineWarnings } from './merge-timeline.js';
import type { ObservedWaitSummary } from './observed-waits.js';
import type { OffCpuSummary } from '../model/result.js';

function mergeKind(a: KindResult, b: KindResult): KindResult {
  const lat = decodeHistogram(a.latencyHistogram);
  lat.add(decodeHistogram(b.latencyHistogram));
  const wait = decodeHistogram(a.lockWaitHistogram);
  wait.add(decodeHistogram(b.lockWaitHistogram));
  // a decoded histogram knows its maximum only to its precision: keep the exact one
  return {
    count: a.count + b.count,
    bytes: a.bytes + b.bytes,
    // (each shard's mean is of its exact values: their weighted sum is the merged one's, to rounding)
    latency: percentiles(lat, Math.max(a.latency.max, b.latency.max), a.latency.mean * a.count + b.latency.mean * b.count),
    lockWait: percentiles(wait, Math.max(a.lockWait.max, b.lockWait.max), a.lockWait.mean * a.count + b.lockWait.mean * b.count),
    latencyHistogram: encodeHistogram(lat),
    lockWaitHistogram: encodeHistogram(wait),
  };
}

function mergeStrategy(a: StrategyResult, b: StrategyResult): StrategyResult {
  const byKind: Record<string, KindResult> = {};
  for (const kind of [...new Set([...Object.keys(a.byKind), ...Object.keys(b.byKind)])].sort()) {
    const x = a.byKind[kind];
    const y = b.byKind[kind];
    byKind[kind] = x === undefined ? (y as KindResult) : y === undefined ? x : mergeKind(x, y);
  }
  const locks: Record<string, LockClassStats> = {};
  for (const cls of [...new Set([...Object.keys(a.locks), ...Object.keys(b.locks)])].sort()) {
    const none: LockClassStats = { acquisitions: 0, contentions: 0, waitTotalNs: 0, waitMaxNs: 0, holdTotalNs: 0, spins: 0, spinNs: 0 };
    const x = a.locks[cls] ?? none;
    const y = b.locks[cls] ?? none;
    locks[cls] = {
      acquisitions: x.acquisitions + y.acquisitions, contentions: x.contentions + y.contentions,
      waitTotalNs: x.waitTotalNs + y.waitTotalNs, waitMaxNs: Math.max(x.waitMaxNs, y.waitMaxNs), holdTotalNs: x.holdTotalNs + y.holdTotalNs,
      spins: x.spins + y.spins, spinNs: x.spinNs + y.spinNs,
    };
  }
  const completedOps = a.completedOps + b.completedOps;
  const makespanNs = a.throughput.makespanNs + b.throughput.makespanNs;
  const all = mergeKind(a.all, b.all);
  const s = makespanNs / 1e9;
  return {
    strategy: a.strategy,
    strategyOptions: a.strategyOptions,
    completedOps,
    throughput: { opsPerSec: s > 0 ? Math.round((completedOps / s) * 1000) / 1000 : 0, mibPerSec: s > 0 ? Math.round((all.bytes / 1048576 / s) * 1000) / 1000 : 0, makespanNs },
    all,
    byKind,
    locks,
    cpuWaitTotalNs: a.cpuWaitTotalNs + b.cpuWaitTotalNs,
    cpu: mergeCpu(a, b),
    // (put together from every shard's once they are all merged: mergeTimelines)
    timeline: a.timeline,
    races: mergeRaces(a.races, b.races),
    deadlock: a.deadlock ?? b.deadlock,
  };
}

/** busy and spin times add; utilisation is busy over the CPUs' capacity over both makespans */
function mergeCpu(a: StrategyResult, b: StrategyResult): StrategyResult['cpu'] {
  const busyNs = a.cpu.busyNs + b.cpu.busyNs;
  const capacity = (a.cpu.utilisation > 0 ? a.cpu.busyNs / a.cpu.utilisation : 0) + (b.cpu.utilisation > 0 ? b.cpu.busyNs / b.cpu.utilisation : 0);
  return { busyNs, spinNs: a.cpu.spinNs + b.cpu.spinNs, utilisation: capacity > 0 ? Math.round((busyNs / capacity) * 10000) / 10000 : 0 };
}

/** counts per class add; each class keeps its first examples, the earlier shard's first */
function mergeRaces(a: RaceReport, b: RaceReport): RaceReport {
  const byClass: RaceClassReport[] = [];
  for (const c of CONFLICT_CLASSES) {
    const x = a.byClass.find((r) => r.class === c.id);
    const y = b.byClass.find((r) => r.class === c.id);
    if (x === undefined && y === undefined) continue;
    const listed = Math.max(x?.first.length ?? 0, y?.first.length ?? 0);
    byClass.push({ class: c.id, severity: c.severity, consequence: c.consequence, count: (x?.count ?? 0) + (y?.count ?? 0), first: [...(x?.first ?? []), ...(y?.first ?? [])].slice(0, listed) });
  }
  return { count: a.count + b.count, ordering: a.ordering + b.ordering, byClass };
}

/**
 * The digest of a merge of time or selection shards: "merged(D1,D2,...)" with every shard's own digest
 * (a merged shard's taken apart), sorted, so that the digest does not depend on the order the shards
 * were given in or on how merges were nested: merge t2 t1 is checked against merge t1 t2.
 */
function mergedDigest(results: ReplayResult[]): string {
  const digests = results.flatMap((r) => r.input.opsDigest.split(/[(),]/).filter((d) => d !== '' && d !== 'merged'));
  return `merged(${digests.sort().join(',')})`;
}

/** the op digests of the shards a result is made of (a merged result's digest names its shards') */
function shardDigests(r: ReplayResult): string[] {
  // (an empty shard's digest, "...-0", is every empty shard's: it names no ops to count twice)
  return r.input.opsDigest.split(/[(),]/).filter((d) => d !== '' && d !== 'merged' && !d.endsWith('-0'));
}

/**
 * Refuses (exit 11) a shard given twice: the same ops (opsDigest, or a merged result's shards') or the
 * same file content. Its ops, lines and histograms would be counted twice. (Shards without ops all
 * have one digest: only their content is compared.)
 */
function refuseDuplicateShards(results: ReplayResult[], names: string[]): void {
  const byDigest = new Map<string, number>();
  const byContent = new Map<string, number>();
  results.forEach((r, i) => {
    const content = JSON.stringify(r);
    const sameContent = byContent.get(content);
    if (sameContent !== undefined) {
      const twice = names[i] === names[sameContent] ? `${names[i]} is given twice` : `${names[i]} is the same result as ${names[sameContent]}`;
      throw new LockreplayError(`${twice}: merging a shard twice counts its ops twice`, ExitCode.incompatible);
    }
    byContent.set(content, i);
    if (r.input.ops === 0) return;
    for (const digest of shardDigests(r)) {
      const same = byDigest.get(digest);
      if (same !== undefined && same !== i) throw new LockreplayError(`${names[i]} holds the same ops as ${names[same]} (opsDigest ${digest}): merging a shard twice counts its ops twice`, ExitCode.incompatible);
      byDigest.set(digest, i);
    }
  });
}

/** the same --file and --task selection of the same trace (its name and line count): line counts compare */
function sameSelection(a: ReplayResult, b: ReplayResult): boolean {
  return a.input.trace === b.input.trace && a.input.lines.total === b.input.lines.total && JSON.stringify(a.options.files) === JSON.stringify(b.options.files) && JSON.stringify(a.options.tasks) === JSON.stringify(b.options.tasks);
}

/** --file or --task lists that select disjoint ops (files by key; tasks all by PID or all by name) */
function disjointSelections(a: ReplayResult, b: ReplayResult): boolean {
  const apart = (x: string[], y: string[]): boolean => x.length > 0 && y.length > 0 && !x.some((v) => y.includes(v));
  const pids = (x: string[]): boolean => x.every((v) => /^\d+$/.test(v));
  if (apart(a.options.files, b.options.files)) return true;
  return apart(a.options.tasks, b.options.tasks) && pids(a.options.tasks) === pids(b.options.tasks) && pids(a.options.tasks) === pids([...a.options.tasks, ...b.options.tasks]);
}

/** lines of the trace a shard's --file/--task selection offers: those it used and those --from/--to left out */
function selectable(r: ReplayResult): number {
  return r.input.lines.used + (r.input.lines.skipped['filtered-time'] ?? 0);
}

/**
 * Refuses (exit 11) time shards that overlap, where their line counts prove it: shards of one trace
 * with one --file/--task selection are offered the same lines (used, or left out by --from/--to), and
 * two shards that used more of them together than there are share some (`--to +0.66` and
 * `--from +0.5`). Results do not record their --from/--to: a window inside another can use fewer and
 * is not caught (overlapWarnings says what cannot be checked).
 */
function refuseOverlappingShards(results: ReplayResult[], names: string[]): void {
  for (let i = 0; i < results.length; i++) {
    for (let j = i + 1; j < results.length; j++) {
      const a = results[i];
      const b = results[j];
      if (isMerged(a) || isMerged(b) || !sameSelection(a, b)) continue;
      const offered = Math.max(selectable(a), selectable(b));
      const shared = a.input.lines.used + b.input.lines.used - offered;
      if (shared > 0) {
        throw new LockreplayError(`${names[i]} and ${names[j]} overlap: they used ${a.input.lines.used} and ${b.input.lines.used} of the same ${offered} lines of ${a.input.trace}, so at least ${shared} in both (their --from/--to windows overlap); merging them counts those ops twice`, ExitCode.incompatible);
      }
    }
  }
}

function isMerged(r: ReplayResult): boolean {
  return r.input.opsDigest.startsWith('merged(');
}

/** what the overlap check cannot see: shards of one trace with other selections, or merged ones */
function overlapWarnings(results: ReplayResult[], names: string[]): string[] {
  const warnings: string[] = [];
  for (let i = 0; i < results.length; i++) {
    for (let j = i + 1; j < results.length; j++) {
      const a = results[i];
      const b = results[j];
      const traces = new Set(a.input.trace.split(' + '));
      if (!b.input.trace.split(' + ').some((t) => traces.has(t))) continue;
      if (isMerged(a) || isMerged(b)) warnings.push(`merge: ${names[i]} and ${names[j]} are shards of the same trace and ${isMerged(a) ? names[i] : names[j]} is merged already: whether they overlap cannot be checked (a merged result records no line counts per shard)`);
      else if (!sameSelection(a, b) && !disjointSelections(a, b)) warnings.push(`merge: ${names[i]} and ${names[j]} are shards of the same trace with other --file/--task selections (${JSON.stringify([...a.options.files, ...a.options.tasks])} vs ${JSON.stringify([...b.options.files, ...b.options.tasks])}): whether they overlap cannot be checked (results do not record their --from/--to windows)`);
      // shards by file or task ran at the same time in the trace; merge adds makespans, as for time slices
      if (!isMerged(a) && !isMerged(b) && !sameSelection(a, b)) warnings.push(`merge: ${names[i]} and ${names[j]} are other --file/--task selections of the same trace, whose ops ran at the same time: merge adds their makespans as if one came after the other, so the merged throughput is below that of one replay of both (whose ops would also meet each other's CPUs and locks): replay the selections together for their throughput`);
    }
  }
  return warnings;
}

/**
 * What merging these results may get wrong without being refused: shards of different traces (the
 * merged result adds them as if they were slices of one), results of different lockreplay versions
 * (their models may differ). Said as warnings in the merged result and by the command.
 */
export function mergeWarnings(results: ReplayResult[], names: string[]): string[] {
  const warnings: string[] = [];
  const traces = [...new Set(results.flatMap((r) => r.input.trace.split(' + ')))];
  // (shards by strategy replay the same ops: another name for the trace is no other trace)
  const sameOps = results.every((r) => r.input.opsDigest === results[0].input.opsDigest);
  if (traces.length > 1 && !sameOps) warnings.push(`merge: the results are of ${traces.length} different traces (${traces.join(', ')}): they are added as if they were slices of one`);
  if (!sameOps) warnings.push(...overlapWarnings(results, names), ...timelineWarnings(results, names));
  const versions = [...new Set(results.map((r) => r.tool.version))];
  if (versions.length > 1) warnings.push(`merge: the results were made by different lockreplay versions (${results.map((r, i) => `${names[i]}: ${r.tool.version}`).join(', ')}): their models may differ`);
  return warnings;
}

export function mergeResults(results: ReplayResult[], names: string[]): ReplayResult {
  if (results.length === 0) throw new LockreplayError('merge needs at least one result', ExitCode.usage);
  if (!Array.isArray(names) || names.length !== results.length) throw new LockreplayError(`mergeResults: names must name each result (${results.length} names, one per result, for the messages)`, ExitCode.usage);
  const first = results[0];
  const labels = first.results.map(labelOf);
  results.forEach((r, i) => {
    // (compared by value: the order of the keys of `costs` is no difference)
    const option = optionDifference(r, first);
    if (option !== undefined) throw new LockreplayError(`${names[i]} cannot be merged with ${names[0]}: ${option}`, ExitCode.incompatible);
  });
  // shards by strategy: the same ops, each shard its own strategies (a CI matrix of compare -s A, -s B)
  if (results.length > 1 && results.every((r) => r.input.opsDigest === first.input.opsDigest) && repeatedLabel(results.flatMap((r) => r.results.map(labelOf))) === undefined) {
    return mergeStrategyShards(results, names);
  }
  results.forEach((r, i) => {
    const other = r.results.map(labelOf);
    if (JSON.stringify(other) !== JSON.stringify(labels)) {
      const kinds = r.input.opsDigest === first.input.opsDigest
        ? `they replay the same ops, so they can be shards by strategy, but ${other.filter((l) => labels.includes(l)).join(', ')} ${other.filter((l) => labels.includes(l)).length === 1 ? 'is' : 'are'} in both`
        : `they replay other ops too (a shard by time or selection needs the same strategies, a shard by strategy the same ops): merge the strategy shards of each slice first, then the slices`;
      throw new LockreplayError(`${names[i]} cannot be merged with ${names[0]}: its strategies differ (${other.join(', ')} vs ${labels.join(', ')}); ${kinds}`, ExitCode.incompatible);
    }
  });
  // (after the strategies and options: a result with other ones is no shard of this run at all)
  refuseDuplicateShards(results, names);
  refuseOverlappingShards(results, names);
  // (a shard's own warnings say which shard they are of: two shards that deadlocked each warned
  // "deadlock at 0.050 ms", the same words, of different runs)
  const ofShard = (r: ReplayResult, i: number): string[] => (results.length > 1 ? r.warnings.map((w) => `${names[i]}: ${w}`) : r.warnings);
  let merged: ReplayResult = { ...first, warnings: ofShard(first, 0) };
  for (let shard = 1; shard < results.length; shard++) {
    const r = results[shard];
    const mergedResults = merged.results.map((s, i) => mergeStrategy(s, r.results[i]));
    const skipped: Record<string, number> = { ...merged.input.lines.skipped };
    for (const [k, v] of Object.entries(r.input.lines.skipped)) skipped[k] = (skipped[k] ?? 0) + v;
    merged = {
      ...merged,
      input: {
        trace: `${merged.input.trace} + ${r.input.trace}`,
        opsDigest: mergedDigest([merged, r]),
        format: merged.input.format === r.input.format ? merged.input.format : 'mixed',
        lines: {
          total: merged.input.lines.total + r.input.lines.total, used: merged.input.lines.used + r.input.lines.used,
          skipped: Object.fromEntries(Object.entries(skipped).sort((x, y) => (x[0] < y[0] ? -1 : 1))),
          bad: merged.input.lines.bad + r.input.lines.bad, badSamples: [...merged.input.lines.badSamples, ...r.input.lines.badSamples].slice(0, 10),
        },
        ops: merged.input.ops + r.input.ops,
        files: Math.max(merged.input.files, r.input.files),
        cpusInTrace: merged.input.cpusInTrace,
      },
      serviceTime: {
        ...merged.serviceTime,
        observed: merged.serviceTime.observed + r.serviceTime.observed,
        modelled: merged.serviceTime.modelled + r.serviceTime.modelled,
        modelledByKind: addCounts(merged.serviceTime.modelledByKind, r.serviceTime.modelledByKind),
        observedWaits: mergeWaits(merged.serviceTime.observedWaits, r.serviceTime.observedWaits),
        ...mergeOffCpu(merged.serviceTime.offCpu, r.serviceTime.offCpu),
      },
      results: mergedResults,
      warnings: [...merged.warnings, ...ofShard(r, shard)],
    };
  }
  const timelines = mergeTimelines(results, names);
  const firstOpTsNs = mergedFirstOpTsNs(results);
  merged = {
    ...merged,
    input: { ...merged.input, ...(firstOpTsNs !== undefined ? { firstOpTsNs } : {}) },
    results: merged.results.map((s, j) => ({ ...s, timeline: timelines[j] })),
  };
  refuseBeyondBounds(merged, names);
  const base = merged.results.find((s) => labelOf(s) === merged.baseline) ?? merged.results[0];
  const warnings = mergeWarnings(results, names).filter((w) => !merged.warnings.includes(w));
  return { ...merged, warnings: [...merged.warnings, ...warnings], comparison: compareToBaseline(merged.results, base), verdict: verdictOf(merged.results, labelOf, merged.options.mode) };
}

/**
 * Merges shards by strategy: results of the same ops and options, each with its own strategies (a CI
 * matrix running compare -s A and compare -s B). The strategy entries are taken as they are, in the
 * order of the shards given, then each shard's own order: what compare -s A,B writes for them. The
 * input and service times are the first shard's (the same ops: the same lines and service times);
 * the baseline is chosen again by compare's default rule (the first strategy without races or
 * deadlock, else the first), and the ratios and the verdict are derived again; the warnings are
 * every shard's, each once.
 */
function mergeStrategyShards(results: ReplayResult[], names: string[]): ReplayResult {
  const first = results[0];
  // the same ops with other service times (a --no-locks import of the same capture) are another run
  results.forEach((r, i) => {
    const differs = serviceTimeDifference(r, first);
    if (differs !== undefined) throw new LockreplayError(`${names[i]} cannot be merged with ${names[0]}: ${differs}`, ExitCode.incompatible);
  });
  const strategies = results.flatMap((r) => r.results);
  const base = strategies.find((r) => r.races.count === 0 && r.deadlock === null) ?? strategies[0];
  const warnings = [...new Set([...results.flatMap((r) => r.warnings), ...mergeWarnings(results, names)])];
  return {
    ...first,
    results: strategies,
    baseline: base === undefined ? null : labelOf(base),
    comparison: base === undefined ? [] : compareToBaseline(strategies, base),
    verdict: verdictOf(strategies, labelOf, first.options.mode),
    warnings,
  };
}

/**
 * Refuses (exit 11) a merged result that no reader (merge's own loader included) takes: a sum beyond
 * the result's bounds (model/result-schema.ts: makespans of 2^53 − 1 ns each add past the 2^53 − 1 ns
 * a replay keeps exact; counts past 2^53 − 1). The shards are within them, so only a sum can be
 * beyond; checked as it is written (a range to the end of a file, Infinity in memory, is null there).
 */
function refuseBeyondBounds(merged: ReplayResult, names: string[]): void {
  const json: unknown = JSON.parse(JSON.stringify(merged, (_k, v: unknown) => (v === Infinity ? null : v)));
  const [problem] = resultSchemaErrors(json);
  if (problem !== undefined) throw new LockreplayError(`${names.join(' + ')} cannot be merged: the merged ${problem} (the sum is too large)`, ExitCode.incompatible);
}

/** the ops asleep of both inputs (absent when neither has the field: results of earlier versions) */
function mergeOffCpu(a: OffCpuSummary | undefined, b: OffCpuSummary | undefined): { offCpu?: OffCpuSummary } {
  if (a === undefined && b === undefined) return {};
  const x = a ?? { ops: 0, asleepNs: 0, byKind: {} };
  const y = b ?? { ops: 0, asleepNs: 0, byKind: {} };
  const byKind: OffCpuSummary['byKind'] = {};
  for (const kind of [...new Set([...Object.keys(x.byKind), ...Object.keys(y.byKind)])].sort()) {
    const p = x.byKind[kind] ?? { ops: 0, asleepNs: 0, serviceNs: 0 };
    const q = y.byKind[kind] ?? { ops: 0, asleepNs: 0, serviceNs: 0 };
    byKind[kind] = { ops: p.ops + q.ops, asleepNs: p.asleepNs + q.asleepNs, serviceNs: p.serviceNs + q.serviceNs };
  }
  return { offCpu: { ops: x.ops + y.ops, asleepNs: x.asleepNs + y.asleepNs, byKind } };
}

function mergeWaits(a: ObservedWaitSummary, b: ObservedWaitSummary): ObservedWaitSummary {
  const byKind: ObservedWaitSummary['byKind'] = {};
  for (const kind of [...new Set([...Object.keys(a.byKind), ...Object.keys(b.byKind)])].sort()) {
    const x = a.byKind[kind] ?? { waits: 0, removedNs: 0 };
    const y = b.byKind[kind] ?? { waits: 0, removedNs: 0 };
    byKind[kind] = { waits: x.waits + y.waits, removedNs: x.removedNs + y.removedNs };
  }
  const merged: ObservedWaitSummary = { waits: a.waits + b.waits, attributed: a.attributed + b.attributed, removedNs: a.removedNs + b.removedNs, keptNs: a.keptNs + b.keptNs, byKind, kept: a.kept };
  if (a.spinNs !== undefined || b.spinNs !== undefined) merged.spinNs = (a.spinNs ?? 0) + (b.spinNs ?? 0);
  return merged;
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).sort((x, y) => (x[0] < y[0] ? -1 : 1)));
}
