/**
 * Checkout and orders: the cart becomes an order, the card is tokenised and authorised
 * by the payment provider, stock and coupon redemptions are booked, and the business
 * events (payment, order, coupon) go out. Also the order reads for pages and the admin.
 */
import type { CardInput } from '../payment/index.js';
import { getCart, type Cart } from './cart.js';
import { clearCart } from './cart.js';
import type { ShopContext } from './context.js';
import { discountFor, recordRedemption } from './coupons.js';
import { advanceWithTime, setOrderStatus, type OrderStatus } from './delivery.js';
import { accountIdOf } from './events.js';
import type { ShopSession } from './sessions.js';

export type PlaceOrderResult =
  | { ok: true; orderId: number }
  | {
      ok: false;
      reason:
        | 'login_required'
        | 'empty_cart'
        | 'coupon_invalid'
        | 'out_of_stock'
        | 'card_invalid'
        | 'payment_declined'
        | 'rate_limited';
      message: string;
      orderId?: number;
      retryAfterSeconds?: number;
    };

export interface OrderItem {
  productId: number;
  name: string;
  unitPriceMinor: number;
  quantity: number;
}

export interface Order {
  id: number;
  customerId: number;
  customerEmail: string;
  status: OrderStatus;
  subtotalMinor: number;
  discountMinor: number;
  totalMinor: number;
  currency: string;
  couponCode: string | null;
  shippingAddress: string;
  cardBrand: string | null;
  cardLast4: string | null;
  createdAtMs: number;
  items: OrderItem[];
  history: { status: OrderStatus; atMs: number }[];
}

/** The codes an order records: one, or `A+B` when vulnerable mode let coupons stack. */
function couponCodesOf(cart: Cart): string | null {
  return cart.coupons.length > 0 ? cart.coupons.map((c) => c.code).join('+') : null;
}

