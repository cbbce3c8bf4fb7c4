import { availableParallelism } from 'node:os';
import { Args, Flags } from '@oclif/core';
import { writePerfettoSchedules } from '../replay/schedule.js';
import { BaseCommand } from '../cli/base.js';
import { checkOutputPaths, checkStdoutUse, emitResult, refuseOutputOverInput, refuseOutputOverStrategies, refuseSharedOutputs } from '../cli/result-outputs.js';
import { loadStrategies, userStrategyFile } from '../strategies/user.js';
import { importOptionsFrom, replayFlags, replayOptionsFrom } from '../cli/replay-flags.js';
import { ExitCode, LockreplayError } from '../errors.js';
import { loadForReplay, refuseRepeatedLabels, replayStrategiesParallel } from '../replay/index.js';
import { baselineMayName, baselineNames, notABaseline } from '../replay/baseline.js';
import { strategyLabel } from '../model/labels.js';
import { AUTO_PARALLEL_MIN_OPS, defaultThreads, parallelMinOps } from '../replay/default-threads.js';
import { ReplayPool, type StrategyPool } from '../replay/pool.js';
import { ReplayProcessPool } from '../replay/process-pool.js';
import { createStrategy, strategyNames, withKernelHz } from '../strategies/index.js';
import { formatCompare } from '../report/table.js';
import { Progress } from '../util/progress.js';

