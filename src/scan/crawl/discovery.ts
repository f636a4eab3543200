/**
 * Where a crawl finds URLs besides links: robots.txt (Allow/Disallow paths and Sitemap
 * lines), sitemap.xml (and one level of sitemap index), and OpenAPI 3 / Swagger 2
 * documents (each path's GET operations, with example or placeholder parameter values).
 */
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import YAML from 'yaml';
import { resolve } from './html.js';

export interface RobotsRules {
  paths: string[];
  sitemaps: string[];
}

export function parseRobots(text: string, origin: string): RobotsRules {
  const paths = new Set<string>();
  const sitemaps = new Set<string>();
  for (const raw of text.split(/\r?\n/).slice(0, 2000)) {
    const line = raw.replace(/#.*/, '').trim();
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const field = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (!value) continue;
    if (field === 'sitemap') {
      const url = resolve(value, origin);
      if (url) sitemaps.add(url);
    } else if (field === 'allow' || field === 'disallow') {
      // Wildcards and end anchors name patterns, not pages: keep the literal prefix.
      const prefix = value.split(/[*$]/, 1)[0] ?? '';
      const url = prefix.startsWith('/') ? resolve(prefix, origin) : null;
      if (url) paths.add(url);
    }
  }
  return { paths: [...paths], sitemaps: [...sitemaps] };
}

/**
 * `<loc>` entries of a sitemap or sitemap index. parse5 reads XML leniently as unknown
 * elements, which is enough for these flat documents (no CDATA, no namespaces needed).
 */
export function parseSitemap(xml: string, origin: string): { pages: string[]; sitemaps: string[] } {
  const document = parse(xml);
  const pages: string[] = [];
  const sitemaps: string[] = [];
  const visit = (node: DefaultTreeAdapterMap['node'], parent: string) => {
    if (!('childNodes' in node)) return;
    for (const child of node.childNodes) {
      if (child.nodeName === 'loc' && 'childNodes' in child) {
        const text = child.childNodes
          .map((t) => ('value' in t ? t.value : ''))
          .join('')
          .trim();
        const url = resolve(text, origin);
        if (url) (parent === 'sitemap' ? sitemaps : pages).push(url);
      }
      visit(child, child.nodeName);
    }
  };
  visit(document, '');
  return { pages, sitemaps };
}

export interface ApiOperation {
  method: string;
  url: string;
  /** Query parameter names the document declares (for active checks). */
  queryParameters: string[];
}

interface OpenApiParameter {
  name?: unknown;
  in?: unknown;
  example?: unknown;
  schema?: { example?: unknown; default?: unknown; type?: unknown };
}

/** Operations of an OpenAPI 3.x or Swagger 2.0 document (JSON or YAML); [] when it is neither. */
export function parseOpenApi(text: string, origin: string): ApiOperation[] {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { maxAliasCount: 50 });
  } catch {
    return [];
  }
  if (!isRecord(doc) || !isRecord(doc['paths'])) return [];
  if (typeof doc['openapi'] !== 'string' && doc['swagger'] !== '2.0') return [];
  const base = basePathOf(doc, origin);
  const operations: ApiOperation[] = [];
  for (const [path, item] of Object.entries(doc['paths'])) {
    if (!isRecord(item)) continue;
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const operation = item[method];
      if (!isRecord(operation)) continue;
      const parameters = [
        ...(Array.isArray(item['parameters']) ? item['parameters'] : []),
        ...(Array.isArray(operation['parameters']) ? operation['parameters'] : []),
      ] as OpenApiParameter[];
      const filled = path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const p = parameters.find((x) => x.name === name && x.in === 'path');
        return encodeURIComponent(String(p?.example ?? p?.schema?.example ?? p?.schema?.default ?? '1'));
      });
      const url = resolve(base.replace(/\/$/, '') + filled, origin);
      if (!url) continue;
      const queryParameters = parameters
        .filter((p) => p.in === 'query' && typeof p.name === 'string')
        .map((p) => String(p.name));
      operations.push({ method: method.toUpperCase(), url, queryParameters });
    }
  }
  return operations;
}

function basePathOf(doc: Record<string, unknown>, origin: string): string {
  if (typeof doc['basePath'] === 'string') return new URL(doc['basePath'], origin).href;
  const servers = doc['servers'];
  if (Array.isArray(servers) && isRecord(servers[0]) && typeof servers[0]['url'] === 'string') {
    const server = resolve(servers[0]['url'], origin);
    // A server on another origin is out of scope anyway; paths still say what to try here.
    if (server && new URL(server).origin === origin) return server;
  }
  return origin + '/';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
