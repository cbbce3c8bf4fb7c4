import { Args, Flags } from '@oclif/core';
import { perfettoSchedules } from '../replay/schedule.js';
import { BaseCommand } from '../cli/base.js';
import { loadStrategy } from '../strategies/user.js';
import { importOptionsFrom, replayFlags, replayOptionsFrom } from '../cli/replay-flags.js';
import { loadForReplay, replayStrategies } from '../replay/index.js';
import { formatReplay } from '../report/table.js';
import { writeOutput } from '../util/output.js';
import { Progress } from '../util/progress.js';
import { resultJson } from '../report/json.js';
import { writeSideOutputs, wroteLines, type Written } from '../report/emit.js';

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
    strategy: Flags.string({ char: 's', description: 'strategy NAME or NAME:key=value (see: lockreplay strategies), or a ./file.js module or ./rules.json table', required: true }),
    ...replayFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Replay);
    const options = replayOptionsFrom(flags);
    const progress = new Progress(this.progressEnabled(flags.json));
    let trace;
    try {
      trace = await loadForReplay(args.trace, { ...importOptionsFrom(flags), onProgress: (p) => progress.importBytes(p.bytes, p.totalBytes) });
    } finally {
      progress.done();
    }
    const strategy = await loadStrategy(flags.strategy);
    progress.start();
    let result;
    try {
      result = replayStrategies(trace, [strategy], { ...options, onProgress: (p) => progress.replay(p) }, { files: flags.file, tasks: flags.task });
    } finally {
      progress.done();
    }
    const json = resultJson(result);
    const written: Written[] = [];
    if (flags.out !== undefined) {
      await writeOutput(flags.out, json);
      written.push({ path: flags.out, what: 'the result JSON' });
    }
    written.push(...await writeSideOutputs(result, flags));
    if (flags.perfetto !== undefined) {
      await writeOutput(flags.perfetto, perfettoSchedules(trace, [strategy], options));
      written.push({ path: flags.perfetto, what: 'the simulated schedule, Chrome trace-event JSON for ui.perfetto.dev' });
    }
    // where each file went: after the table, or on stderr when stdout is the JSON
    const wrote = wroteLines(written);
    if (flags.json) {
      process.stdout.write(json);
      process.stderr.write(wrote);
    } else {
      process.stdout.write(`${formatReplay(result)}${wrote === '' ? '' : `\n${wrote}`}`);
    }
  }
}
