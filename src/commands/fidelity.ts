import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { inputFlags, inputOptionsFrom } from '../cli/input-flags.js';
import { fidelity } from '../fidelity/index.js';
import { loadTrace } from '../import/index.js';
import { loadStrategy } from '../strategies/user.js';
import { table } from '../report/import-summary.js';
import { fmtNs } from '../report/table.js';

export default class Fidelity extends BaseCommand {
  static override summary = 'Compare the locks a strategy predicts with the xfs_ilock events the kernel recorded.';
  static override description = `For every op on an XFS file of the trace, the IOLOCK and MMAPLOCK modes the strategy's plan takes
against the xfs_ilock / xfs_ilock_nowait events the same task recorded on the same inode inside the
op (its child ops' spans excluded). Prints agreement per op kind, the first disagreements, and the
lock waits a replay under the strategy predicts beside the gaps the trace shows.`;
  static override examples = ['<%= config.bin %> fidelity traces/xfs-mix.trace.gz --strategy linux:xfs'];
  static override args = { trace: Args.string({ description: 'an XFS trace with xfs_ilock events', required: true }) };
  static override flags = {
    strategy: Flags.string({ char: 's', description: 'strategy to check (linux:xfs, or any with iolock/i_rwsem and mmaplock/invalidate_lock classes)', default: 'linux:xfs' }),
    cpus: Flags.integer({ description: 'CPUs for the predicted waits (default: the trace header)', min: 1 }),
    'wake-latency': Flags.string({ description: 'wake-up latency of the predicted contention: trace (the capture\'s own release → contention_end gaps, taken in turn) or none', options: ['trace', 'none'], default: 'trace' }),
    json: Flags.boolean({ description: 'print the report as JSON' }),
    ...inputFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Fidelity);
    const strategy = await loadStrategy(flags.strategy);
    const t = await loadTrace(args.trace, { ...inputOptionsFrom(flags), keepLocks: true });
    const r = fidelity(t.ops, t.locks, strategy, t.summary.input, flags.cpus ?? t.summary.cpus ?? 1, flags['wake-latency'] as 'trace' | 'none');
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return;
    }
    const pct = (x: number | null): string => (x === null ? '—' : `${x.toFixed(2)}%`);
    const rows = [['op kind', 'ops', 'compared', 'IOLOCK agree', 'MMAPLOCK agree', 'not observable']];
    for (const [kind, k] of Object.entries(r.byKind)) rows.push([kind, String(k.ops), String(k.compared), pct(k.iolockPct), pct(k.mmaplockPct), k.notObservable.join(', ')]);
    const out = [`${r.trace}: ${r.strategy} against the kernel's xfs_ilock events on ${r.xfsFiles.length} XFS file(s)`, table(rows)];
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
      const wake = wl.source === 'trace' ? `wake-up latency from the capture: ${wl.samples} release → wait-end gaps, p50 ${fmtNs(wl.p50Ns)}, p90 ${fmtNs(wl.p90Ns)}, mean ${fmtNs(wl.meanNs)}` : 'no wake-up latency';
      out.push('', `contended acquisitions: the kernel's (${r.contention.observedWaits} lock:contention_* waits in the trace) beside a replay under ${r.strategy} (${wake})`, table(c));
    }
    if (w.length > 1) out.push('', 'lock waits: the trace (IOLOCK call → next lock event, an upper bound that includes work) beside the replay', table(w));
    for (const n of r.notes) out.push(`note: ${n}`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
