import type { BlockedTask, ReplayResult, StrategyResult } from '../model/result.js';
import { labelOf } from '../model/labels.js';
import { table } from './import-summary.js';
import { fmtRace, raceSummary } from './races.js';
import { printable, terminalText } from '../util/terminal.js';

/** ns → a short human duration */
export function fmtNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)}s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)}ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)}µs`;
  return `${Math.round(ns)}ns`;
}

function fmtRatio(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : x.toFixed(3);
}

function fmtPct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function fmtRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(1);
}

function header(r: ReplayResult): string[] {
  const o = r.options;
  const lines = [`${r.input.trace}: ${r.input.ops.toLocaleString('en-US')} ops on ${r.input.files} files; ${o.mode} mode${o.mode === 'open' ? ` ×${o.timeScale}` : ''}, ${o.cpus} CPU${o.cpus === 1 ? '' : 's'} (${o.cpusSource})${o.cpuModel !== undefined ? `, CPU model ${o.cpuModel}` : ''}`];
  lines.push(`service time: ${r.serviceTime.observed.toLocaleString('en-US')} ops observed, ${r.serviceTime.modelled.toLocaleString('en-US')} modelled`);
  const w = r.serviceTime.observedWaits;
  if (w.waits > 0) {
    lines.push(`kernel lock waits in the trace: ${w.attributed.toLocaleString('en-US')} inside ops; ${w.kept ? `kept in service times (--keep-observed-waits): ${fmtNs(w.keptNs)}` : `${fmtNs(w.removedNs)} on IOLOCK/MMAPLOCK/mmap_lock removed from service times${w.spinNs !== undefined ? ` (${fmtNs(w.spinNs)} of it spinning before the waits)` : ''}, ${fmtNs(w.keptNs)} on other locks kept`}`);
  }
  const off = r.serviceTime.offCpu;
  if (off !== undefined && off.ops > 0) {
    const kinds = Object.entries(off.byKind).map(([k, v]) => `${k} ${v.serviceNs > 0 ? Math.round((100 * v.asleepNs) / v.serviceNs) : 0}%`).join(', ');
    lines.push(`task sleeps in the trace (sched_switch): ${off.ops.toLocaleString('en-US')} ops' own time asleep replayed off the CPUs: ${fmtNs(off.asleepNs)} (${kinds})`);
  }
  return lines;
}

/** One strategy in detail: per-kind latency and lock wait, throughput, lock classes. */
export function formatReplay(result: ReplayResult): string {
  // (no string of the result breaks a line: a comm, a file, a strategy's name)
  const r = printable(result);
  const out = header(r);
  for (const s of r.results) out.push('', ...formatStrategy(s));
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return terminalText(`${out.join('\n')}\n`);
}

