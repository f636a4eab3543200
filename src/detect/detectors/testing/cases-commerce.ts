/**
 * Labelled cases of the shop-flow detectors (account takeover, card testing, coupon abuse):
 * the sequences fraudsters follow, and customers doing the same steps honestly.
 */
import {
  account,
  BROWSERS,
  CaseBuilder,
  DAY,
  HOUR,
  ip,
  makeCase,
  MINUTE,
  SECOND,
  TOOLS,
  type LabelledCase,
  type Rng,
} from './case-kit.js';

interface Customer {
  id: string;
  email: string;
  ip: string;
  userAgent: string;
}

function login(
  b: CaseBuilder,
  atMs: number,
  who: Customer,
  from: { ip: string; userAgent: string } = who,
): void {
  b.business(atMs, from.ip, 'login', {
    outcome: 'success',
    accountId: who.id,
    email: who.email,
    attributes: { userAgent: from.userAgent },
  });
}

function order(
  b: CaseBuilder,
  atMs: number,
  who: Customer,
  fromIp: string,
  amountMinor: number,
  extra: { postalAddress?: string; couponCode?: string; card?: string } = {},
): void {
  b.business(atMs, fromIp, 'order', {
    outcome: 'success',
    accountId: who.id,
    email: who.email,
    amountMinor,
    currency: 'EUR',
    cardFingerprint: extra.card ?? `fp_${who.id}`,
    postalAddress: extra.postalAddress ?? `${who.id} Main Street, 1000 Brussels`,
    attributes: {
      orderId: 5000 + (Math.round(atMs / 1000) % 1000),
      itemCount: 1,
      couponCode: extra.couponCode ?? null,
    },
  });
}

function customers(rng: Rng, n: number): Customer[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `cus_${200 + i}`,
    email: rng.person().email,
    ip: rng.ip(),
    userAgent: rng.pick(BROWSERS),
  }));
}

/** Some weeks of ordinary history, so the detector knows each customer's devices and networks. */
function history(b: CaseBuilder, rng: Rng, people: Customer[]): void {
  for (const who of people) {
    for (let visit = 0; visit < 3; visit++) {
      const t = visit * 7 * DAY + rng.int(0, 10 * HOUR);
      login(b, t, who);
      if (rng.next() < 0.5) order(b, t + rng.int(3, 20) * MINUTE, who, who.ip, rng.int(1500, 12_000));
    }
  }
}

const THIEF = { ip: '185.220.101.34', userAgent: TOOLS.headless };

function payment(
  b: CaseBuilder,
  atMs: number,
  fromIp: string,
  who: { id?: string; email?: string; session?: string },
  card: string,
  amountMinor: number,
  declineCode: string | null,
): void {
  b.business(atMs, fromIp, 'payment', {
    outcome: declineCode === null ? 'success' : 'failure',
    ...(who.id ? { accountId: who.id } : {}),
    ...(who.email ? { email: who.email } : {}),
    amountMinor,
    currency: 'EUR',
    cardFingerprint: card,
    attributes: {
      stage: 'authorise',
      brand: 'visa',
      last4: card.slice(-4),
      ...(declineCode ? { code: declineCode } : {}),
      ...(who.session ? { sessionId: who.session } : {}),
    },
  });
}

const TESTER_CODES = [
  'card_declined',
  'card_declined',
  'incorrect_cvc',
  'expired_card',
  'insufficient_funds',
];

function coupon(
  b: CaseBuilder,
  atMs: number,
  fromIp: string,
  who: { id: string; email: string } | undefined,
  code: string,
  ok: boolean,
  reason?: string,
): void {
  b.business(atMs, fromIp, 'coupon', {
    outcome: ok ? 'success' : 'failure',
    ...(who ? { accountId: who.id, email: who.email } : {}),
    currency: 'EUR',
    ...(ok ? { amountMinor: 450 } : {}),
    attributes: { code, stage: 'apply', ...(ok ? {} : { reason }) },
  });
}

