import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { refuseCheckPaths } from '../cli/check-paths.js';
import { ExitCode, LockreplayError } from '../errors.js';
import { check, CHECK_METRICS, parseThresholds, type CheckReport } from '../report/check.js';
import { checkErrorJunit, checkJunit, junitTimestamp } from '../report/junit.js';
import { loadResult } from '../report/load.js';
import { checkMarkdown, formatCheck } from '../report/check-format.js';
import { writeOutput } from '../util/output.js';
import { appendJobSummary } from '../report/emit.js';
import { jsonText } from '../report/json.js';
import { terminalText } from '../util/terminal.js';

export default class Check extends BaseCommand {
  static override summary = 'Compare a result with a baseline result: exit 0 if nothing regressed, 10 if something did.';
  static override description = `Compares each strategy present in both, metric by metric (${CHECK_METRICS.join(', ')}, and p99 per op
kind, races per conflict class). A metric regresses when it gets worse by more than its threshold
(default 0: replays are deterministic, so identical input gives identical numbers); a strategy of
the baseline missing from the result is a regression too. A deadlock stops a run early: fewer
completed ops (completed) or a new deadlock is a regression; the throughput, latency and lock wait
rows of runs that completed different numbers of ops are not compared (skipped). The verdict is printed first; then
--junit is written and the verdict appended to $GITHUB_STEP_SUMMARY (with --json too). Exit codes:
0 all pass; 10 a regression (also when a side output then fails); 6 a side output could not be
written (no regression); 2 bad flags (an empty path, the result given as its own baseline, --junit
naming the result, the baseline or a directory, --json with --junit -); 11 the results cannot be compared (a
missing or unreadable file, not a result, another
schema, summary numbers that disagree with their histograms and counters (an edited result),
another trace or selection, other options, other service times (the kernel's lock waits
or task sleeps of the same ops), no strategy in common): --junit then holds one testcase with an
<error>, the message.`;
  static override examples = [
    '<%= config.bin %> check result.json --baseline baseline.json',
    '<%= config.bin %> check result.json --baseline baseline.json --threshold p99=5%,throughput=3% --junit check.xml',
  ];
  static override args = { result: Args.string({ description: 'the result JSON to check', required: true }) };
  static override flags = {
    baseline: Flags.string({ char: 'b', description: 'the baseline result JSON', required: true }),
    threshold: Flags.string({ char: 't', description: 'METRIC=N% (relative) or METRIC=N (absolute: ns, ops/s, count), comma-separated, each metric once; p99 also applies to p99[KIND], races to races[CLASS]' }),
    junit: Flags.string({ description: 'also write JUnit XML here ("-": stdout, the verdict then goes to stderr): one testcase per (strategy, metric), or one <error> when the results cannot be compared' }),
    json: Flags.boolean({ description: 'print the comparison as JSON' }),
    verbose: Flags.boolean({ char: 'v', description: 'print every row, not only the regressions' }),
  };

  async run(): Promise<void> {
    const startedMs = Date.now();
    const { args, flags } = await this.parse(Check);
    refuseCheckPaths(args.result, flags.baseline, flags.junit, flags.json);
    const timestamp = (): string => junitTimestamp(new Date(startedMs));
    const elapsedS = (): number => (Date.now() - startedMs) / 1000;
    let report: CheckReport;
    try {
      const thresholds = parseThresholds(flags.threshold);
      const current = loadResult(args.result, ExitCode.incompatible, false);
      const baseline = loadResult(flags.baseline, ExitCode.incompatible, false);
      report = check(current, baseline, thresholds, { current: args.result, baseline: flags.baseline });
    } catch (err) {
      // no verdict: a JUnit file of an earlier run must not stay green
      if (flags.junit !== undefined) {
        const code = err instanceof LockreplayError ? err.exitCode : ExitCode.internal;
        try {
          await writeOutput(flags.junit, checkErrorJunit((err as Error).message, code, timestamp(), elapsedS()));
        } catch (writeErr) {
          process.stderr.write(`lockreplay: ${terminalText((writeErr as Error).message)}\n`);
        }
      }
      throw err;
    }
    // (a warning quotes the results' own strings, their version: no control character of theirs reaches the terminal)
    for (const w of report.warnings) process.stderr.write(`lockreplay: warning: ${terminalText(w)}\n`);
    // the verdict first: a side output that fails must not hide it
    const verdict = flags.json ? jsonText(report) : formatCheck(report, flags.verbose);
    (flags.junit === '-' ? process.stderr : process.stdout).write(verdict);
    let sideFailed = false;
    const side = async (write: () => Promise<void> | void): Promise<void> => {
      try {
        await write();
      } catch (err) {
        if (!(err instanceof LockreplayError)) throw err;
        process.stderr.write(`lockreplay: ${terminalText(err.message)}\n`);
        sideFailed = true;
      }
    };
    if (flags.junit !== undefined) await side(() => writeOutput(flags.junit as string, checkJunit(report, timestamp(), elapsedS())));
    await side(() => appendJobSummary(checkMarkdown(report)));
    if (report.regressions > 0) this.exit(ExitCode.regression);
    if (sideFailed) this.exit(ExitCode.outputFailed);
  }
}
