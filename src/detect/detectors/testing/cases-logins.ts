/**
 * Labelled cases of the login detectors (credential stuffing, brute force): attacks as the
 * demo simulator and real bots run them, and the honest traffic they must stay quiet on.
 */
import {
  account,
  BROWSERS,
  CaseBuilder,
  ip,
  makeCase,
  MINUTE,
  SECOND,
  TOOL_JA4,
  type LabelledCase,
  type Rng,
} from './case-kit.js';

const REASONS = ['unknown_account', 'unknown_account', 'wrong_password'] as const;

/** An honest customer: maybe a typo or two, then in. */
function honestLogin(
  b: CaseBuilder,
  rng: Rng,
  atMs: number,
  who: { ip: string; email: string; id: string; typos: number },
): void {
  let t = atMs;
  for (let i = 0; i < who.typos; i++) {
    b.business(t, who.ip, 'login', {
      outcome: 'failure',
      email: who.email,
      attributes: { reason: 'wrong_password' },
    });
    t += rng.int(6, 20) * SECOND;
  }
  b.business(t, who.ip, 'login', {
    outcome: 'success',
    accountId: who.id,
    email: who.email,
    attributes: { userAgent: rng.pick(BROWSERS) },
  });
}

function honestCrowd(b: CaseBuilder, rng: Rng, n: number, spanMs: number, sharedIp?: string): void {
  for (let i = 0; i < n; i++) {
    const person = rng.person();
    const typos = rng.next() < 0.15 ? rng.int(1, 2) : 0;
    honestLogin(b, rng, rng.int(0, spanMs), {
      ip: sharedIp ?? rng.ip(),
      email: person.email,
      id: `cus_${100 + i}`,
      typos,
    });
  }
}

