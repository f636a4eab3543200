/**
 * Business-logic tampering at checkout, compared with the catalogue price the shop itself
 * shows: an untampered add-to-cart gives the baseline cart total, then each tampered
 * add-to-cart (fresh session each, so carts never mix) must not lower it:
 * - price: hidden fields named like a price or amount set to 1 (minor unit);
 * - quantity: -1, 0.5 and 999999999 (negative, fractional, absurd);
 * - currency: a `currency` field set to another currency, the number kept;
 * and, with a login recipe whose `checkout` names coupons (and a test card):
 * - coupon stacking: two coupons together beat each coupon alone;
 * - coupon replay: a coupon used in a paid order gives a discount again.
 * Only carts are tampered with; the one order placed (for the replay) uses the recipe's test card.
 */
import type { ScanAccount } from '../../auth/login.js';
import type { SiteForm } from '../../crawl/crawler.js';
import { evidenceOf } from '../../findings/evidence.js';
import { CookieJar, type ScanResponse } from '../../http/client.js';
import type { Check, CheckContext } from '../check.js';
import {
  addToCartForm,
  cardFields,
  cartTotal,
  cartUrlAfter,
  checkoutForm,
  couponFieldOf,
  couponForm,
  freshForm,
  postForm,
  QUANTITY_FIELD,
  type Money,
} from './shop-flows.js';

const PRICE_FIELD = /price|amount|cost|total/i;
const CURRENCY_FIELD = /^currency$/i;
export const QUANTITY_PROBES = ['-1', '0.5', '999999999'] as const;
/** A cart worth more than this many units after the absurd quantity accepted it. */
const ABSURD_FACTOR = 1000;

interface CartState {
  total: Money;
  cart: ScanResponse;
  add: ScanResponse;
}

type Session = { jar: CookieJar; headers: Record<string, string> };

async function addAndRead(
  context: CheckContext,
  form: SiteForm,
  overrides: Record<string, string>,
  session: Session = { jar: new CookieJar(), headers: {} },
): Promise<CartState | 'rejected' | null> {
  const fresh = await freshForm(context.http, form, session.jar, session.headers);
  if (!fresh) return null;
  const add = await postForm(context.http, fresh, overrides, session.jar, session.headers);
  if (!add.ok) return null;
  if (add.status >= 400) return 'rejected';
  const cart = await context.http.send({
    url: cartUrlAfter(add, context.target.origin),
    jar: session.jar,
    headers: session.headers,
  });
  if (!cart.ok || cart.status >= 400) return null;
  const total = cartTotal(cart.body);
  return total ? { total, cart, add } : 'rejected';
}

export const checkoutTamperingCheck: Check = {
  id: 'checkout-tampering',
  kind: 'active',
  attackClass: 'business-logic',
  title: 'Business-logic tampering at checkout: price, quantity, currency, coupon stacking and replay',
  async run(context) {
    const form = addToCartForm(context.site);
    if (!form)
      return {
        status: 'not-tested',
        tested: 0,
        reason: 'the crawl found no add-to-cart form (a POST form with a quantity field)',
      };
    const baseline = await addAndRead(context, form, {});
    if (baseline === null || baseline === 'rejected' || baseline.total.minor <= 0)
      return {
        status: 'not-tested',
        tested: 0,
        reason: 'an untampered add-to-cart did not give a cart total to compare with',
      };
    let tested = 0;
    const unit = baseline.total;
    for (const field of form.fields.filter(
      (f) => f.type === 'hidden' && PRICE_FIELD.test(f.name) && !QUANTITY_FIELD.test(f.name),
    )) {
      tested++;
      const probe = await addAndRead(context, form, { [field.name]: '1' });
      if (typeof probe === 'object' && probe && probe.total.minor >= 0 && probe.total.minor < unit.minor)
        report(context, form, probe, unit, 'price', field.name, '1');
    }
    const quantity = form.fields.find((f) => QUANTITY_FIELD.test(f.name));
    if (quantity) {
      for (const value of QUANTITY_PROBES) {
        tested++;
        const probe = await addAndRead(context, form, { [quantity.name]: value });
        if (typeof probe !== 'object' || !probe) continue;
        const tooLow = probe.total.minor < unit.minor && probe.total.minor !== 0;
        const absurd = value === '999999999' && probe.total.minor > unit.minor * ABSURD_FACTOR;
        if (tooLow || absurd) report(context, form, probe, unit, 'quantity', quantity.name, value);
      }
    }
    tested++;
    const currencyName = form.fields.find((f) => CURRENCY_FIELD.test(f.name))?.name ?? 'currency';
    const other = unit.currency === 'JPY' ? 'EUR' : 'JPY';
    const currency = await addAndRead(context, form, { [currencyName]: other });
    if (
      typeof currency === 'object' &&
      currency &&
      currency.total.currency === other &&
      currency.total.minor === unit.minor
    )
      report(context, form, currency, unit, 'currency', currencyName, other);
    const coupons = await couponTests(context, form, unit);
    tested += coupons.tested;
    if (coupons.missing) return { status: 'partial', tested, reason: coupons.missing };
    return { status: 'tested', tested };
  },
};

