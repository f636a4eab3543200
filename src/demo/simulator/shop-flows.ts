/**
 * The shop journeys as a browser performs them (GET the form, read its CSRF token, POST
 * it): register, log in, add to cart, apply a coupon, check out. Shoppers, attack
 * scenarios and the demo tests all build on these.
 */
import { csrfTokenIn, type ShopClient, type ShopResponse } from './http-client.js';

export interface TestCardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export function validCard(number: string): TestCardInput {
  return { number, expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' };
}

export async function registerAccount(
  client: ShopClient,
  account: { email: string; password: string; name: string },
): Promise<ShopResponse> {
  const csrf = await client.csrfToken('/register');
  return client.postForm('/register', { _csrf: csrf, ...account });
}

export async function logIn(client: ShopClient, email: string, password: string): Promise<ShopResponse> {
  const csrf = await client.csrfToken('/login');
  return client.postForm('/login', { _csrf: csrf, email, password });
}

/** Slugs of the product links on a page, in order. */
export function productSlugsIn(html: string): string[] {
  return [...html.matchAll(/href="\/products\/([a-z0-9-]+)"/g)].map((m) => m[1] ?? '').filter(Boolean);
}

/** Opens a product page and posts its add-to-cart form; `overrides` replace form fields (e.g. price_minor). */
export async function addToCart(
  client: ShopClient,
  slug: string,
  quantity = 1,
  overrides: Record<string, string | number> = {},
): Promise<ShopResponse> {
  const pageHtml = (await client.get(`/products/${slug}`)).body;
  const productId = /name="product_id" value="(\d+)"/.exec(pageHtml)?.[1] ?? '0';
  const price = /name="price_minor" value="(\d+)"/.exec(pageHtml)?.[1] ?? '0';
  return client.postForm('/cart/add', {
    _csrf: csrfTokenIn(pageHtml),
    product_id: productId,
    price_minor: price,
    quantity,
    ...overrides,
  });
}

export async function applyCoupon(client: ShopClient, code: string): Promise<ShopResponse> {
  const csrf = await client.csrfToken('/cart');
  return client.postForm('/cart/coupon', { _csrf: csrf, code });
}

export interface CheckoutOutcome {
  response: ShopResponse;
  orderId: number | null;
}

export async function checkOut(
  client: ShopClient,
  card: TestCardInput,
  address: string,
): Promise<CheckoutOutcome> {
  const csrf = await client.csrfToken('/checkout');
  const response = await client.postForm('/checkout', {
    _csrf: csrf,
    address,
    card_number: card.number,
    exp_month: card.expMonth,
    exp_year: card.expYear,
    cvc: card.cvc,
  });
  const match = /^\/orders\/(\d+)$/.exec(response.location ?? '');
  return { response, orderId: match ? Number(match[1]) : null };
}
