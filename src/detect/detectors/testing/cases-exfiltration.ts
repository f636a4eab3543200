/**
 * Labelled cases of the data-exfiltration detector: clients emptying the shop's customer records
 * through its API (an IDOR walk over order ids, random customer ids, several record kinds at
 * once), and the honest crowds and near misses that must stay quiet (customers reading their own
 * orders, a probe that only gets 404s, a slow reader).
 */
import { BROWSERS, ip, makeCase, MINUTE, SECOND, TOOLS, type LabelledCase } from './case-kit.js';

export const exfiltrationCases: LabelledCase[] = [
  makeCase(
    'data-exfiltration',
    'idor-walk-over-order-ids',
    'A logged-in client reads orders 1000 to 1039 of other customers through /api/orders/:id, each answered 200.',
    901,
    (b) => {
      const thief = { ip: '203.0.113.50', userAgent: TOOLS.python };
      for (let i = 0; i < 40; i++)
        b.http(i * 3 * SECOND, thief, { path: `/api/orders/${1000 + i}`, responseBytes: 1800 });
    },
    [{ ruleId: 'ecommerce.data-exfiltration.records', entity: ip('203.0.113.50'), count: 1 }],
  ),

  makeCase(
    'data-exfiltration',
    'random-customer-ids',
    'A script reads 30 customer records by random ids, out of order, within four minutes.',
    902,
    (b, rng) => {
      const script = { ip: '198.51.100.77', userAgent: TOOLS.curl };
      const ids = new Set<number>();
      while (ids.size < 30) ids.add(rng.int(100_000, 999_999));
      [...ids].forEach((id, i) =>
        b.http(i * 8 * SECOND, script, { path: `/api/v1/customers/${id}`, responseBytes: 900 }),
      );
    },
    [{ ruleId: 'ecommerce.data-exfiltration.records', entity: ip('198.51.100.77'), count: 1 }],
  ),

  makeCase(
    'data-exfiltration',
    'orders-and-addresses',
    'One client pulls 15 order pages and 15 addresses: 30 records of two kinds in five minutes.',
    903,
    (b) => {
      const client = { ip: '192.0.2.88', userAgent: BROWSERS[1] };
      for (let i = 0; i < 15; i++) {
        b.http(i * 10 * SECOND, client, { path: `/orders/${2000 + i * 7}` });
        b.http(i * 10 * SECOND + 5 * SECOND, client, { path: `/api/addresses/adr-${i}` });
      }
    },
    [{ ruleId: 'ecommerce.data-exfiltration.records', entity: ip('192.0.2.88'), count: 1 }],
  ),

  makeCase(
    'data-exfiltration',
    'customers-read-their-own-orders',
    'Forty customers from their own addresses each open two or three of their orders.',
    904,
    (b, rng) => {
      for (let c = 0; c < 40; c++) {
        const shopper = { ip: `10.20.${c}.${rng.int(2, 250)}`, userAgent: BROWSERS[c % BROWSERS.length] };
        const orders = rng.int(2, 3);
        for (let o = 0; o < orders; o++)
          b.http(c * 7 * SECOND + o * 20 * SECOND, shopper, { path: `/api/orders/${3000 + c * 3 + o}` });
      }
    },
    [],
  ),

  makeCase(
    'data-exfiltration',
    'probe-answered-404',
    'A client tries 60 order ids but the shop refuses each (404): enumeration without data leaving.',
    905,
    (b) => {
      const prober = { ip: '203.0.113.61', userAgent: TOOLS.python };
      for (let i = 0; i < 60; i++)
        b.http(i * 2 * SECOND, prober, { path: `/api/orders/${5000 + i}`, status: 404 });
    },
    [],
  ),

  makeCase(
    'data-exfiltration',
    'slow-reader',
    'A support agent opens 30 orders over two and a half hours: never 25 within five minutes.',
    906,
    (b) => {
      const agent = { ip: '10.0.0.15', userAgent: BROWSERS[0] };
      for (let i = 0; i < 30; i++) b.http(i * 5 * MINUTE, agent, { path: `/orders/${7000 + i}` });
    },
    [],
  ),
];
