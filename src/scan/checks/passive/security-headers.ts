/**
 * Security headers on the HTML pages the crawl saw: CSP presence and quality (csp.ts),
 * framing (X-Frame-Options or CSP frame-ancestors), X-Content-Type-Options, Referrer-Policy,
 * Permissions-Policy, and HSTS when the target uses https. A header missing on several
 * pages is one finding (page-wide, fingerprinted on the origin and the header).
 */
import type { ScanResponse } from '../../http/client.js';
import { evidenceOf } from '../../findings/evidence.js';
import type { FindingDraft } from '../../types.js';
import { successfulHtmlPages, type Check } from '../check.js';
import { cspWeaknesses, parseCsp } from './csp.js';

/** Header hygiene: no direct impact, but it removes a layer (scored low). */
const HYGIENE = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:L/A:N';
/** Informational: browsers' defaults already cover most of it (scored 0.0). */
const INFORMATIONAL = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:N';
/** Framing enables clickjacking of state-changing pages. */
const CLICKJACKING = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N';
const HSTS_MIN_SECONDS = 15_552_000; // 180 days, the usual floor for preload-ready sites

type Problem = Omit<FindingDraft, 'checkId' | 'attackClass' | 'url' | 'evidence'> & { needle?: string };

export function headerProblems(res: ScanResponse): Problem[] {
  const h = res.headers;
  const problems: Problem[] = [];
  const csp = h['content-security-policy'];
  if (!csp) {
    problems.push({
      title: 'No Content-Security-Policy',
      detailKey: 'csp-missing',
      cvssVector: HYGIENE,
      cwe: 'CWE-693',
      description: 'Pages carry no Content-Security-Policy, so any script injected into them (XSS) runs.',
      reproduce: `curl -sI ${res.url} | grep -i content-security-policy  # prints nothing`,
      remediation:
        "Send a policy such as `default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'`; start with Content-Security-Policy-Report-Only to find what it would block.",
    });
  } else {
    for (const weakness of cspWeaknesses(csp)) {
      problems.push({
        title: `Weak Content-Security-Policy: ${weakness.key}`,
        detailKey: `csp-${weakness.key}`,
        parameter: weakness.directive,
        cvssVector:
          weakness.key === 'object-src-missing' || weakness.key === 'base-uri-missing'
            ? HYGIENE
            : CLICKJACKING,
        cwe: 'CWE-693',
        description: `The Content-Security-Policy is weak: ${weakness.detail}.`,
        reproduce: `curl -sI ${res.url} | grep -i content-security-policy`,
        remediation: cspRemedy(weakness.key),
        needle: 'content-security-policy',
      });
    }
  }
  const frameAncestors = csp ? parseCsp(csp).get('frame-ancestors') : undefined;
  const xfo = (h['x-frame-options'] ?? '').toUpperCase();
  if (!frameAncestors && xfo !== 'DENY' && xfo !== 'SAMEORIGIN') {
    problems.push({
      title: 'The shop can be framed by any site (clickjacking)',
      detailKey: 'framing',
      cvssVector: CLICKJACKING,
      cwe: 'CWE-1021',
      description:
        'Neither X-Frame-Options nor CSP frame-ancestors stops another site from framing these pages and tricking a customer into clicking.',
      reproduce: `curl -sI ${res.url} | grep -iE 'x-frame-options|content-security-policy'`,
      remediation:
        "Add `frame-ancestors 'none'` (or 'self') to the CSP, and `X-Frame-Options: DENY` for old browsers.",
    });
  }
  if ((h['x-content-type-options'] ?? '').toLowerCase() !== 'nosniff') {
    problems.push({
      title: 'No X-Content-Type-Options: nosniff',
      detailKey: 'nosniff',
      cvssVector: HYGIENE,
      cwe: 'CWE-693',
      description:
        'Browsers may sniff a response as another content type (an uploaded file run as a script).',
      reproduce: `curl -sI ${res.url} | grep -i x-content-type-options`,
      remediation: 'Send `X-Content-Type-Options: nosniff` on every response.',
    });
  }
  const referrer = (h['referrer-policy'] ?? '').toLowerCase();
  if (!referrer || referrer.includes('unsafe-url') || referrer.includes('no-referrer-when-downgrade')) {
    problems.push({
      title: referrer ? `Leaky Referrer-Policy: ${referrer}` : 'No Referrer-Policy',
      detailKey: 'referrer-policy',
      cvssVector: referrer ? HYGIENE : INFORMATIONAL,
      cwe: 'CWE-200',
      description: referrer
        ? 'The policy sends full URLs (with order ids or tokens in them) to other sites.'
        : 'No Referrer-Policy: modern browsers default to strict-origin-when-cross-origin, older ones send full URLs to other sites.',
      reproduce: `curl -sI ${res.url} | grep -i referrer-policy`,
      remediation: 'Send `Referrer-Policy: strict-origin-when-cross-origin` (or stricter).',
    });
  }
  if (!h['permissions-policy']) {
    problems.push({
      title: 'No Permissions-Policy',
      detailKey: 'permissions-policy',
      cvssVector: INFORMATIONAL,
      cwe: 'CWE-693',
      description:
        'Pages do not limit which browser features (camera, geolocation, payment) embedded or injected content may use.',
      reproduce: `curl -sI ${res.url} | grep -i permissions-policy`,
      remediation:
        'Send for example `Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=(self)`.',
    });
  }
  if (new URL(res.url).protocol === 'https:') {
    const hsts = h['strict-transport-security'] ?? '';
    const maxAge = Number(/max-age\s*=\s*"?(\d+)/i.exec(hsts)?.[1] ?? 0);
    if (maxAge < HSTS_MIN_SECONDS) {
      problems.push({
        title: hsts ? `HSTS max-age too short (${maxAge} s)` : 'No Strict-Transport-Security',
        detailKey: 'hsts',
        cvssVector: 'CVSS:3.1/AV:A/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N',
        cwe: 'CWE-319',
        description:
          'Without a long HSTS policy, a network attacker can strip https from a customer’s first visit.',
        reproduce: `curl -sI ${res.url} | grep -i strict-transport-security`,
        remediation:
          'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` once every subdomain serves https.',
      });
    }
  }
  return problems;
}

function cspRemedy(key: string): string {
  switch (key) {
    case 'unsafe-inline':
      return "Remove 'unsafe-inline' from script-src; move inline scripts to files or allow them by nonce or hash.";
    case 'unsafe-eval':
      return "Remove 'unsafe-eval'; replace eval/new Function/string timers in your scripts or libraries.";
    case 'wildcard-source':
      return 'List the script hosts you use instead of *, https: or data:; better, use nonces with strict-dynamic.';
    case 'object-src-missing':
      return "Add `object-src 'none'`.";
    case 'base-uri-missing':
      return "Add `base-uri 'self'` (or 'none').";
    default:
      return "Add `script-src 'self'` (or a default-src).";
  }
}

export const securityHeadersCheck: Check = {
  id: 'security-headers',
  kind: 'passive',
  attackClass: 'security-headers',
  title: 'Security headers and Content-Security-Policy quality',
  async run(context) {
    const pages = successfulHtmlPages(context.site);
    if (pages.length === 0) return { status: 'not-tested', tested: 0, reason: 'no HTML page was fetched' };
    const origin = context.target.origin;
    for (const page of pages) {
      for (const { needle, ...problem } of headerProblems(page.response)) {
        context.report({
          ...problem,
          checkId: 'security-headers',
          attackClass: 'security-headers',
          url: `${origin}/`,
          evidence: evidenceOf(page.response, problem.title, needle),
          data: { firstSeenOn: page.url },
        });
      }
    }
    return { status: 'tested', tested: pages.length };
  },
};
