import type { CaseResult } from '../CertificationCase.js';
import { summarize } from '../runCases.js';

const html = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A readable table for the terminal: case, result, reason, duration, then the totals. */
export function summaryTable(results: readonly CaseResult[]): string {
  const rows = results.map((r) => [r.id, r.outcome.toUpperCase(), `${(r.durationMs / 1000).toFixed(2)} s`, r.reason]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c]!.length), ['case', 'result', 'time'][c]!.length));
  const line = (cells: string[]): string => cells.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ').trimEnd();
  const totals = summarize(results);
  return [
    line(['case', 'result', 'time', 'reason']),
    ...rows.map(line),
    '',
    `${totals.passed} passed, ${totals.failed} failed, ${totals.error + totals.timeout} errors, ${totals.skipped} skipped`,
    '',
  ].join('\n');
}

/** The same as a standalone HTML page (no scripts, no external resources). */
export function summaryHtml(title: string, results: readonly CaseResult[], timestamp: Date): string {
  const totals = summarize(results);
  const rows = results
    .map((r) => {
      const findings = r.findings.length === 0 ? '' : `<ul>${r.findings.map((f) => `<li><code>${html(f.rule)}</code> ${html(f.element)}: ${html(f.message)}</li>`).join('')}</ul>`;
      return `<tr class="${r.outcome}"><td><code>${html(r.id)}</code><br>${html(r.title)}</td><td>${r.outcome}</td><td>${html(r.reason)}${findings}</td><td>${(r.durationMs / 1000).toFixed(2)} s</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4em;text-align:left;vertical-align:top}
.passed td:nth-child(2){color:#176f2c}.failed td:nth-child(2),.error td:nth-child(2),.timeout td:nth-child(2){color:#b00020;font-weight:bold}.skipped{color:#777}</style></head>
<body><h1>${html(title)}</h1>
<p>${timestamp.toISOString()}: ${totals.passed} passed, ${totals.failed} failed, ${totals.error + totals.timeout} errors, ${totals.skipped} skipped: <strong>${totals.ok ? 'PASS' : 'FAIL'}</strong></p>
<table><thead><tr><th>case</th><th>result</th><th>reason</th><th>time</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
