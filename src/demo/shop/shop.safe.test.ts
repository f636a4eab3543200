import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import exploits from '../fixtures/exploits.json' with { type: 'json' };
import { DECLINED_CARD, INSUFFICIENT_FUNDS_CARD, SUCCEEDING_CARD } from '../payment/index.js';
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

const ADDRESS = '1 Test Street, 1000 Brussels';

describe('demo shop (safe mode)', () => {
  let t: TestShop;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    t = await startTestShop({ clock, deliveryStepMs: 60_000 });
  });
  afterAll(async () => t.stop());

  it('answers /healthz with 200', async () => {
    const res = await t.client().get('/healthz');
    expect(res.status).toBe(200);
  });

  it('lists the ~30 published products on the home page and hides unpublished ones', async () => {
    const res = await t.client().get('/');
    expect(res.status).toBe(200);
    expect(productSlugsIn(res.body)).toHaveLength(30);
    expect(res.body).not.toContain(exploits.unpublishedProductName);
  });

  it('finds products by search term and shows a product page', async () => {
    const client = t.client();
    const search = await client.get('/search?q=skillet');
    expect(productSlugsIn(search.body)).toEqual(['cast-iron-skillet']);
    const product = await client.get('/products/cast-iron-skillet');
    expect(product.status).toBe(200);
    expect(product.body).toContain('45.90 EUR');
    expect((await client.get('/products/no-such-thing')).status).toBe(404);
  });

  it('escapes a search term carrying a script (no reflected XSS)', async () => {
    const res = await t.client().get(`/search?q=${encodeURIComponent(exploits.xss.scriptTag)}`);
    expect(res.body).not.toContain(exploits.xss.scriptTag);
    expect(res.body).toContain('&lt;script&gt;');
  });

  it('escapes a stored review carrying a script (no stored XSS)', async () => {
    const client = t.client();
    const before = (await client.get('/products/e-reader')).body;
    const posted = await client.postForm('/products/e-reader/reviews', {
      _csrf: csrfTokenIn(before),
      author: 'Mallory',
      text: exploits.xss.scriptTag,
    });
    expect(posted.status).toBe(303);
    const after = (await t.client().get('/products/e-reader')).body;
    expect(after).not.toContain(exploits.xss.scriptTag);
    expect(after).toContain('&lt;script&gt;');
  });

  it('treats SQL injection in search as a plain term', async () => {
    const client = t.client();
    for (const payload of Object.values(exploits.sqlInjection)) {
      const res = await client.get(`/search?q=${encodeURIComponent(payload)}`);
      expect(res.status).toBe(200);
      expect(productSlugsIn(res.body)).toEqual([]);
      expect(res.body).not.toContain(exploits.unpublishedProductName);
      expect(res.body).not.toContain('$argon2id$');
    }
  });

  it('registers, logs out and logs in again, and reports both as business events', async () => {
    const { client, email, password } = await t.customer('alice');
    const home = await client.get('/');
    expect(home.body).toContain('Log out');
    const wrong = await logIn(t.client(), email, 'not the password');
    expect(wrong.status).toBe(401);
    const right = await logIn(t.client(), email, password);
    expect(right.status).toBe(303);
    const mine = t.events.filter((e) => e.email === email);
    expect(mine.map((e) => `${e.type}:${e.outcome}`)).toEqual([
      'registration:success',
      'login:failure',
      'login:success',
    ]);
    expect(mine[0]?.clientIp).toBe('127.0.0.1');
  });

  it('refuses a form post without the CSRF token', async () => {
    const client = t.client();
    await client.get('/cart');
    const res = await client.postForm('/cart/add', { product_id: 1, quantity: 1 });
    expect(res.status).toBe(403);
  });

  it('adds, updates and removes cart lines', async () => {
    const client = t.client();
    expect((await addToCart(client, 'jump-rope', 2)).status).toBe(303);
    let cart = await client.get('/cart');
    expect(cart.body).toContain('29.80 EUR');
    const csrf = /name="_csrf" value="([^"]*)"/.exec(cart.body)?.[1] ?? '';
    const productId = /data-line="(\d+)"/.exec(cart.body)?.[1] ?? '';
    await client.postForm('/cart/update', { _csrf: csrf, product_id: productId, quantity: 3 });
    cart = await client.get('/cart');
    expect(cart.body).toContain('44.70 EUR');
    await client.postForm('/cart/remove', { _csrf: csrf, product_id: productId });
    expect((await client.get('/cart')).body).toContain('Your cart is empty');
  });

  it('applies a coupon once per customer and rejects expired and unknown codes', async () => {
    const { client } = await t.customer('coupon');
    await addToCart(client, 'yoga-mat', 1);
    expect((await applyCoupon(client, 'SUMMER20')).body).toContain('expired');
    expect((await applyCoupon(client, 'NOPE99')).status).toBe(400);
    const applied = await applyCoupon(client, 'welcome10');
    expect(applied.status).toBe(200);
    expect(applied.body).toContain('-4.99 EUR');
    const { orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
    expect(orderId).not.toBeNull();
    expect((await client.get(`/orders/${orderId}`)).body).toContain('44.91 EUR');
    await addToCart(client, 'yoga-mat', 1);
    const again = await applyCoupon(client, 'WELCOME10');
    expect(again.status).toBe(400);
    expect(again.body).toContain('already used');
    const couponEvents = t.events.filter((e) => e.type === 'coupon');
    expect(couponEvents.some((e) => e.outcome === 'failure' && e.attributes.reason === 'expired')).toBe(true);
    expect(couponEvents.some((e) => e.outcome === 'success' && e.attributes.stage === 'redeem')).toBe(true);
  });

  it('checks out with a succeeding test card and shows the paid order', async () => {
    const { client, email } = await t.customer('buyer');
    await addToCart(client, 'chef-knife-20cm', 1);
    const { response, orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
    expect(response.status).toBe(303);
    const order = await client.get(`/orders/${orderId}`);
    expect(order.status).toBe(200);
    expect(order.body).toContain('data-status="paid"');
    expect(order.body).toContain('89.00 EUR');
    const types = t.events.filter((e) => e.email === email).map((e) => `${e.type}:${e.outcome}`);
    expect(types).toContain('payment:success');
    expect(types).toContain('order:success');
    const payment = t.events.find((e) => e.email === email && e.type === 'payment');
    expect(payment?.cardFingerprint).toMatch(/^[0-9a-f]{24}$/);
    expect(payment?.amountMinor).toBe(8900);
  });

  it('answers 402 for declined, insufficient-funds and non-Luhn cards and keeps the cart', async () => {
    const { client, email } = await t.customer('declined');
    await addToCart(client, 'canvas-tote-bag', 1);
    for (const number of [DECLINED_CARD, INSUFFICIENT_FUNDS_CARD, '4242424242424241']) {
      const { response, orderId } = await checkOut(client, validCard(number), ADDRESS);
      expect(response.status).toBe(402);
      expect(orderId).toBeNull();
    }
    expect((await client.get('/cart')).body).toContain('Canvas Tote Bag');
    const codes = t.events
      .filter((e) => e.email === email && e.type === 'payment')
      .map((e) => e.attributes.code);
    expect(codes).toEqual(['card_declined', 'insufficient_funds', 'invalid_number']);
  });

  it('tracks delivery: time advances it and the admin advances it', async () => {
    const { client } = await t.customer('tracked');
    await addToCart(client, 'jump-rope', 1);
    const { orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
    clock.advance(2 * 60_000);
    expect((await client.get(`/orders/${orderId}`)).body).toContain('data-status="shipped"');

    const admin = t.client();
    expect((await logIn(admin, t.shop.admin.email, t.shop.admin.password)).status).toBe(303);
    const adminPage = await admin.get('/admin');
    expect(adminPage.body).toContain(`data-order-id="${orderId}"`);
    const csrf = /name="_csrf" value="([^"]*)"/.exec(adminPage.body)?.[1] ?? '';
    expect((await admin.postForm(`/admin/orders/${orderId}/advance`, { _csrf: csrf })).status).toBe(303);
    expect((await client.get(`/orders/${orderId}`)).body).toContain('data-status="out_for_delivery"');
    expect((await admin.postForm(`/admin/orders/${orderId}/advance`, { _csrf: csrf })).status).toBe(303);
    expect((await admin.postForm(`/admin/orders/${orderId}/advance`, { _csrf: csrf })).status).toBe(409);
    expect((await client.get(`/orders/${orderId}`)).body).toContain('data-status="delivered"');
    expect(t.events.filter((e) => e.type === 'delivery_status').map((e) => e.attributes.to)).toEqual([
      'out_for_delivery',
      'delivered',
    ]);
  });

  it('keeps customers out of /admin', async () => {
    const { client } = await t.customer('nosy');
    expect((await client.get('/admin')).status).toBe(403);
    expect((await t.client().get('/admin')).status).toBe(303);
  });

  it("refuses another customer's order (no IDOR)", async () => {
    const owner = await t.customer('owner');
    await addToCart(owner.client, 'e-reader', 1);
    const { orderId } = await checkOut(owner.client, validCard(SUCCEEDING_CARD), ADDRESS);
    const other = await t.customer('other');
    expect((await other.client.get(`/orders/${orderId}`)).status).toBe(404);
    expect((await other.client.get(`/api/orders/${orderId}`)).status).toBe(404);
    expect((await owner.client.get(`/api/orders/${orderId}`)).status).toBe(200);
  });

  it('ignores a tampered price and charges the catalogue price', async () => {
    const { client } = await t.customer('tamper');
    await addToCart(client, 'e-reader', 1, { price_minor: exploits.tamperedPriceMinor });
    const { orderId } = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
    const order = await client.get(`/orders/${orderId}`);
    expect(order.body).toContain('129.00 EUR');
    expect(order.body).not.toContain('0.01 EUR');
  });

  it('refuses negative, zero and fractional quantities with 400 and leaves the cart empty', async () => {
    const client = t.client();
    for (const quantity of [-1, 0, 0.5]) {
      const res = await addToCart(client, 'e-reader', quantity);
      expect(res.status, String(quantity)).toBe(400);
      expect(res.body).toContain('The quantity must be a whole number from 1 to 10.');
    }
    expect((await client.get('/cart')).body).toContain('Your cart is empty');
    const api = await client.postJson('/api/cart', { productId: 1, quantity: -1 });
    expect([api.status, JSON.parse(api.body).error.code]).toEqual([400, 'invalid_quantity']);
  });

  it('charges in EUR only: another posted currency answers 400, EUR is accepted', async () => {
    const client = t.client();
    const other = await addToCart(client, 'e-reader', 1, { currency: 'HUF' });
    expect(other.status).toBe(400);
    expect(other.body).toContain('This shop charges in EUR only.');
    expect((await addToCart(client, 'e-reader', 1, { currency: 'EUR' })).status).toBe(303);
    expect((await client.get('/cart')).body).toMatch(/class="total">129\.00 EUR/);
  });

  it('keeps one coupon per order: a second code replaces the first', async () => {
    const { client } = await t.customer('stacker');
    await addToCart(client, 'e-reader', 1);
    expect((await applyCoupon(client, 'WELCOME10')).body).toMatch(/class="total">116\.10 EUR/);
    const second = await applyCoupon(client, 'SPRING5');
    expect(second.status).toBe(200);
    expect(second.body).toContain('Coupon SPRING5');
    expect(second.body).not.toContain('WELCOME10 +');
    expect(second.body).toMatch(/class="total">124\.00 EUR/);
  });

  it('answers a registration for a taken email like a new one and logs nobody in (no enumeration)', async () => {
    const { email } = await t.customer('taken');
    const taken = t.client();
    const known = await registerAccount(taken, { email, password: 'another password', name: 'Eve' });
    const fresh = await registerAccount(t.client(), {
      email: `fresh-${Date.now()}@example.test`,
      password: 'another password',
      name: 'Eve',
    });
    expect([known.status, known.location, known.body]).toEqual([fresh.status, fresh.location, fresh.body]);
    expect([known.status, known.location]).toEqual([303, '/']);
    expect((await taken.get('/account')).status).toBe(303); // not logged in as the owner
    const failure = t.events.find(
      (e) => e.type === 'registration' && e.email === email && e.outcome === 'failure',
    );
    expect(failure?.attributes.reason).toBe('email_taken');
  });

  it('answers a wrong password for a known and an unknown email the same way (no enumeration)', async () => {
    const { email } = await t.customer('known');
    const client = t.client(); // one session, so both answers carry the same form token
    const known = await logIn(client, email, 'wrong-password');
    const unknown = await logIn(client, `nobody-${Date.now()}@example.test`, 'wrong-password');
    expect(known.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(known.body.split(email).join('')).toBe(unknown.body.split(/nobody-\d+@example\.test/).join(''));
  });

  it('tracks parcels without a shell and refuses anything but a parcel number', async () => {
    const client = t.client();
    const ok = await client.get('/carrier-status?parcel=DS1000EU');
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('Parcel DS1000EU: handed over');
    const injected = await client.get(
      `/carrier-status?parcel=${encodeURIComponent('DS1;echo pwned$((6*7))')}`,
    );
    expect(injected.status).toBe(400);
    expect(injected.body).not.toContain('pwned42');
  });

  it('serves only its own logo through the image proxy (no SSRF)', async () => {
    const client = t.client();
    const logo = await client.get('/image-proxy?url=%2Fstatic%2Fcarrier-logo.svg');
    expect(logo.status).toBe(200);
    expect(logo.body).toContain('<svg');
    const internal = await client.get(`/image-proxy?url=${encodeURIComponent(`${t.url}/healthz`)}`);
    expect(internal.status).toBe(404);
    expect(internal.body).not.toContain('"status":"ok"');
  });

  it('answers 404 for /.env and /.git/config', async () => {
    const client = t.client();
    expect((await client.get('/.env')).status).toBe(404);
    expect((await client.get('/.git/config')).status).toBe(404);
  });

  it('sends the security headers', async () => {
    const res = await t.client().get('/');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(String(res.headers['set-cookie'] ?? '')).toBe('');
  });

  it('serves the JSON API and requires JSON for writes', async () => {
    const client = t.client();
    const products = JSON.parse((await client.get('/api/products')).body) as { products: unknown[] };
    expect(products.products).toHaveLength(30);
    expect((await client.postForm('/api/cart', { productId: 1 })).status).toBe(415);
    const added = await client.postJson('/api/cart', { productId: 1, quantity: 2 });
    expect(JSON.parse(added.body).lines[0].quantity).toBe(2);
  });
});

