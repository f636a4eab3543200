import { describe, expect, it } from 'vitest';
import cases from '../../fixtures/header-cases.json' with { type: 'json' };
import type { ScanResponse } from '../../http/client.js';
import { cookieProblems, parseSetCookie } from './cookies.js';
import { cspWeaknesses } from './csp.js';
import { headerProblems } from './security-headers.js';

function response(url: string, headers: Record<string, string>): ScanResponse {
  return {
    ok: true,
    method: 'GET',
    url,
    requestHeaders: {},
    status: 200,
    headers,
    setCookies: [],
    body: '<html></html>',
    bodyBytes: 13,
    truncated: false,
    redirects: [],
    elapsedMs: 1,
  };
}

describe('security headers', () => {
  for (const c of cases.headers) {
    it(`${c.name}: ${c.expected.join(', ') || 'nothing to report'}`, () => {
      expect(
        headerProblems(response(c.url, c.headers as Record<string, string>)).map((p) => p.detailKey),
      ).toEqual(c.expected);
    });
  }
});

describe('CSP quality', () => {
  for (const c of cases.csp) {
    it(`${c.policy} → ${c.expected.join(', ') || 'no weakness'}`, () => {
      expect(cspWeaknesses(c.policy).map((w) => w.key)).toEqual(c.expected);
    });
  }
});

describe('cookie attributes', () => {
  for (const c of cases.cookies) {
    it(`${c.setCookie} over ${c.https ? 'https' : 'http'} → ${c.expected.join(', ') || 'fine'}`, () => {
      expect(cookieProblems(parseSetCookie(c.setCookie), c.https).map((p) => p.key)).toEqual(c.expected);
    });
  }
});
