/** A small scan report built from hand-written drafts, for report and certificate tests. Not used at run time. */
import { classResults } from '../classes.js';
import { FindingCollector } from '../findings/collect.js';
import type { ScanReport } from '../scanner.js';
import type { CheckResult } from '../types.js';

export function sampleReport(): ScanReport {
  const findings = new FindingCollector();
  findings.add({
    checkId: 'reflected-xss',
    attackClass: 'xss',
    title: 'Reflected XSS in parameter q',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
    cwe: 'CWE-79',
    url: 'http://shop.test/search',
    method: 'GET',
    parameter: 'q',
    description: 'The page echoes <script>alert("x")</script> & friends.',
    evidence: {
      request: 'GET /search?q=<script>',
      response: 'HTTP/1.1 200\n\n<h2>Results for <script>alert(1)</script></h2>',
      proof: '<ens1x> element',
    },
    reproduce: "curl 'http://shop.test/search?q=<script>'",
    remediation: 'Escape output.',
  });
  const checks: CheckResult[] = [
    { checkId: 'reflected-xss', kind: 'active', attackClass: 'xss', status: 'tested', tested: 1 },
    {
      checkId: 'security-headers',
      kind: 'passive',
      attackClass: 'security-headers',
      status: 'tested',
      tested: 3,
    },
    { checkId: 'cookies', kind: 'passive', attackClass: 'security-headers', status: 'tested', tested: 1 },
    {
      checkId: 'exposed-files',
      kind: 'passive',
      attackClass: 'exposed-data',
      status: 'partial',
      tested: 10,
      reason: '2 probes got no answer',
    },
  ];
  const list = findings.list();
  return {
    tool: { name: 'ensuresec', version: '0.1.0' },
    target: 'http://shop.test/',
    origin: 'http://shop.test',
    mode: 'active',
    startedAt: '2026-11-27T10:00:00.000Z',
    finishedAt: '2026-11-27T10:00:05.000Z',
    durationMs: 5000,
    requests: { sent: 42, failed: 2, budget: 100 },
    coverage: { pagesCrawled: 5, formsFound: 2, parametersFound: 1, apiOperations: 0 },
    crawled: [{ url: 'http://shop.test/', status: 200 }],
    findings: list,
    checks,
    classes: classResults(checks, list),
    notChecked: [{ what: 'http://shop.test/slow', reason: 'not crawled: timeout (<b>no answer</b>)' }],
    records: {},
  };
}
