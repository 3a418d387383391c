import type { CaseResult } from '../CertificationCase.js';

// XML 1.0 cannot carry control characters other than tab, line feed and carriage return.
const escape = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\x00-\x08\x0B\x0C\x0E-\x1F]/g, '');

/** The results as JUnit XML, the format CI systems read: one testsuite, one testcase per case. */
export function junitXml(suiteName: string, results: readonly CaseResult[], timestamp: Date): string {
  const count = (outcome: CaseResult['outcome']): number => results.filter((r) => r.outcome === outcome).length;
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const total = results.reduce((sum, r) => sum + r.durationMs, 0);
  const cases = results.map((r) => {
    const open = `  <testcase classname="${escape(suiteName)}" name="${escape(`${r.id}: ${r.title}`)}" time="${seconds(r.durationMs)}"`;
    const findings = r.findings.map((f) => `${f.rule} at ${f.element}: ${f.message}`).join('\n');
    switch (r.outcome) {
      case 'passed':
        return `${open}/>`;
      case 'skipped':
        return `${open}>\n    <skipped message="${escape(r.reason)}"/>\n  </testcase>`;
      case 'failed':
        return `${open}>\n    <failure message="${escape(r.reason)}">${escape(findings)}</failure>\n  </testcase>`;
      default:
        return `${open}>\n    <error message="${escape(r.reason)}" type="${r.outcome}"/>\n  </testcase>`;
    }
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${results.length}" failures="${count('failed')}" errors="${count('error') + count('timeout')}" skipped="${count('skipped')}" time="${seconds(total)}">`,
    ` <testsuite name="${escape(suiteName)}" tests="${results.length}" failures="${count('failed')}" errors="${count('error') + count('timeout')}" skipped="${count('skipped')}" time="${seconds(total)}" timestamp="${timestamp.toISOString().slice(0, 19)}">`,
    ...cases,
    ' </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