function formatStrategy(s: StrategyResult): string[] {
  const out: string[] = [];
  out.push(`strategy ${labelOf(s)}: ${fmtRate(s.throughput.opsPerSec)} ops/s, ${s.throughput.mibPerSec.toFixed(1)} MiB/s, makespan ${fmtNs(s.throughput.makespanNs)}, CPU busy ${fmtPct(s.cpu.utilisation)} (spinning ${fmtNs(s.cpu.spinNs)})${s.deadlock ? '  DEADLOCK' : ''}`);
  const rows = [['kind', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max', 'mean', 'lock wait p99', 'lock wait max']];
  const add = (name: string, k: StrategyResult['all']): void => {
    rows.push([name, String(k.count), fmtNs(k.latency.p50), fmtNs(k.latency.p90), fmtNs(k.latency.p99), fmtNs(k.latency.p99_9), fmtNs(k.latency.max), fmtNs(k.latency.mean), fmtNs(k.lockWait.p99), fmtNs(k.lockWait.max)]);
  };
  for (const [kind, k] of Object.entries(s.byKind)) add(kind, k);
  add('all', s.all);
  out.push(table(rows));
  const lockRows = [['lock class', 'acquisitions', 'contentions', 'spun', 'wait total', 'of it spinning', 'wait max', 'hold total']];
  for (const [cls, l] of Object.entries(s.locks)) lockRows.push([cls, String(l.acquisitions), String(l.contentions), String(l.spins), fmtNs(l.waitTotalNs), fmtNs(l.spinNs), fmtNs(l.waitMaxNs), fmtNs(l.holdTotalNs)]);
  if (lockRows.length > 1) out.push(table(lockRows));
  out.push(`races: ${raceSummary(s)}`);
  for (const c of s.races.byClass) {
    out.push(`  ${c.class} (${c.severity === 'data' ? 'race' : 'ordering'}): ${c.count}: ${c.consequence}`);
    for (const r of c.first) out.push(`    ${fmtRace(r)}`);
  }
  if (s.deadlock) out.push(...formatDeadlock(s));
  return out;
}

export function formatDeadlock(s: StrategyResult): string[] {
  const d = s.deadlock;
  if (d === null) return [];
  const out: string[] = [];
  const range = (b: { start: number; end: number | null }): string => `[${b.start}, ${b.end === null || b.end === Infinity ? '∞' : b.end})`;
  if (d.cycle.length > 0) {
    out.push(`DEADLOCK at ${fmtNs(d.atNs)}: ${d.cycle.length}-task wait-for cycle:`);
    d.cycle.slice(0, DEADLOCK_LINES_SHOWN).forEach((b, k) => {
      const next = d.cycle[(k + 1) % d.cycle.length];
      out.push(`  task ${b.pid} (${b.comm}) in op ${b.opId} ${b.kind} on ${b.file} waits since ${fmtNs(b.sinceNs)} for ${b.lockClass} ${b.mode} ${range(b)} on ${b.lockKey}, held or queued ahead by task ${next.pid}`);
    });
    if (d.cycle.length > DEADLOCK_LINES_SHOWN) out.push(`  … ${d.cycle.length - DEADLOCK_LINES_SHOWN} more tasks in the cycle (the result JSON, --json or -o, lists every one)`);
  } else {
    out.push(`DEADLOCK at ${fmtNs(d.atNs)}: ${d.blocked.length} tasks blocked with nothing left to happen:`);
  }
  const inCycle = new Set(d.cycle.map((c) => c.pid));
  const others = d.blocked.filter((b) => !inCycle.has(b.pid));
  for (const b of others.slice(0, DEADLOCK_LINES_SHOWN)) out.push(`  also blocked: task ${b.pid} (${b.comm}) op ${b.opId} ${b.kind} on ${b.lockClass} ${b.mode} ${range(b)}, behind ${waitsForText(b)}`);
  if (others.length > DEADLOCK_LINES_SHOWN) out.push(`  … and ${others.length - DEADLOCK_LINES_SHOWN} more blocked tasks (the result JSON, --json or -o, lists every one)`);
  return out;
}

/** how many tasks of a deadlock's cycle, and of its other blocked tasks, the text report lists */
export const DEADLOCK_LINES_SHOWN = 20;

/** the tasks a blocked task waits for: the pids the result names, and how many there are in all */
export function waitsForText(b: BlockedTask): string {
  if (b.waitsFor.length === 0) return '?';
  const all = b.waitsForCount ?? b.waitsFor.length;
  return all > b.waitsFor.length ? `${b.waitsFor.join(', ')}, … (${all} tasks)` : b.waitsFor.join(', ');
}

/** One row per strategy, with ratios to the baseline. */
export function formatCompare(result: ReplayResult): string {
  const r = printable(result);
  const out = header(r);
  const rows = [['strategy', 'ops/s', 'makespan', 'p50', 'p99', 'p99.9', 'max', 'lock waits', 'lock wait total', 'spinning', 'CPU busy', 'throughput ×', 'p99 ×', 'races', 'deadlock']];
  r.results.forEach((s, i) => {
    const c = r.comparison[i];
    const contentions = Object.values(s.locks).reduce((a, l) => a + l.contentions, 0);
    const waitTotal = Object.values(s.locks).reduce((a, l) => a + l.waitTotalNs, 0);
    rows.push([labelOf(s), fmtRate(s.throughput.opsPerSec), fmtNs(s.throughput.makespanNs), fmtNs(s.all.latency.p50), fmtNs(s.all.latency.p99), fmtNs(s.all.latency.p99_9), fmtNs(s.all.latency.max),
      String(contentions), fmtNs(waitTotal), fmtNs(s.cpu.spinNs), fmtPct(s.cpu.utilisation), fmtRatio(c?.throughputRatio), fmtRatio(c?.p99Ratio), String(s.races.count),
      s.deadlock ? (s.deadlock.cycle.length > 0 ? `DEADLOCK (${s.deadlock.cycle.length}-task cycle)` : 'DEADLOCK (stall)') : '']);
  });
  const why = r.baseline === null ? '' : r.verdict.safe.includes(r.baseline) && r.baseline === r.verdict.safe[0] ? ': the first strategy without races or deadlock, unless --baseline names another' : '';
  out.push('', `verdict: ${r.verdict.text}`, '', table(rows), `(ratios relative to ${r.baseline ?? 'the first strategy'}${why})`);
  for (const s of r.results) if (s.deadlock) out.push('', `${labelOf(s)}:`, ...formatDeadlock(s));
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return terminalText(`${out.join('\n')}\n`);
}