export async function placeOrder(
  ctx: ShopContext,
  session: ShopSession,
  input: { card: CardInput; shippingAddress: string },
  clientIp: string,
): Promise<PlaceOrderResult> {
  const customer = session.customer;
  if (!customer) return { ok: false, reason: 'login_required', message: 'Log in to check out.' };
  const cart = getCart(ctx, session);
  if (cart.lines.length === 0) return { ok: false, reason: 'empty_cart', message: 'Your cart is empty.' };
  if (cart.couponProblem) return { ok: false, reason: 'coupon_invalid', message: cart.couponProblem };
  for (const line of cart.lines) {
    const stock = ctx.db.prepare('SELECT stock FROM products WHERE id = ?').get(line.productId) as {
      stock: number;
    };
    if (stock.stock < line.quantity) {
      return { ok: false, reason: 'out_of_stock', message: `Only ${stock.stock} left of ${line.name}.` };
    }
  }
  const base = { accountId: accountIdOf(customer.id), email: customer.email, clientIp };
  const money = { amountMinor: cart.totalMinor, currency: cart.currency };
  const limitKey = `customer-${customer.id}`;
  const retryAfterSeconds = ctx.paymentLimiter?.retryAfterSeconds(clientIp, limitKey) ?? 0;
  if (retryAfterSeconds > 0) {
    ctx.emit({
      type: 'payment',
      outcome: 'failure',
      ...base,
      ...money,
      attributes: { stage: 'rate_limit', code: 'rate_limited' },
    });
    return {
      ok: false,
      reason: 'rate_limited',
      message: 'Too many failed payments; try again later.',
      retryAfterSeconds,
    };
  }

  const token = await ctx.payment.tokenise(input.card);
  if (!token.ok) {
    ctx.paymentLimiter?.recordFailure(clientIp, limitKey);
    ctx.emit({
      type: 'payment',
      outcome: 'failure',
      ...base,
      ...money,
      attributes: { stage: 'tokenise', code: token.code },
    });
    return { ok: false, reason: 'card_invalid', message: token.message };
  }

  const nowMs = ctx.clock.nowMs();
  const orderId = ctx.db.transaction(() => {
    const info = ctx.db
      .prepare(
        `INSERT INTO orders (customer_id, status, subtotal_minor, discount_minor, total_minor, currency, coupon_code,
         shipping_address, card_brand, card_last4, created_at, status_changed_at)
         VALUES (?, 'created', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        customer.id,
        cart.subtotalMinor,
        cart.discountMinor,
        cart.totalMinor,
        cart.currency,
        couponCodesOf(cart),
        input.shippingAddress,
        token.brand,
        token.last4,
        nowMs,
        nowMs,
      );
    const id = Number(info.lastInsertRowid);
    const insertItem = ctx.db.prepare(
      'INSERT INTO order_items (order_id, product_id, name, unit_price_minor, quantity) VALUES (?, ?, ?, ?, ?)',
    );
    for (const line of cart.lines)
      insertItem.run(id, line.productId, line.name, line.unitPriceMinor, line.quantity);
    ctx.db.prepare("INSERT INTO order_events (order_id, status, at) VALUES (?, 'created', ?)").run(id, nowMs);
    return id;
  })();

  const payment = await ctx.payment.authorise({
    token: token.token,
    ...money,
    reference: `order-${orderId}`,
  });
  const card = { cardFingerprint: token.fingerprint };
  const cardAttributes = { orderId, brand: token.brand, last4: token.last4 };
  if (!payment.ok) {
    ctx.paymentLimiter?.recordFailure(clientIp, limitKey);
    setOrderStatus(ctx, orderId, 'payment_failed', ctx.clock.nowMs());
    ctx.emit({
      type: 'payment',
      outcome: 'failure',
      ...base,
      ...money,
      ...card,
      attributes: { ...cardAttributes, stage: 'authorise', code: payment.code },
    });
    return { ok: false, reason: 'payment_declined', message: payment.message, orderId };
  }

  ctx.db.transaction(() => {
    ctx.db.prepare('UPDATE orders SET payment_id = ? WHERE id = ?').run(payment.paymentId, orderId);
    setOrderStatus(ctx, orderId, 'paid', ctx.clock.nowMs());
    const decrement = ctx.db.prepare('UPDATE products SET stock = MAX(0, stock - ?) WHERE id = ?');
    for (const line of cart.lines) decrement.run(line.quantity, line.productId);
    for (const coupon of cart.coupons) recordRedemption(ctx, coupon.code, customer.id, orderId);
    clearCart(ctx, session);
  })();

  ctx.emit({
    type: 'payment',
    outcome: 'success',
    ...base,
    ...money,
    ...card,
    attributes: { ...cardAttributes, paymentId: payment.paymentId },
  });
  for (const coupon of cart.coupons) {
    ctx.emit({
      type: 'coupon',
      outcome: 'success',
      ...base,
      amountMinor: cart.coupons.length === 1 ? cart.discountMinor : discountFor(coupon, cart.subtotalMinor),
      currency: cart.currency,
      attributes: { code: coupon.code, stage: 'redeem', orderId },
    });
  }
  ctx.emit({
    type: 'order',
    outcome: 'success',
    ...base,
    ...money,
    ...card,
    postalAddress: input.shippingAddress,
    attributes: {
      orderId,
      itemCount: cart.lines.reduce((n, line) => n + line.quantity, 0),
      subtotalMinor: cart.subtotalMinor,
      discountMinor: cart.discountMinor,
      couponCode: couponCodesOf(cart),
    },
  });
  return { ok: true, orderId };
}

interface OrderRow {
  id: number;
  customer_id: number;
  email: string;
  status: OrderStatus;
  subtotal_minor: number;
  discount_minor: number;
  total_minor: number;
  currency: string;
  coupon_code: string | null;
  shipping_address: string;
  card_brand: string | null;
  card_last4: string | null;
  created_at: number;
}

function toOrder(ctx: ShopContext, row: OrderRow, withDetails: boolean): Order {
  const items = withDetails
    ? (ctx.db
        .prepare(
          'SELECT product_id AS productId, name, unit_price_minor AS unitPriceMinor, quantity FROM order_items WHERE order_id = ?',
        )
        .all(row.id) as OrderItem[])
    : [];
  const history = withDetails
    ? (ctx.db
        .prepare('SELECT status, at AS atMs FROM order_events WHERE order_id = ? ORDER BY at, rowid')
        .all(row.id) as Order['history'])
    : [];
  return {
    id: row.id,
    customerId: row.customer_id,
    customerEmail: row.email,
    status: row.status,
    subtotalMinor: row.subtotal_minor,
    discountMinor: row.discount_minor,
    totalMinor: row.total_minor,
    currency: row.currency,
    couponCode: row.coupon_code,
    shippingAddress: row.shipping_address,
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    createdAtMs: row.created_at,
    items,
    history,
  };
}

const ORDER_SELECT = 'SELECT o.*, c.email FROM orders o JOIN customers c ON c.id = o.customer_id';

/** One order with items and tracking history, delivery advanced to now. */
export function getOrder(ctx: ShopContext, orderId: number): Order | null {
  advanceWithTime(ctx, orderId);
  const row = ctx.db.prepare(`${ORDER_SELECT} WHERE o.id = ?`).get(orderId) as OrderRow | undefined;
  return row ? toOrder(ctx, row, true) : null;
}

export function listOrders(ctx: ShopContext, filter: { customerId?: number; limit: number }): Order[] {
  const rows = (
    filter.customerId === undefined
      ? ctx.db.prepare(`${ORDER_SELECT} ORDER BY o.id DESC LIMIT ?`).all(filter.limit)
      : ctx.db
          .prepare(`${ORDER_SELECT} WHERE o.customer_id = ? ORDER BY o.id DESC LIMIT ?`)
          .all(filter.customerId, filter.limit)
  ) as OrderRow[];
  for (const row of rows) {
    const reached = advanceWithTime(ctx, row.id);
    const last = reached[reached.length - 1];
    if (last) row.status = last;
  }
  return rows.map((row) => toOrder(ctx, row, false));
}
