/**
 * The browser crawl (`--browser`), after the plain crawl: each HTML page the crawl found is
 * loaded in headless Chromium, its scripts run and its in-page buttons are clicked; the API
 * calls the scripts make (fetch / XHR) become API operations (and injection points when they
 * carry a query), and links only the scripts wrote become pages, fetched and parsed like the
 * crawl's own. Scope, budget and rate are the scan's (ScanBrowser passes every request through
 * ScanHttpClient.admit). What the browser saw that the plain crawl did not is returned for the report.
 */
import type { ScanBrowser } from '../browser/browser.js';
import type { ScanHttpClient } from '../http/client.js';
import type { NotChecked } from '../types.js';
import { addForm, addQueryPoints, isHtml, type SiteMap } from './crawler.js';
import { parseHtmlPage } from './html.js';

/** In-page buttons clicked per page. */
const MAX_CLICKS_PER_PAGE = 5;
/** Pages of one path shape (`/products/<any>`) loaded: templates repeat, two show what scripts do. */
const MAX_PER_SHAPE = 2;

const pathShape = (href: string): string => {
  const segments = new URL(href).pathname.split('/');
  return `${segments.length} ${segments[1] ?? ''}`;
};

/** The crawled HTML pages worth loading in the browser, at most two of each path shape. */
function pagesToLoad(site: SiteMap): string[] {
  const perShape = new Map<string, number>();
  return site.pages
    .filter((p) => p.html !== null && p.response.status < 400)
    .map((p) => p.url)
    .filter((url) => {
      const shape = pathShape(url);
      const seen = perShape.get(shape) ?? 0;
      perShape.set(shape, seen + 1);
      return seen < MAX_PER_SHAPE;
    });
}

export interface BrowserCrawlSummary {
  pagesLoaded: number;
  /** API calls (fetch / XHR) the pages' scripts made, as `METHOD url`, not found by the plain crawl. */
  apiCalls: string[];
  /** Pages only the scripts linked to. */
  routes: string[];
}

export interface BrowserCrawlOptions {
  maxPages: number;
  notChecked: NotChecked[];
}

const withoutQuery = (href: string): string => href.split('#')[0]?.split('?')[0] ?? href;

export async function browserCrawl(
  browser: ScanBrowser,
  http: ScanHttpClient,
  site: SiteMap,
  options: BrowserCrawlOptions,
): Promise<BrowserCrawlSummary> {
  const summary: BrowserCrawlSummary = { pagesLoaded: 0, apiCalls: [], routes: [] };
  const known = new Set(site.pages.map((p) => withoutQuery(p.url)));
  const knownApi = new Set(site.apiOperations.map((op) => `${op.method} ${withoutQuery(op.url)}`));
  for (const url of pagesToLoad(site).slice(0, options.maxPages)) {
    const visit = await browser.explore(url, MAX_CLICKS_PER_PAGE);
    if (!visit.ok) {
      options.notChecked.push({ what: url, reason: `not loaded in Chromium: ${visit.detail}` });
      continue;
    }
    summary.pagesLoaded++;
    for (const request of visit.requests) {
      if (request.resourceType !== 'fetch' && request.resourceType !== 'xhr') continue;
      const key = `${request.method} ${withoutQuery(request.url)}`;
      if (knownApi.has(key)) continue;
      knownApi.add(key);
      summary.apiCalls.push(key);
      const parsed = new URL(request.url);
      site.apiOperations.push({
        method: request.method,
        url: withoutQuery(request.url),
        queryParameters: [...parsed.searchParams.keys()],
      });
      if (request.method === 'GET') addQueryPoints(site, request.url);
    }
    for (const link of visit.links) {
      let parsed: URL;
      try {
        parsed = new URL(link);
      } catch {
        continue;
      }
      if (!http.scope.allows(parsed) || known.has(withoutQuery(link))) continue;
      known.add(withoutQuery(link));
      if (site.pages.length >= options.maxPages) {
        options.notChecked.push({
          what: link,
          reason: `not crawled: the page limit (${options.maxPages}) was reached`,
        });
        continue;
      }
      const res = await http.send({ url: link });
      if (!res.ok) {
        options.notChecked.push({ what: link, reason: `not crawled: ${res.reason} (${res.detail})` });
        continue;
      }
      summary.routes.push(link);
      const html = isHtml(res) ? parseHtmlPage(res.body, res.url) : null;
      site.pages.push({ url: res.url, response: res, html });
      addQueryPoints(site, res.url);
      for (const form of html?.forms ?? []) addForm(site, { ...form, pageUrl: res.url });
    }
  }
  return summary;
}
