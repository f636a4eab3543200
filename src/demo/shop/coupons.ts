/**
 * Coupons: seeded codes with percentage or fixed discounts, a minimum subtotal, an
 * expiry, a one-per-customer rule and an optional total redemption cap. Checked when
 * applied to the cart and again at checkout (a coupon can expire in between).
 */
import type { ShopContext } from './context.js';

export interface Coupon {
  code: string;
  description: string;
  percentOff: number | null;
  amountOffMinor: number | null;
  onePerCustomer: boolean;
  maxRedemptions: number | null;
  expiresAtMs: number | null;
  minSubtotalMinor: number;
}

export type CouponRejection =
  'unknown' | 'expired' | 'already_used' | 'exhausted' | 'min_subtotal' | 'login_required';

export const COUPON_REJECTION_MESSAGES: Record<CouponRejection, string> = {
  unknown: 'This coupon code does not exist.',
  expired: 'This coupon has expired.',
  already_used: 'You have already used this coupon.',
  exhausted: 'This coupon has been fully redeemed.',
  min_subtotal: 'Your cart does not reach the minimum amount for this coupon.',
  login_required: 'Log in to use a coupon.',
};

interface CouponRow {
  code: string;
  description: string;
  percent_off: number | null;
  amount_off_minor: number | null;
  one_per_customer: number;
  max_redemptions: number | null;
  expires_at: number | null;
  min_subtotal_minor: number;
}

export function findCoupon(ctx: ShopContext, code: string): Coupon | null {
  const row = ctx.db.prepare('SELECT * FROM coupons WHERE code = ?').get(code.toUpperCase()) as
    CouponRow | undefined;
  if (!row) return null;
  return {
    code: row.code,
    description: row.description,
    percentOff: row.percent_off,
    amountOffMinor: row.amount_off_minor,
    onePerCustomer: row.one_per_customer === 1,
    maxRedemptions: row.max_redemptions,
    expiresAtMs: row.expires_at,
    minSubtotalMinor: row.min_subtotal_minor,
  };
}

export function discountFor(coupon: Coupon, subtotalMinor: number): number {
  if (coupon.percentOff !== null) return Math.floor((subtotalMinor * coupon.percentOff) / 100);
  return Math.min(coupon.amountOffMinor ?? 0, subtotalMinor);
}

export type CouponCheck =
  { ok: true; coupon: Coupon; discountMinor: number } | { ok: false; reason: CouponRejection };

export function checkCoupon(
  ctx: ShopContext,
  code: string,
  customerId: number | null,
  subtotalMinor: number,
): CouponCheck {
  const coupon = findCoupon(ctx, code);
  if (!coupon) return { ok: false, reason: 'unknown' };
  if (customerId === null) return { ok: false, reason: 'login_required' };
  if (coupon.expiresAtMs !== null && coupon.expiresAtMs <= ctx.clock.nowMs())
    return { ok: false, reason: 'expired' };
  // Deliberate flaw `coupon-replay` (CWE-837) in vulnerable mode: one-per-customer is not enforced.
  if (coupon.onePerCustomer && !ctx.vulnerable) {
    const used = ctx.db
      .prepare('SELECT 1 FROM coupon_redemptions WHERE code = ? AND customer_id = ?')
      .get(coupon.code, customerId);
    if (used) return { ok: false, reason: 'already_used' };
  }
  if (coupon.maxRedemptions !== null) {
    const { n } = ctx.db
      .prepare('SELECT COUNT(*) AS n FROM coupon_redemptions WHERE code = ?')
      .get(coupon.code) as {
      n: number;
    };
    if (n >= coupon.maxRedemptions) return { ok: false, reason: 'exhausted' };
  }
  if (subtotalMinor < coupon.minSubtotalMinor) return { ok: false, reason: 'min_subtotal' };
  return { ok: true, coupon, discountMinor: discountFor(coupon, subtotalMinor) };
}

export function recordRedemption(ctx: ShopContext, code: string, customerId: number, orderId: number): void {
  ctx.db
    .prepare('INSERT INTO coupon_redemptions (code, customer_id, order_id, at) VALUES (?, ?, ?, ?)')
    .run(code, customerId, orderId, ctx.clock.nowMs());
}