describe('demo shop payment rate limit (safe mode)', () => {
  it('answers 429 with Retry-After after the failed payments limit, even for a good card', async () => {
    const t = await startTestShop({ paymentRateLimit: { maxFailuresPerAccount: 3 } });
    try {
      const { client } = await t.customer('carder');
      await addToCart(client, 'e-reader', 1);
      for (let i = 0; i < 3; i++)
        expect((await checkOut(client, validCard(DECLINED_CARD), ADDRESS)).response.status).toBe(402);
      const limited = await checkOut(client, validCard(SUCCEEDING_CARD), ADDRESS);
      expect(limited.response.status).toBe(429);
      expect(Number(limited.response.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.orderId).toBeNull();
    } finally {
      await t.stop();
    }
  });
});

describe('demo shop login rate limit (safe mode)', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await startTestShop({ loginRateLimit: { maxFailuresPerAccount: 3 } });
  });
  afterAll(async () => t.stop());

  it('answers 429 after repeated failures, even for the right password', async () => {
    const { email, password } = await t.customer('victim');
    const attacker = t.client();
    for (let i = 0; i < 3; i++) expect((await logIn(attacker, email, `guess-${i}`)).status).toBe(401);
    const limited = await logIn(attacker, email, password);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(t.events.filter((e) => e.attributes.reason === 'rate_limited')).toHaveLength(1);
  });
});
