/**
 * The crawler: breadth first from the target, seeded by robots.txt, sitemap.xml and OpenAPI
 * documents (found at the usual paths or given), following links and GET forms within scope
 * up to `maxPages` and `maxDepth`. It only sends GET requests: forms that POST are recorded,
 * never submitted. What it cannot fetch is recorded with the reason.
 */
import { readFile } from 'node:fs/promises';
import type { ScanHttpClient, ScanResponse } from '../http/client.js';
import type { NotChecked } from '../types.js';
import { parseOpenApi, parseRobots, parseSitemap, type ApiOperation } from './discovery.js';
import { parseHtmlPage, type HtmlPage, type PageForm } from './html.js';

export interface CrawledPage {
  url: string;
  response: ScanResponse;
  /** Null when the response is not HTML. */
  html: HtmlPage | null;
}

/**
 * A value the active checks may vary: a GET parameter (the URL without query and every
 * parameter's value) or a field of a POST form (the form's action and every field's value,
 * sent urlencoded; see `postFormPoints` in checks/active/injection-points.ts).
 */
export interface InjectionPoint {
  method: 'GET' | 'POST';
  url: string;
  params: Record<string, string>;
  name: string;
  /** POST: the form, and its hidden fields that look like a CSRF token (fetched fresh per request). */
  form?: SiteForm;
  tokenFields?: string[];
}

/** A form and the page it was found on (to fetch it again with fresh hidden fields). */
export type SiteForm = PageForm & { pageUrl: string };

export interface SiteMap {
  origin: string;
  pages: CrawledPage[];
  forms: SiteForm[];
  injectionPoints: InjectionPoint[];
  apiOperations: ApiOperation[];
  notChecked: NotChecked[];
}

export interface CrawlOptions {
  maxPages: number;
  maxDepth: number;
  /** An OpenAPI document to read: a file path or a URL. */
  openapi?: string;
  onPage?: (url: string) => void;
}

const OPENAPI_PATHS = [
  '/openapi.json',
  '/openapi.yaml',
  '/swagger.json',
  '/api/openapi.json',
  '/v3/api-docs',
];
/** Query strings that differ only in values are one page shape; two of each are enough. */
const MAX_PER_SHAPE = 2;

export async function crawl(http: ScanHttpClient, target: URL, options: CrawlOptions): Promise<SiteMap> {
  const origin = target.origin;
  const site: SiteMap = {
    origin,
    pages: [],
    forms: [],
    injectionPoints: [],
    apiOperations: [],
    notChecked: [],
  };
  const seeds = new Set<string>([target.href]);
  await discover(http, origin, options, site, seeds);

  const queued = new Set<string>();
  const shapes = new Map<string, number>();
  let frontier = [...seeds].filter((url) => enqueue(url));
  function enqueue(url: string): boolean {
    if (queued.has(url) || !http.scope.allows(new URL(url))) return false;
    const shape = shapeOf(url);
    const seen = shapes.get(shape) ?? 0;
    if (seen >= MAX_PER_SHAPE) return false;
    shapes.set(shape, seen + 1);
    queued.add(url);
    return true;
  }

  for (let depth = 0; depth <= options.maxDepth && frontier.length > 0; depth++) {
    const room = options.maxPages - site.pages.length;
    if (room <= 0) break;
    const batch = frontier.slice(0, room);
    for (const skipped of frontier.slice(room)) {
      site.notChecked.push({
        what: skipped,
        reason: `not crawled: the page limit (${options.maxPages}) was reached`,
      });
    }
    const next: string[] = [];
    const results = await Promise.all(batch.map((url) => http.send({ url })));
    for (const res of results) {
      if (!res.ok) {
        site.notChecked.push({ what: res.url, reason: `not crawled: ${res.reason} (${res.detail})` });
        continue;
      }
      options.onPage?.(res.url);
      const html = isHtml(res) ? parseHtmlPage(res.body, res.url) : null;
      site.pages.push({ url: res.url, response: res, html });
      const location = res.headers['location'];
      if (res.status >= 300 && res.status < 400 && location) {
        const redirect = safeResolve(location, res.url);
        if (redirect && enqueue(redirect)) next.push(redirect);
      }
      if (!html) continue;
      for (const link of html.links) {
        addQueryPoints(site, link);
        if (enqueue(link)) next.push(link);
      }
      for (const form of html.forms) {
        addForm(site, { ...form, pageUrl: res.url });
        if (form.method === 'GET') {
          const url = new URL(form.action);
          for (const field of form.fields) url.searchParams.set(field.name, field.value || 'ensuresec');
          addQueryPoints(site, url.href);
          if (enqueue(url.href)) next.push(url.href);
        }
      }
    }
    frontier = next;
  }
  for (const page of site.pages) addQueryPoints(site, page.url);
  // Points from links the page limit left uncrawled are still worth testing, within scope.
  site.injectionPoints = site.injectionPoints.filter((p) => http.scope.allows(new URL(p.url)));
  for (const op of site.apiOperations) {
    if (op.method !== 'GET') continue;
    const url = new URL(op.url);
    for (const name of op.queryParameters) url.searchParams.set(name, 'ensuresec');
    addQueryPoints(site, url.href);
  }
  return site;
}

