/**
 * What the anomaly detector reads from an event (detect/anomaly): the route key (the
 * gateway's route label, else the first path segment, as the gateway labels it, prefixed by
 * the method), the user-agent family (version numbers removed, so a browser update is not a
 * new family), and the URL's information content.
 *
 * @example routeKeyOf('POST', undefined, '/login?next=/') // 'POST /login'
 */
import { shannonEntropy } from './stats.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** `/products/42?x` -> `/products`; `/` -> `/`. */
export function firstSegment(path: string): string {
  let end = path.length;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  return path.charCodeAt(0) === 47 ? path.slice(0, end) : '/';
}

export function routeKeyOf(method: string, route: string | undefined, path: string): string {
  const verb = METHODS.has(method) ? method : 'OTHER';
  return `${verb} ${route ?? firstSegment(path)}`;
}

/** `Mozilla/5.0 (X11; rv:127.0) Firefox/127.0` -> `Mozilla/#.# (X#; rv:#.#) Firefox/#.#`. */
export function userAgentFamily(userAgent: string): string {
  return userAgent.slice(0, 256).replace(/\d+/g, '#');
}

/** Bits of information in the URL's path and query: entropy per character times length. */
export function urlInformationBits(path: string): number {
  return shannonEntropy(path) * path.length;
}

/** 4 for 4xx, 5 for 5xx, else 0. */
export function statusClass(status: number): 0 | 4 | 5 {
  return status >= 500 && status < 600 ? 5 : status >= 400 && status < 500 ? 4 : 0;
}
