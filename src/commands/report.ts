import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { refuseEmptyOutputs, refuseOutputsOverInputs } from '../cli/result-outputs.js';
import { appendJobSummary, otherHgrmNote, renderReport, REPORT_FORMATS, writeHgrmDir } from '../report/emit.js';
import { loadResult } from '../report/load.js';
import { checkOutputPath, isStdStream, writeOutput } from '../util/output.js';
import { terminalSafe } from '../util/terminal.js';
import { ExitCode, LockreplayError } from '../errors.js';

export default class Report extends BaseCommand {
  static override summary = 'Turn result JSON files into a table, Markdown, HTML, .hgrm, CSV or JSON.';
  static override description = `Results are data (written by replay/compare --out); this prints them. html is one self-contained
file with charts; hgrm writes HdrHistogram's percentile distribution, one file per strategy and op
kind, into the --out directory (files of those names already there are replaced, and counted;
other .hgrm files there are left, and a note names them as not from this run); md
also appends to $GITHUB_STEP_SUMMARY when it is set. For JUnit XML, use check --junit. An --out that
is one of the results read, or an .hgrm file that is a link to one, is refused (exit 2).`;
  static override strict = false;
  static override examples = [
    '<%= config.bin %> report result.json --format html --out report.html',
    '<%= config.bin %> report result.json --format hgrm --out hgrm/',
    '<%= config.bin %> report a.json b.json --format md',
  ];
  static override args = { results: Args.string({ description: 'result JSON files', required: true }) };
  static override flags = {
    format: Flags.string({ char: 'f', description: 'output format', options: [...REPORT_FORMATS], default: 'table' }),
    out: Flags.string({ char: 'o', description: 'where to write (- = stdout, the default; a directory for hgrm)' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Report);
    refuseEmptyOutputs([{ flag: 'out', path: flags.out, dir: flags.format === 'hgrm' }]);
    // (before any work: the report must not replace one of the results it reads)
    refuseOutputsOverInputs([{ flag: 'out', path: flags.out }], argv as string[], 'result');
    if (flags.out !== undefined) checkOutputPath(flags.out, flags.format === 'hgrm');
    const results = (argv as string[]).map((p) => loadResult(p));
    const format = flags.format as (typeof REPORT_FORMATS)[number];
    if (format === 'hgrm') {
      if (flags.out === undefined || isStdStream(flags.out)) throw new LockreplayError('--format hgrm writes a directory of files: name it with --out DIR', ExitCode.usage);
      const { files, replaced, others } = await writeHgrmDir(results, flags.out, argv as string[]);
      process.stdout.write(`${files.length} .hgrm files in ${terminalSafe(flags.out)}${replaced > 0 ? ` (${replaced} of them replaced files of the same name)` : ''}\n${otherHgrmNote(flags.out, others)}`);
      return;
    }
    const text = renderReport(results, format);
    await writeOutput(flags.out ?? '-', text);
    if (format === 'md') appendJobSummary(text);
  }
}
