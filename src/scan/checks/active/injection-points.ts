/** Shared by the active checks: build a request that varies one parameter of an injection point. */
import type { InjectionPoint } from '../../crawl/crawler.js';
import type { ScanResponse } from '../../http/client.js';
import type { CheckContext, CheckOutcome } from '../check.js';

/**
 * Runs `testPoint` on every GET parameter the crawl found, one after the other; `testPoint`
 * answers false when a parameter could not be tested (the outcome is then partial).
 *
 * @example run: (context) => testEachInjectionPoint(context, testPoint)
 */
export async function testEachInjectionPoint(
  context: CheckContext,
  testPoint: (context: CheckContext, point: InjectionPoint) => Promise<boolean>,
): Promise<CheckOutcome> {
  const points = context.site.injectionPoints;
  if (points.length === 0)
    return { status: 'not-tested', tested: 0, reason: 'the crawl found no GET parameter to test' };
  let tested = 0;
  for (const point of points) if (await testPoint(context, point)) tested++;
  return tested < points.length
    ? { status: 'partial', tested, reason: `${points.length - tested} parameters could not be tested` }
    : { status: 'tested', tested };
}

export function urlWith(point: InjectionPoint, value: string): string {
  const url = new URL(point.url);
  for (const [name, original] of Object.entries(point.params))
    url.searchParams.set(name, name === point.name ? value : original);
  return url.href;
}

/**
 * A response body with every echo of the sent values removed (raw, URL- and HTML-encoded),
 * so two answers are compared on what the server computed, not on what it repeated.
 */
export function withoutEchoes(res: ScanResponse, values: string[]): string {
  let body = res.body;
  for (const value of values) {
    for (const form of new Set([
      value,
      encodeURIComponent(value),
      htmlEscape(value),
      htmlEscape(value).replace(/&#39;/g, '&#x27;'),
    ])) {
      if (form) body = body.split(form).join('');
    }
  }
  return body;
}

function htmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Share of lines two bodies have in common (0..1): 1 for the same page, lower as results differ. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const linesA = a
    .split(/\n|(?<=>)/)
    .map((l) => l.trim())
    .filter(Boolean);
  const linesB = b
    .split(/\n|(?<=>)/)
    .map((l) => l.trim())
    .filter(Boolean);
  const counts = new Map<string, number>();
  for (const line of linesA) counts.set(line, (counts.get(line) ?? 0) + 1);
  let common = 0;
  for (const line of linesB) {
    const n = counts.get(line) ?? 0;
    if (n > 0) {
      common++;
      counts.set(line, n - 1);
    }
  }
  return (2 * common) / Math.max(1, linesA.length + linesB.length);
}
