import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScan, type ScanReport } from './scanner.js';
import { startFlawedServer } from './testing/flawed-server.js';
import { startHostileServer } from './testing/hostile-server.js';

describe('scan of a flawed shop (flaws the demo shop does not have)', () => {
  let target: { url: string; close(): Promise<void> };
  let report: ScanReport;
  beforeAll(async () => {
    target = await startFlawedServer();
    report = await runScan({
      target: `${target.url}/`,
      active: true,
      maxRequests: 400,
      ratePerSecond: 0,
      concurrency: 4,
    });
  });
  afterAll(async () => target.close());

  const found = (checkId: string, titlePart = '') =>
    report.findings.filter((f) => f.checkId === checkId && f.title.includes(titlePart));

  it('finds the boolean-based SQL injection whose errors are hidden', () => {
    expect(found('sql-injection', 'boolean-based').map((f) => f.parameter)).toEqual(['id']);
  });
  it('finds the open redirect', () =>
    expect(found('open-redirect').map((f) => f.parameter)).toEqual(['next']));
  it('finds the path traversal', () =>
    expect(found('path-traversal').map((f) => f.parameter)).toEqual(['file']));
  it('finds CORS reflecting any origin with credentials', () => {
    expect(found('cors', 'with credentials').length).toBeGreaterThanOrEqual(1);
  });
  it('rates the weak CSP directive by directive', () => {
    expect(
      found('security-headers', 'Weak Content-Security-Policy')
        .map((f) => f.detailKey)
        .sort(),
    ).toEqual([
      'csp-base-uri-missing',
      'csp-object-src-missing',
      'csp-unsafe-eval',
      'csp-unsafe-inline',
      'csp-wildcard-source',
    ]);
  });
  it('finds version disclosure, the cookie without flags, the source map and the directory listing', () => {
    expect(
      found('version-disclosure')
        .map((f) => f.parameter)
        .sort(),
    ).toEqual(['server', 'x-powered-by']);
    expect(
      found('cookies')
        .map((f) => f.detailKey)
        .sort(),
    ).toEqual(['httponly', 'samesite']);
    expect(found('exposed-files', 'Source map')).toHaveLength(1);
    expect(found('exposed-files', 'Directory listing')).toHaveLength(1);
  });
  it('inventories the checkout scripts with SHA-384 hashes and flags the third-party one without SRI', () => {
    expect(found('script-inventory', 'without Subresource Integrity').map((f) => f.parameter)).toEqual([
      'https://cdn.payments-widget.example/widget.js',
    ]);
    expect(found('script-inventory', 'does not match')).toHaveLength(1);
    const inventory = report.records['scriptInventory'] as {
      src: string | null;
      sha384: string | null;
      note?: string;
    }[];
    expect(inventory).toHaveLength(3);
    expect(inventory.find((s) => s.src === null)?.sha384).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
    expect(inventory.find((s) => s.src?.includes('cdn.'))?.note).toMatch(/not in scope/);
  });
  it('finds the missing login rate limit and the form without CSRF token', () => {
    expect(found('login-rate-limit')).toHaveLength(1);
    expect(
      found('csrf-tokens')
        .map((f) => new URL(f.url).pathname)
        .sort(),
    ).toEqual(['/login', '/pay']);
  });
  it('crawls what robots.txt and sitemap.xml name, not only what is linked', () => {
    const paths = report.crawled.map((page) => new URL(page.url).pathname);
    expect(paths).toContain('/hidden-admin/');
    expect(paths).toContain('/only-in-sitemap');
  });

  it('reads a given OpenAPI document and tests its query parameters', async () => {
    const withApi = await runScan({
      target: `${target.url}/`,
      active: false,
      checks: [],
      ratePerSecond: 0,
      openapi: fileURLToPath(new URL('./fixtures/openapi.yaml', import.meta.url)),
    });
    expect(withApi.coverage.apiOperations).toBe(3);
    // /api/products?q= from the document, on top of what the crawl found
    expect(withApi.coverage.parametersFound).toBe(report.coverage.parametersFound + 1);
  });

  it('never passes a class it found a flaw in', () => {
    for (const c of report.classes) if (c.findings > 0) expect(c.result).toBe('fail');
  });
});

describe('scan of a hostile target', () => {
  let target: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    target = await startHostileServer();
  });
  afterAll(async () => target.close());

  it('stays within its limits, finishes, and records what it could not check and why', async () => {
    const started = Date.now();
    const report = await runScan({
      target: `${target.url}/`,
      active: true,
      maxRequests: 80,
      ratePerSecond: 0,
      timeoutMs: 500,
      maxResponseBytes: 128 * 1024,
    });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(report.requests.sent).toBeLessThanOrEqual(80);
    const reasons = report.notChecked.map((n) => `${n.what} ${n.reason}`).join('\n');
    expect(reasons).toMatch(/\/slow not crawled: timeout/);
    expect(reasons).toMatch(/\/hang not crawled: timeout/);
    expect(report.coverage.pagesCrawled).toBeGreaterThanOrEqual(4);
    expect(
      report.classes.every((c) => c.result !== 'pass' || c.checks.every((k) => k.status === 'tested')),
    ).toBe(true);
  });

  it('records a budget that ran out and never calls a class passed on a partial test', async () => {
    const report = await runScan({
      target: `${target.url}/`,
      active: false,
      maxRequests: 5,
      ratePerSecond: 0,
      timeoutMs: 300,
    });
    expect(report.requests.sent).toBe(5);
    expect(report.notChecked.some((n) => /budget/.test(n.reason))).toBe(true);
    const exposed = report.classes.find((c) => c.attackClass === 'exposed-data');
    expect(exposed?.result).toBe('not-tested');
  });
});
