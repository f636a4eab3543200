/**
 * Order routes: the customer's order list, one order with tracking (home of the
 * `idor-order-page` flaw in vulnerable mode), and the admin page that advances delivery.
 */
import type { FastifyInstance } from 'fastify';
import type { ShopContext } from '../context.js';
import { advanceByAdmin } from '../delivery.js';
import { accountIdOf } from '../events.js';
import { getOrder, listOrders, type Order } from '../orders.js';
import type { Customer } from '../sessions.js';
import { adminPage, orderPage, ordersPage } from '../views/account-pages.js';
import { idParam, requireCsrf, requireCustomer, sendMessage, sendPage, viewOf } from './common.js';

export const ADMIN_ORDER_LIMIT = 200;

/** The order if `customer` may see it; in vulnerable mode any logged-in customer sees any order (CWE-639). */
export function visibleOrder(ctx: ShopContext, customer: Customer, orderId: number | null): Order | null {
  if (orderId === null) return null;
  const order = getOrder(ctx, orderId);
  if (!order) return null;
  if (ctx.vulnerable || customer.isAdmin || order.customerId === customer.id) return order;
  return null;
}

export function registerOrderRoutes(app: FastifyInstance, ctx: ShopContext): void {
  app.get('/orders', async (req, reply) => {
    const customer = requireCustomer(req, reply);
    if (!customer) return reply;
    return sendPage(
      reply,
      200,
      ordersPage(viewOf(ctx, req), listOrders(ctx, { customerId: customer.id, limit: 100 })),
    );
  });

  app.get<{ Params: { id: string } }>('/orders/:id', async (req, reply) => {
    const customer = requireCustomer(req, reply);
    if (!customer) return reply;
    const order = visibleOrder(ctx, customer, idParam(req.params.id));
    // 404 rather than 403 so order numbers that exist are not revealed.
    if (!order) return sendMessage(ctx, req, reply, 404, 'Not found', 'This order does not exist.');
    return sendPage(reply, 200, orderPage(viewOf(ctx, req), order));
  });

  app.get('/admin', async (req, reply) => {
    const customer = requireCustomer(req, reply);
    if (!customer) return reply;
    if (!customer.isAdmin)
      return sendMessage(ctx, req, reply, 403, 'Forbidden', 'Only the shop admin may open this page.');
    return sendPage(reply, 200, adminPage(viewOf(ctx, req), listOrders(ctx, { limit: ADMIN_ORDER_LIMIT })));
  });

  app.post<{ Params: { id: string } }>('/admin/orders/:id/advance', async (req, reply) => {
    const customer = requireCustomer(req, reply);
    if (!customer) return reply;
    if (!customer.isAdmin)
      return sendMessage(ctx, req, reply, 403, 'Forbidden', 'Only the shop admin may do this.');
    if (!requireCsrf(ctx, req, reply)) return reply;
    const orderId = idParam(req.params.id);
    const order = orderId === null ? null : getOrder(ctx, orderId);
    if (!order) return sendMessage(ctx, req, reply, 404, 'Not found', 'This order does not exist.');
    const next = advanceByAdmin(ctx, order.id);
    if (!next)
      return sendMessage(ctx, req, reply, 409, 'Cannot advance', `Order #${order.id} is ${order.status}.`);
    ctx.emit({
      type: 'delivery_status',
      outcome: 'success',
      accountId: accountIdOf(order.customerId),
      postalAddress: order.shippingAddress,
      clientIp: req.ip,
      attributes: { orderId: order.id, from: order.status, to: next, by: accountIdOf(customer.id) },
    });
    return reply.redirect('/admin', 303);
  });
}
