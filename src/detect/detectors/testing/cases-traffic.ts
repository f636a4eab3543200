/**
 * Labelled cases of the traffic and stock detectors (scalping, scraping and enumeration,
 * fake accounts): bots, and the crowds, offices and sales that look busy but are honest.
 */
import {
  account,
  BROWSER_JA4,
  BROWSERS,
  CaseBuilder,
  FIRST_NAMES,
  ip,
  LAST_NAMES,
  makeCase,
  MINUTE,
  SECOND,
  TOOL_JA4,
  TOOLS,
  type LabelledCase,
  type Rng,
} from './case-kit.js';

const PRODUCTS = [
  'aero-running-shoe',
  'trail-hiker-boot',
  'canvas-sneaker',
  'wool-house-slipper',
  'merino-t-shirt',
  'rain-shell-jacket',
  'organic-cotton-hoodie',
  'linen-shirt',
  'denim-jacket',
  'cargo-shorts',
  'yoga-mat',
  'jump-rope',
  'kettlebell-12kg',
  'resistance-bands',
  'foam-roller',
  'steel-water-bottle',
  'insulated-mug',
  'chef-knife',
  'cast-iron-pan',
  'bamboo-board',
  'usb-c-charger',
  'wireless-earbuds',
  'phone-stand',
  'laptop-sleeve',
  'travel-backpack',
  'canvas-tote',
  'leather-wallet',
  'sunglasses',
  'wool-beanie',
  'rain-umbrella',
  'reading-lamp',
  'desk-organiser',
];
const ASSETS = ['/static/shop.css', '/static/app.js', '/static/logo.svg'];
const DROP = 'limited-drop-sneaker';

function cartAdd(
  b: CaseBuilder,
  atMs: number,
  fromIp: string,
  who: { id: string; email: string } | undefined,
  product: string,
  quantity: number,
  stockRemaining: number,
  session?: string,
): void {
  b.business(atMs, fromIp, 'cart_add', {
    outcome: 'success',
    ...(who ? { accountId: who.id, email: who.email } : {}),
    attributes: {
      productId: product,
      quantity,
      stockRemaining,
      ...(product === DROP ? { limited: true } : {}),
      ...(session ? { sessionId: session } : {}),
    },
  });
}

function placeOrder(
  b: CaseBuilder,
  atMs: number,
  fromIp: string,
  who: { id: string; email: string },
  amountMinor: number,
): void {
  b.business(atMs, fromIp, 'order', {
    outcome: 'success',
    accountId: who.id,
    email: who.email,
    amountMinor,
    currency: 'EUR',
    attributes: { itemCount: 1 },
  });
}

/** A person browsing: pages with their assets, a few seconds apart. */
function browse(
  b: CaseBuilder,
  rng: Rng,
  startMs: number,
  client: { ip: string; userAgent: string; ja4?: string },
  pages: number,
): number {
  let t = startMs;
  b.http(t, client, { path: '/' });
  for (const asset of ASSETS) b.http(t + 80, client, { path: asset, responseBytes: 4000 });
  for (let i = 0; i < pages; i++) {
    t += rng.int(8, 40) * SECOND;
    const path =
      rng.next() < 0.2
        ? `/search?q=${rng.pick(['shoe', 'wool', 'bag', 'mug'])}`
        : `/products/${rng.pick(PRODUCTS)}`;
    b.http(t, client, { path, route: path.startsWith('/search') ? '/search' : '/products/:slug' });
    if (rng.next() < 0.1) b.http(t + 200, client, { path: '/favicon.ico', status: 404 });
  }
  return t;
}

function register(
  b: CaseBuilder,
  atMs: number,
  fromIp: string,
  email: string,
  n: number,
  outcome: 'success' | 'failure' = 'success',
): void {
  b.business(atMs, fromIp, 'registration', {
    outcome,
    email,
    ...(outcome === 'success' ? { accountId: `cus_${n}` } : {}),
    attributes: outcome === 'success' ? {} : { reason: 'email_taken' },
  });
}