async function discover(
  http: ScanHttpClient,
  origin: string,
  options: CrawlOptions,
  site: SiteMap,
  seeds: Set<string>,
): Promise<void> {
  const robots = await http.send({ url: `${origin}/robots.txt` });
  const sitemapUrls = new Set([`${origin}/sitemap.xml`]);
  if (robots.ok && robots.status === 200 && !isHtml(robots)) {
    const rules = parseRobots(robots.body, origin);
    rules.paths.forEach((url) => seeds.add(url));
    rules.sitemaps.forEach((url) => sitemapUrls.add(url));
  }
  for (const sitemapUrl of [...sitemapUrls].slice(0, 5)) {
    const res = await http.send({ url: sitemapUrl });
    if (!res.ok || res.status !== 200 || !/<(urlset|sitemapindex)\b/i.test(res.body)) continue;
    const { pages, sitemaps } = parseSitemap(res.body, origin);
    pages.forEach((url) => seeds.add(url));
    for (const nested of sitemaps.slice(0, 5)) {
      const inner = await http.send({ url: nested });
      if (inner.ok && inner.status === 200)
        parseSitemap(inner.body, origin).pages.forEach((u) => seeds.add(u));
    }
  }
  const documents: string[] = [];
  if (options.openapi) {
    const text = await readOpenApi(http, options.openapi, site);
    if (text !== null) documents.push(text);
  } else {
    for (const path of OPENAPI_PATHS) {
      const res = await http.send({ url: origin + path });
      if (res.ok && res.status === 200 && /"?(openapi|swagger)"?\s*:/.test(res.body.slice(0, 2000))) {
        documents.push(res.body);
        break;
      }
    }
  }
  for (const text of documents) {
    const operations = parseOpenApi(text, origin);
    site.apiOperations.push(...operations);
    for (const op of operations) if (op.method === 'GET' && !op.url.includes('%7B')) seeds.add(op.url);
  }
}

async function readOpenApi(http: ScanHttpClient, source: string, site: SiteMap): Promise<string | null> {
  if (/^https?:\/\//i.test(source)) {
    const res = await http.send({ url: source });
    if (res.ok && res.status === 200) return res.body;
    site.notChecked.push({
      what: source,
      reason: `OpenAPI document not read: ${res.ok ? `HTTP ${res.status}` : res.detail}`,
    });
    return null;
  }
  try {
    return await readFile(source, 'utf8');
  } catch (error) {
    site.notChecked.push({ what: source, reason: `OpenAPI document not read: ${(error as Error).message}` });
    return null;
  }
}

export function addForm(site: SiteMap, form: SiteForm): void {
  const key = (f: PageForm) =>
    `${f.method} ${f.action.split('?')[0]} ${f.fields.map((x) => x.name).join(',')}`;
  if (!site.forms.some((known) => key(known) === key(form))) site.forms.push(form);
}

export function addQueryPoints(site: SiteMap, href: string): void {
  const url = new URL(href);
  if (url.origin !== site.origin || url.searchParams.size === 0) return;
  const params = Object.fromEntries(url.searchParams);
  const base = url.origin + url.pathname;
  for (const name of Object.keys(params)) {
    if (site.injectionPoints.some((p) => p.url === base && p.name === name)) continue;
    site.injectionPoints.push({ method: 'GET', url: base, params, name });
  }
}

function shapeOf(href: string): string {
  const url = new URL(href);
  return `${url.origin}${url.pathname}?${[...url.searchParams.keys()].sort().join('&')}`;
}

export function isHtml(res: ScanResponse): boolean {
  const type = res.headers['content-type'] ?? '';
  return /html/i.test(type) || (type === '' && /^\s*</.test(res.body));
}

function safeResolve(href: string, base: string): string | null {
  try {
    const url = new URL(href, base);
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}