export const commerceCases: LabelledCase[] = [
  makeCase(
    'account-takeover',
    'new-network-address-then-order',
    'A thief logs in from an exit node with a headless browser, changes the address and orders 899 EUR.',
    301,
    (b, rng) => {
      const people = customers(rng, 6);
      history(b, rng, people);
      const victim = people[2] as Customer;
      const t = 20 * DAY;
      login(b, t, victim, THIEF);
      b.business(t + 3 * MINUTE, THIEF.ip, 'address_change', {
        outcome: 'success',
        accountId: victim.id,
        email: victim.email,
        postalAddress: '7 Dock Road, Rotterdam',
        attributes: { hadAddress: true },
      });
      order(b, t + 6 * MINUTE, victim, THIEF.ip, 89_900, { postalAddress: '7 Dock Road, Rotterdam' });
    },
    [{ ruleId: 'ecommerce.account-takeover', entity: account('cus_202'), count: 1 }],
  ),

  makeCase(
    'account-takeover',
    'new-device-payment-method',
    "Same home network (a stolen session cookie replayed from a sibling's laptop), a new card added, then a 450 EUR order.",
    302,
    (b, rng) => {
      const people = customers(rng, 5);
      history(b, rng, people);
      const victim = people[0] as Customer;
      const t = 22 * DAY;
      login(b, t, victim, {
        ip: victim.ip,
        userAgent: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0',
      });
      b.business(t + 2 * MINUTE, victim.ip, 'payment_method_added', {
        outcome: 'success',
        accountId: victim.id,
        email: victim.email,
        cardFingerprint: 'fp_new_card_0001',
        attributes: { brand: 'mastercard', last4: '4444' },
      });
      order(b, t + 4 * MINUTE, victim, victim.ip, 45_000, { card: 'fp_new_card_0001' });
    },
    [{ ruleId: 'ecommerce.account-takeover', entity: account('cus_200'), count: 1 }],
  ),

  makeCase(
    'account-takeover',
    'two-accounts-same-night',
    'One thief, two victims: login, e-mail and address change, an order two hours later, for each.',
    303,
    (b, rng) => {
      const people = customers(rng, 8);
      history(b, rng, people);
      const t = 25 * DAY;
      for (const [n, victim] of [people[1], people[5]].entries()) {
        const who = victim as Customer;
        const start = t + n * 10 * MINUTE;
        login(b, start, who, THIEF);
        b.business(start + MINUTE, THIEF.ip, 'email_change', {
          outcome: 'success',
          accountId: who.id,
          email: who.email,
          attributes: {},
        });
        b.business(start + 2 * MINUTE, THIEF.ip, 'address_change', {
          outcome: 'success',
          accountId: who.id,
          email: who.email,
          postalAddress: '3 Quay Street, Antwerp',
          attributes: { hadAddress: true },
        });
        order(b, start + 2 * HOUR, who, THIEF.ip, 61_000, { postalAddress: '3 Quay Street, Antwerp' });
      }
    },
    [
      { ruleId: 'ecommerce.account-takeover', entity: account('cus_201'), count: 1 },
      { ruleId: 'ecommerce.account-takeover', entity: account('cus_205'), count: 1 },
    ],
  ),

  makeCase(
    'account-takeover',
    'traveller-orders-without-change',
    'The owner logs in from a hotel and orders 600 EUR, changing nothing.',
    304,
    (b, rng) => {
      const people = customers(rng, 5);
      history(b, rng, people);
      const owner = people[3] as Customer;
      login(b, 21 * DAY, owner, { ip: '94.140.14.14', userAgent: owner.userAgent });
      order(b, 21 * DAY + 9 * MINUTE, owner, '94.140.14.14', 60_000);
    },
    [],
  ),

  makeCase(
    'account-takeover',
    'moving-house',
    'The owner, on the known laptop at home, changes the address and orders new furniture.',
    305,
    (b, rng) => {
      const people = customers(rng, 5);
      history(b, rng, people);
      const owner = people[1] as Customer;
      login(b, 21 * DAY, owner);
      b.business(21 * DAY + MINUTE, owner.ip, 'address_change', {
        outcome: 'success',
        accountId: owner.id,
        email: owner.email,
        postalAddress: '9 New Lane, Ghent',
        attributes: { hadAddress: true },
      });
      order(b, 21 * DAY + 5 * MINUTE, owner, owner.ip, 120_000, { postalAddress: '9 New Lane, Ghent' });
    },
    [],
  ),

  makeCase(
    'account-takeover',
    'new-phone-small-order',
    'A new phone, a new address, then a 35 EUR order: below the high-value bar.',
    306,
    (b, rng) => {
      const people = customers(rng, 5);
      history(b, rng, people);
      const owner = people[4] as Customer;
      login(b, 21 * DAY, owner, { ip: '178.51.3.77', userAgent: BROWSERS[3] });
      b.business(21 * DAY + MINUTE, '178.51.3.77', 'address_change', {
        outcome: 'success',
        accountId: owner.id,
        email: owner.email,
        postalAddress: '1 Beach Road, Ostend',
        attributes: { hadAddress: true },
      });
      order(b, 21 * DAY + 4 * MINUTE, owner, '178.51.3.77', 3500);
    },
    [],
  ),

  makeCase(
    'account-takeover',
    'order-days-later',
    'New network and address change, but the big order comes two days later: outside the window.',
    307,
    (b, rng) => {
      const people = customers(rng, 5);
      history(b, rng, people);
      const owner = people[0] as Customer;
      login(b, 21 * DAY, owner, { ip: '37.62.10.9', userAgent: owner.userAgent });
      b.business(21 * DAY + MINUTE, '37.62.10.9', 'address_change', {
        outcome: 'success',
        accountId: owner.id,
        email: owner.email,
        postalAddress: '4 Hill Road, Namur',
        attributes: { hadAddress: true },
      });
      login(b, 23 * DAY, owner);
      order(b, 23 * DAY + 4 * MINUTE, owner, owner.ip, 75_000);
    },
    [],
  ),

  makeCase(
    'card-testing',
    'one-account-generated-cards',
    'The demo simulator: 25 generated cards on a 9.90 EUR order from one account; the last works.',
    401,
    (b, rng) => {
      const tester = { id: 'cus_900', email: 'carder-m3k2@mail.example' };
      for (let i = 0; i < 25; i++) {
        payment(
          b,
          i * 2 * SECOND,
          '203.0.113.66',
          tester,
          `fp_${rng.hex(24)}`,
          990,
          i === 24 ? null : rng.pick(TESTER_CODES),
        );
      }
    },
    [
      { ruleId: 'ecommerce.card-testing', entity: ip('203.0.113.66'), count: 1 },
      { ruleId: 'ecommerce.card-testing', entity: account('cus_900'), count: 1 },
    ],
  ),

  makeCase(
    'card-testing',
    'rotating-accounts-one-address',
    'Five fresh accounts from one address, three cards each, 1 EUR donations.',
    402,
    (b, rng) => {
      for (let a = 0; a < 5; a++) {
        for (let c = 0; c < 3; c++)
          payment(
            b,
            (a * 3 + c) * 15 * SECOND,
            '198.51.100.23',
            { id: `cus_91${a}`, email: `tester${a}@mail.example` },
            `fp_${rng.hex(24)}`,
            100,
            rng.pick(TESTER_CODES),
          );
      }
    },
    [{ ruleId: 'ecommerce.card-testing', entity: ip('198.51.100.23'), count: 1 }],
  ),

  makeCase(
    'card-testing',
    'guest-session-proxies',
    'A guest checkout session tries ten cards through ten proxy addresses.',
    403,
    (b, rng) => {
      for (let i = 0; i < 10; i++)
        payment(
          b,
          i * 20 * SECOND,
          rng.ip(),
          { session: 'ses_7hd92kq' },
          `fp_${rng.hex(24)}`,
          500,
          i === 7 ? null : rng.pick(TESTER_CODES),
        );
    },
    [{ ruleId: 'ecommerce.card-testing', entity: { type: 'session', value: 'ses_7hd92kq' }, count: 1 }],
  ),

  makeCase(
    'card-testing',
    'many-cards-full-price',
    'Twelve cards on a 49 EUR basket: amounts are not small, the number of cards is.',
    404,
    (b, rng) => {
      for (let i = 0; i < 12; i++)
        payment(
          b,
          i * 25 * SECOND,
          '203.0.113.90',
          { id: 'cus_930', email: 'k.lambert@gmail.com' },
          `fp_${rng.hex(24)}`,
          4900,
          i % 4 === 3 ? null : rng.pick(TESTER_CODES),
        );
    },
    [
      { ruleId: 'ecommerce.card-testing', entity: ip('203.0.113.90'), count: 1 },
      { ruleId: 'ecommerce.card-testing', entity: account('cus_930'), count: 1 },
    ],
  ),

  makeCase(
    'card-testing',
    'declined-then-second-card',
    'A shopper is declined twice for insufficient funds, then pays with another card.',
    405,
    (b, rng) => {
      for (let i = 0; i < 12; i++)
        payment(
          b,
          rng.int(0, 9 * MINUTE),
          rng.ip(),
          { id: `cus_${600 + i}`, email: rng.person().email },
          `fp_${rng.hex(24)}`,
          rng.int(2000, 15_000),
          null,
        );
      const who = { id: 'cus_650', email: 'nora.wouters@telenet.be' };
      payment(b, MINUTE, '81.2.69.160', who, 'fp_nora_card_1', 6400, 'insufficient_funds');
      payment(b, MINUTE + 40 * SECOND, '81.2.69.160', who, 'fp_nora_card_1', 6400, 'insufficient_funds');
      payment(b, 2 * MINUTE + 30 * SECOND, '81.2.69.160', who, 'fp_nora_card_2', 6400, null);
    },
    [],
  ),

  makeCase(
    'card-testing',
    'office-nat-lunch-orders',
    'Twenty colleagues order lunch gear from one office address; two declines.',
    406,
    (b, rng) => {
      for (let i = 0; i < 20; i++)
        payment(
          b,
          rng.int(0, 9 * MINUTE),
          '192.0.2.10',
          { id: `cus_${700 + i}`, email: rng.person().email },
          `fp_${rng.hex(24)}`,
          rng.int(900, 4000),
          i % 10 === 4 ? 'card_declined' : null,
        );
    },
    [],
  ),

  makeCase(
    'card-testing',
    'sale-rush',
    'A sale: 120 payments in ten minutes from everywhere, a normal share declined.',
    407,
    (b, rng) => {
      for (let i = 0; i < 120; i++)
        payment(
          b,
          rng.int(0, 10 * MINUTE),
          rng.ip(),
          { id: `cus_${1000 + i}`, email: rng.person().email },
          `fp_${rng.hex(24)}`,
          rng.int(500, 30_000),
          rng.next() < 0.08 ? 'insufficient_funds' : null,
        );
    },
    [],
  ),

  makeCase(
    'coupon-abuse',
    'guessing-codes',
    'The demo simulator: an account guesses nine codes with curl.',
    501,
    (b) => {
      const who = { id: 'cus_940', email: 'deals0-m3k2@mail.example' };
      const guesses = [
        'WELCOME5',
        'WELCOME15',
        'WELCOME20',
        'SAVE10',
        'SAVE20',
        'SPRING10',
        'SUMMER20',
        'VIP50',
        'FREE100',
      ];
      guesses.forEach((code, i) =>
        coupon(
          b,
          i * 3 * SECOND,
          '203.0.113.70',
          who,
          code,
          false,
          code === 'SUMMER20' ? 'expired' : 'unknown',
        ),
      );
    },
    [
      { ruleId: 'ecommerce.coupon-abuse.guessing', entity: ip('203.0.113.70'), count: 1 },
      { ruleId: 'ecommerce.coupon-abuse.guessing', entity: account('cus_940'), count: 1 },
    ],
  ),

  makeCase(
    'coupon-abuse',
    'welcome-farming-one-address',
    'Four throwaway accounts apply the first-order coupon from one address.',
    502,
    (b, rng) => {
      for (let n = 1; n <= 4; n++)
        coupon(
          b,
          n * 40 * SECOND,
          '203.0.113.71',
          { id: `cus_95${n}`, email: `deals${n}-${rng.hex(5)}@mail.example` },
          'WELCOME10',
          true,
        );
    },
    [{ ruleId: 'ecommerce.coupon-abuse.multi-account', entity: ip('203.0.113.71'), count: 1 }],
  ),

  makeCase(
    'coupon-abuse',
    'welcome-farming-one-postal-address',
    'Three accounts on three networks ship WELCOME10 orders to one flat, spelled three ways.',
    503,
    (b, rng) => {
      const spellings = [
        '12 Rue de la Loi, 1000 Bruxelles',
        '12 rue de la loi 1000 BRUXELLES',
        '12, Rue de la Loi - 1000 Bruxelles',
      ];
      spellings.forEach((postalAddress, n) => {
        const who = { id: `cus_96${n}`, email: rng.person().email, ip: rng.ip(), userAgent: BROWSERS[0] };
        order(b, n * 3 * HOUR, who, who.ip, 4050, { postalAddress, couponCode: 'WELCOME10' });
      });
    },
    [
      {
        ruleId: 'ecommerce.coupon-abuse.multi-account',
        entity: { type: 'address', value: '12 rue de la loi 1000 bruxelles' },
        count: 1,
      },
    ],
  ),

  makeCase(
    'coupon-abuse',
    'benign-typo',
    'Shoppers apply codes; one types WELCOM10 before WELCOME10.',
    504,
    (b, rng) => {
      for (let i = 0; i < 15; i++)
        coupon(
          b,
          rng.int(0, 30 * MINUTE),
          rng.ip(),
          { id: `cus_${1100 + i}`, email: rng.person().email },
          rng.pick(['SPRING5', 'WELCOME10']),
          true,
        );
      const who = { id: 'cus_1200', email: 'tessa.leroy@proton.me' };
      coupon(b, 5 * MINUTE, '84.195.7.3', who, 'WELCOM10', false, 'unknown');
      coupon(b, 5 * MINUTE + 8 * SECOND, '84.195.7.3', who, 'WELCOME10', true);
    },
    [],
  ),

  makeCase(
    'coupon-abuse',
    'office-nat-colleagues',
    'Three colleagues use the newsletter code from the office, shipping home.',
    505,
    (b, rng) => {
      for (let i = 0; i < 3; i++) {
        const who = {
          id: `cus_${1300 + i}`,
          email: rng.person().email,
          ip: '192.0.2.10',
          userAgent: BROWSERS[0],
        };
        coupon(b, i * 2 * HOUR, '192.0.2.10', who, 'SPRING5', true);
        order(b, i * 2 * HOUR + 3 * MINUTE, who, '192.0.2.10', 5200, { couponCode: 'SPRING5' });
      }
    },
    [],
  ),

  makeCase(
    'coupon-abuse',
    'sale-rush-campaign-code',
    'Sixty shoppers apply the campaign code in half an hour.',
    506,
    (b, rng) => {
      for (let i = 0; i < 60; i++) {
        const who = {
          id: `cus_${1400 + i}`,
          email: rng.person().email,
          ip: rng.ip(),
          userAgent: BROWSERS[1],
        };
        coupon(b, rng.int(0, 30 * MINUTE), who.ip, who, 'SPRING5', true);
      }
    },
    [],
  ),
];
