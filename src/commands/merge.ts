import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { refuseEmptyOutputs, refuseOutputsOverInputs } from '../cli/result-outputs.js';
import { ExitCode } from '../errors.js';
import { loadResult } from '../report/load.js';
import { mergeResults, mergeWarnings } from '../replay/merge.js';
import { resultJson } from '../report/json.js';
import { checkOutputPath, writeOutput } from '../util/output.js';
import { terminalText } from '../util/terminal.js';

export default class Merge extends BaseCommand {
  static override summary = 'Add results made with the same options: shards of a trace by time or selection, or by strategy.';
  static override description = `Shards by time or selection (same strategies): histograms and counters add, maxima take the
maximum, makespans add (shards are consecutive slices of the trace), percentiles and ratios are
derived again; the merged opsDigest is merged(...) of the shards' digests, sorted. Shards by strategy
(the same ops, each with other strategies: compare -s A, compare -s B) become one result listing every
strategy, in the order given, with the baseline, ratios and verdict derived again as compare does.
Results with other options, a shard given twice (the same ops or the same file), time shards whose
line counts show they overlap, and the two kinds of shard mixed are refused (exit 11). Results of
different traces or lockreplay versions, and shards whose overlap cannot be checked, are merged with
a warning. An --out that is one of the
results read is refused (exit 2).`;
  static override strict = false;
  static override examples = ['<%= config.bin %> merge shard-*.json --out merged.json'];
  static override args = { results: Args.string({ description: 'result JSON files', required: true }) };
  static override flags = { out: Flags.string({ char: 'o', description: 'write the merged result here (- = stdout)', default: '-' }) };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Merge);
    const names = argv as string[];
    refuseEmptyOutputs([{ flag: 'out', path: flags.out }]);
    // (before any work: the merged result must not replace one of the shards it reads)
    refuseOutputsOverInputs([{ flag: 'out', path: flags.out }], names, 'result');
    checkOutputPath(flags.out);
    const results = names.map((p) => loadResult(p, ExitCode.incompatible, false));
    const merged = mergeResults(results, names);
    await writeOutput(flags.out, resultJson(merged));
    // (a warning quotes the results' own strings, their traces and versions: no control character of theirs reaches the terminal)
    for (const w of mergeWarnings(results, names)) process.stderr.write(`warning: ${terminalText(w)}\n`);
  }
}
