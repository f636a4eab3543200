/**
 * Path matching for fail-safe modes (gateway enforcement). A request path is normalised the
 * way a lenient shop would read it (query cut, percent-decoding, `//` and dot segments
 * resolved, lower case), so `/Checkout/`, `/%63heckout` and `/static/../checkout` all match
 * the `/checkout` of a route group: a mode must not be walked around by spelling.
 */

/**
 * `/static/../Checkout/?x=1` -> `/checkout`.
 *
 * @example normaliseModePath('/a//b/./c/../D?x') // '/a/b/d'
 */
export function normaliseModePath(url: string): string {
  let end = url.length;
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  let path = end === url.length ? url : url.slice(0, end);
  if (path.includes('%')) path = decodeLoosely(path);
  // `;` starts path parameters on some servers (`/checkout;jsessionid=1`).
  const semicolon = path.indexOf(';');
  if (semicolon !== -1) path = path.slice(0, semicolon);
  path = path.replaceAll('\\', '/').toLowerCase();
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** Decodes twice at most (double encoding), leaving malformed escapes as they are. */
function decodeLoosely(path: string): string {
  let current = path;
  for (let round = 0; round < 2 && current.includes('%'); round++) {
    current = current.replace(/(%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
  return current;
}

/**
 * A path glob as a RegExp over normalised paths: `*` is one segment (or part of one), `**`
 * any number of segments; `/checkout/**` also matches `/checkout` itself.
 *
 * @example compilePathGlob('/static/**').test('/static/shop.css') // true
 */
export function compilePathGlob(glob: string): RegExp {
  const normal = normaliseModePath(glob.replaceAll('**', '\u0000').replaceAll('*', '\u0001'));
  let source = '';
  for (let i = 0; i < normal.length; i++) {
    const ch = normal[i] as string;
    if (ch === '\u0000') {
      // `/x/**` matches `/x` too: the slash before `**` is optional.
      if (source.endsWith('\\/')) source = `${source.slice(0, -2)}(?:\\/.*)?`;
      else source += '.*';
    } else if (ch === '\u0001') {
      source += '[^/]*';
    } else {
      source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
