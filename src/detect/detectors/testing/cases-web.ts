/**
 * Labelled cases of the web-attacks detector: injection seen by the gateway's WAF, and seen
 * in the query strings of requests no WAF judged; and the honest crowds whose searches look
 * a little like SQL (`O'Reilly`, `rock & roll`, `size (EU) 42`).
 */
import { BROWSERS, ip, makeCase, SECOND, TOOLS, type LabelledCase } from './case-kit.js';

const HONEST_SEARCHES = [
  "O'Reilly",
  "O'Reilly books",
  "don't panic",
  'rock & roll',
  'size (EU) 42',
  '"blue shoes"',
  'a/b testing',
  '50% off',
  't-shirt',
  'café',
];

const query = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');

export const webCases: LabelledCase[] = [
  makeCase(
    'web-attacks',
    'waf-blocks-sqlmap',
    'sqlmap tries three SQL injections; the WAF blocks each (rules 942xxx, score 949110).',
    801,
    (b) => {
      const bot = { ip: '203.0.113.140', userAgent: 'sqlmap/1.8.11#stable (https://sqlmap.org)' };
      const payloads = ["1' AND 1=1-- -", "1' UNION ALL SELECT NULL,NULL-- -", '1 AND SLEEP(5)'];
      payloads.forEach((payload, i) =>
        b.http(i * 2 * SECOND, bot, {
          path: `/products?id=${encodeURIComponent(payload)}`,
          status: 403,
          waf: { ruleIds: ['942100', '942190', '949110', '980170'], blocked: true },
        }),
      );
    },
    [{ ruleId: 'web.attack.waf', entity: ip('203.0.113.140'), count: 1 }],
  ),

  makeCase(
    'web-attacks',
    'waf-detection-only-xss',
    'With the WAF in detection-only mode, four XSS probes pass but match rules 941xxx.',
    802,
    (b) => {
      const client = { ip: '203.0.113.141', userAgent: BROWSERS[2] };
      const payloads = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<svg/onload=alert(1)>'];
      payloads.forEach((payload, i) =>
        b.http(i * 20 * SECOND, client, {
          path: `/search?q=${encodeURIComponent(payload)}`,
          waf: { ruleIds: ['941100', '941110', '949110'], blocked: false },
        }),
      );
    },
    [{ ruleId: 'web.attack.waf', entity: ip('203.0.113.141'), count: 1 }],
  ),

  makeCase(
    'web-attacks',
    'payloads-without-waf',
    'No WAF in front: a client sends SQL injection and XSS in query strings, read from the log.',
    803,
    (b) => {
      const client = { ip: '203.0.113.142', userAgent: TOOLS.python };
      b.http(0, client, { path: `/search?q=${encodeURIComponent("' OR 1=1--")}` });
      b.http(5 * SECOND, client, {
        path: `/search?sort=price&q=${encodeURIComponent('<script>alert(1)</script>')}`,
      });
      b.http(9 * SECOND, client, {
        path: `/products?id=${encodeURIComponent('1 UNION SELECT password FROM users')}`,
      });
    },
    [{ ruleId: 'web.attack.payload', entity: ip('203.0.113.142'), count: 1 }],
  ),

  makeCase(
    'web-attacks',
    'honest-searches',
    'Twenty shoppers search for things with quotes, brackets and ampersands in them.',
    804,
    (b, rng) => {
      for (let n = 0; n < 20; n++) {
        const client = { ip: `198.51.100.${60 + n}`, userAgent: rng.pick(BROWSERS) };
        let t = n * 7 * SECOND;
        for (let i = 0; i < 4; i++) {
          t += rng.int(5, 30) * SECOND;
          b.http(t, client, { path: `/search?q=${query(rng.pick(HONEST_SEARCHES))}`, route: '/search' });
        }
        b.http(t + 4 * SECOND, client, { path: '/catalog?page=2&sort=price-asc' });
      }
    },
    [],
  ),

  makeCase(
    'web-attacks',
    'protocol-warnings-and-one-stray-payload',
    'Clients the WAF flags only for protocol details (a numeric Host, no Accept), and one shopper who pastes one odd search.',
    805,
    (b) => {
      for (let n = 0; n < 10; n++) {
        const client = { ip: `198.51.100.${90 + n}`, userAgent: TOOLS.curl };
        for (let i = 0; i < 3; i++)
          b.http(n * SECOND + i * 10 * SECOND, client, {
            path: '/',
            waf: { ruleIds: ['920350', '920280'], blocked: false },
          });
      }
      b.http(
        40 * SECOND,
        { ip: '198.51.100.120', userAgent: BROWSERS[0] },
        {
          path: `/search?q=${encodeURIComponent("' OR 1=1--")}`,
        },
      );
    },
    [],
  ),
];
