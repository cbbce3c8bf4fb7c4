import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { ExitCode, LockreplayError } from '../errors.js';
import { importTrace, type ImportOptions } from '../import/index.js';
import { inputFlags, inputOptionsFrom } from '../cli/input-flags.js';
import { lockRow, opRow, opStreamFooter, opStreamHeader } from '../import/opstream.js';
import { parseFileSelector } from '../model/op.js';
import { fileSelectorKey } from '../import/selection.js';
import { OutputTarget } from '../util/output.js';
import { formatImportSummary } from '../report/import-summary.js';
import { Progress } from '../util/progress.js';

export default class Import extends BaseCommand {
  static override summary = 'Turn a kernel trace into the normalised Op stream, and account for every line.';
  static override description = `Reads tracefs trace / trace_pipe text (plain or gzip, a path or - for stdin), pairs syscall
enter/exit events, resolves each op's inode, groups fault events into fault episodes, and writes
the Op stream (CSV, format "lockreplay-ops v1", see docs/op-stream.md) with --out. Prints a summary:
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
    file: Flags.string({ description: 'keep only ops on this file: DEV:INO (7:0:0x85, 254,0:2154529), or a file key as the op stream writes it (blk:7:0, vol:3, file:/data/f); repeatable', multiple: true }),
    task: Flags.string({ description: 'keep only ops of this task, by PID or COMM; repeatable', multiple: true }),
    from: Flags.string({ description: 'keep ops issued at or after S seconds (trace clock; +S = from the first event)' }),
    to: Flags.string({ description: 'keep ops issued at or before S seconds (trace clock; +S = from the first event)' }),
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
    const out = flags.out === undefined ? undefined : new OutputTarget(flags.out);
    const progress = new Progress(this.progressEnabled(flags.json || flags.out === '-'));
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
    const text = flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatImportSummary(summary);
    if (flags.out === '-') process.stderr.write(text);
    else process.stdout.write(text);
  }
}

/** --file / --task / --from / --to → builder options (shared with replay and compare). */
export function selectionOptions(flags: { file?: string[]; task?: string[]; from?: string; to?: string }): Pick<ImportOptions, 'files' | 'taskPids' | 'taskComms' | 'fromNs' | 'toNs' | 'timesRelative'> {
  const o: ReturnType<typeof selectionOptions> = {};
  if (flags.file && flags.file.length > 0) {
    o.files = new Set(flags.file.map((f) => {
      const key = fileSelectorKey(f, parseFileSelector);
      if (key === undefined) throw new LockreplayError(`--file ${f}: expected DEV:INO such as 7:0:0x85 or 254,0:2154529, or a file key such as blk:7:0 (block devices), vol:3 (CSV volumes), file:/data/f (fio iolog files), fd:PID:FD`, ExitCode.usage);
      return key;
    }));
  }
  if (flags.task && flags.task.length > 0) {
    o.taskPids = new Set(flags.task.filter((t) => /^\d+$/.test(t)).map(Number));
    o.taskComms = new Set(flags.task.filter((t) => !/^\d+$/.test(t)));
  }
  const seconds = (name: string, v: string): number => {
    const n = Number(v.replace(/^\+/, ''));
    if (!Number.isFinite(n) || n < 0) throw new LockreplayError(`--${name} ${v}: expected seconds, e.g. 617.8 or +0.5`, ExitCode.usage);
    return Math.round(n * 1e9);
  };
  const rel = (flags.from?.startsWith('+') ?? false) || (flags.to?.startsWith('+') ?? false);
  if ((flags.from !== undefined && flags.to !== undefined) && flags.from.startsWith('+') !== flags.to.startsWith('+')) {
    throw new LockreplayError('--from and --to must both be absolute or both relative (+S)', ExitCode.usage);
  }
  if (flags.from !== undefined) o.fromNs = seconds('from', flags.from);
  if (flags.to !== undefined) o.toNs = seconds('to', flags.to);
  if (rel) o.timesRelative = true;
  return o;
}
