/**
 * Cookie attributes of every Set-Cookie the crawl received: HttpOnly on session-like
 * cookies, SameSite on all (None only with Secure), Secure when the target uses https.
 */
import type { ScanResponse } from '../../http/client.js';
import { evidenceOf } from '../../findings/evidence.js';
import type { Check } from '../check.js';

const SESSION_LIKE = /sess|sid|auth|token|jwt|login|remember|csrf|xsrf/i;

export interface CookieFlags {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | null;
}

export function parseSetCookie(line: string): CookieFlags {
  const [pair = '', ...attributes] = line.split(';');
  const name = pair.split('=', 1)[0]?.trim() ?? '';
  const flags: CookieFlags = { name, secure: false, httpOnly: false, sameSite: null };
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=', 2).map((s) => s.trim());
    const lower = key.toLowerCase();
    if (lower === 'secure') flags.secure = true;
    else if (lower === 'httponly') flags.httpOnly = true;
    else if (lower === 'samesite') flags.sameSite = value.toLowerCase();
  }
  return flags;
}

export interface CookieProblem {
  key: 'httponly' | 'samesite' | 'secure';
  title: string;
  description: string;
  remediation: string;
}

export function cookieProblems(flags: CookieFlags, https: boolean): CookieProblem[] {
  const problems: CookieProblem[] = [];
  if (SESSION_LIKE.test(flags.name) && !flags.httpOnly && !/csrf|xsrf/i.test(flags.name)) {
    problems.push({
      key: 'httponly',
      title: `Session cookie ${flags.name} readable by scripts (no HttpOnly)`,
      description: 'A script injected into the shop (XSS) can read this cookie and take over the session.',
      remediation: 'Set HttpOnly on session cookies.',
    });
  }
  if (!flags.sameSite || (flags.sameSite === 'none' && !flags.secure)) {
    problems.push({
      key: 'samesite',
      title: `Cookie ${flags.name} without a usable SameSite attribute`,
      description: flags.sameSite
        ? 'SameSite=None without Secure is rejected by browsers or sent on every cross-site request.'
        : 'Without SameSite, older browsers send the cookie on cross-site requests, which helps CSRF.',
      remediation: 'Set SameSite=Lax (or Strict); use None only with Secure when a cross-site flow needs it.',
    });
  }
  if (https && !flags.secure) {
    problems.push({
      key: 'secure',
      title: `Cookie ${flags.name} sent over plain http too (no Secure)`,
      description:
        'A network attacker can read the cookie from any http request the browser makes to the shop.',
      remediation: 'Set Secure on every cookie of an https site.',
    });
  }
  return problems;
}

export const cookiesCheck: Check = {
  id: 'cookies',
  kind: 'passive',
  attackClass: 'security-headers',
  title: 'Cookie attributes (Secure, HttpOnly, SameSite)',
  async run(context) {
    const https = context.target.protocol === 'https:';
    let tested = 0;
    const seen = new Set<string>();
    const responses: ScanResponse[] = context.site.pages.map((p) => p.response);
    for (const res of responses) {
      for (const line of res.setCookies) {
        const flags = parseSetCookie(line);
        if (seen.has(flags.name)) continue;
        seen.add(flags.name);
        tested++;
        for (const problem of cookieProblems(flags, https)) {
          context.report({
            checkId: 'cookies',
            attackClass: 'security-headers',
            title: problem.title,
            cvssVector:
              problem.key === 'httponly'
                ? 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N'
                : 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:L/A:N',
            cwe: problem.key === 'httponly' ? 'CWE-1004' : problem.key === 'secure' ? 'CWE-614' : 'CWE-1275',
            url: `${context.target.origin}/`,
            parameter: flags.name,
            detailKey: problem.key,
            description: problem.description,
            evidence: evidenceOf(res, `Set-Cookie: ${line}`),
            reproduce: `curl -sI ${res.url} | grep -i set-cookie`,
            remediation: problem.remediation,
          });
        }
      }
    }
    return {
      status: 'tested',
      tested,
      ...(tested === 0 ? { reason: 'no cookie was set during the crawl' } : {}),
    };
  },
};
