/**
 * The HTML report a shop owner reads: a summary (what was tested and passed, what failed),
 * then each finding in plain words with how to fix it, and the technical evidence folded
 * away. Every value from the target is escaped; the page has no script and a CSP of its own.
 */
import type { ScanReport } from '../scanner.js';
import type { ScanFinding } from '../types.js';

export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const VERDICT_TEXT = { pass: 'Passed', fail: 'Failed', 'not-tested': 'Not tested' } as const;

function findingSection(f: ScanFinding): string {
  return `<section class="finding ${f.severity}">
  <h3><span class="badge">${escapeHtml(f.severity)} ${f.cvssScore.toFixed(1)}</span> ${escapeHtml(f.title)}</h3>
  <p>${escapeHtml(f.description)}</p>
  <p><strong>Where:</strong> ${escapeHtml(f.method ?? 'GET')} <code>${escapeHtml(f.url)}</code>${f.parameter ? ` (parameter <code>${escapeHtml(f.parameter)}</code>)` : ''}</p>
  <p><strong>How to fix:</strong> ${escapeHtml(f.remediation)}</p>
  <details><summary>Technical details for your developer</summary>
    <p>${escapeHtml(f.cwe)} · <code>${escapeHtml(f.cvssVector)}</code> · fingerprint <code>${escapeHtml(f.fingerprint)}</code>${f.occurrences > 1 ? ` · seen ${f.occurrences} times` : ''}</p>
    <p><strong>Reproduce:</strong> <code>${escapeHtml(f.reproduce)}</code></p>
    <p><strong>Proof:</strong> ${escapeHtml(f.evidence.proof)}</p>
    <pre>${escapeHtml(f.evidence.request)}</pre>
    <pre>${escapeHtml(f.evidence.response)}</pre>
  </details>
</section>`;
}

export function toHtmlReport(report: ScanReport): string {
  const counts = ['critical', 'high', 'medium', 'low', 'info'].map(
    (s) => `<li class="${s}">${report.findings.filter((f) => f.severity === s).length} ${s}</li>`,
  );
  const classes = report.classes
    .map(
      (c) =>
        `<tr class="${c.result}"><td>${escapeHtml(c.attackClass)}</td><td>${VERDICT_TEXT[c.result]}</td><td>${escapeHtml(c.reason ?? (c.findings ? `${c.findings} finding(s)` : ''))}</td></tr>`,
    )
    .join('\n');
  const notChecked = report.notChecked
    .slice(0, 100)
    .map((n) => `<li><code>${escapeHtml(n.what)}</code>: ${escapeHtml(n.reason)}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Security scan of ${escapeHtml(report.origin)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d2430; }
.summary li { display: inline-block; margin-right: 1rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; }
tr.pass td:nth-child(2) { color: #1b7f3b; } tr.fail td:nth-child(2) { color: #b00020; font-weight: 700; } tr.not-tested td:nth-child(2) { color: #777; }
.finding { border-left: .4rem solid #999; padding: .2rem 1rem; margin: 1rem 0; background: #fafafa; }
.finding.critical, .finding.high { border-color: #b00020; } .finding.medium { border-color: #e08a00; } .finding.low { border-color: #2a6fdb; }
.badge { font-size: .8rem; text-transform: uppercase; background: #1d2430; color: #fff; padding: .1rem .4rem; border-radius: .2rem; }
pre { white-space: pre-wrap; word-break: break-all; background: #f0f0f0; padding: .5rem; font-size: .8rem; }
</style>
</head>
<body>
<h1>Security scan of ${escapeHtml(report.origin)}</h1>
<p>${report.mode === 'active' ? 'Active scan (attack payloads were sent)' : 'Passive scan (no attack payloads)'}, ${escapeHtml(report.startedAt)} to ${escapeHtml(report.finishedAt)}: ${report.requests.sent} requests, ${report.coverage.pagesCrawled} pages, ${report.coverage.parametersFound} parameters.</p>
<ul class="summary">${counts.join('')}</ul>
<h2>What was tested</h2>
<p>“Not tested” means the scanner could not test that class completely; it is never counted as passed.</p>
<table><thead><tr><th>Attack class</th><th>Result</th><th>Notes</th></tr></thead><tbody>
${classes}
</tbody></table>
<h2>Findings</h2>
${report.findings.length === 0 ? '<p>No findings.</p>' : report.findings.map(findingSection).join('\n')}
<h2>What could not be checked</h2>
${notChecked ? `<ul>${notChecked}</ul>` : '<p>Everything planned was checked.</p>'}
<footer><p>Ensuresec ${escapeHtml(report.tool.version)} · see docs/scanner.md for what each check can miss.</p></footer>
</body>
</html>
`;
}