async function couponTests(
  context: CheckContext,
  form: SiteForm,
  unit: Money,
): Promise<{ tested: number; missing: string | null }> {
  const codes = context.auth.checkout?.coupons ?? [];
  const first = context.auth.accounts[0];
  if (!first || codes.length === 0)
    return { tested: 0, missing: 'coupon stacking and replay need a login recipe with checkout.coupons' };
  const [c1 = '', c2] = codes;
  const fresh = () => context.auth.freshSession(first.name);
  const outcomes = [
    c2 ? await stackingTest(context, form, fresh, c1, c2, unit) : true,
    await replayTest(context, form, fresh, c1, unit),
  ];
  const missing = outcomes.filter((o): o is string => typeof o === 'string');
  return {
    tested: (c2 ? 1 : 0) + 1 - missing.length,
    missing: missing.length > 0 ? missing.join('; ') : null,
  };
}

/** Coupon replay: `c1` in a paid order (the recipe's test card), then in a new cart. True when tested, else why not. */
async function replayTest(
  context: CheckContext,
  form: SiteForm,
  fresh: () => Promise<ScanAccount | null>,
  c1: string,
  unit: Money,
): Promise<true | string> {
  const card = context.auth.checkout?.card;
  if (!card) return 'coupon replay needs checkout.card (a test card the provider accepts)';
  const session = await fresh();
  if (!session) return 'coupon replay: the first account could not log in again';
  const applied = (await withCoupons(context, form, session, [c1]))?.after[0];
  if (!applied || applied.total.minor >= unit.minor)
    return `coupon replay: ${c1} gave no discount to a new cart (already used, or a minimum not reached)`;
  const checkout = await checkoutForm(context.http, applied.cart, session.jar, session.headers);
  if (!checkout) return 'coupon replay: no checkout form with card fields was found';
  const address = Object.fromEntries(
    checkout.form.fields
      .filter((f) => /address|street/i.test(f.name) && !f.value)
      .map((f) => [f.name, 'Ensuresec scan, 1 Test Street']),
  );
  const paid = await postForm(
    context.http,
    checkout.form,
    { ...cardFields(checkout.form, card), ...address },
    session.jar,
    session.headers,
  );
  if (!paid.ok || paid.status >= 400)
    return `coupon replay: the checkout with the test card was refused (${paid.ok ? paid.status : paid.detail})`;
  const replay = (await withCoupons(context, form, session, [c1]))?.after[0];
  if (replay && replay.total.minor < unit.minor)
    reportCoupon(
      context,
      'replay',
      c1,
      replay,
      `after a paid order with ${c1}, a new cart still gets it: total ${replay.total.minor} instead of ${unit.minor} (minor units)`,
    );
  return true;
}

/** A cart worth at least this much (minor units, capped at MAX_STACKING_UNITS items) meets most coupon minimums. */
const STACKING_SUBTOTAL_MINOR = 10_000;
const MAX_STACKING_UNITS = 10;

/**
 * Coupon stacking: both codes applied in turn to one cart against each code alone (fresh
 * sessions, carts never paid). A coupon with a minimum order gives nothing to one item, so a
 * cart of one item is tried first, then one worth STACKING_SUBTOTAL_MINOR; the test counts only
 * when each code alone gives a discount. True when tested, else why not.
 */
async function stackingTest(
  context: CheckContext,
  form: SiteForm,
  fresh: () => Promise<ScanAccount | null>,
  c1: string,
  c2: string,
  unit: Money,
): Promise<true | string> {
  const sizes = [1, Math.min(MAX_STACKING_UNITS, Math.ceil(STACKING_SUBTOTAL_MINOR / unit.minor))];
  for (const units of sizes.filter((n, i) => i === 0 || n > 1)) {
    const both = await withCoupons(context, form, await fresh(), [c1, c2], units);
    const second = await withCoupons(context, form, await fresh(), [c2], units);
    const [onlyFirst, stacked] = both?.after ?? [];
    const onlySecond = second?.after[0];
    if (!both || !second || !onlyFirst || !stacked || !onlySecond)
      return 'coupon stacking: a cart with the coupons applied could not be read';
    const start = both.start.total.minor;
    if (onlyFirst.total.minor >= start || onlySecond.total.minor >= start) continue;
    if (stacked.total.minor < Math.min(onlyFirst.total.minor, onlySecond.total.minor))
      reportCoupon(
        context,
        'stacking',
        `${c1} + ${c2}`,
        stacked,
        `total ${stacked.total.minor} with both coupons, ${onlyFirst.total.minor} with ${c1} alone, ${onlySecond.total.minor} with ${c2} alone (minor units, ${units} item${units === 1 ? '' : 's'})`,
      );
    return true;
  }
  return `coupon stacking: ${c1} or ${c2} gave no discount alone, even to a cart of ${sizes[1]} items (a minimum order, or not valid for this account)`;
}