export default class Compare extends BaseCommand {
  static override summary = 'Replay a trace against several strategies and compare them side by side.';
  static override description = `Replays the same ops against each strategy (same service times, same arrivals) and prints one
row per strategy with throughput, latency percentiles, lock waits, and ratios to the baseline.`;
  static override examples = [
    '<%= config.bin %> compare traces/xfs-mix.trace.gz --all',
    '<%= config.bin %> compare traces/xfs-mix.trace.gz --strategy i-mutex,range-lock --baseline i-mutex --out result.json',
  ];
  static override args = { trace: Args.string({ description: 'trace file or Op stream (plain or .gz), or - for stdin', required: true }) };
  static override flags = {
    strategy: Flags.string({ char: 's', description: 'comma-separated strategies, e.g. none,i-mutex,range-lock' }),
    all: Flags.boolean({ description: 'every built-in strategy' }),
    baseline: Flags.string({ description: 'ratios are relative to this strategy, named as in the table or as given to --strategy, options too (default: the first that ran without races or deadlock); one that names none of them is refused before the trace is read, or, when it differs from one only in the hz the trace\'s CONFIG_HZ gives it, right after' }),
    threads: Flags.integer({ description: `strategies replayed at once: this process and N - 1 workers (default: one after the other below ${AUTO_PARALLEL_MIN_OPS.toLocaleString('en-US')} ops, where worker processes cost more than they gain, or LOCKREPLAY_PARALLEL_MIN_OPS; from there one worker process per core, at most one per strategy, falling back to one after the other if they cannot be given the ops; --parallel threads alone stays serial); results are identical either way`, min: 1 }),
    parallel: Flags.string({ description: 'what replays strategies at once: worker processes (each with its own heap and compiler threads: the faster) or worker threads', options: ['processes', 'threads'], default: 'processes' }),
    ...replayFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Compare);
    // (before any work: two outputs cannot share stdout)
    checkStdoutUse(flags);
    refuseOutputOverInput(flags, args.trace);
    refuseSharedOutputs(flags);
    checkOutputPaths(flags);
    if (Boolean(flags.all) === (flags.strategy !== undefined)) {
      throw new LockreplayError('name the strategies with --strategy A,B,C, or give --all (one of the two)', ExitCode.usage);
    }
    const names = flags.all ? strategyNames() : strategyList(flags.strategy as string);
    // (an output must not replace a strategy module or rules table the run reads)
    refuseOutputOverStrategies(flags, names.map(userStrategyFile));
    // check every spec here, so a bad one fails before any work
    const loaded = await loadStrategies(names);
    refuseRepeatedLabels(loaded.map((s) => strategyLabel(s.name, s.options)));
    // (a --baseline that names none of them is refused now, not after the replays: its name, its
    // label, or a spec that makes it; its hz may still come from the trace's CONFIG_HZ)
    const baseline = flags.baseline;
    if (baseline !== undefined && !loaded.some((s, i) => baselineMayName(baseline, names[i], s.name, s.options))) {
      throw notABaseline(baseline, loaded.map((s) => strategyLabel(s.name, s.options)));
    }
    const newPool = (n: number, optional?: { onSerial(reason: string): void }): StrategyPool => (flags.parallel === 'threads' ? new ReplayPool(n) : new ReplayProcessPool(n, optional));
    // (read before the import: a bad value fails at once)
    const minOps = parallelMinOps();
    // asked for workers: they start now and load the engine while this process reads the trace
    const pool = flags.threads !== undefined && Math.min(flags.threads, names.length) > 1 ? newPool(Math.min(flags.threads, names.length)) : undefined;
    let trace;
    const progress = new Progress(this.progressEnabled(flags.json));
    try {
      trace = await loadForReplay(args.trace, { ...importOptionsFrom(flags), onProgress: (p) => progress.importBytes(p.bytes, p.totalBytes) });
    } catch (err) {
      await pool?.close();
      throw err;
    } finally {
      progress.done();
    }
    // (a Linux rwsem strategy takes the capture's CONFIG_HZ, when its header names it)
    const specs = names.map((n) => withKernelHz(n, trace.summary.kernelHz));
    // the strategies as they will run, their hz now known: a --baseline that names none of them
    // (one that differs only in hz) is refused now, not after the replays
    if (baseline !== undefined) {
      const final = specs.map((spec, i) => (spec === names[i] ? loaded[i] : createStrategy(spec)));
      if (!final.some((s) => baselineNames(baseline, s.name, s.options))) {
        await pool?.close();
        throw notABaseline(baseline, final.map((s) => strategyLabel(s.name, s.options)));
      }
    }
    // not asked: worker processes only for a trace long enough to repay their start (started now;
    // the rule was measured for processes, so `--parallel threads` alone stays serial), and one
    // after the other if they cannot be given the ops
    const opCount = trace.columns !== undefined ? trace.columns.n : trace.ops.length;
    const auto = flags.threads === undefined && flags.parallel !== 'threads';
    const threads = flags.threads !== undefined ? Math.min(flags.threads, names.length) : auto ? defaultThreads(opCount, names.length, availableParallelism(), minOps) : 1;
    const workers = pool ?? (auto && threads > 1 ? newPool(threads, { onSerial: (reason) => process.stderr.write(`note: ${reason}\n`) }) : undefined);
    if (auto && process.env.LOCKREPLAY_DEBUG) process.stderr.write(`lockreplay: ${opCount} ops, parallel from ${minOps}: ${threads > 1 ? `${threads} processes` : 'one strategy after the other'}\n`);
    progress.start();
    let result;
    try {
      result = await replayStrategiesParallel(trace, specs, { ...replayOptionsFrom(flags), baseline: flags.baseline, onProgress: (p) => progress.replay(p) }, { files: flags.file, tasks: flags.task }, threads, workers);
    } finally {
      progress.done();
    }
    await emitResult(result, flags, { trace: args.trace, strategyFiles: names.map(userStrategyFile) }, formatCompare, async (write) => writePerfettoSchedules(trace, await loadStrategies(specs), replayOptionsFrom(flags), write));
  }
}

/**
 * The specs of `--strategy A,B:k=v,w=x,C`: split at the commas that do not separate a strategy's
 * options, blanks dropped. A list that names none is refused: a compare of nothing is a mistake.
 */
function strategyList(value: string): string[] {
  const names = value.split(/,(?![^:]*=)/).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new LockreplayError(`--strategy "${value}" names no strategy; give one or more, comma-separated (lockreplay strategies lists them)`, ExitCode.usage);
  return names;
}
