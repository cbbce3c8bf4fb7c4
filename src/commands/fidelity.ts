import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { ExitCode, LockreplayError } from '../errors.js';
import { inputFlags, inputOptionsFrom } from '../cli/input-flags.js';
import { cpuModelFlag } from '../cli/replay-flags.js';
import type { CpuModel } from '../engine/simulator.js';
import { type ChosenStrategy, fidelityStrategyFor } from '../fidelity/default-strategy.js';
import { fidelity, type FidelityMode } from '../fidelity/index.js';
import { MAX_REPLICATES } from '../fidelity/replicates.js';
import { loadTrace } from '../import/index.js';
import { loadStrategy } from '../strategies/user.js';
import { decimalNumber } from '../cli/decimal.js';
import { MAX_CPUS } from '../import/limits.js';
import { withKernelHz } from '../strategies/index.js';
import { formatFidelity } from '../report/fidelity.js';
import { jsonText } from '../report/json.js';
import { settleModuleCode } from '../util/late-exit.js';

/** --anchor MS: a window of at least 1 ms, in ns; undefined without the flag */
export function anchorNsOf(ms: string | undefined): number | undefined {
  if (ms === undefined) return undefined;
  // decimal only (Number() took "0x10" as 16 ms)
  const v = decimalNumber(ms);
  if (!(v >= 1 && v <= 3_600_000)) throw new LockreplayError(`--anchor ${ms}: expected a window in milliseconds, from 1 to 3600000 (e.g. 100)`, ExitCode.usage);
  return Math.round(v * 1e6);
}

export default class Fidelity extends BaseCommand {
  static override summary = 'Compare the locks a strategy predicts with the xfs_ilock events the kernel recorded.';
  static override description = `For every op on an XFS file of the trace, the IOLOCK and MMAPLOCK modes the strategy's plan takes
against the xfs_ilock / xfs_ilock_nowait events the same task recorded on the same inode inside the
op (its child ops' spans excluded). Prints agreement per op kind, the first disagreements, and the
lock waits a replay under the strategy predicts beside the gaps the trace shows.`;
  static override examples = ['<%= config.bin %> fidelity traces/xfs-mix.trace.gz --strategy linux:xfs'];
  static override args = { trace: Args.string({ description: 'an XFS trace with xfs_ilock events', required: true }) };
  static override flags = {
    strategy: Flags.string({ char: 's', description: 'strategy to check (any with iolock/i_rwsem and mmaplock/invalidate_lock classes; default: the Linux profile of the capture\'s filesystem: linux:xfs on XFS, linux:ext4 on ext4, linux:generic on others, from its xfs_ilock events or the mounts lockreplay record writes, else linux:xfs)' }),
    cpus: Flags.integer({ description: `CPUs for the predicted waits, at most ${MAX_CPUS.toLocaleString('en-US')} (default: the trace header)`, min: 1, max: MAX_CPUS }),
    'wake-latency': Flags.string({ description: 'wake-up latency of the predicted contention: trace (the capture\'s own release → contention_end gaps of waiting readers, or of every waiter when it has fewer than 20 reader waits; taken in turn) or none', options: ['trace', 'none'], default: 'trace' }),
    mode: Flags.string({ description: 'how the replay issues each task\'s ops: closed (after the previous op and its recorded think time: IO issued back to back) or open (at the recorded times: a rate-limited workload, such as fio\'s rate_iops)', options: ['closed', 'open'], default: 'closed' }),
    replicates: Flags.integer({ description: `replays of the contended acquisitions: beyond the first, each with the capture's wake-up latencies in another order, and each row's spread over them (how sensitive the prediction is to when waiters wake; each is a full replay, at most ${MAX_REPLICATES})`, min: 1, max: MAX_REPLICATES, default: 1 }),
    anchor: Flags.string({ description: 'also predict the contended acquisitions with replays re-anchored to the recorded times every MS milliseconds (each window replayed on its own, the half window before it as a warm-up): the model\'s error apart from the drift of a whole-run replay\'s schedule, which compounds under heavy contention' }),
    'cpu-model': cpuModelFlag,
    json: Flags.boolean({ description: 'print the report as JSON' }),
    ...inputFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Fidelity);
    const anchorNs = anchorNsOf(flags.anchor);
    if (anchorNs !== undefined && flags.mode !== 'open') throw new LockreplayError('--anchor needs --mode open: a closed-mode replay issues each op after its task\'s previous one, which cutting the trace into windows breaks', ExitCode.usage);
    // (a bad spec fails before the import; a Linux rwsem strategy then takes the capture's CONFIG_HZ, when its header names it)
    const named = flags.strategy !== undefined ? await loadStrategy(flags.strategy) : undefined;
    const t = await loadTrace(args.trace, { ...inputOptionsFrom(flags), keepLocks: true });
    // (none named: the capture's filesystem's profile, said in the report)
    const chosen = flags.strategy === undefined ? fidelityStrategyFor(t.summary, t.ops, t.locks) : undefined;
    const spec = flags.strategy ?? (chosen as ChosenStrategy).spec;
    const hzSpec = withKernelHz(spec, t.summary.kernelHz);
    const strategy = hzSpec === flags.strategy && named !== undefined ? named : await loadStrategy(hzSpec);
    const r = fidelity(t.ops, t.locks, strategy, t.summary.input, flags.cpus ?? t.summary.cpus ?? 1, flags['wake-latency'] as 'trace' | 'none', flags.mode as FidelityMode, flags.replicates, anchorNs, flags['cpu-model'] as CpuModel);
    // (an error a strategy module's code left pending, a rejected promise, is reported before the report is printed)
    await settleModuleCode();
    if (chosen !== undefined) r.strategyChosen = `${chosen.spec}, as no --strategy was given: ${chosen.why}`;
    if (flags.json) {
      process.stdout.write(jsonText(r));
      return;
    }
    process.stdout.write(formatFidelity(r));
  }
}
