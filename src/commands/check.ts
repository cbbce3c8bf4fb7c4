import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { ExitCode } from '../errors.js';
import { check, CHECK_METRICS, parseThresholds } from '../report/check.js';
import { checkJunit } from '../report/junit.js';
import { loadResult } from '../report/load.js';
import { checkSummary, fmtMetric, formatCheck } from '../report/check-format.js';
import { writeOutput } from '../util/output.js';
import { appendJobSummary } from '../report/emit.js';
import { jsonText } from '../report/json.js';

export default class Check extends BaseCommand {
  static override summary = 'Compare a result with a baseline result: exit 0 if nothing regressed, 10 if something did.';
  static override description = `Compares each strategy present in both, metric by metric (${CHECK_METRICS.join(', ')}, and p99 per op
kind, races per conflict class). A metric regresses when it gets worse by more than its threshold
(default 0: replays are deterministic, so identical input gives identical numbers); a strategy of
the baseline missing from the result is a regression too. Exit codes: 0 all pass; 10 a
regression; 11 the results cannot be compared (a missing or unreadable file, not a result, another
schema, summary numbers that disagree with their histograms and counters (an edited result), another trace or selection, other options, other service times (the kernel's lock waits
or task sleeps of the same ops), no strategy in common).`;
  static override examples = [
    '<%= config.bin %> check result.json --baseline baseline.json',
    '<%= config.bin %> check result.json --baseline baseline.json --threshold p99=5%,throughput=3% --junit check.xml',
  ];
  static override args = { result: Args.string({ description: 'the result JSON to check', required: true }) };
  static override flags = {
    baseline: Flags.string({ char: 'b', description: 'the baseline result JSON', required: true }),
    threshold: Flags.string({ char: 't', description: 'METRIC=N% (relative) or METRIC=N (absolute: ns, ops/s, count), comma-separated' }),
    junit: Flags.string({ description: 'also write JUnit XML here: one testcase per (strategy, metric)' }),
    json: Flags.boolean({ description: 'print the comparison as JSON' }),
    verbose: Flags.boolean({ char: 'v', description: 'print every row, not only the regressions' }),
  };

  async run(): Promise<void> {
    const startedMs = Date.now();
    const { args, flags } = await this.parse(Check);
    const thresholds = parseThresholds(flags.threshold);
    const current = loadResult(args.result, ExitCode.incompatible);
    const baseline = loadResult(flags.baseline, ExitCode.incompatible);
    const report = check(current, baseline, thresholds, { current: args.result, baseline: flags.baseline });
    if (flags.junit !== undefined) await writeOutput(flags.junit, checkJunit(report, new Date(startedMs).toISOString(), (Date.now() - startedMs) / 1000));
    if (flags.json) {
      process.stdout.write(jsonText(report));
    } else {
      process.stdout.write(formatCheck(report, flags.verbose));
      const failed = report.rows.filter((r) => !r.pass);
      appendJobSummary(`### lockreplay check: ${checkSummary(report)}\n\n${failed.length > 0 ? `| strategy | metric | baseline | current |\n|---|---|---:|---:|\n${failed.map((r) => `| ${r.strategy} | ${r.metric} | ${fmtMetric(r.metric, r.baseline)} | ${fmtMetric(r.metric, r.current)} |`).join('\n')}\n` : ''}`);
    }
    if (report.regressions > 0) this.exit(ExitCode.regression);
  }
}
