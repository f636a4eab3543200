/**
 * The active checks of issue 8 against the real demo shop, logged in with the two test
 * accounts of the demo recipe: every flaw found in vulnerable mode, nothing in safe mode,
 * and every check really ran there.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWafEngine } from '../../../gateway/waf/engine/engine.js';
import { loadRuleFiles } from '../../../gateway/waf/seclang/loader.js';
import { proposeVirtualPatches } from '../../virtual-patches.js';
import { startTestShop, type TestShop } from '../../../demo/shop/test-kit.js';
import { parseLoginRecipe } from '../../auth/recipe.js';
import { runScan, type ScanReport } from '../../scanner.js';
import { prepareDemoAccounts } from '../../testing/demo-accounts.js';

const CHECKS = [
  'sql-injection-time',
  'command-injection',
  'ssrf',
  'csrf',
  'idor',
  'checkout-tampering',
  'payment-rate-limit',
  'account-enumeration',
  'stored-xss',
];
const OPTIONS = {
  active: true,
  checks: CHECKS,
  maxRequests: 800,
  ratePerSecond: 0,
  concurrency: 4,
  maxPages: 40,
};

async function scanDemo(vulnerable: boolean): Promise<{ shop: TestShop; report: ScanReport }> {
  const shop = await startTestShop({ vulnerable, deliveryStepMs: 0 });
  const loginRecipe = await prepareDemoAccounts(shop);
  const report = await runScan({ target: `${shop.url}/`, ...OPTIONS, loginRecipe });
  return { shop, report };
}

describe('issue 8 active checks on the vulnerable demo shop', () => {
  let shop: TestShop;
  let report: ScanReport;
  beforeAll(async () => ({ shop, report } = await scanDemo(true)), 120_000);
  afterAll(async () => shop.stop());

  const found = (checkId: string) =>
    report.findings
      .filter((f) => f.checkId === checkId)
      .map((f) => `${f.method ?? 'GET'} ${new URL(f.url).pathname}${f.parameter ? ` ${f.parameter}` : ''}`)
      .sort();

  it('logs both test accounts in', () => {
    expect(report.records['authentication']).toEqual({ loggedIn: ['alice', 'bob'], failed: [] });
  });
  it('finds the time-based blind SQL injection in search (SQLite heavy query)', () => {
    expect(found('sql-injection-time')).toEqual(['GET /search q']);
    expect(report.findings.find((f) => f.checkId === 'sql-injection-time')?.data?.['dbms']).toBe('SQLite');
  });
  it('finds the command injection in parcel tracking by its output', () => {
    expect(found('command-injection')).toEqual(['GET /carrier-status parcel']);
  });
  it('finds the SSRF in the image proxy with a canary hit', () => {
    expect(found('ssrf')).toEqual(['GET /image-proxy url']);
    expect(report.findings.find((f) => f.checkId === 'ssrf')?.evidence.proof).toMatch(
      /canary hit: GET \/ens-ssrf\//,
    );
  });
  it('finds cross-site form posts accepted (SameSite=Lax noted, so low)', () => {
    expect(found('csrf')).toContain('POST /cart/add');
    expect(report.findings.find((f) => f.checkId === 'csrf')?.severity).toBe('low');
  });
  it("finds alice reading bob's order, on the page and in the API", () => {
    expect(found('idor')).toEqual(['GET /api/orders/:id', 'GET /orders/:id']);
  });
  it('finds the trusted price, quantity and currency, the stacked coupons and the replayed one', () => {
    const tampering = report.findings.filter((f) => f.checkId === 'checkout-tampering');
    expect(tampering.map((f) => `${f.cwe} ${f.title}`).sort()).toEqual([
      'CWE-1284 Tampered quantity accepted at checkout: POST /cart/add (quantity)',
      'CWE-602 Tampered currency accepted at checkout: POST /cart/add (currency)',
      'CWE-602 Tampered price accepted at checkout: POST /cart/add (price_minor)',
      'CWE-837 Single-use coupon accepted again: WELCOME10',
      'CWE-840 Coupons stack: WELCOME10 + SPRING5',
    ]);
    // Both the negative and the fractional quantity were taken (one finding, two occurrences).
    expect(tampering.find((f) => f.detailKey === 'quantity')?.occurrences).toBe(2);
  });
  it('finds the stored XSS in product reviews over plain HTTP (no browser), shown on the product page', () => {
    const generic = found('stored-xss').map((f) =>
      f.replace(/^POST \/products\/[^/]+\//, 'POST /products/:slug/'),
    );
    expect(new Set(generic)).toEqual(
      new Set(['POST /products/:slug/reviews author', 'POST /products/:slug/reviews text']),
    );
    for (const f of report.findings.filter((x) => x.checkId === 'stored-xss')) {
      const shownOn = new URL(String(f.data?.['shownAt'])).pathname;
      expect(`${new URL(f.url).pathname}`).toBe(`${shownOn}/reviews`);
      expect(f.description).toContain('Not verified by execution (scan with --browser to verify).');
    }
  });
  it('finds no limit on declined payments', () => {
    expect(found('payment-rate-limit')).toEqual(['POST /checkout']);
  });
  it('finds account enumeration on login by the answer text, and on registration by the status', () => {
    expect(found('account-enumeration')).toEqual(['POST /login', 'POST /register']);
    const proof = (detailKey: string) =>
      report.findings.find((f) => f.checkId === 'account-enumeration' && f.detailKey === detailKey)?.evidence
        .proof;
    expect(proof('login')).toContain('There is no account with this email address');
    expect(proof('registration')).toContain('status 400 for the known account, 303 for an unknown one');
    expect(proof('registration')).toContain('An account with this email already exists.');
  });
  it('proposes virtual patches that block its own exploits and let ordinary values through', () => {
    const patches = proposeVirtualPatches(report.findings, { origin: report.origin });
    const patched = patches.patches.map((p) => `${p.checkId} ${p.path} ${p.parameter}`).sort();
    expect(patched).toEqual([
      'command-injection /carrier-status parcel',
      'sql-injection-time /search q',
      'ssrf /image-proxy url',
    ]);
    for (const finding of report.findings.filter((f) => patched.some((p) => p.startsWith(f.checkId)))) {
      const exploit = (finding.evidence.request.split('\n')[0] ?? '').split(' ')[1] ?? '';
      expect(denies(patches.text, exploit), exploit).toBe(true);
    }
    expect(denies(patches.text, '/carrier-status?parcel=DS1000EU')).toBe(false);
    expect(denies(patches.text, '/image-proxy?url=%2Fstatic%2Fcarrier-logo.svg')).toBe(false);
    expect(denies(patches.text, '/search?q=kettle')).toBe(false);
  });
});

/** Whether the WAF loaded with `rulesText` denies a GET of `uri`. */
function denies(rulesText: string, uri: string): boolean {
  const file = join(mkdtempSync(join(tmpdir(), 'ensuresec-vpatch-')), 'virtual-patches.conf');
  writeFileSync(file, rulesText);
  const tx = createWafEngine(loadRuleFiles([file])).newTransaction({
    remoteAddr: '198.51.100.7',
    method: 'GET',
    uri,
    protocol: 'HTTP/1.1',
    headers: [['Host', 'shop.example']],
  });
  tx.processRequestHeaders();
  tx.processRequestBody(undefined);
  return Boolean(tx.processLogging().interruption);
}

