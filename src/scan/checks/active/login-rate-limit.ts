/**
 * Missing rate limit on login (credential stuffing exposure): the first form with a
 * password field gets `attempts` wrong logins for one made-up account (so no real customer
 * is locked out), each with the form's fresh hidden fields (CSRF tokens) and session. A
 * 429/423, a Retry-After header, or a changed answer saying "too many" or "locked" counts as
 * a limit. A shop that limits only above `attempts` tries is reported too: that is the point.
 */
import { parseHtmlPage, type PageForm } from '../../crawl/html.js';
import type { SiteForm } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import { CookieJar, type ScanResponse } from '../../http/client.js';
import { probeToken, type Check, type CheckContext } from '../check.js';

export const LOGIN_ATTEMPTS = 12;
const LOGIN_ACTION = /log-?in|sign-?in|session|auth/i;
const LIMITED_TEXT = /too many|rate limit|try again later|temporarily locked|account (is )?locked|captcha/i;

export const loginRateLimitCheck: Check = {
  id: 'login-rate-limit',
  kind: 'active',
  attackClass: 'authentication',
  title: `Login rate limit (${LOGIN_ATTEMPTS} wrong passwords for one account)`,
  async run(context) {
    const candidates = context.site.forms.filter(
      (f) => f.method === 'POST' && f.fields.filter((x) => x.type === 'password').length === 1,
    );
    const form = candidates.find((f) => LOGIN_ACTION.test(new URL(f.action).pathname)) ?? candidates[0];
    if (!form)
      return {
        status: 'not-tested',
        tested: 0,
        reason: 'the crawl found no login form (one password field, POST)',
      };
    const jar = new CookieJar();
    const page = await context.http.send({ url: form.pageUrl, jar });
    if (!page.ok)
      return { status: 'not-tested', tested: 0, reason: `the login page did not load: ${page.detail}` };
    const fresh = parseHtmlPage(page.body, page.url).forms.find((f) => f.action === form.action) ?? form;
    const account = `${probeToken()}@example.invalid`;
    const responses: ScanResponse[] = [];
    for (let attempt = 1; attempt <= LOGIN_ATTEMPTS; attempt++) {
      const res = await context.http.send({
        url: fresh.action,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: loginBody(fresh, account),
        jar,
      });
      if (!res.ok)
        return {
          status: 'not-tested',
          tested: attempt - 1,
          reason: `login attempt ${attempt}: ${res.reason} (${res.detail})`,
        };
      responses.push(res);
      if (isLimited(res, responses[0] as ScanResponse)) return { status: 'tested', tested: 1 };
      if (res.status === 403 || res.status === 400) {
        return {
          status: 'not-tested',
          tested: 0,
          reason: `the login form refused the scanner's requests (${res.status}: a token or field the scanner could not supply)`,
        };
      }
    }
    report(context, form, responses);
    return { status: 'tested', tested: 1 };
  },
};

function loginBody(form: PageForm, account: string): string {
  const body = new URLSearchParams();
  for (const field of form.fields) {
    if (field.type === 'password') body.set(field.name, `wrong-${probeToken()}`);
    else if (field.type === 'hidden') body.set(field.name, field.value);
    else if (field.type === 'checkbox' || field.type === 'radio') continue;
    else body.set(field.name, field.value || account);
  }
  return body.toString();
}

function isLimited(res: ScanResponse, first: ScanResponse): boolean {
  if (res.status === 429 || res.status === 423 || res.headers['retry-after']) return true;
  return res !== first && res.status !== first.status && LIMITED_TEXT.test(res.body);
}

function report(context: CheckContext, form: SiteForm, responses: ScanResponse[]): void {
  const last = responses[responses.length - 1] as ScanResponse;
  const statuses = [...new Set(responses.map((r) => r.status))].join(', ');
  context.report({
    checkId: 'login-rate-limit',
    attackClass: 'authentication',
    title: 'No rate limit on login',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N',
    cwe: 'CWE-307',
    url: form.action,
    method: 'POST',
    detailKey: 'login',
    description: `${LOGIN_ATTEMPTS} wrong passwords in a row for one account were all answered (HTTP ${statuses}) without any limit: credential stuffing and password guessing run at full speed.`,
    evidence: evidenceOf(
      last,
      `attempt ${LOGIN_ATTEMPTS} of ${LOGIN_ATTEMPTS} answered ${last.status}, no 429, no Retry-After`,
    ),
    reproduce: `Post ${LOGIN_ATTEMPTS} wrong passwords for one email to ${form.action} and watch every answer come back the same.`,
    remediation:
      'Limit failed logins per account and per client address (e.g. 5 per account and 20 per address in 15 minutes, answered with 429 and Retry-After); alert on credential stuffing.',
  });
}
