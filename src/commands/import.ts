import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { refuseEmptyOutputs, refuseOutputsOverInputs } from '../cli/result-outputs.js';
import { selectionFlags, selectionOptions } from '../cli/selection-flags.js';
import { importTrace, type ImportOptions } from '../import/index.js';
import { inputFlags, inputOptionsFrom } from '../cli/input-flags.js';
import { lockRow, opRow, opStreamFooter, opStreamHeader } from '../import/opstream.js';
import { isStdStream, OutputTarget, stdStreamOf } from '../util/output.js';
import { formatImportSummary } from '../report/import-summary.js';
import { jsonText } from '../report/json.js';
import { Progress } from '../util/progress.js';

export default class Import extends BaseCommand {
  static override summary = 'Turn a kernel trace into the normalised Op stream, and account for every line.';
  static override description = `Reads tracefs trace / trace_pipe text (plain or gzip, a path or - for stdin), pairs syscall
enter/exit events, resolves each op's inode, groups fault events into fault episodes, and writes
the Op stream (CSV, format "lockreplay-ops v2", see docs/op-stream.md) with --out. Prints a summary:
ops per kind and per file, and line accounting (used / skipped by reason / bad).`;
  static override examples = [
    '<%= config.bin %> import traces/xfs-mix.trace.gz',
    '<%= config.bin %> import traces/xfs-mix.trace.gz --out ops.csv --file 7:0:0x85',
    'cat trace | <%= config.bin %> import - --json',
  ];
  static override args = {
    trace: Args.string({ description: 'trace file (plain or .gz), or - for stdin', required: true }),
  };
  static override flags = {
    out: Flags.string({ char: 'o', description: 'write the Op stream here (- = stdout); written atomically' }),
    ...inputFlags,
    ...selectionFlags,
    'no-locks': Flags.boolean({ description: 'do not keep observed lock events (xfs_ilock, mmap_lock) in the Op stream' }),
    json: Flags.boolean({ description: 'print the summary as JSON' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Import);
    const options: ImportOptions = {
      ...inputOptionsFrom(flags),
      keepLocks: !flags['no-locks'],
      ...selectionOptions(flags),
    };
    refuseEmptyOutputs([{ flag: 'out', path: flags.out }]);
    // (--out the trace itself replaced the capture with its op stream)
    refuseOutputsOverInputs([{ flag: 'out', path: flags.out }], [args.trace], 'trace');
    const out = flags.out === undefined ? undefined : new OutputTarget(flags.out);
    const progress = new Progress(this.progressEnabled(flags.json || (flags.out !== undefined && isStdStream(flags.out))));
    options.onProgress = (p) => progress.importBytes(p.bytes, p.totalBytes);
    out?.write(opStreamHeader());
    let summary;
    try {
      summary = await importTrace(args.trace, { op: (op) => out?.write(opRow(op)), lock: (l) => out?.write(lockRow(l)) }, options);
      progress.done();
      out?.write(opStreamFooter(summary));
      await out?.commit();
    } catch (err) {
      progress.done();
      out?.abort();
      throw err;
    }
    const text = flags.json ? jsonText(summary) : formatImportSummary(summary);
    if (flags.out !== undefined && stdStreamOf(flags.out) === 1) process.stderr.write(text);
    else process.stdout.write(text);
  }
}
