/**
 * The scanner with headless Chromium (real /usr/bin/chromium, real demo shop on loopback):
 * XSS is verified by execution, not by reflection alone. On the vulnerable shop the reflected
 * XSS in search runs its payload and a review posted with a payload runs on the product page;
 * on the safe shop (escaping, CSP) nothing runs and nothing is reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestShop, type TestShop } from '../../demo/shop/test-kit.js';
import { runScan, type ScanReport } from '../scanner.js';

const OPTIONS = {
  active: true,
  browser: true,
  checks: ['reflected-xss', 'stored-xss'] as string[],
  maxRequests: 600,
  ratePerSecond: 0,
  concurrency: 4,
  maxPages: 25,
} as const;

describe('XSS verified by execution in Chromium', { timeout: 120_000 }, () => {
  let vulnerable: TestShop;
  let safe: TestShop;
  let flawed: ScanReport;
  let clean: ScanReport;
  beforeAll(async () => {
    vulnerable = await startTestShop({ vulnerable: true, deliveryStepMs: 0 });
    safe = await startTestShop({ vulnerable: false, deliveryStepMs: 0 });
    flawed = await runScan({ target: `${vulnerable.url}/`, ...OPTIONS });
    clean = await runScan({ target: `${safe.url}/`, ...OPTIONS });
  }, 110_000);
  afterAll(async () => {
    await vulnerable?.stop();
    await safe?.stop();
  });

  it('runs the reflected payload in the search page, and says so', () => {
    const found = flawed.findings.find((f) => f.checkId === 'reflected-xss' && f.parameter === 'q');
    expect(found?.data?.['verified'], JSON.stringify(flawed.notChecked)).toBe('executed-in-chromium');
    expect(found?.description).toContain('Verified by execution in Chromium');
  });

  it('finds the stored XSS in product reviews by running the product page', () => {
    const stored = flawed.findings.filter((f) => f.checkId === 'stored-xss');
    expect(stored.length, JSON.stringify(flawed.notChecked)).toBeGreaterThan(0);
    for (const f of stored) {
      expect(new URL(f.url).pathname).toMatch(/^\/products\/[^/]+\/reviews$/);
      expect(['author', 'text']).toContain(f.parameter);
      expect(new URL(String(f.data?.['shownAt'])).pathname).toMatch(/^\/products\/[^/]+$/);
      expect(f.description).toContain('Verified by execution in Chromium');
    }
    expect(flawed.classes.find((c) => c.attackClass === 'xss')?.result).toBe('fail');
  });

  it('reports nothing on the safe shop, having tested the review forms', () => {
    expect(clean.findings.filter((f) => f.attackClass === 'xss')).toEqual([]);
    const stored = clean.checks.find((c) => c.checkId === 'stored-xss');
    expect(stored?.status).toBe('tested');
    expect(stored?.tested).toBeGreaterThan(0);
  });

  it('stays within the request budget, browser requests included', () => {
    expect(flawed.requests.sent).toBeLessThanOrEqual(OPTIONS.maxRequests);
    expect(clean.requests.sent).toBeLessThanOrEqual(OPTIONS.maxRequests);
  });
});

describe('the browser crawl', { timeout: 120_000 }, () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startTestShop({ vulnerable: false, deliveryStepMs: 0 });
  });
  afterAll(async () => shop?.stop());
  const crawlOnly = { active: false, checks: [] as string[], ratePerSecond: 0, maxPages: 100 };

  it('finds the API call and the page only the tracking widget’s script reveals, which the plain crawl misses', async () => {
    const plain = await runScan({ target: `${shop.url}/`, ...crawlOnly, maxRequests: 400 });
    const paths = (report: ScanReport) => report.crawled.map((c) => new URL(c.url).pathname);
    expect(paths(plain)).toContain('/track');
    expect(paths(plain)).not.toContain('/track/help');
    expect(plain.coverage.apiOperations).toBe(0);

    const browsed = await runScan({ target: `${shop.url}/`, ...crawlOnly, maxRequests: 400, browser: true });
    const summary = browsed.records['browserCrawl'] as { apiCalls: string[]; routes: string[] };
    expect(summary.apiCalls).toContain(`GET ${shop.url}/api/tracking`);
    expect(summary.routes).toContain(`${shop.url}/track/help`);
    expect(paths(browsed)).toContain('/track/help');
    expect(browsed.coverage.apiOperations).toBeGreaterThan(0);
    expect(browsed.coverage.parametersFound).toBeGreaterThan(plain.coverage.parametersFound);
  });

  it('stops at the request budget, the browser’s own requests included, and says what it left', async () => {
    const tight = await runScan({ target: `${shop.url}/`, ...crawlOnly, maxRequests: 25, browser: true });
    expect(tight.requests.sent).toBeLessThanOrEqual(25);
    expect(tight.notChecked.some((n) => /budget/.test(n.reason))).toBe(true);
  });
});
