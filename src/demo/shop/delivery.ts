/**
 * Delivery tracking: an order moves created → paid → packed → shipped →
 * out_for_delivery → delivered. Payment makes it `paid`; after that it advances one step
 * per `deliveryStepMs` (computed lazily when the order is read) or when the admin
 * advances it. A declined payment ends it in `payment_failed`.
 */
import type { ShopContext } from './context.js';

export const DELIVERY_STATUSES = [
  'created',
  'paid',
  'packed',
  'shipped',
  'out_for_delivery',
  'delivered',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type OrderStatus = DeliveryStatus | 'payment_failed';

export const STATUS_LABELS: Record<OrderStatus, string> = {
  created: 'Order created',
  paid: 'Payment received',
  packed: 'Packed',
  shipped: 'Handed to the carrier',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
  payment_failed: 'Payment failed',
};

/** The status after `status` in the delivery chain, or null when it cannot move on by shipping. */
export function nextDeliveryStatus(status: OrderStatus): DeliveryStatus | null {
  if (status === 'created' || status === 'payment_failed' || status === 'delivered') return null;
  return DELIVERY_STATUSES[DELIVERY_STATUSES.indexOf(status) + 1] ?? null;
}

export function setOrderStatus(ctx: ShopContext, orderId: number, status: OrderStatus, atMs: number): void {
  ctx.db.transaction(() => {
    ctx.db
      .prepare('UPDATE orders SET status = ?, status_changed_at = ? WHERE id = ?')
      .run(status, atMs, orderId);
    ctx.db
      .prepare('INSERT INTO order_events (order_id, status, at) VALUES (?, ?, ?)')
      .run(orderId, status, atMs);
  })();
}

/** Applies the steps that elapsed since the last change; returns the statuses reached. */
export function advanceWithTime(ctx: ShopContext, orderId: number): DeliveryStatus[] {
  if (ctx.deliveryStepMs <= 0) return [];
  const row = ctx.db.prepare('SELECT status, status_changed_at FROM orders WHERE id = ?').get(orderId) as
    { status: OrderStatus; status_changed_at: number } | undefined;
  if (!row) return [];
  const reached: DeliveryStatus[] = [];
  let status = row.status;
  let changedAtMs = row.status_changed_at;
  const nowMs = ctx.clock.nowMs();
  for (let next = nextDeliveryStatus(status); next && nowMs - changedAtMs >= ctx.deliveryStepMs;) {
    changedAtMs += ctx.deliveryStepMs;
    setOrderStatus(ctx, orderId, next, changedAtMs);
    reached.push(next);
    status = next;
    next = nextDeliveryStatus(status);
  }
  return reached;
}

/** The admin's "advance" button; null when the order cannot move on. */
export function advanceByAdmin(ctx: ShopContext, orderId: number): DeliveryStatus | null {
  const row = ctx.db.prepare('SELECT status FROM orders WHERE id = ?').get(orderId) as
    { status: OrderStatus } | undefined;
  const next = row ? nextDeliveryStatus(row.status) : null;
  if (next) setOrderStatus(ctx, orderId, next, ctx.clock.nowMs());
  return next;
}
