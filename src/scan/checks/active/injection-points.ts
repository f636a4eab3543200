/**
 * Shared by the active injection checks: the points to test (GET parameters the crawl found,
 * and the text-like fields of POST forms, sent urlencoded as the form would) and the one
 * request that sends a value in one point (`requestFor`, `sendTo`).
 */
import type { InjectionPoint, SiteMap } from '../../crawl/crawler.js';
import { CookieJar, type ScanRequest, type ScanResponse, type ScanResult } from '../../http/client.js';
import type { CheckContext, CheckOutcome } from '../check.js';
import { freshForm, QUANTITY_FIELD } from './shop-flows.js';
import { escapeHtml } from '../../report/html.js';

/**
 * POST forms looked at per scan, fields tested per form, and POST points in all: the time-based
 * checks cost about 80 requests a point, so the total is what keeps a scan within its budget.
 */
export const MAX_POST_FORMS = 10;
export const MAX_POST_FIELDS = 2;
export const MAX_POST_POINTS = 4;
const MAX_PER_SHAPE = 1;
/** Field types that carry free text (a password field is never varied: it keeps its value). */
const INJECTABLE_TYPES = new Set(['text', 'textarea', 'search', 'email', 'hidden', '']);
const TOKEN_NAME = /csrf|xsrf|token|nonce|authenticity/i;
/** Forms that end a session or delete something are never posted to. */
const NOT_POSTED = /log-?out|sign-?out|delete|destroy|remove|unsubscribe/i;
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * One point per text-like field of each POST form in scope (hidden fields that look like a
 * CSRF token excepted: they are fetched fresh instead), other fields keeping the form's values.
 * At most `MAX_POST_FORMS` forms, one per shape (action path and field names), and
 * `MAX_POST_FIELDS` fields per form (visible ones first), taken a field of each form in turn up
 * to `MAX_POST_POINTS` points.
 */
export function postFormPoints(site: SiteMap): InjectionPoint[] {
  const perForm: InjectionPoint[][] = [];
  const shapes = new Map<string, number>();
  let forms = 0;
  for (const form of site.forms) {
    if (form.method !== 'POST' || forms >= MAX_POST_FORMS) continue;
    let action: URL;
    try {
      action = new URL(form.action);
    } catch {
      continue;
    }
    if (action.origin !== site.origin || NOT_POSTED.test(action.pathname)) continue;
    const shape = `${action.pathname.replace(/\/\d+(?=\/|$)/g, '/<n>')} ${form.fields.map((f) => f.name).join(',')}`;
    const seen = shapes.get(shape) ?? 0;
    shapes.set(shape, seen + 1);
    if (seen >= MAX_PER_SHAPE) continue;
    const params: Record<string, string> = {};
    for (const field of form.fields) {
      if (!field.name || field.type === 'checkbox' || field.type === 'radio' || field.type === 'submit')
        continue;
      params[field.name] = field.value || (QUANTITY_FIELD.test(field.name) ? '1' : '');
    }
    const tokenFields = form.fields
      .filter((f) => f.type === 'hidden' && TOKEN_NAME.test(f.name))
      .map((f) => f.name);
    const names = form.fields
      .filter((f) => f.name && INJECTABLE_TYPES.has(f.type) && !tokenFields.includes(f.name))
      .sort((a, b) => Number(a.type === 'hidden') - Number(b.type === 'hidden'))
      .map((f) => f.name)
      .filter((name, i, all) => all.indexOf(name) === i)
      .slice(0, MAX_POST_FIELDS);
    if (names.length === 0) continue;
    forms++;
    const url = `${action.origin}${action.pathname}${action.search}`;
    perForm.push(names.map((name) => ({ method: 'POST', url, params, name, form, tokenFields })));
  }
  const points: InjectionPoint[] = [];
  for (let i = 0; i < MAX_POST_FIELDS; i++)
    for (const fields of perForm) {
      const point = fields[i];
      if (point && points.length < MAX_POST_POINTS) points.push(point);
    }
  return points;
}

