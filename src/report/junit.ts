/** JUnit XML for CI systems: one testcase per (strategy, metric) of a check, values with units. */
import type { CheckReport } from './check.js';
import { fmtMetric } from './check-format.js';

export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string)
    // characters XML 1.0 does not allow (a lone surrogate is written as U+FFFD, which it allows)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, '?');
}

/** JUnit's timestamp: ISO 8601 without fraction or zone (UTC), as the JUnit XML schema's xs:dateTime pattern wants it */
export function junitTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/**
 * `timestamp` (junitTimestamp: UTC, to the second) and `timeS` (seconds the check took) are the run's, for CI reporters that
 * need them; each testcase takes no measurable time (time="0").
 */
export function checkJunit(report: CheckReport, timestamp: string, timeS: number): string {
  const f = (metric: string, v: number): string => fmtMetric(metric, v);
  const cases = report.rows.map((r) => {
    const name = `${xmlEscape(r.metric)}`;
    const cls = `lockreplay.${xmlEscape(r.strategy)}`;
    if (r.skipped !== undefined) return `    <testcase classname="${cls}" name="${name}" time="0">\n      <skipped message="${xmlEscape(r.skipped)}"/>\n    </testcase>`;
    if (r.pass) return `    <testcase classname="${cls}" name="${name}" time="0"/>`;
    const msg = r.metric === 'present'
      ? `${r.strategy} is in the baseline but missing from the result`
      : r.metric.startsWith('present[')
        ? `${r.strategy} has no ${r.metric.slice(8, -1)} ops in the result, where the baseline has ${r.baseline}`
        : `${r.metric} regressed: ${f(r.metric, r.current)} vs baseline ${f(r.metric, r.baseline)} (worse by ${f(r.metric, r.worseBy)}, allowed ${f(r.metric, r.allowed)})`;
    return `    <testcase classname="${cls}" name="${name}" time="0">\n      <failure message="${xmlEscape(msg)}" type="regression">${xmlEscape(msg)}</failure>\n    </testcase>`;
  });
  // strategies only in the result: not checked (nothing to compare with), said as skipped testcases
  for (const label of report.unmatched) {
    cases.push(`    <testcase classname="lockreplay.${xmlEscape(label)}" name="present" time="0">\n      <skipped message="${xmlEscape(`${label} is not in the baseline: not checked`)}"/>\n    </testcase>`);
  }
  const tests = report.rows.length + report.unmatched.length;
  const skipped = report.skipped + report.unmatched.length;
  const time = timeS.toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lockreplay check" tests="${tests}" failures="${report.regressions}" skipped="${skipped}" time="${time}" timestamp="${timestamp}">`,
    `  <testsuite name="${xmlEscape(`lockreplay check: ${report.trace}`)}" tests="${tests}" failures="${report.regressions}" errors="0" skipped="${skipped}" time="${time}" timestamp="${timestamp}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * JUnit XML for a check that ended without a verdict (results that cannot be compared, a file that
 * cannot be read): one testcase with an `<error>` carrying the message, so that a JUnit file of an
 * earlier, passing run left in a reused workspace does not stay green.
 */
export function checkErrorJunit(message: string, exitCode: number, timestamp: string, timeS: number): string {
  const time = timeS.toFixed(3);
  const msg = xmlEscape(message);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lockreplay check" tests="1" failures="0" errors="1" time="${time}" timestamp="${timestamp}">`,
    `  <testsuite name="lockreplay check" tests="1" failures="0" errors="1" skipped="0" time="${time}" timestamp="${timestamp}">`,
    '    <testcase classname="lockreplay" name="check" time="0">',
    `      <error message="${msg}" type="exit ${exitCode}">${msg}</error>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