export const loginCases: LabelledCase[] = [
  makeCase(
    'credential-stuffing',
    'leaked-list-one-address',
    'The demo simulator: 40 leaked pairs from one address with curl, one of them works.',
    101,
    (b, rng) => {
      honestCrowd(b, rng, 8, 4 * MINUTE);
      for (let i = 0; i < 40; i++) {
        const email = `user${1000 + i}@mail.example`;
        const t = 30 * SECOND + i * 70;
        if (i === 23)
          b.business(t, '203.0.113.45', 'login', {
            outcome: 'success',
            accountId: 'cus_23',
            email,
            attributes: { userAgent: 'curl/8.8.0' },
          });
        else
          b.business(t, '203.0.113.45', 'login', {
            outcome: 'failure',
            email,
            attributes: { reason: rng.pick(REASONS) },
          });
      }
    },
    [{ ruleId: 'ecommerce.credential-stuffing', entity: ip('203.0.113.45'), count: 1 }],
  ),

  makeCase(
    'credential-stuffing',
    'proxy-pool-one-fingerprint',
    'A bot behind residential proxies: 30 accounts, 30 addresses, one TLS fingerprint the shop forwards.',
    102,
    (b, rng) => {
      honestCrowd(b, rng, 10, 6 * MINUTE);
      for (let i = 0; i < 30; i++) {
        b.business(MINUTE + i * 9 * SECOND, rng.ip(), 'login', {
          outcome: 'failure',
          email: rng.person().email,
          attributes: { reason: rng.pick(REASONS), ja4: TOOL_JA4 },
        });
      }
    },
    [
      {
        ruleId: 'ecommerce.credential-stuffing.distributed',
        entity: { type: 'ja4', value: TOOL_JA4 },
        count: 1,
      },
    ],
  ),

  makeCase(
    'credential-stuffing',
    'one-subnet-rotation',
    'A hosting /24 rotating its addresses: 24 addresses, one or two accounts each.',
    103,
    (b, rng) => {
      honestCrowd(b, rng, 10, 6 * MINUTE);
      for (let i = 0; i < 36; i++) {
        b.business(20 * SECOND + i * 5 * SECOND, `198.51.100.${10 + (i % 24)}`, 'login', {
          outcome: 'failure',
          email: `client${4000 + i}@mail.example`,
          attributes: { reason: rng.pick(REASONS) },
        });
      }
    },
    [{ ruleId: 'ecommerce.credential-stuffing.distributed', entity: ip('198.51.100.0/24'), count: 1 }],
  ),

  makeCase(
    'credential-stuffing',
    'spread-over-the-shop',
    'Low and slow over 80 unrelated addresses, nothing shared: only the shop-wide view sees it.',
    104,
    (b, rng) => {
      honestCrowd(b, rng, 12, 8 * MINUTE);
      for (let i = 0; i < 80; i++) {
        const person = rng.person();
        b.business(i * 6 * SECOND, rng.ip(), 'login', {
          outcome: 'failure',
          email: `${i}.${person.email}`,
          attributes: { reason: rng.pick(REASONS) },
        });
      }
    },
    [{ ruleId: 'ecommerce.credential-stuffing.distributed', entity: ip('*'), count: 1 }],
  ),

  makeCase(
    'credential-stuffing',
    'benign-shoppers',
    'Forty customers log in over ten minutes, a few after a typo.',
    105,
    (b, rng) => honestCrowd(b, rng, 40, 10 * MINUTE),
    [],
  ),

  makeCase(
    'credential-stuffing',
    'office-nat',
    'Twenty-five colleagues behind one office address log in after lunch; four mistype first.',
    106,
    (b, rng) => {
      for (let i = 0; i < 25; i++) {
        const person = rng.person();
        honestLogin(b, rng, rng.int(0, 8 * MINUTE), {
          ip: '192.0.2.10',
          email: person.email,
          id: `cus_${300 + i}`,
          typos: i < 4 ? 1 : 0,
        });
      }
    },
    [],
  ),

  makeCase(
    'credential-stuffing',
    'sale-rush',
    'Black Friday at nine: 150 customers log in within five minutes from everywhere.',
    107,
    (b, rng) => honestCrowd(b, rng, 150, 5 * MINUTE),
    [],
  ),

  makeCase(
    'brute-force',
    'one-address-one-account',
    'Twelve wrong passwords on one account from one address in two minutes.',
    201,
    (b, rng) => {
      honestCrowd(b, rng, 6, 5 * MINUTE);
      for (let i = 0; i < 12; i++)
        b.business(MINUTE + i * 10 * SECOND, '203.0.113.80', 'login', {
          outcome: 'failure',
          email: 'marie.peeters@telenet.be',
          attributes: { reason: 'wrong_password' },
        });
    },
    [{ ruleId: 'ecommerce.brute-force', entity: account('marie.peeters@telenet.be'), count: 1 }],
  ),

  makeCase(
    'brute-force',
    'many-addresses-one-account',
    'Fifteen addresses each try one password on the same account in ten minutes.',
    202,
    (b, rng) => {
      honestCrowd(b, rng, 6, 10 * MINUTE);
      for (let i = 0; i < 15; i++)
        b.business(i * 40 * SECOND, rng.ip(), 'login', {
          outcome: 'failure',
          email: 'Hugo.Dubois@gmail.com',
          attributes: { reason: 'wrong_password' },
        });
    },
    [{ ruleId: 'ecommerce.brute-force', entity: account('hugo.dubois@gmail.com'), count: 1 }],
  ),

  makeCase(
    'brute-force',
    'guessed-then-in',
    'Eight failures, then the ninth guess works: the password was guessed.',
    203,
    (b, rng) => {
      honestCrowd(b, rng, 6, 5 * MINUTE);
      for (let i = 0; i < 8; i++)
        b.business(MINUTE + i * 12 * SECOND, '203.0.113.81', 'login', {
          outcome: 'failure',
          email: 'sven.claes@gmx.de',
          attributes: { reason: 'wrong_password' },
        });
      b.business(MINUTE + 100 * SECOND, '203.0.113.81', 'login', {
        outcome: 'success',
        accountId: 'cus_77',
        email: 'sven.claes@gmx.de',
        attributes: { userAgent: 'curl/8.8.0' },
      });
    },
    [{ ruleId: 'ecommerce.brute-force.succeeded', entity: account('sven.claes@gmx.de'), count: 1 }],
  ),

  makeCase(
    'brute-force',
    'mistypes-twice',
    'A customer mistypes the password twice, then gets it right.',
    204,
    (b, rng) => {
      honestCrowd(b, rng, 10, 5 * MINUTE);
      honestLogin(b, rng, 2 * MINUTE, {
        ip: '81.2.69.142',
        email: 'rosa.novak@proton.me',
        id: 'cus_501',
        typos: 2,
      });
    },
    [],
  ),

  makeCase(
    'brute-force',
    'forgetful-all-day',
    'Twelve failures on one account spread over three hours: never ten in a window.',
    205,
    (b, rng) => {
      for (let i = 0; i < 12; i++)
        b.business(i * 16 * MINUTE, rng.ip(), 'login', {
          outcome: 'failure',
          email: 'ben.maes@outlook.com',
          attributes: { reason: 'wrong_password' },
        });
    },
    [],
  ),

  makeCase(
    'brute-force',
    'office-nat',
    'Forty colleagues behind one address, a few typos each.',
    206,
    (b, rng) => honestCrowd(b, rng, 40, 10 * MINUTE, '192.0.2.10'),
    [],
  ),
];
