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
    json: Flags.boolean({ description: 'print the report as JSON' }),
    ...inputFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Fidelity);
    const strategy = await loadStrategy(flags.strategy);
    const t = await loadTrace(args.trace, { ...inputOptionsFrom(flags), keepLocks: true });
    const r = fidelity(t.ops, t.locks, strategy, t.summary.input, flags.cpus ?? t.summary.cpus ?? 1);
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
    if (w.length > 1) out.push('', 'lock waits: the trace (IOLOCK call → next lock event) beside the replay', table(w));
    for (const n of r.notes) out.push(`note: ${n}`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
