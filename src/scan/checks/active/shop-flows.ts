/**
 * Shop flows the business-logic checks share, driven by the forms the crawl found rather
 * than by one shop's routes: the add-to-cart form (a POST form with a quantity field), the
 * cart page and its total, the coupon form, the checkout form and its card fields. Money is
 * read from the page the way a customer reads it (`class="total"`, or the amount after
 * "Total"), in minor units.
 */
import { parseHtmlPage, type PageForm } from '../../crawl/html.js';
import type { SiteForm, SiteMap } from '../../crawl/crawler.js';
import type { CookieJar, ScanHttpClient, ScanResponse, ScanResult } from '../../http/client.js';
import type { RecipeCard } from '../../auth/recipe.js';

export const QUANTITY_FIELD = /^(qty|quantity|amount|count)$/i;
const CART_ACTION = /cart|basket|bag/i;
const COUPON_FIELD = /coupon|voucher|promo|discount|^code$/i;
const CARD_FIELDS: [RegExp, keyof RecipeCard][] = [
  [/card.?(number|no)|^number$|cc.?num|pan/i, 'number'],
  [/exp.?(month|mm)|^month$|^mm$/i, 'expMonth'],
  [/exp.?(year|yy)|^year$|^yy(yy)?$/i, 'expYear'],
  [/cvc|cvv|security.?code/i, 'cvc'],
];

export interface Money {
  minor: number;
  currency: string | null;
}

/** The total shown on a cart or checkout page, in minor units; null when none is found. */
export function cartTotal(html: string): Money | null {
  const byClass = /<[^>]+(?:class|id)="(?:[^"]*\s)?(?:cart-)?total(?:\s[^"]*)?"[^>]*>([^<]{1,60})</i.exec(
    html,
  );
  const text = byClass?.[1] ?? /\btotal\b[^0-9<>-]{0,40}(?:<[^>]*>\s*)*(-?[^<]{1,40})/i.exec(html)?.[1];
  return text ? parseMoney(text) : null;
}

export function parseMoney(text: string): Money | null {
  const match =
    /(-)?\s*([€$£]|[A-Z]{3})?\s*(-)?\s*(\d{1,3}(?:[ ,.]\d{3})*|\d+)(?:[.,](\d{2}))?(?!\d)\s*([€$£]|[A-Z]{3})?/.exec(
      text.trim(),
    );
  if (!match) return null;
  const units = Number((match[4] ?? '0').replace(/[ ,.]/g, ''));
  const minor = units * 100 + Number(match[5] ?? '0');
  const negative = Boolean(match[1] ?? match[3]);
  return { minor: negative ? -minor : minor, currency: match[6] ?? match[2] ?? null };
}

export function addToCartForm(site: SiteMap): SiteForm | null {
  const forms = site.forms.filter(
    (f) =>
      f.method === 'POST' &&
      new URL(f.action).origin === site.origin &&
      !f.fields.some((x) => x.type === 'password'),
  );
  return (
    forms.find(
      (f) =>
        CART_ACTION.test(new URL(f.action).pathname) && f.fields.some((x) => QUANTITY_FIELD.test(x.name)),
    ) ??
    forms.find((f) => f.fields.some((x) => QUANTITY_FIELD.test(x.name))) ??
    null
  );
}

/** The form as served to this session now (fresh hidden fields such as a CSRF token). */
export async function freshForm(
  http: ScanHttpClient,
  form: SiteForm,
  jar: CookieJar,
  headers: Record<string, string> = {},
): Promise<PageForm | null> {
  const page = await http.send({ url: form.pageUrl, jar, headers });
  if (!page.ok || page.status >= 400) return null;
  return parseHtmlPage(page.body, page.url).forms.find((f) => f.action === form.action) ?? null;
}

export function formBody(form: PageForm, overrides: Record<string, string>): string {
  const body = new URLSearchParams();
  for (const field of form.fields) {
    if (field.type === 'checkbox' || field.type === 'radio' || field.type === 'submit') continue;
    body.set(field.name, field.value || (QUANTITY_FIELD.test(field.name) ? '1' : ''));
  }
  for (const [name, value] of Object.entries(overrides)) body.set(name, value);
  return body.toString();
}

export function postForm(
  http: ScanHttpClient,
  form: PageForm,
  overrides: Record<string, string>,
  jar: CookieJar,
  headers: Record<string, string> = {},
): Promise<ScanResult> {
  return http.send({
    url: form.action,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: formBody(form, overrides),
    jar,
  });
}

/** Where the cart is: the add-to-cart redirect, else a `/cart`-like link, else /cart. */
export function cartUrlAfter(res: ScanResponse, origin: string): string {
  const location = res.headers['location'];
  if (res.status >= 300 && res.status < 400 && location) return new URL(location, res.url).href;
  return new URL('/cart', origin).href;
}

export function couponForm(html: string, pageUrl: string): PageForm | null {
  return (
    parseHtmlPage(html, pageUrl).forms.find(
      (f) => f.method === 'POST' && f.fields.some((x) => x.type !== 'hidden' && COUPON_FIELD.test(x.name)),
    ) ?? null
  );
}

export function couponFieldOf(form: PageForm): string {
  return form.fields.find((x) => x.type !== 'hidden' && COUPON_FIELD.test(x.name))?.name ?? 'code';
}

/** The checkout form with card fields, from the cart page's checkout link or /checkout. */
export async function checkoutForm(
  http: ScanHttpClient,
  cartPage: ScanResponse,
  jar: CookieJar,
  headers: Record<string, string> = {},
): Promise<{ form: PageForm; page: ScanResponse } | null> {
  const links = parseHtmlPage(cartPage.body, cartPage.url).links.filter((l) =>
    /checkout/i.test(new URL(l).pathname),
  );
  const url = links[0] ?? new URL('/checkout', cartPage.url).href;
  const page = await http.send({ url, jar, headers });
  if (!page.ok || page.status !== 200) return null;
  const form = parseHtmlPage(page.body, page.url).forms.find(
    (f) => f.method === 'POST' && f.fields.some((x) => CARD_FIELDS[0]?.[0].test(x.name)),
  );
  return form ? { form, page } : null;
}

/** The form's card fields filled from a test card (names matched by the usual spellings). */
export function cardFields(form: PageForm, card: RecipeCard): Record<string, string> {
  const filled: Record<string, string> = {};
  for (const field of form.fields) {
    const match = CARD_FIELDS.find(([pattern]) => pattern.test(field.name));
    if (match) filled[field.name] = card[match[1]];
  }
  return filled;
}
