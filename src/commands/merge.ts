import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { refuseOutputsOverInputs } from '../cli/result-outputs.js';
import { ExitCode } from '../errors.js';
import { loadResult } from '../report/load.js';
import { mergeResults, mergeWarnings } from '../replay/merge.js';
import { resultJson } from '../report/json.js';
import { checkOutputPath, writeOutput } from '../util/output.js';

export default class Merge extends BaseCommand {
  static override summary = 'Add results made with the same strategies and options (shards of a trace replayed in parallel).';
  static override description = `Histograms and counters add, maxima take the maximum, makespans add (shards are consecutive
slices of the trace), percentiles and ratios are derived again. Results with other strategies or
options, and a shard given twice (the same ops or the same file), are refused (exit 11). Results of
different traces or lockreplay versions are merged with a warning. An --out that is one of the
results read is refused (exit 2).`;
  static override strict = false;
  static override examples = ['<%= config.bin %> merge shard-*.json --out merged.json'];
  static override args = { results: Args.string({ description: 'result JSON files', required: true }) };
  static override flags = { out: Flags.string({ char: 'o', description: 'write the merged result here (- = stdout)', default: '-' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Merge);
    const names = argv as string[];
    // (before any work: the merged result must not replace one of the shards it reads)
    refuseOutputsOverInputs([{ flag: 'out', path: flags.out }], names, 'result');
    checkOutputPath(flags.out);
    const results = names.map((p) => loadResult(p, ExitCode.incompatible));
    const merged = mergeResults(results, names);
    await writeOutput(flags.out, resultJson(merged));
    for (const w of mergeWarnings(results, names)) process.stderr.write(`warning: ${w}\n`);
  }
}