export const trafficCases: LabelledCase[] = [
  makeCase(
    'scalping',
    'one-account-hoards-drop',
    'One account adds eight pairs of the limited sneaker within two minutes.',
    601,
    (b) => {
      const who = { id: 'cus_3001', email: 'resell.hub@gmail.com' };
      for (let i = 0; i < 4; i++) cartAdd(b, i * 30 * SECOND, '203.0.113.120', who, DROP, 2, 40 - 2 * i);
    },
    [
      { ruleId: 'ecommerce.scalping.hoarding', entity: ip('203.0.113.120'), count: 1 },
      { ruleId: 'ecommerce.scalping.hoarding', entity: account('cus_3001'), count: 1 },
    ],
  ),

  makeCase(
    'scalping',
    'accounts-share-an-address',
    'Four accounts at one address each put the last units of a console in their carts.',
    602,
    (b) => {
      for (let n = 0; n < 4; n++)
        cartAdd(
          b,
          n * 45 * SECOND,
          '198.51.100.77',
          { id: `cus_31${n}`, email: `bot${n}x@mail.example` },
          'console-x',
          1,
          8 - n,
        );
    },
    [{ ruleId: 'ecommerce.scalping.hoarding', entity: ip('198.51.100.77'), count: 1 }],
  ),

  makeCase(
    'scalping',
    'bot-speed-checkouts',
    'Two accounts behind one address check out the drop three seconds after adding it.',
    603,
    (b) => {
      for (let n = 0; n < 2; n++) {
        const who = { id: `cus_32${n}`, email: `fastbuy${n}q@mail.example` };
        cartAdd(b, n * MINUTE, '203.0.113.121', who, DROP, 1, 30 - n);
        placeOrder(b, n * MINUTE + 2800, '203.0.113.121', who, 18_000);
      }
    },
    [{ ruleId: 'ecommerce.scalping.fast-checkout', entity: ip('203.0.113.121'), count: 1 }],
  ),

  makeCase(
    'scalping',
    'sale-rush',
    'The drop opens: sixty shoppers each add one pair and check out within two minutes.',
    604,
    (b, rng) => {
      for (let n = 0; n < 60; n++) {
        const who = { id: `cus_${3300 + n}`, email: rng.person().email };
        const t = rng.int(0, 5 * MINUTE);
        const from = rng.ip();
        cartAdd(b, t, from, who, DROP, 1, 60 - n);
        placeOrder(b, t + rng.int(25, 120) * SECOND, from, who, 18_000);
      }
    },
    [],
  ),

  makeCase(
    'scalping',
    'office-nat-and-plenty-of-stock',
    'Two colleagues each add one scarce item; others add well-stocked items fast.',
    605,
    (b, rng) => {
      cartAdd(b, 0, '192.0.2.10', { id: 'cus_3400', email: 'a.peeters@corp.example' }, 'console-x', 1, 6);
      placeOrder(b, 70 * SECOND, '192.0.2.10', { id: 'cus_3400', email: 'a.peeters@corp.example' }, 49_900);
      cartAdd(
        b,
        5 * MINUTE,
        '192.0.2.10',
        { id: 'cus_3401', email: 'b.maes@corp.example' },
        'console-x',
        1,
        5,
      );
      for (let n = 0; n < 20; n++) {
        const who = { id: `cus_${3410 + n}`, email: rng.person().email };
        const t = rng.int(0, 20 * MINUTE);
        cartAdd(b, t, '192.0.2.10', who, rng.pick(PRODUCTS), rng.int(1, 3), 40);
        placeOrder(b, t + 5 * SECOND, '192.0.2.10', who, 3000);
      }
    },
    [],
  ),

  makeCase(
    'scraping',
    'catalogue-copy',
    'The demo simulator: python-requests copies every product page, the API and searches in 20 s.',
    701,
    (b, rng) => {
      browse(b, rng, 0, { ip: '81.2.69.144', userAgent: BROWSERS[0], ja4: BROWSER_JA4[0] }, 8);
      const bot = { ip: '203.0.113.130', userAgent: TOOLS.python };
      b.http(10 * SECOND, bot, { path: '/' });
      b.http(10 * SECOND + 40, bot, { path: '/api/products' });
      PRODUCTS.forEach((slug, i) =>
        b.http(10 * SECOND + (i + 2) * 40, bot, { path: `/products/${slug}`, route: '/products/:slug' }),
      );
      ['a', 'e', 'shoe', 'kit', 'steel', 'wool', 'usb', 'bag'].forEach((q, i) =>
        b.http(12 * SECOND + i * 40, bot, { path: `/search?q=${q}`, route: '/search' }),
      );
    },
    [{ ruleId: 'ecommerce.scraping.catalogue', entity: ip('203.0.113.130'), count: 1 }],
  ),

  makeCase(
    'scraping',
    'order-id-walk',
    "A logged-in client walks /api/orders/1000 to /api/orders/1029: someone else's orders (IDOR hunting).",
    702,
    (b, rng) => {
      browse(b, rng, 0, { ip: '81.2.69.145', userAgent: BROWSERS[1] }, 5);
      const bot = { ip: '203.0.113.131', userAgent: TOOLS.curl };
      for (let i = 0; i < 30; i++)
        b.http(MINUTE + i * 400, bot, {
          path: `/api/orders/${1000 + i}`,
          route: '/api/orders/:id',
          status: i === 12 ? 200 : 404,
        });
    },
    [
      { ruleId: 'ecommerce.scraping.sequential-ids', entity: ip('203.0.113.131'), count: 1 },
      { ruleId: 'ecommerce.scraping.not-found', entity: ip('203.0.113.131'), count: 1 },
    ],
  ),

  makeCase(
    'scraping',
    'path-probing',
    'A scanner asks for sixty well-known files; most do not exist.',
    703,
    (b, rng) => {
      const probes = [
        '/.env',
        '/.git/config',
        '/.git/HEAD',
        '/wp-login.php',
        '/wp-admin/',
        '/phpmyadmin/',
        '/server-status',
        '/.DS_Store',
        '/config.json',
        '/backup.zip',
        '/admin.php',
        '/.aws/credentials',
      ];
      const bot = { ip: '203.0.113.132', userAgent: TOOLS.nuclei, ja4: TOOL_JA4 };
      for (let i = 0; i < 60; i++) {
        const path =
          i < probes.length
            ? (probes[i] as string)
            : `/${rng.pick(['old', 'test', 'dev', 'bak', 'tmp'])}/${rng.hex(6)}.php`;
        b.http(i * 150, bot, { path, status: path.startsWith('/.git') || path === '/.env' ? 200 : 404 });
      }
    },
    [{ ruleId: 'ecommerce.scraping.not-found', entity: ip('203.0.113.132'), count: 1 }],
  ),

  makeCase(
    'scraping',
    'reset-enumeration',
    'Fifteen password resets for different e-mails from one address in three minutes.',
    704,
    (b, rng) => {
      for (let i = 0; i < 15; i++) {
        const email = rng.person().email;
        b.business(i * 12 * SECOND, '203.0.113.133', 'password_reset', {
          outcome: i % 3 === 0 ? 'success' : 'failure',
          email,
          attributes: { reason: i % 3 === 0 ? 'sent' : 'unknown_account' },
        });
      }
    },
    [{ ruleId: 'ecommerce.enumeration.accounts', entity: ip('203.0.113.133'), count: 1 }],
  ),

  makeCase(
    'scraping',
    'benign-shoppers',
    "Twelve people browse a few products each with their pages' assets.",
    705,
    (b, rng) => {
      for (let n = 0; n < 12; n++)
        browse(
          b,
          rng,
          rng.int(0, 5 * MINUTE),
          { ip: rng.ip(), userAgent: rng.pick(BROWSERS), ja4: rng.pick(BROWSER_JA4) },
          rng.int(3, 12),
        );
      b.business(2 * MINUTE, '81.2.69.150', 'password_reset', {
        outcome: 'success',
        email: 'lina.rossi@gmail.com',
        attributes: { reason: 'sent' },
      });
    },
    [],
  ),

  makeCase(
    'scraping',
    'office-nat',
    'Twenty colleagues behind one address browse at lunch on four browser builds.',
    706,
    (b, rng) => {
      for (let n = 0; n < 20; n++)
        browse(
          b,
          rng,
          rng.int(0, 8 * MINUTE),
          { ip: '192.0.2.10', userAgent: BROWSERS[n % 4] as string },
          rng.int(3, 8),
        );
    },
    [],
  ),

  makeCase(
    'scraping',
    'sale-rush',
    'Two hundred shoppers refresh the same drop page and their own orders.',
    707,
    (b, rng) => {
      for (let n = 0; n < 200; n++) {
        const client = { ip: rng.ip(), userAgent: rng.pick(BROWSERS) };
        const t = rng.int(0, 3 * MINUTE);
        for (let r = 0; r < 4; r++)
          b.http(t + r * 5 * SECOND, client, { path: `/products/${DROP}`, route: '/products/:slug' });
        b.http(t + 30 * SECOND, client, { path: `/orders/${7000 + n}`, route: '/orders/:id' });
      }
    },
    [],
  ),

  makeCase(
    'fake-accounts',
    'burst-from-one-address',
    'Six accounts in ten minutes from one address.',
    801,
    (b, rng) => {
      for (let n = 0; n < 6; n++) {
        const first = rng.pick(FIRST_NAMES);
        register(
          b,
          n * 100 * SECOND,
          '203.0.113.140',
          `${first}.${rng.pick(LAST_NAMES)}@outlook.com`,
          4000 + n,
        );
      }
    },
    [{ ruleId: 'ecommerce.fake-accounts.burst', entity: ip('203.0.113.140'), count: 1 }],
  ),

  makeCase(
    'fake-accounts',
    'disposable-domains',
    'Three accounts over five hours from one address, all on disposable mail.',
    802,
    (b) => {
      register(b, 0, '203.0.113.141', 'qwerty.one@mailinator.com', 4100);
      register(b, 2 * 60 * MINUTE, '203.0.113.141', 'zxcv.two@yopmail.com', 4101);
      register(b, 5 * 60 * MINUTE, '203.0.113.141', 'asdf.three@eu.guerrillamail.com', 4102);
    },
    [{ ruleId: 'ecommerce.fake-accounts.disposable', entity: ip('203.0.113.141'), count: 1 }],
  ),

  makeCase(
    'fake-accounts',
    'similar-names-many-addresses',
    'Six deal-hunter accounts from six addresses within forty minutes.',
    803,
    (b, rng) => {
      for (let n = 1; n <= 6; n++)
        register(b, n * 7 * MINUTE, rng.ip(), `deals${n}-${rng.hex(5)}@mail.example`, 4200 + n);
    },
    [{ ruleId: 'ecommerce.fake-accounts.similar-names', entity: account('deals#@mail.example'), count: 1 }],
  ),

  makeCase(
    'fake-accounts',
    'subnet-burst',
    'Twelve accounts from twelve addresses of one /24 in half an hour.',
    804,
    (b, rng) => {
      for (let n = 0; n < 12; n++)
        register(
          b,
          n * 150 * SECOND,
          `198.51.100.${30 + n}`,
          rng.person().email.replace('@', `.${n}@`),
          4300 + n,
        );
    },
    [{ ruleId: 'ecommerce.fake-accounts.burst', entity: ip('198.51.100.0/24'), count: 1 }],
  ),

  makeCase(
    'fake-accounts',
    'benign-day',
    'Twenty honest registrations across the day, one retry after "email taken".',
    805,
    (b, rng) => {
      for (let n = 0; n < 20; n++)
        register(
          b,
          n * 20 * MINUTE + rng.int(0, 600) * SECOND,
          rng.ip(),
          rng.person().email.replace('@', `${n}@`),
          4400 + n,
        );
      register(b, 3 * MINUTE, '81.2.69.170', 'elise.martin@gmail.com', 0, 'failure');
      register(b, 4 * MINUTE, '81.2.69.170', 'elise.martin2@gmail.com', 4499);
    },
    [],
  ),

  makeCase(
    'fake-accounts',
    'office-nat',
    'Three colleagues register from the office in an hour, one with a throwaway address.',
    806,
    (b) => {
      register(b, 0, '192.0.2.10', 'a.janssens@corp.example', 4500);
      register(b, 20 * MINUTE, '192.0.2.10', 'b.willems@corp.example', 4501);
      register(b, 50 * MINUTE, '192.0.2.10', 'not.giving.my.mail@mailinator.com', 4502);
    },
    [],
  ),

  makeCase(
    'fake-accounts',
    'sale-rush',
    'Eighty new customers register in thirty minutes before a drop.',
    807,
    (b, rng) => {
      FIRST_NAMES.concat(FIRST_NAMES).forEach((first, n) =>
        register(
          b,
          rng.int(0, 30 * MINUTE),
          rng.ip(),
          `${first}.${LAST_NAMES[n % LAST_NAMES.length]}${n < 40 ? '' : rng.int(70, 99)}@${rng.pick(['gmail.com', 'outlook.com', 'proton.me'])}`,
          4600 + n,
        ),
      );
    },
    [],
  ),
];