/** Adds `units` of the item in `session` and applies the codes in turn; the cart before and after each code. */
async function withCoupons(
  context: CheckContext,
  form: SiteForm,
  session: ScanAccount | null,
  codes: string[],
  units = 1,
): Promise<{ start: CartState; after: CartState[] } | null> {
  if (!session) return null;
  const quantity = form.fields.find((f) => QUANTITY_FIELD.test(f.name))?.name ?? 'quantity';
  const start = await addAndRead(context, form, units === 1 ? {} : { [quantity]: String(units) }, session);
  if (typeof start !== 'object' || !start) return null;
  const after: CartState[] = [];
  for (const code of codes) {
    const coupon = couponForm(start.cart.body, start.cart.url);
    if (!coupon) return null;
    const applied = await postForm(
      context.http,
      coupon,
      { [couponFieldOf(coupon)]: code },
      session.jar,
      session.headers,
    );
    if (!applied.ok) return null;
    const cart = await context.http.send({ url: start.cart.url, jar: session.jar, headers: session.headers });
    const total = cart.ok ? cartTotal(cart.body) : null;
    if (!cart.ok || !total) return null;
    after.push({ total, cart, add: applied });
  }
  return { start, after };
}

function report(
  context: CheckContext,
  form: SiteForm,
  probe: CartState,
  unit: Money,
  kind: 'price' | 'quantity' | 'currency',
  field: string,
  value: string,
): void {
  const path = new URL(form.action).pathname;
  const shown = (m: Money) => `${(m.minor / 100).toFixed(2)} ${m.currency ?? ''}`.trim();
  const what = {
    price: `a hidden ${field}=${value} made the cart total ${shown(probe.total)} instead of ${shown(unit)}: the shop charges the price the browser sends`,
    quantity: `${field}=${value} was accepted: the cart total became ${shown(probe.total)} (one unit costs ${shown(unit)})`,
    currency: `${field}=${value} relabelled the cart total ${shown(probe.total)} without converting it`,
  }[kind];
  context.report({
    checkId: 'checkout-tampering',
    attackClass: 'business-logic',
    title: `Tampered ${kind} accepted at checkout: POST ${path} (${field})`,
    cvssVector:
      kind === 'quantity' && value === '999999999'
        ? 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N'
        : 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N',
    cwe: kind === 'quantity' ? 'CWE-1284' : 'CWE-602',
    url: form.action,
    method: 'POST',
    parameter: field,
    detailKey: kind,
    description: `Business logic at checkout trusts the client: ${what}. Anyone can buy for less than the catalogue price.`,
    evidence: evidenceOf(probe.cart, what, String(Math.abs(probe.total.minor / 100).toFixed(2))),
    reproduce: `Open ${form.pageUrl}, change ${field} to ${value} in the add-to-cart form (browser dev tools), submit, and read the cart total.`,
    remediation:
      kind === 'price'
        ? 'Never take prices from the request: look the price up in the catalogue on the server at add-to-cart and again at checkout.'
        : kind === 'quantity'
          ? 'Accept only whole quantities from 1 to a sane maximum (and within stock) on the server; reject anything else.'
          : 'Take the currency from the shop (or convert on the server with your own rates); never from the request.',
    data: { field, value, baselineMinor: unit.minor, tamperedMinor: probe.total.minor },
  });
}

function reportCoupon(
  context: CheckContext,
  kind: 'stacking' | 'replay',
  codes: string,
  state: CartState,
  proof: string,
): void {
  const url = state.add.url;
  context.report({
    checkId: 'checkout-tampering',
    attackClass: 'business-logic',
    title: kind === 'replay' ? `Single-use coupon accepted again: ${codes}` : `Coupons stack: ${codes}`,
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:L/A:N',
    cwe: kind === 'replay' ? 'CWE-837' : 'CWE-840',
    url,
    method: 'POST',
    detailKey: `coupon-${kind}`,
    description:
      kind === 'replay'
        ? `A coupon meant for one use per customer gave its discount again after a paid order: ${proof}.`
        : `Two coupons applied together gave more than either alone: ${proof}.`,
    evidence: evidenceOf(state.cart, proof),
    reproduce:
      kind === 'replay'
        ? `Log in as the test account, apply ${codes}, pay with the test card, then add an item and apply ${codes} again.`
        : `Log in, add an item, apply ${codes.replace(' + ', ' then ')}, and compare the total with each coupon alone.`,
    remediation:
      'Check coupon rules on the server at checkout, inside the order transaction: one redemption per customer (recorded with the order), one coupon per order unless stacking is intended.',
    data: { codes, kind },
  });
}
