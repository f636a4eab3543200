/**
 * Cross-site request forgery on state-changing forms, tested by forging one: each POST form
 * of the shop's origin (up to `MAX_FORMS`) is fetched with a fresh session, then submitted
 * the way another site would: token-like hidden fields dropped, `Origin` and `Referer` of
 * a foreign site, `Sec-Fetch-Site: cross-site`. An answer that accepts it (2xx, or a
 * redirect that is not to a login page) is a finding; its severity depends on the session
 * cookie: without SameSite=Lax/Strict any site can make a logged-in customer's browser send
 * it, with Lax/Strict only older browsers and same-site pages can. Login, registration and
 * payment forms are not submitted (no accounts created, no payments attempted).
 */
import { parseHtmlPage, type PageForm } from '../../crawl/html.js';
import type { SiteForm } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import { CookieJar, type ScanResponse } from '../../http/client.js';
import type { Check, CheckContext } from '../check.js';

export const CSRF_PROBE_ORIGIN = 'https://ensuresec-csrf-probe.example';
const MAX_FORMS = 8;
const TOKEN_FIELD = /csrf|xsrf|_token|authenticity|nonce|__requestverificationtoken|form_key|formkey/i;
const NOT_SUBMITTED = /checkout|pay|payment|order|delete|destroy|password/i;
const LOGIN_PATH = /log-?in|sign-?in|auth/i;
const SESSION_COOKIE = /sess|sid|auth|token|login|user/i;

export const csrfCheck: Check = {
  id: 'csrf',
  kind: 'active',
  attackClass: 'access-control',
  title: 'CSRF: state-changing forms submitted with a forged cross-site Origin and no token',
  async run(context) {
    const forms = context.site.forms.filter(
      (f) =>
        f.method === 'POST' &&
        new URL(f.action).origin === context.target.origin &&
        !f.fields.some((x) => x.type === 'password') &&
        !NOT_SUBMITTED.test(new URL(f.action).pathname),
    );
    if (forms.length === 0)
      return { status: 'tested', tested: 0, reason: 'no state-changing POST form was found' };
    const shapes = new Map<string, SiteForm>();
    for (const form of forms) if (!shapes.has(shapeOf(form))) shapes.set(shapeOf(form), form);
    const representatives = [...shapes.values()];
    let tested = 0;
    for (const form of representatives.slice(0, MAX_FORMS)) if (await testForm(context, form)) tested++;
    if (representatives.length > MAX_FORMS)
      context.notChecked(
        `${representatives.length - MAX_FORMS} more kinds of POST form`,
        `csrf: only the first ${MAX_FORMS} are submitted`,
      );
    return tested < representatives.length
      ? {
          status: 'partial',
          tested,
          reason: `${representatives.length - tested} kinds of form could not be tested`,
        }
      : { status: 'tested', tested };
  },
};

async function testForm(context: CheckContext, form: SiteForm): Promise<boolean> {
  const jar = new CookieJar();
  const page = await context.http.send({ url: form.pageUrl, jar });
  if (!page.ok) {
    context.notChecked(`POST ${form.action}`, `csrf: the form's page did not load: ${page.detail}`);
    return false;
  }
  const fresh = parseHtmlPage(page.body, page.url).forms.find((f) => f.action === form.action) ?? form;
  const res = await context.http.send({
    url: fresh.action,
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: CSRF_PROBE_ORIGIN,
      referer: `${CSRF_PROBE_ORIGIN}/attack.html`,
      'sec-fetch-site': 'cross-site',
    },
    body: forgedBody(fresh),
    jar,
  });
  if (!res.ok) {
    context.notChecked(`POST ${form.action}`, `csrf: ${res.detail}`);
    return false;
  }
  if (accepted(res)) report(context, form, res, sameSiteOf(page.setCookies.concat(res.setCookies)));
  return true;
}

/**
 * Forms that differ only by an id or slug in the action (one review form per product) are one
 * kind: the same handler, so one of them is submitted for all.
 */
function shapeOf(form: SiteForm): string {
  const path = new URL(form.action).pathname
    .split('/')
    .map((segment) => (/\d|-/.test(segment) ? '*' : segment))
    .join('/');
  const fields = form.fields.map((f) => f.name).sort();
  return `${path} ${fields.join(',')}`;
}

function forgedBody(form: PageForm): string {
  const body = new URLSearchParams();
  for (const field of form.fields) {
    if (field.type === 'hidden' && TOKEN_FIELD.test(field.name)) continue;
    if (field.type === 'checkbox' || field.type === 'radio' || field.type === 'submit') continue;
    body.set(field.name, field.value || (field.type === 'number' ? '1' : 'ensuresec'));
  }
  return body.toString();
}

function accepted(res: ScanResponse): boolean {
  if (res.status >= 200 && res.status < 300) return true;
  if (res.status >= 300 && res.status < 400) return !LOGIN_PATH.test(res.headers['location'] ?? '');
  return false;
}

/** The session cookie's SameSite value as the shop set it ('none' when absent: browsers differ). */
function sameSiteOf(setCookies: string[]): { cookie: string; sameSite: string } | null {
  const session =
    setCookies.find((line) => SESSION_COOKIE.test(line.split('=', 1)[0] ?? '')) ?? setCookies[0];
  if (!session) return null;
  const sameSite = /;\s*samesite=(\w+)/i.exec(session)?.[1]?.toLowerCase() ?? 'not set';
  return { cookie: session.split('=', 1)[0] ?? '', sameSite };
}

function report(
  context: CheckContext,
  form: SiteForm,
  res: ScanResponse,
  cookie: { cookie: string; sameSite: string } | null,
): void {
  const protectedBySameSite = cookie !== null && (cookie.sameSite === 'lax' || cookie.sameSite === 'strict');
  const path = new URL(form.action).pathname;
  context.report({
    checkId: 'csrf',
    attackClass: 'access-control',
    title: `Cross-site request accepted: POST ${path}`,
    // Lax/Strict session cookies leave the attack to older browsers and same-site pages (AC:H).
    cvssVector: protectedBySameSite
      ? 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:L/A:N'
      : 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N',
    cwe: 'CWE-352',
    url: form.action,
    method: 'POST',
    description: `POST ${path} accepted a submission with Origin ${CSRF_PROBE_ORIGIN} and without any anti-CSRF token (HTTP ${res.status}): the shop checks neither a token nor the origin. ${
      cookie
        ? `The session cookie ${cookie.cookie} has SameSite=${cookie.sameSite}${protectedBySameSite ? ', which stops the attack in current browsers but not in older ones or from a same-site subdomain' : ': any site can make a logged-in customer submit this form'}.`
        : 'No session cookie was seen.'
    }`,
    evidence: evidenceOf(
      res,
      `forged cross-site POST answered ${res.status}${res.headers['location'] ? ` → ${res.headers['location']}` : ''}`,
    ),
    reproduce: `curl -si -X POST '${form.action}' -H 'Origin: ${CSRF_PROBE_ORIGIN}' -H 'Content-Type: application/x-www-form-urlencoded' --data '${res.requestBody ?? ''}' (with a session cookie from ${form.pageUrl})`,
    remediation:
      'Require a per-session anti-CSRF token on every state-changing request and reject cross-site Origin/Sec-Fetch-Site values; keep session cookies SameSite=Lax or Strict.',
    data: { sameSite: cookie?.sameSite ?? null, status: res.status },
  });
}
