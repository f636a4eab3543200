/**
 * The engine running the real OWASP CRS 4.28.0 (../shared/crs, or ENSURESEC_CRS_DIR) with the
 * real operators and transformations: a benign GET passes untouched, an SQL injection and an
 * XSS in a query argument are detected by their rules and denied by the anomaly threshold
 * (949110) with the default setup.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../seclang/loader.js';
import { createWafEngine, type WafEngine } from './engine.js';
import type { WafRequest } from './transaction.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const crsDir = process.env.ENSURESEC_CRS_DIR ?? path.resolve(repositoryRoot, '../shared/crs');

function get(uri: string): WafRequest {
  return {
    remoteAddr: '198.51.100.7',
    remotePort: 51000,
    method: 'GET',
    uri,
    protocol: 'HTTP/1.1',
    headers: [
      ['Host', 'shop.example'],
      ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
      ['Accept', 'text/html,application/xhtml+xml'],
      ['Accept-Language', 'en-GB,en;q=0.8'],
    ],
  };
}

function run(engine: WafEngine, request: WafRequest) {
  const tx = engine.newTransaction(request);
  tx.processRequestHeaders();
  tx.processRequestBody();
  return tx.processLogging();
}

describe('the engine with OWASP CRS 4.28.0', () => {
  let engine: WafEngine;
  let loadMs = 0;

  beforeAll(() => {
    const started = performance.now();
    engine = createWafEngine(
      loadRuleFiles([path.join(crsDir, 'crs-setup.conf.example'), path.join(crsDir, 'rules', '*.conf')]),
    );
    loadMs = performance.now() - started;
  });

  it('compiles every CRS rule within a few seconds', () => {
    expect(engine.ruleCount).toBeGreaterThan(600);
    expect(loadMs).toBeLessThan(15_000);
  });

  it('lets a benign GET through with no rule fired', () => {
    const result = run(engine, get('/products/blue-shirt?size=m&colour=blue'));
    expect(result.matchedRules.map((match) => match.id)).toEqual([]);
    expect(result.interruption).toBeNull();
  });

  it("detects /?id=1' OR 1=1-- with 942100 and denies it with 949110", () => {
    const result = run(engine, get("/?id=1'%20OR%201=1--"));
    const fired = result.matchedRules.map((match) => match.id);
    expect(fired).toContain(942100);
    expect(fired).toContain(949110);
    expect(result.interruption).toMatchObject({ action: 'deny', status: 403, ruleId: 949110 });
    expect(
      result.matchLines.some(
        (line) => line.includes('[id "942100"]') && line.includes('[msg "SQL Injection'),
      ),
    ).toBe(true);
  });

  it('detects <script>alert(1)</script> with 941100/941110 and denies it with 949110', () => {
    const result = run(engine, get('/search?q=%3Cscript%3Ealert(1)%3C/script%3E'));
    const fired = result.matchedRules.map((match) => match.id);
    expect(fired).toEqual(expect.arrayContaining([941100, 941110, 949110]));
    expect(result.interruption).toMatchObject({ action: 'deny', status: 403, ruleId: 949110 });
    expect(result.auditLog?.transaction.messages.some((message) => message.details.ruleId === '941100')).toBe(
      true,
    );
  });

  it('decides alike when transactions interleave phase by phase (they share the scratch memory)', () => {
    const uris = [
      "/?id=1'%20OR%201=1--",
      '/products/blue-shirt?size=m&colour=blue',
      '/search?q=%3Cscript%3Ealert(1)%3C/script%3E',
      '/files?path=../../etc/passwd',
    ];
    const alone = uris.map((uri) => run(engine, get(uri)).matchedRules.map((match) => match.id));
    const transactions = uris.map((uri) => engine.newTransaction(get(uri)));
    for (const tx of transactions) tx.processRequestHeaders();
    for (const tx of [...transactions].reverse()) tx.processRequestBody();
    const interleaved = transactions.map((tx) => tx.processLogging().matchedRules.map((match) => match.id));
    expect(interleaved).toEqual(alone);
    expect(alone[0]).toContain(942100);
    expect(alone[1]).toEqual([]);
  });
});
