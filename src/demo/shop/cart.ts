/**
 * The cart: lines keyed by session, totals, and the applied coupon. Home of four flaws of
 * vulnerable mode: `client-price-trusted` (a price posted with the add-to-cart form is
 * stored and charged), `quantity-not-validated` (negative and fractional quantities are
 * accepted), `client-currency-trusted` (the posted currency relabels the cart without
 * conversion) and `coupon-stacking` (every code applied stays on the cart).
 */
import type { ShopContext } from './context.js';
import { checkCoupon, COUPON_REJECTION_MESSAGES, type Coupon } from './coupons.js';
import { productById } from './catalogue.js';
import type { ShopSession } from './sessions.js';

export const MAX_QUANTITY_PER_LINE = 10;
export const SHOP_CURRENCY = 'EUR';

export interface CartLine {
  productId: number;
  slug: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

export interface Cart {
  lines: CartLine[];
  subtotalMinor: number;
  discountMinor: number;
  totalMinor: number;
  currency: string;
  /** The first coupon applied (the only one in safe mode). */
  coupon: Coupon | null;
  /** Every coupon applied: at most one in safe mode; vulnerable mode stacks them (flaw `coupon-stacking`). */
  coupons: Coupon[];
  /** Why the session's coupon no longer applies, if it does not. */
  couponProblem: string | null;
}

interface LineRow {
  product_id: number;
  slug: string;
  name: string;
  quantity: number;
  price_minor: number;
  client_price_minor: number | null;
  client_currency: string | null;
}

/** The coupon codes on the session: one in safe mode, a comma-separated list in vulnerable mode. */
export function sessionCouponCodes(ctx: ShopContext, session: ShopSession): string[] {
  const codes = (session.couponCode ?? '').split(',').filter(Boolean);
  return ctx.vulnerable ? codes : codes.slice(0, 1);
}

/**
 * The session's coupon value once `code` is applied. Safe mode: one coupon per order, so a
 * new code replaces the previous one. Deliberate flaw `coupon-stacking` (CWE-840) in
 * vulnerable mode: the code is added to the ones already applied.
 */
export function couponCodesWith(ctx: ShopContext, session: ShopSession, code: string): string {
  if (!ctx.vulnerable) return code;
  return [...sessionCouponCodes(ctx, session).filter((c) => c !== code), code].join(',');
}

export function getCart(ctx: ShopContext, session: ShopSession | null): Cart {
  const rows = session
    ? (ctx.db
        .prepare(
          `SELECT ci.product_id, p.slug, p.name, ci.quantity, p.price_minor, ci.client_price_minor,
           ci.client_currency FROM cart_items ci JOIN products p ON p.id = ci.product_id WHERE ci.session_id = ? ORDER BY p.name`,
        )
        .all(session.id) as LineRow[])
    : [];
  const lines = rows.map((row) => {
    // Deliberate flaw `client-price-trusted` (CWE-602) in vulnerable mode.
    const unitPriceMinor =
      ctx.vulnerable && row.client_price_minor !== null ? row.client_price_minor : row.price_minor;
    return {
      productId: row.product_id,
      slug: row.slug,
      name: row.name,
      quantity: row.quantity,
      unitPriceMinor,
      // Whole quantities give whole amounts; the rounding only matters for the fractional ones of vulnerable mode.
      lineTotalMinor: Math.round(unitPriceMinor * row.quantity),
    };
  });
  const subtotalMinor = lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  const coupons: Coupon[] = [];
  let discountMinor = 0;
  let couponProblem: string | null = null;
  for (const code of session ? sessionCouponCodes(ctx, session) : []) {
    const check = checkCoupon(ctx, code, session?.customer?.id ?? null, subtotalMinor);
    if (check.ok) {
      coupons.push(check.coupon);
      discountMinor += check.discountMinor;
    } else {
      couponProblem ??= COUPON_REJECTION_MESSAGES[check.reason];
    }
  }
  discountMinor = Math.min(discountMinor, Math.max(0, subtotalMinor));
  // Deliberate flaw `client-currency-trusted` (CWE-602) in vulnerable mode: the amounts stay
  // in EUR but the cart, the order and the charge take the currency the browser posted.
  const clientCurrency = ctx.vulnerable ? rows.find((row) => row.client_currency)?.client_currency : null;
  return {
    lines,
    subtotalMinor,
    discountMinor,
    totalMinor: subtotalMinor - discountMinor,
    currency: clientCurrency ?? SHOP_CURRENCY,
    coupon: coupons[0] ?? null,
    coupons,
    couponProblem,
  };
}

export type AddToCartResult =
  | { ok: true }
  | { ok: false; reason: 'unknown_product' | 'out_of_stock' | 'invalid_quantity' | 'unsupported_currency' };

/**
 * The quantity posted with add-to-cart (absent means 1). Safe mode: a whole number of at
 * least 1, else null (refused); more than the per-line maximum is capped when added.
 * Deliberate flaw `quantity-not-validated` (CWE-1284) in vulnerable mode: `parseFloat(raw) || 1`,
 * so -1 subtracts a line from the total and 0.5 buys half an item at half price.
 */
export function quantityInput(ctx: ShopContext, raw: string): number | null {
  if (raw === '') return 1;
  if (ctx.vulnerable) {
    const quantity = Number.parseFloat(raw);
    return Number.isFinite(quantity) && quantity !== 0 ? quantity : 1;
  }
  return /^\d{1,9}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : null;
}

/**
 * The currency posted with add-to-cart (the product form carries the shop's). Safe mode:
 * absent or the shop's currency, else refused. Vulnerable mode keeps any three-letter code
 * (flaw `client-currency-trusted`); 'none' means nothing to store.
 */
export function currencyInput(ctx: ShopContext, raw: string): string | 'none' | null {
  const code = raw.toUpperCase();
  if (code === '' || code === SHOP_CURRENCY) return 'none';
  if (!ctx.vulnerable) return null;
  return /^[A-Z]{3}$/.test(code) ? code : 'none';
}

export function addToCart(
  ctx: ShopContext,
  session: ShopSession,
  productId: number,
  input: { quantity: string; currency: string; clientPriceMinor: number | null },
): AddToCartResult {
  const quantity = quantityInput(ctx, input.quantity);
  if (quantity === null) return { ok: false, reason: 'invalid_quantity' };
  const currency = currencyInput(ctx, input.currency);
  if (currency === null) return { ok: false, reason: 'unsupported_currency' };
  const product = productById(ctx, productId);
  if (!product) return { ok: false, reason: 'unknown_product' };
  const current = ctx.db
    .prepare('SELECT quantity FROM cart_items WHERE session_id = ? AND product_id = ?')
    .get(session.id, productId) as { quantity: number } | undefined;
  const wanted = Math.min(MAX_QUANTITY_PER_LINE, (current?.quantity ?? 0) + quantity);
  if (wanted > product.stock) return { ok: false, reason: 'out_of_stock' };
  ctx.db
    .prepare(
      `INSERT INTO cart_items (session_id, product_id, quantity, client_price_minor, client_currency)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(session_id, product_id) DO UPDATE SET quantity = excluded.quantity,
       client_price_minor = excluded.client_price_minor, client_currency = excluded.client_currency`,
    )
    .run(session.id, productId, wanted, input.clientPriceMinor, currency === 'none' ? null : currency);
  return { ok: true };
}

/** Sets a line's quantity; 0 removes the line. */
export function setCartQuantity(
  ctx: ShopContext,
  session: ShopSession,
  productId: number,
  quantity: number,
): void {
  if (quantity <= 0) {
    ctx.db
      .prepare('DELETE FROM cart_items WHERE session_id = ? AND product_id = ?')
      .run(session.id, productId);
    return;
  }
  ctx.db
    .prepare('UPDATE cart_items SET quantity = ? WHERE session_id = ? AND product_id = ?')
    .run(Math.min(MAX_QUANTITY_PER_LINE, quantity), session.id, productId);
}

export function clearCart(ctx: ShopContext, session: ShopSession): void {
  ctx.db.prepare('DELETE FROM cart_items WHERE session_id = ?').run(session.id);
  ctx.db.prepare('UPDATE sessions SET coupon_code = NULL WHERE id = ?').run(session.id);
  session.couponCode = null;
}
