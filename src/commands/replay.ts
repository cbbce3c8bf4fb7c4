import { Args, Flags } from '@oclif/core';
import { writePerfettoSchedules } from '../replay/schedule.js';
import { BaseCommand } from '../cli/base.js';
import { checkOutputPaths, checkStdoutUse, emitResult, refuseOutputOverInput, refuseOutputOverStrategies, refuseSharedOutputs } from '../cli/result-outputs.js';
import { loadStrategy, userStrategyFile } from '../strategies/user.js';
import { withKernelHz } from '../strategies/index.js';
import { importOptionsFrom, replayFlags, replayOptionsFrom } from '../cli/replay-flags.js';
import { loadForReplay, replayStrategies } from '../replay/index.js';
import { formatReplay } from '../report/table.js';
import { Progress } from '../util/progress.js';

export default class Replay extends BaseCommand {
  static override summary = 'Replay a trace against one locking strategy.';
  static override description = `Imports the trace (any format import reads, or an Op stream file), replays its ops in a
deterministic simulator against the strategy, and reports per-kind latency percentiles (completion
minus intended issue), lock wait, throughput and per-lock-class contention.`;
  static override examples = [
    '<%= config.bin %> replay traces/xfs-mix.trace.gz --strategy range-lock',
    '<%= config.bin %> replay traces/xfs-disjoint-writers.trace.gz --strategy i-mutex --mode open --time-scale 0.05 --json',
  ];
  static override args = { trace: Args.string({ description: 'trace file or Op stream (plain or .gz), or - for stdin', required: true }) };
  static override flags = {
    strategy: Flags.string({ char: 's', description: 'strategy NAME or NAME:key=value (see: lockreplay strategies), or a ./file.js module (./file.js:key=value gives its exported function options) or ./rules.json table', required: true }),
    ...replayFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Replay);
    // (before any work: two outputs cannot share stdout)
    checkStdoutUse(flags);
    refuseOutputOverInput(flags, args.trace);
    refuseOutputOverStrategies(flags, [userStrategyFile(flags.strategy)]);
    refuseSharedOutputs(flags);
    checkOutputPaths(flags);
    const options = replayOptionsFrom(flags);
    const progress = new Progress(this.progressEnabled(flags.json));
    let trace;
    try {
      trace = await loadForReplay(args.trace, { ...importOptionsFrom(flags), onProgress: (p) => progress.importBytes(p.bytes, p.totalBytes) });
    } finally {
      progress.done();
    }
    // (a Linux rwsem strategy takes the capture's CONFIG_HZ, when its header names it)
    const strategy = await loadStrategy(withKernelHz(flags.strategy, trace.summary.kernelHz));
    progress.start();
    let result;
    try {
      result = replayStrategies(trace, [strategy], { ...options, onProgress: (p) => progress.replay(p) }, { files: flags.file, tasks: flags.task });
    } finally {
      progress.done();
    }
    await emitResult(result, flags, { trace: args.trace, strategyFiles: [userStrategyFile(flags.strategy)] }, formatReplay, (write) => writePerfettoSchedules(trace, [strategy], options, write));
  }
}
