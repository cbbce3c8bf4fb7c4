import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { ExitCode } from '../errors.js';
import { loadResult } from '../report/load.js';
import { mergeResults } from '../replay/merge.js';
import { resultJson } from '../report/json.js';
import { writeOutput } from '../util/output.js';

export default class Merge extends BaseCommand {
  static override summary = 'Add results made with the same strategies and options (shards of a trace replayed in parallel).';
  static override description = `Histograms and counters add, maxima take the maximum, makespans add (shards are consecutive
slices of the trace), percentiles and ratios are derived again. Results with other strategies or
options are refused (exit 11).`;
  static override strict = false;
  static override examples = ['<%= config.bin %> merge shard-*.json --out merged.json'];
  static override args = { results: Args.string({ description: 'result JSON files', required: true }) };
  static override flags = { out: Flags.string({ char: 'o', description: 'write the merged result here (- = stdout)', default: '-' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Merge);
    const names = argv as string[];
    const merged = mergeResults(names.map((p) => loadResult(p, ExitCode.incompatible)), names);
    await writeOutput(flags.out, resultJson(merged));
  }
}
