/** `lockreplay fidelity` as text: lock-mode agreement, disagreements, contended acquisitions, waits. */
import type { FidelityReport, RatioSpread } from '../model/fidelity.js';
import { table } from './import-summary.js';
import { fmtNs } from './table.js';
import { printable, terminalText } from '../util/terminal.js';

export function formatFidelity(report: FidelityReport): string {
  // (no string of it breaks a line: the trace's path, a strategy's name)
  const r = printable(report);
  const pct = (x: number | null): string => (x === null ? '—' : `${x.toFixed(2)}%`);
  const rows = [['op kind', 'ops', 'compared', 'IOLOCK agree', 'MMAPLOCK agree', 'not observable']];
  for (const [kind, k] of Object.entries(r.byKind)) rows.push([kind, String(k.ops), String(k.compared), pct(k.iolockPct), pct(k.mmaplockPct), k.notObservable.join(', ')]);
  const out = [`${r.trace}: ${r.strategy}${r.cpuModel !== undefined ? ` (CPU model ${r.cpuModel})` : ''} ${r.xfsFiles.length > 0 ? `against the kernel's xfs_ilock events on ${r.xfsFiles.length} XFS file(s)` : '(the trace has no xfs_ilock events: lock modes not compared)'}`, table(rows)];
  out.push(`disagreements: ${r.disagreements.count}`);
  const m = (x: Record<string, string | undefined>): string => Object.entries(x).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  for (const d of r.disagreements.first) out.push(`  op ${d.opId} ${d.kind} (task ${d.pid}, line ${d.line}): predicted ${m(d.predicted)}; observed ${m(d.observed)}`);
  const w = [['op kind', 'samples', 'observed mean', 'observed p99', 'predicted mean', 'predicted p99']];
  for (const [kind, x] of Object.entries(r.waits)) w.push([kind, String(x.samples), fmtNs(x.observedMeanNs), fmtNs(x.observedP99Ns), fmtNs(x.predictedMeanNs), fmtNs(x.predictedP99Ns)]);
  if (r.contention.rows.length > 0) {
    const ratio = (x: number | null): string => (x === null ? '—' : `${x.toFixed(2)}x`);
    const c = [['lock class', 'op kind', 'observed', 'predicted', 'count ×', 'obs p50', 'obs p99', 'obs mean', 'obs total', 'pred p50', 'pred p99', 'pred mean', 'pred total', 'mean ×']];
    for (const x of r.contention.rows) {
      c.push([x.lockClass, x.kind, String(x.observed.count), String(x.predicted.count), ratio(x.countRatio), fmtNs(x.observed.p50Ns), fmtNs(x.observed.p99Ns), fmtNs(x.observed.meanNs), fmtNs(x.observed.totalNs),
        fmtNs(x.predicted.p50Ns), fmtNs(x.predicted.p99Ns), fmtNs(x.predicted.meanNs), fmtNs(x.predicted.totalNs), ratio(x.meanRatio)]);
    }
    const wl = r.contention.wakeLatency;
    const wake = wl.source === 'trace' ? `wake-up latency from the capture: ${wl.samples} release → wait-end gaps of ${wl.waiters === 'readers' ? 'readers (granted on release)' : 'all waiters (too few readers)'}, p50 ${fmtNs(wl.p50Ns)}, p90 ${fmtNs(wl.p90Ns)}, mean ${fmtNs(wl.meanNs)}` : wl.taskWakes !== undefined ? 'no release → wait-end gaps for tasks without wakes of their own' : 'no wake-up latency';
    const tw = wl.taskWakes;
    const own = tw === undefined ? '' : `; ${tw.wakes} wakes of ${tw.tasks} tasks from sched events replayed per task (p50 ${fmtNs(tw.p50Ns)}, p90 ${fmtNs(tw.p90Ns)}, mean ${fmtNs(tw.meanNs)})`;
    out.push('', `contended acquisitions: the kernel's (${r.contention.observedWaits} lock:contention_* waits in the trace) beside ${r.mode === 'open' ? 'an' : 'a'} ${r.mode}-mode replay under ${r.strategy} (${wake}${own}${r.cpuModel !== undefined ? `; CPU model ${r.cpuModel}` : ''})`, table(c));
    const n = r.contention.replicates;
    if (n !== undefined && n > 1) {
      const spread = (x: RatioSpread | null): string => (x === null ? '—' : `${x.min.toFixed(2)}–${x.max.toFixed(2)}x (median ${x.median.toFixed(2)}x)`);
      const s = [['lock class', 'op kind', 'count ×', 'mean ×']];
      for (const x of r.contention.rows) if (x.spread !== undefined && (x.spread.countRatio !== null || x.spread.meanRatio !== null)) s.push([x.lockClass, x.kind, spread(x.spread.countRatio), spread(x.spread.meanRatio)]);
      out.push('', `spread over ${n} replays (the first above; the others with the capture's wake-up latencies in another order)`, table(s));
    }
    const a = r.contention.anchored;
    if (a !== undefined) {
      const s = [['lock class', 'op kind', 'observed', 'predicted', 'count ×', 'obs mean', 'pred mean', 'mean ×']];
      for (const x of a.rows) s.push([x.lockClass, x.kind, String(x.observed.count), String(x.predicted.count), ratio(x.countRatio), fmtNs(x.observed.meanNs), fmtNs(x.predicted.meanNs), ratio(x.meanRatio)]);
      out.push('', `re-anchored every ${fmtNs(a.windowNs)}: each window replayed from the recorded times (the half window before it replayed too, not counted), so a wait the replay gets wrong moves its task's later ops for one window at most`, table(s));
    }
  }
  if (w.length > 1) out.push('', 'lock waits: the trace (IOLOCK call → next lock event, an upper bound that includes work) beside the replay', table(w));
  if (r.strategyChosen !== undefined) out.push(`note: strategy ${r.strategyChosen}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  return terminalText(`${out.join('\n')}\n`);
}
