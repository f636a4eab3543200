/**
 * The shop's JSON API, a mirror of the pages for scripts and the traffic simulator.
 * Same rules and flaws as the pages. In safe mode, state-changing calls must be sent as
 * application/json (a cross-site form cannot), which is the API's CSRF defence.
 * Errors are the shop's own `{ error: { code, message } }`, not Ensuresec's catalogue.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { addToCart, getCart, setCartQuantity } from '../cart.js';
import { listProducts, productBySlug, searchProducts } from '../catalogue.js';
import { field, intField, type ShopContext } from '../context.js';
import { listOrders, placeOrder } from '../orders.js';
import { currentCustomer, ensureSession, rotateSession } from '../sessions.js';
import { attemptLogin, attemptRegistration, loginFailureMessage } from './account.js';
import { ADD_TO_CART_MESSAGES, addToCartStatus, applyCoupon, checkoutStatus, clientPrice } from './cart.js';
import { idParam } from './common.js';
import { visibleOrder } from './orders.js';

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

function cardOf(body: unknown): { number: string; expMonth: number; expYear: number; cvc: string } {
  const card = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).card : undefined;
  return {
    number: field(card, 'number', 40),
    expMonth: intField(card, 'expMonth', 0),
    expYear: intField(card, 'expYear', 0),
    cvc: field(card, 'cvc', 8),
  };
}

export function registerApiRoutes(app: FastifyInstance, ctx: ShopContext): void {
  app.addHook('preHandler', async (req, reply) => {
    if (ctx.vulnerable || !req.url.startsWith('/api/') || !['POST', 'PUT', 'PATCH'].includes(req.method))
      return;
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return fail(reply, 415, 'unsupported_media_type', 'Send application/json.');
    }
  });

  app.get('/api/products', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    if (typeof query.q !== 'string') return { products: listProducts(ctx) };
    const result = searchProducts(ctx, query.q.slice(0, 200));
    return result.ok ? { products: result.products } : fail(reply, 500, 'database_error', result.sqlError);
  });

  app.get<{ Params: { slug: string } }>('/api/products/:slug', async (req, reply) => {
    const product = productBySlug(ctx, req.params.slug);
    return product ? { product } : fail(reply, 404, 'not_found', 'No such product.');
  });

  app.get('/api/session', async (req, reply) => {
    const session = ensureSession(ctx, req, reply);
    return { customer: session.customer, csrfToken: session.csrfToken, cart: getCart(ctx, session) };
  });

  app.post('/api/register', async (req, reply) => {
    const input = {
      email: field(req.body, 'email', 300),
      password: field(req.body, 'password', 200),
      name: field(req.body, 'name', 150),
    };
    const result = await attemptRegistration(ctx, req, reply, input);
    // No customer id: safe mode answers a taken email the same way as a new account.
    return result.ok ? reply.code(201).send({ ok: true }) : fail(reply, 400, 'invalid', result.message);
  });

  app.post('/api/login', async (req, reply) => {
    const outcome = await attemptLogin(
      ctx,
      req,
      reply,
      field(req.body, 'email', 254),
      field(req.body, 'password', 128),
    );
    if (outcome.status === 'ok') return { customerId: outcome.customerId };
    if (outcome.status === 'rate_limited') {
      reply.header('retry-after', String(outcome.retryAfterSeconds));
      return fail(reply, 429, 'rate_limited', 'Too many failed logins; try again later.');
    }
    return fail(reply, 401, 'invalid_credentials', loginFailureMessage(ctx, outcome.reason));
  });

  app.post('/api/logout', async (req, reply) => {
    rotateSession(ctx, req, reply, null);
    return { ok: true };
  });

  app.get('/api/cart', async (req, reply) => getCart(ctx, ensureSession(ctx, req, reply)));

  app.post('/api/cart', async (req, reply) => {
    const session = ensureSession(ctx, req, reply);
    const result = addToCart(ctx, session, intField(req.body, 'productId', 0), {
      quantity: field(req.body, 'quantity', 20),
      currency: field(req.body, 'currency', 20),
      clientPriceMinor: clientPrice(ctx, req.body, 'priceMinor'),
    });
    if (!result.ok)
      return fail(reply, addToCartStatus(result.reason), result.reason, ADD_TO_CART_MESSAGES[result.reason]);
    return getCart(ctx, session);
  });

  app.patch<{ Params: { productId: string } }>('/api/cart/:productId', async (req, reply) => {
    const session = ensureSession(ctx, req, reply);
    setCartQuantity(ctx, session, idParam(req.params.productId) ?? 0, intField(req.body, 'quantity', 1));
    return getCart(ctx, session);
  });

  app.delete<{ Params: { productId: string } }>('/api/cart/:productId', async (req, reply) => {
    const session = ensureSession(ctx, req, reply);
    setCartQuantity(ctx, session, idParam(req.params.productId) ?? 0, 0);
    return getCart(ctx, session);
  });

  app.post('/api/cart/coupon', async (req, reply) => {
    const session = ensureSession(ctx, req, reply);
    const result = applyCoupon(ctx, req, session, field(req.body, 'code', 64));
    return result.ok ? getCart(ctx, session) : fail(reply, 400, 'coupon_rejected', result.message);
  });

  app.post('/api/checkout', async (req, reply) => {
    const session = ensureSession(ctx, req, reply);
    if (!session.customer) return fail(reply, 401, 'login_required', 'Log in to check out.');
    const address = field(req.body, 'address', 500) || session.customer.postalAddress;
    const result = await placeOrder(
      ctx,
      session,
      { card: cardOf(req.body), shippingAddress: address },
      req.ip,
    );
    if (result.ok) return reply.code(201).send({ orderId: result.orderId });
    const status = checkoutStatus(result.reason);
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    return reply
      .code(status)
      .send({ error: { code: result.reason, message: result.message, orderId: result.orderId } });
  });

  app.get('/api/orders', async (req, reply) => {
    const customer = currentCustomer(req);
    if (!customer) return fail(reply, 401, 'login_required', 'Log in first.');
    return { orders: listOrders(ctx, { customerId: customer.id, limit: 100 }) };
  });

  app.get<{ Params: { id: string } }>('/api/orders/:id', async (req, reply) => {
    const customer = currentCustomer(req);
    if (!customer) return fail(reply, 401, 'login_required', 'Log in first.');
    const order = visibleOrder(ctx, customer, idParam(req.params.id));
    return order ? { order } : fail(reply, 404, 'not_found', 'No such order.');
  });
}
