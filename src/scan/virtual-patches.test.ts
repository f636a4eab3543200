/**
 * Virtual patches end to end: an active scan of the flawed test shop (loopback) finds the SQL
 * injection and the path traversal; the proposed rules file, written to disk, is loaded with the
 * gateway's SecLang loader and run by the WAF engine: the scan's own exploit request (from the
 * finding's evidence) is denied by the patch, a benign request to the same route passes, and the
 * same attack on another route or parameter is not this patch's business. XSS from a report fixture.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWafEngine } from '../gateway/waf/engine/engine.js';
import { loadRuleFiles } from '../gateway/waf/seclang/loader.js';
import { runScan } from './scanner.js';
import { sampleReport } from './testing/sample-report.js';
import { startFlawedServer } from './testing/flawed-server.js';
import type { ScanFinding } from './types.js';
import { proposeVirtualPatches, VIRTUAL_PATCH_FIRST_ID, type VirtualPatchSet } from './virtual-patches.js';

function engineFor(set: VirtualPatchSet) {
  const file = join(mkdtempSync(join(tmpdir(), 'ensuresec-vpatch-')), 'virtual-patches.conf');
  writeFileSync(file, set.text);
  return createWafEngine(loadRuleFiles([file]));
}

/** Runs one GET through the engine; the id of the rule that denied it, or null. */
function deniedBy(
  engine: ReturnType<typeof createWafEngine>,
  uri: string,
): { rule: number; status: number } | null {
  const tx = engine.newTransaction({
    remoteAddr: '198.51.100.7',
    method: 'GET',
    uri,
    protocol: 'HTTP/1.1',
    headers: [['Host', 'shop.example']],
  });
  tx.processRequestHeaders();
  tx.processRequestBody(undefined);
  const result = tx.processLogging();
  return result.interruption
    ? { rule: result.interruption.ruleId, status: result.interruption.status }
    : null;
}

/** The request target of a finding's evidence: `GET /path?query HTTP/1.1` → `/path?query`. */
const exploitOf = (f: ScanFinding): string => (f.evidence.request.split('\n')[0] ?? '').split(' ')[1] ?? '';

describe('virtual patches from an active scan', { timeout: 60_000 }, () => {
  let target: { url: string; close(): Promise<void> };
  let findings: ScanFinding[];
  beforeAll(async () => {
    target = await startFlawedServer();
    const report = await runScan({
      target: `${target.url}/`,
      active: true,
      maxRequests: 400,
      ratePerSecond: 0,
    });
    findings = report.findings;
  });
  afterAll(async () => target.close());

  it('blocks the exploits the scan sent and lets benign requests to the same routes through', () => {
    const set = proposeVirtualPatches(findings, { origin: target.url });
    expect(set.patches.map((p) => [p.checkId, p.parameter]).sort()).toEqual([
      ['path-traversal', 'file'],
      ['sql-injection', 'id'],
      ['sql-injection-time', 'id'],
    ]);
    const engine = engineFor(set);
    for (const patch of set.patches) {
      const finding = findings.find((f) => f.fingerprint === patch.fingerprint) as ScanFinding;
      const exploit = exploitOf(finding);
      expect(exploit.startsWith(`${patch.path}?`), exploit).toBe(true);
      expect(deniedBy(engine, exploit), `${patch.checkId}: ${exploit}`).toEqual({
        rule: patch.ruleId,
        status: 403,
      });
    }
    const sqli = set.patches.find((p) => p.checkId === 'sql-injection')!;
    const traversal = set.patches.find((p) => p.checkId === 'path-traversal')!;
    // Benign values on the same routes.
    expect(deniedBy(engine, `${sqli.path}?id=2`)).toBeNull();
    expect(deniedBy(engine, `${traversal.path}?file=manual.pdf`)).toBeNull();
    expect(deniedBy(engine, `${traversal.path}?file=docs/terms.html`)).toBeNull();
    // Other encodings of the same attacks are still caught by the patch.
    // Both SQL injection patches guard this parameter; the one first in the set (the order the
    // findings came in, which the time-based check's timing can change) answers.
    const sqlPatches = set.patches.filter(
      (p) => p.path === sqli.path && p.checkId.startsWith('sql-injection'),
    );
    expect(sqlPatches.map((p) => p.ruleId)).toContain(
      deniedBy(engine, `${sqli.path}?id=1%20UNION%20SELECT%20password%20FROM%20users--`)?.rule,
    );
    expect(deniedBy(engine, `${traversal.path}?file=..%252f..%252fetc%252fpasswd`)?.rule).toBe(
      traversal.ruleId,
    );
    // Scoped: the same payload on another route or in another parameter is not this patch's.
    expect(deniedBy(engine, `/elsewhere?id=1'%20OR%20'1'='1`)).toBeNull();
    expect(deniedBy(engine, `${sqli.path}?sort=1'%20OR%20'1'='1`)).toBeNull();
  });
});

describe('virtual patches from a report', () => {
  const report = sampleReport();
  const set = proposeVirtualPatches(report.findings, { origin: report.origin, firstId: 95_000 });

  it('writes a chained, scoped rule for reflected XSS that the loader accepts', () => {
    expect(set.patches).toHaveLength(1);
    expect(set.patches[0]).toMatchObject({ ruleId: 95_000, path: '/search', parameter: 'q' });
    expect(set.text).toContain('SecRule REQUEST_FILENAME "@streq /search" "id:95000,phase:2,deny,status:403');
    expect(set.text).toContain('SecRule ARGS:q "@detectXSS"');
    const engine = engineFor(set);
    expect(deniedBy(engine, '/search?q=%3Cscript%3Ealert(1)%3C/script%3E')).toEqual({
      rule: 95_000,
      status: 403,
    });
    expect(deniedBy(engine, '/search?q=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E')?.rule).toBe(95_000);
    expect(deniedBy(engine, '/search?q=red%20shoes%20%3C%2050%E2%82%AC')).toBeNull();
    expect(deniedBy(engine, '/search?page=2')).toBeNull();
  });

  it('skips what it cannot scope, and says so in the file', () => {
    const [xss] = report.findings;
    const odd = [
      { ...xss!, fingerprint: 'a'.repeat(32), parameter: 'q"; SecRuleEngine Off' },
      { ...xss!, fingerprint: 'b'.repeat(32), parameter: undefined },
      { ...xss!, fingerprint: 'c'.repeat(32), checkId: 'open-redirect' },
    ] as ScanFinding[];
    const skipped = proposeVirtualPatches(odd);
    expect(skipped.patches).toEqual([]);
    expect(skipped.skipped.map((s) => s.reason)).toEqual([
      'parameter name "q\\"; SecRuleEngine Off" needs a hand-written selector',
      'no parameter to scope the rule to',
    ]);
    expect(skipped.text).not.toMatch(/^SecRuleEngine/m);
    expect(VIRTUAL_PATCH_FIRST_ID).toBe(91_000);
  });
});
