/** JUnit XML for CI systems: one testcase per (strategy, metric) of a check. */
import type { CheckReport } from './check.js';

export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string)
    // characters XML 1.0 does not allow
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '?');
}

export function checkJunit(report: CheckReport): string {
  const cases = report.rows.map((r) => {
    const name = `${xmlEscape(r.metric)}`;
    const cls = `lockreplay.${xmlEscape(r.strategy)}`;
    if (r.pass) return `    <testcase classname="${cls}" name="${name}"/>`;
    const msg = `${r.metric} regressed: ${r.current} vs baseline ${r.baseline} (worse by ${r.worseBy}, allowed ${r.allowed})`;
    return `    <testcase classname="${cls}" name="${name}">\n      <failure message="${xmlEscape(msg)}" type="regression">${xmlEscape(msg)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lockreplay check" tests="${report.rows.length}" failures="${report.regressions}">`,
    `  <testsuite name="${xmlEscape(`lockreplay check: ${report.trace}`)}" tests="${report.rows.length}" failures="${report.regressions}" errors="0" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
