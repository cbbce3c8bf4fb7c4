import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { importTrace } from '../import/index.js';
import { decimalNumber } from '../cli/decimal.js';
import { CaptureAbandoned, record, EVENT_PRESETS } from '../record/recorder.js';
import { jsonText } from '../report/json.js';
import { formatRecord } from '../report/record.js';
import { terminalSafe, terminalText } from '../util/terminal.js';

export default class Record extends BaseCommand {
  static override summary = 'Capture the trace the importer needs around a workload (root, tracefs).';
  static override description = [
    'Enables the events lockreplay imports (those this kernel lacks are listed and skipped) and runs the command (or records for --duration S). While the command runs, it reads trace_pipe into a spool file beside --out only when a CPU\'s ring buffer is half full; once the command is done it reads the rest, compresses the spool into the gzip file --out, and prints what it captured: events per kind, the ops the importer sees, lost events.',
    'tracefs is left exactly as it was found (events, filters, tracer, buffer size, tracing_on) on success, on failure and on Ctrl-C, SIGTERM or SIGHUP, which stop the capture and keep what was captured; a second one while the capture is read out drops it.',
    'Exit codes: 2 bad flags, 6 the capture cannot be written, 12 not root, 13 no tracefs, 14 an event this kernel lacks, 15 the command not found, 16 another capture is running, 130 interrupted (what was captured is kept). The command\'s own exit code is printed, not returned.',
  ].join('\n\n');
  static override usage = ['<%= command.id %> [FLAGS] -- COMMAND...', '<%= command.id %> [FLAGS] --duration S'];
  static override strict = false;
  /** Ctrl-C, SIGTERM and SIGHUP stop the capture and keep it (recorder.ts), not end the process */
  protected override readonly ownSignalHandling = true;
  static override examples = [
    'sudo <%= config.bin %> record --out fio.trace.gz -- fio job.fio',
    'sudo <%= config.bin %> record --duration 10 --out system.trace.gz',
  ];
  static override flags = {
    out: Flags.string({ char: 'o', description: 'the gzip trace file to write (a file: not - for standard output; missing directories are made)', default: 'lockreplay.trace.gz' }),
    events: Flags.string({ description: `event preset (${Object.keys(EVENT_PRESETS).join(', ')}), a comma-separated list of SYSTEM/EVENT (or tracefs's SYSTEM:EVENT; each taken once), or +SYSTEM/EVENT,... to add events to the default preset (PRESET+... to another)`, default: 'default' }),
    'buffer-kb': Flags.integer({ description: 'per-CPU ring buffer size in KB while recording; at most the machine\'s memory over its CPUs (MemTotal / CPUs)', min: 1 }),
    duration: Flags.string({ description: 'record for S seconds, in decimal (with a command: at most S seconds, then the capture stops and the command gets SIGTERM); at most 2147483' }),
    'filter-comm': Flags.string({ description: 'keep only events of tasks with this comm, cut to 15 bytes like the kernel\'s (plus the recorder\'s marker lines; the sched events are traced for these tasks; default: the command\'s name)' }),
    json: Flags.boolean({ description: 'print the capture summary as JSON (the command\'s standard output goes to standard error)' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Record);
    const command = argv as string[];
    // decimal seconds only (Number() took "0x10" as 16 s, and " " as 0)
    const durationS = flags.duration === undefined ? undefined : decimalNumber(flags.duration);
    if (flags.duration !== undefined && !(durationS !== undefined && durationS > 0)) {
      this.error(`--duration ${flags.duration.trim() === '' ? JSON.stringify(flags.duration) : flags.duration}: expected a positive number of seconds in decimal, e.g. 10 or 0.5`, { exit: 2 });
    }
    if (durationS !== undefined && durationS > MAX_DURATION_S) this.error(`--duration must be at most ${MAX_DURATION_S} seconds (about 24 days: the longest timer Node.js keeps)`, { exit: 2 });
    const quiet = flags.json;
    ignoreClosedTerminal();
    let r;
    try {
      r = await record({
        out: flags.out, events: flags.events, bufferKb: flags['buffer-kb'], durationS, filterComm: flags['filter-comm'], command,
        commandStdoutToStderr: flags.json,
        log: (line) => (quiet ? undefined : process.stderr.write(`${terminalText(line)}\n`)),
        warn: (line) => process.stderr.write(`${terminalText(line)}\n`),
      });
    } catch (err) {
      if (!(err instanceof CaptureAbandoned)) throw err;
      process.stderr.write(`lockreplay: ${terminalText(err.message)}\n`);
      return this.exit(130);
    }
    // (read as the ftrace text record wrote: a capture without events is an empty capture, not an unknown format)
    const summary = await importTrace(r.out, { op: () => undefined, lock: () => undefined }, { lenient: true, keepLocks: true, format: 'ftrace' });
    if (capturedEvents(r.eventsByName) === 0) {
      process.stderr.write(`lockreplay: warning: no events were captured into ${terminalSafe(r.out)} (did the command run? do --events and --filter-comm name what it does?)\n`);
    }
    let text = flags.json ? jsonText({ record: r, import: summary }) : formatRecord(r, summary);
    if (!flags.json && r.stoppedByDuration) text = withDurationNote(text, durationS ?? 0);
    if (!flags.json && r.lostEvents > 0) text = withLostEventsAdvice(text, r.bufferKbPerCpu);
    process.stdout.write(text);
    if (r.interrupted) this.exit(130);
  }
}

/** the longest --duration: setTimeout's limit (2^31 - 1 ms); a longer one fires at once */
const MAX_DURATION_S = Math.floor((2 ** 31 - 1) / 1000);

/** the summary's line about the command's exit, saying that --duration stopped it */
function withDurationNote(summary: string, durationS: number): string {
  return summary.replace(/^(command .* exited with .*)$/m, `$1 (stopped by --duration ${durationS}: SIGTERM when the capture stopped)`);
}

/** after the summary's first line (the one with the lost events): how not to lose them next time */
function withLostEventsAdvice(summary: string, bufferKbPerCpu: number | undefined): string {
  const size = bufferKbPerCpu === undefined ? '' : ` (it was ${bufferKbPerCpu} KB per CPU)`;
  const advice = `events were lost: the ring buffer filled faster than it was read; give a larger --buffer-kb${size}`;
  const cut = summary.indexOf('\n');
  return `${summary.slice(0, cut + 1)}${advice}\n${summary.slice(cut + 1)}`;
}

/**
 * After SIGHUP the terminal is gone and writing to it fails (EIO, EPIPE): an unhandled stream error
 * would end the process before the capture restores tracefs. Nobody is there to read it anyway.
 */
function ignoreClosedTerminal(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

/** the kernel's events in a capture (the recorder's own trace_marker lines are not) */
function capturedEvents(eventsByName: { readonly [name: string]: number }): number {
  return Object.entries(eventsByName).reduce((n, [name, count]) => (name === 'tracing_mark_write' ? n : n + count), 0);
}