describe('issue 8 active checks on the safe demo shop', () => {
  let shop: TestShop;
  let report: ScanReport;
  beforeAll(async () => ({ shop, report } = await scanDemo(false)), 120_000);
  afterAll(async () => shop.stop());

  it('finds nothing', () => {
    expect(report.findings.map((f) => `${f.checkId}: ${f.title}`)).toEqual([]);
  });
  it('really tested with every check', () => {
    for (const id of CHECKS) {
      const check = report.checks.find((c) => c.checkId === id);
      expect(check?.status, `${id}: ${check?.reason ?? ''}`).toBe('tested');
      expect(check?.tested, id).toBeGreaterThan(0);
    }
    // Login and registration compared; price, 3 quantities, currency, stacking and replay probed.
    expect(report.checks.find((c) => c.checkId === 'account-enumeration')?.tested).toBe(2);
    expect(report.checks.find((c) => c.checkId === 'checkout-tampering')?.tested).toBe(7);
  });
  it('passes the access-control, authentication and business-logic classes it could now test', () => {
    const result = (c: string) => report.classes.find((x) => x.attackClass === c)?.result;
    // Only this slice's checks ran here, so classes needing others stay not-tested.
    expect(result('business-logic')).toBe('pass');
    expect(result('injection')).toBe('not-tested');
  });
});

describe('authenticated scanning with a wrong password', () => {
  it('records the failed login and leaves the account checks not tested', async () => {
    const shop = await startTestShop({ vulnerable: true, deliveryStepMs: 0 });
    try {
      await prepareDemoAccounts(shop);
      const loginRecipe = parseLoginRecipe(
        `login: { url: /login, fields: { email: "{username}", password: "{password}" }, success: { status: [303] } }
accounts:
  - { name: alice, username: scan-alice@example.test, password: not-her-password }
  - { name: bob, username: scan-bob@example.test, password: correct horse battery }`,
      );
      const report = await runScan({ target: `${shop.url}/`, ...OPTIONS, checks: ['idor'], loginRecipe });
      expect(report.records['authentication']).toEqual({
        loggedIn: ['bob'],
        failed: [{ name: 'alice', reason: 'login did not succeed (HTTP 401): status not in 303' }],
      });
      expect(report.checks.find((c) => c.checkId === 'idor')?.status).toBe('not-tested');
      expect(report.notChecked.map((n) => n.what)).toContain('login as alice');
    } finally {
      await shop.stop();
    }
  });
});
