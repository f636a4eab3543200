/**
 * Scope rules: which URLs the scanner may request. Hosts (the target's by default), path
 * prefixes to include (all when none) and to exclude; `*` in a rule matches any characters.
 *
 * @example createScope(new URL('http://127.0.0.1:8781/'), { exclude: ['/logout', '/admin*'] }).allows(url)
 */

export interface ScopeOptions {
  /** Extra hosts (host or host:port) in scope besides the target's. */
  hosts?: string[];
  include?: string[];
  exclude?: string[];
}

export interface Scope {
  readonly origin: string;
  allows(url: URL): boolean;
  /** Why a URL is out of scope, or null when it is in scope. */
  whyOutOfScope(url: URL): string | null;
}

function pathRule(rule: string): (path: string) => boolean {
  const normalised = rule.startsWith('/') ? rule : `/${rule}`;
  if (!normalised.includes('*')) return (path) => path.startsWith(normalised);
  const pattern = normalised
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${pattern}`);
  return (path) => regex.test(path);
}

export function createScope(target: URL, options: ScopeOptions = {}): Scope {
  const hosts = new Set([target.host.toLowerCase(), ...(options.hosts ?? []).map((h) => h.toLowerCase())]);
  const includes = (options.include ?? []).map(pathRule);
  const excludes = (options.exclude ?? []).map(pathRule);
  const whyOutOfScope = (url: URL): string | null => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol} is not scanned`;
    if (!hosts.has(url.host.toLowerCase())) return `host ${url.host} is not in scope`;
    if (includes.length > 0 && !includes.some((match) => match(url.pathname))) {
      return `path ${url.pathname} is not under an --include rule`;
    }
    if (excludes.some((match) => match(url.pathname))) return `path ${url.pathname} is excluded`;
    return null;
  };
  return { origin: target.origin, allows: (url) => whyOutOfScope(url) === null, whyOutOfScope };
}
