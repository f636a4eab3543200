/**
 * The cart: lines keyed by session, totals, and the applied coupon. Home of the
 * `client-price-trusted` flaw: in vulnerable mode a price posted with the add-to-cart
 * form is stored and charged.
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
  coupon: Coupon | null;
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
}

export function getCart(ctx: ShopContext, session: ShopSession | null): Cart {
  const rows = session
    ? (ctx.db
        .prepare(
          `SELECT ci.product_id, p.slug, p.name, ci.quantity, p.price_minor, ci.client_price_minor
           FROM cart_items ci JOIN products p ON p.id = ci.product_id WHERE ci.session_id = ? ORDER BY p.name`,
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
      lineTotalMinor: unitPriceMinor * row.quantity,
    };
  });
  const subtotalMinor = lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  let coupon: Coupon | null = null;
  let discountMinor = 0;
  let couponProblem: string | null = null;
  if (session?.couponCode) {
    const check = checkCoupon(ctx, session.couponCode, session.customer?.id ?? null, subtotalMinor);
    if (check.ok) {
      coupon = check.coupon;
      discountMinor = check.discountMinor;
    } else {
      couponProblem = COUPON_REJECTION_MESSAGES[check.reason];
    }
  }
  return {
    lines,
    subtotalMinor,
    discountMinor,
    totalMinor: subtotalMinor - discountMinor,
    currency: SHOP_CURRENCY,
    coupon,
    couponProblem,
  };
}

export type AddToCartResult = { ok: true } | { ok: false; reason: 'unknown_product' | 'out_of_stock' };

export function addToCart(
  ctx: ShopContext,
  session: ShopSession,
  productId: number,
  quantity: number,
  clientPriceMinor: number | null,
): AddToCartResult {
  const product = productById(ctx, productId);
  if (!product) return { ok: false, reason: 'unknown_product' };
  const current = ctx.db
    .prepare('SELECT quantity FROM cart_items WHERE session_id = ? AND product_id = ?')
    .get(session.id, productId) as { quantity: number } | undefined;
  const wanted = Math.min(MAX_QUANTITY_PER_LINE, (current?.quantity ?? 0) + Math.max(1, quantity));
  if (wanted > product.stock) return { ok: false, reason: 'out_of_stock' };
  ctx.db
    .prepare(
      `INSERT INTO cart_items (session_id, product_id, quantity, client_price_minor) VALUES (?, ?, ?, ?)
       ON CONFLICT(session_id, product_id) DO UPDATE SET quantity = excluded.quantity,
       client_price_minor = excluded.client_price_minor`,
    )
    .run(session.id, productId, wanted, clientPriceMinor);
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
