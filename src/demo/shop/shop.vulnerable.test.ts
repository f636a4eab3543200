import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import exploits from '../fixtures/exploits.json' with { type: 'json' };
import { DECLINED_CARD, SUCCEEDING_CARD } from '../payment/index.js';
import {
  addToCart,
  applyCoupon,
  checkOut,
  logIn,
  productSlugsIn,
  registerAccount,
  validCard,
} from '../simulator/shop-flows.js';
import { csrfTokenIn } from '../simulator/http-client.js';
import { startTestShop, type TestShop } from './test-kit.js';
import { VULNERABILITIES, type VulnerabilityId } from './vulnerabilities.js';

const ADDRESS = '9 Victim Lane, 75001 Paris';

describe('demo shop (vulnerable mode): every listed flaw is exploitable', () => {
  let t: TestShop;
  const exploited = new Set<VulnerabilityId>();

  beforeAll(async () => {
    t = await startTestShop({ vulnerable: true, deliveryStepMs: 0 });
  });
  afterAll(async () => t.stop());

  it('sql-injection-search: a tautology lists unpublished products, UNION leaks password hashes, errors leak', async () => {
    const client = t.client();
    const tautology = await client.get(`/search?q=${encodeURIComponent(exploits.sqlInjection.tautology)}`);
    expect(productSlugsIn(tautology.body).length).toBeGreaterThan(30);
    expect(tautology.body).toContain(exploits.unpublishedProductName);
    const union = await client.get(`/search?q=${encodeURIComponent(exploits.sqlInjection.unionCustomers)}`);
    expect(union.body).toContain(t.shop.admin.email);
    expect(union.body).toContain('$argon2id$');
    const broken = await client.get(`/search?q=${encodeURIComponent(exploits.sqlInjection.syntaxError)}`);
    expect(broken.status).toBe(500);
    expect(broken.body).toContain('in query: SELECT');
    exploited.add('sql-injection-search');
  });

  it('reflected-xss-search: the search term is echoed unescaped', async () => {
    const res = await t.client().get(`/search?q=${encodeURIComponent(exploits.xss.scriptTag)}`);
    expect(res.body).toContain(exploits.xss.scriptTag);
    exploited.add('reflected-xss-search');
  });

  it('stored-xss-reviews: a posted review is written unescaped into the product page', async () => {
    const client = t.client();
    const before = (await client.get('/products/e-reader')).body;
    const posted = await client.postForm('/products/e-reader/reviews', {
      _csrf: csrfTokenIn(before),
      author: 'Mallory',
      text: exploits.xss.scriptTag,
    });
    expect(posted.status).toBe(303);
    expect((await t.client().get('/products/e-reader')).body).toContain(exploits.xss.scriptTag);
    exploited.add('stored-xss-reviews');
  });

  it("idor-order-page: any customer reads another customer's order", async () => {
    const victim = await t.customer('victim');
    await addToCart(victim.client, 'e-reader', 1);
    const { orderId } = await checkOut(victim.client, validCard(SUCCEEDING_CARD), ADDRESS);
    const attacker = await t.customer('attacker');
    const stolen = await attacker.client.get(`/orders/${orderId}`);
    expect(stolen.status).toBe(200);
    expect(stolen.body).toContain(ADDRESS);
    expect(stolen.body).toContain(victim.email);
    expect((await attacker.client.get(`/api/orders/${orderId}`)).status).toBe(200);
    exploited.add('idor-order-page');
  });

  it('client-price-trusted: a tampered hidden price is charged', async () => {
    const { client } = await t.customer('cheapskate');
    await addToCart(client, 'adjustable-dumbbells', 1, { price_minor: exploits.tamperedPriceMinor });
    const { orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
    expect(orderId).not.toBeNull();
    const order = await client.get(`/orders/${orderId}`);
    expect(order.body).toMatch(/class="total">0\.01 EUR/);
    exploited.add('client-price-trusted');
  });

  it('coupon-replay: a single-use coupon gives its discount on a second order', async () => {
    const { client } = await t.customer('replayer');
    for (let order = 0; order < 2; order++) {
      await addToCart(client, 'e-reader', 1);
      expect((await applyCoupon(client, 'WELCOME10')).status).toBe(200);
      const { orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
      expect(orderId).not.toBeNull();
    }
    exploited.add('coupon-replay');
  });

  it('quantity-not-validated: half an item at half price, and a negative line lowers the total', async () => {
    const { client } = await t.customer('halver');
    expect((await addToCart(client, 'e-reader', 0.5)).status).toBe(303);
    expect((await addToCart(client, 'jump-rope', -1)).status).toBe(303);
    const cart = await client.get('/cart');
    expect(cart.body).toMatch(/class="total">49\.60 EUR/); // 129.00 / 2 - 14.90
    const { orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
    expect(orderId).not.toBeNull();
    expect((await client.get(`/orders/${orderId}`)).body).toMatch(/class="total">49\.60 EUR/);
    expect(t.events.find((e) => e.type === 'payment' && e.attributes.orderId === orderId)?.amountMinor).toBe(
      4960,
    );
    exploited.add('quantity-not-validated');
  });

  it('client-currency-trusted: the posted currency relabels the EUR amount', async () => {
    const { client } = await t.customer('forex');
    expect((await addToCart(client, 'e-reader', 1, { currency: 'HUF' })).status).toBe(303);
    const { orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
    expect(orderId).not.toBeNull();
    expect((await client.get(`/orders/${orderId}`)).body).toMatch(/class="total">129\.00 HUF/);
    const payment = t.events.find((e) => e.type === 'payment' && e.attributes.orderId === orderId);
    expect([payment?.amountMinor, payment?.currency]).toEqual([12900, 'HUF']);
    exploited.add('client-currency-trusted');
  });

  it('coupon-stacking: WELCOME10 and SPRING5 both apply to one order', async () => {
    const { client } = await t.customer('stacker');
    await addToCart(client, 'e-reader', 1);
    expect((await applyCoupon(client, 'WELCOME10')).status).toBe(200);
    const stacked = await applyCoupon(client, 'SPRING5');
    expect(stacked.status).toBe(200);
    expect(stacked.body).toContain('Coupon WELCOME10 + SPRING5');
    expect(stacked.body).toMatch(/class="total">111\.10 EUR/); // 129.00 - 12.90 - 5.00
    const { orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
    expect((await client.get(`/orders/${orderId}`)).body).toMatch(/class="total">111\.10 EUR/);
    exploited.add('coupon-stacking');
  });

  it('account-enumeration-login: unknown and known emails get different answers', async () => {
    const { email } = await t.customer('enumerated');
    const known = await logIn(t.client(), email, 'wrong-password');
    const unknown = await logIn(t.client(), `nobody-${Date.now()}@example.test`, 'wrong-password');
    expect(known.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(known.body).toContain('The email or password is wrong.');
    expect(unknown.body).toContain('There is no account with this email address.');
    exploited.add('account-enumeration-login');
  });

  it('account-enumeration-registration: a known email is told it is taken', async () => {
    const { email } = await t.customer('registered');
    const known = await registerAccount(t.client(), { email, password: 'another password', name: 'Eve' });
    const fresh = await registerAccount(t.client(), {
      email: `new-${Date.now()}@example.test`,
      password: 'another password',
      name: 'Eve',
    });
    expect(known.status).toBe(400);
    expect(known.body).toContain('An account with this email already exists.');
    expect(fresh.status).toBe(303);
    exploited.add('account-enumeration-registration');
  });

  it('no-login-rate-limit: 30 wrong passwords, then the right one still logs in', async () => {
    const { email, password } = await t.customer('stuffed');
    const attacker = t.client();
    for (let i = 0; i < 30; i++) expect((await logIn(attacker, email, `guess-${i}`)).status).toBe(401);
    expect((await logIn(attacker, email, password)).status).toBe(303);
    exploited.add('no-login-rate-limit');
  });

  it('no-payment-rate-limit: 30 declined payments in a row are all answered 402', async () => {
    const { client } = await t.customer('carder');
    await addToCart(client, 'e-reader', 1);
    for (let i = 0; i < 30; i++)
      expect((await checkOut(client, validCard(DECLINED_CARD), ADDRESS)).response.status).toBe(402);
    exploited.add('no-payment-rate-limit');
  });

  it('missing-csrf-protection: a form post without any token is accepted', async () => {
    const { client } = await t.customer('csrf');
    const res = await client.postForm('/account/address', { address: 'Attacker Street 1' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('Attacker Street 1');
    exploited.add('missing-csrf-protection');
  });

  it('command-injection-carrier-status: the parcel number runs in a shell', async () => {
    const client = t.client();
    const res = await client.get(`/carrier-status?parcel=${encodeURIComponent('DS1;echo pwned$((6*7))')}`);
    expect(res.body).toContain('pwned42');
    exploited.add('command-injection-carrier-status');
  });

  it('carrier-status answers a NUL byte (the shell cannot take it) with a clean 400, not a 500', async () => {
    const res = await t.client().get('/carrier-status?parcel=DS1%00');
    expect(res.status).toBe(400);
    expect(res.body).toContain('This parcel number cannot be looked up.');
    // Still injectable right after.
    const again = await t.client().get(`/carrier-status?parcel=${encodeURIComponent('DS1;echo ok$((2*3))')}`);
    expect(again.body).toContain('ok6');
  });

  it('ssrf-image-proxy: the proxy fetches any URL on this machine', async () => {
    const res = await t.client().get(`/image-proxy?url=${encodeURIComponent(`${t.url}/healthz`)}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('"status":"ok"');
    const outside = await t.client().get(`/image-proxy?url=${encodeURIComponent('http://192.0.2.1/')}`);
    expect(outside.status).toBe(400);
    exploited.add('ssrf-image-proxy');
  });

  it('missing-security-headers: no CSP, nosniff, referrer policy or frame protection', async () => {
    const res = await t.client().get('/');
    for (const header of [
      'content-security-policy',
      'x-content-type-options',
      'referrer-policy',
      'x-frame-options',
    ]) {
      expect(res.headers[header]).toBeUndefined();
    }
    exploited.add('missing-security-headers');
  });

  it('exposed-dotenv and exposed-git-config: the files are served', async () => {
    const client = t.client();
    const env = await client.get('/.env');
    expect(env.status).toBe(200);
    expect(env.body).toContain('PAYMENT_SECRET_KEY=sk_live_');
    exploited.add('exposed-dotenv');
    const git = await client.get('/.git/config');
    expect(git.status).toBe(200);
    expect(git.body).toContain('[remote "origin"]');
    exploited.add('exposed-git-config');
  });

  it('covers every entry of VULNERABILITIES', () => {
    expect([...exploited].sort()).toEqual(VULNERABILITIES.map((v) => v.id).sort());
  });
});

describe('docs/demo.md', () => {
  it('lists every deliberate flaw', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../../docs/demo.md', import.meta.url), 'utf8');
    for (const v of VULNERABILITIES) {
      expect(doc).toContain(`\`${v.id}\``);
      expect(doc).toContain(v.cwe);
    }
  });
});