/** Every point the injection checks test: the crawl's GET parameters, then POST form fields. */
export function injectionPointsOf(site: SiteMap): InjectionPoint[] {
  return [...site.injectionPoints, ...postFormPoints(site)];
}

/**
 * Runs `testPoint` on every injection point (GET parameters, POST form fields), one after the
 * other; `testPoint` answers false when a point could not be tested (the outcome is then partial).
 *
 * @example run: (context) => testEachInjectionPoint(context, testPoint)
 */
export async function testEachInjectionPoint(
  context: CheckContext,
  testPoint: (context: CheckContext, point: InjectionPoint) => Promise<boolean>,
): Promise<CheckOutcome> {
  const points = injectionPointsOf(context.site);
  if (points.length === 0)
    return {
      status: 'not-tested',
      tested: 0,
      reason: 'the crawl found no GET parameter or POST form field to test',
    };
  let tested = 0;
  for (const point of points) if (await testPoint(context, point)) tested++;
  return tested < points.length
    ? { status: 'partial', tested, reason: `${points.length - tested} parameters could not be tested` }
    : { status: 'tested', tested };
}

/** The request that sends `value` in `point` (the other parameters keep their values). */
export function requestFor(point: InjectionPoint, value: string): ScanRequest {
  if (point.method === 'GET') return { url: urlWith(point, value), method: 'GET', headers: {} };
  return {
    url: point.url,
    method: 'POST',
    headers: { 'content-type': FORM_CONTENT_TYPE },
    body: bodyWith(point, value),
  };
}

/**
 * Sends `value` in `point`. A POST form with a CSRF-looking hidden field has its page fetched
 * first in a fresh session, and the fresh token is sent with the value.
 */
export async function sendTo(
  context: CheckContext,
  point: InjectionPoint,
  value: string,
): Promise<ScanResult> {
  const request = requestFor(point, value);
  if (point.method !== 'POST' || !point.form || !point.tokenFields?.length) return context.http.send(request);
  const jar = new CookieJar();
  const fresh = await freshForm(context.http, point.form, jar);
  if (!fresh)
    return {
      ok: false,
      method: 'POST',
      url: point.url,
      reason: 'network_error',
      detail: `the form's page ${point.form.pageUrl} could not be fetched again for a fresh token`,
    };
  const body = new URLSearchParams(request.body);
  for (const name of point.tokenFields) {
    const field = fresh.fields.find((f) => f.name === name);
    if (field) body.set(name, field.value);
  }
  return context.http.send({ ...request, body: body.toString(), jar });
}

/** How a point is named in "not checked" entries. */
export function pointLabel(point: InjectionPoint): string {
  return point.method === 'GET' ? `${point.url} ?${point.name}=` : `POST ${point.url} ${point.name}=`;
}

/** A shell command that sends `value` in `point` (for the finding's "reproduce"). */
export function curlFor(point: InjectionPoint, value: string, flags = '-s'): string {
  const request = requestFor(point, value);
  const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
  return request.method === 'POST'
    ? `curl ${flags} -X POST -H 'content-type: ${FORM_CONTENT_TYPE}' --data ${quote(request.body ?? '')} ${quote(request.url)}`
    : `curl ${flags} ${quote(request.url)}`;
}

/** "parameter q" for a GET parameter, "POST form field q" for a form field (titles, descriptions). */
export function pointWhat(point: InjectionPoint): string {
  return point.method === 'GET' ? `parameter ${point.name}` : `POST form field ${point.name}`;
}

export function urlWith(point: InjectionPoint, value: string): string {
  if (point.method === 'POST') return point.url;
  const url = new URL(point.url);
  for (const [name, original] of Object.entries(point.params))
    url.searchParams.set(name, name === point.name ? value : original);
  return url.href;
}

function bodyWith(point: InjectionPoint, value: string): string {
  const body = new URLSearchParams();
  for (const [name, original] of Object.entries(point.params))
    body.set(name, name === point.name ? value : original);
  return body.toString();
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
      escapeHtml(value),
      escapeHtml(value).replace(/&#39;/g, '&#x27;'),
    ])) {
      if (form) body = body.split(form).join('');
    }
  }
  return body;
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
