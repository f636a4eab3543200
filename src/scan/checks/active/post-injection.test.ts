/**
 * Injection checks on POST form fields: which fields become injection points, and a real scan
 * of a shop whose only flaws sit behind POST forms (a login with a single-use CSRF token whose
 * query is built from strings, a search echoing its field raw) and of its safe twin.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SiteMap } from '../../crawl/crawler.js';
import { parseHtmlPage } from '../../crawl/html.js';
import { runScan, type ScanReport } from '../../scanner.js';
import { startPostFormServer } from '../../testing/post-form-server.js';
import { curlFor, postFormPoints, requestFor } from './injection-points.js';

const PAGE_URL = 'http://shop.test/forms';

function siteOf(html: string): SiteMap {
  return {
    origin: 'http://shop.test',
    pages: [],
    forms: parseHtmlPage(html, PAGE_URL).forms.map((form) => ({ ...form, pageUrl: PAGE_URL })),
    injectionPoints: [],
    apiOperations: [],
    notChecked: [],
  };
}

describe('POST form fields as injection points', () => {
  const html = readFileSync(new URL('./fixtures/post-forms.html', import.meta.url), 'utf8');
  const points = postFormPoints(siteOf(html));

  it('takes the text-like fields of in-scope POST forms, one form per shape, no token, no password', () => {
    expect(points.map((p) => `${p.method} ${new URL(p.url).pathname} ${p.name}`)).toEqual([
      'POST /login username',
      'POST /products/1/reviews author',
      'POST /cart/add sku',
      'POST /products/1/reviews text',
    ]);
    expect(points[0]?.tokenFields).toEqual(['csrf_token']);
    expect(points[2]?.tokenFields).toEqual([]);
  });

  it('builds an urlencoded body where the other fields keep the form values', () => {
    const request = requestFor(points[0] as (typeof points)[number], "x' OR 1=1 -- ");
    expect(request.method).toBe('POST');
    expect(request.url).toBe('http://shop.test/login');
    expect(request.headers).toEqual({ 'content-type': 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      csrf_token: 't0k3n',
      username: "x' OR 1=1 -- ",
      password: '',
    });
    const cart = requestFor(points[2] as (typeof points)[number], 'B2');
    expect(cart.body).toBe('sku=B2&qty=1');
    expect(curlFor(points[0] as (typeof points)[number], "a'b")).toBe(
      `curl -s -X POST -H 'content-type: application/x-www-form-urlencoded' --data 'csrf_token=t0k3n&username=a%27b&password=' 'http://shop.test/login'`,
    );
  });
});

async function scanPostShop(vulnerable: boolean): Promise<{ report: ScanReport; posts: number }> {
  const shop = await startPostFormServer({ vulnerable });
  try {
    const report = await runScan({
      target: `${shop.url}/`,
      active: true,
      checks: ['sql-injection', 'reflected-xss'],
      maxRequests: 300,
      ratePerSecond: 0,
    });
    return { report, posts: shop.posts() };
  } finally {
    await shop.close();
  }
}

const found = (report: ScanReport, checkId: string) =>
  report.findings
    .filter((f) => f.checkId === checkId)
    .map((f) => `${f.method ?? 'GET'} ${new URL(f.url).pathname} ${f.parameter ?? ''}`);

describe('injection checks on a shop with POST forms only', () => {
  let vulnerable: { report: ScanReport; posts: number };
  let safe: { report: ScanReport; posts: number };
  beforeAll(async () => {
    vulnerable = await scanPostShop(true);
    safe = await scanPostShop(false);
  }, 120_000);

  it('finds the SQL injection in the login form field (fresh CSRF token per request)', () => {
    expect(found(vulnerable.report, 'sql-injection')).toEqual(['POST /login username']);
    const finding = vulnerable.report.findings.find((f) => f.checkId === 'sql-injection');
    expect(finding?.title).toMatch(/error-based.*in POST form field username/);
    expect(finding?.evidence.proof).toMatch(/Database error after adding '/);
    expect(finding?.reproduce).toContain("--data 'csrf_token=");
  });

  it('finds the reflected XSS in the search form field, not in the escaped login', () => {
    expect(found(vulnerable.report, 'reflected-xss')).toEqual(['POST /search q']);
  });

  it('reports nothing on the safe twin, though its forms were posted to', () => {
    expect(
      safe.report.findings.filter((f) => f.attackClass === 'injection' || f.attackClass === 'xss'),
    ).toEqual([]);
    expect(safe.posts).toBeGreaterThan(10);
    for (const checkId of ['sql-injection', 'reflected-xss'])
      expect(safe.report.checks.find((c) => c.checkId === checkId)?.status).toBe('tested');
  });
});
