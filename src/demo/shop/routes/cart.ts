/**
 * Cart and checkout routes: add, update, remove, apply a coupon, and pay. Emits coupon
 * events here; checkout's payment and order events come from orders.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addToCart, couponCodesWith, getCart, setCartQuantity } from '../cart.js';
import { field, intField, type ShopContext } from '../context.js';
import { checkCoupon, COUPON_REJECTION_MESSAGES } from '../coupons.js';
import { accountIdOf } from '../events.js';
import { placeOrder } from '../orders.js';
import { currentSession, ensureSession, setSessionCoupon, type ShopSession } from '../sessions.js';
import { cartPage, checkoutPage } from '../views/catalogue-pages.js';
import { requireCsrf, requireCustomer, sendPage, viewOf } from './common.js';

export const ADD_TO_CART_MESSAGES = {
  unknown_product: 'This product does not exist.',
  out_of_stock: 'Not enough stock for that quantity.',
  invalid_quantity: 'The quantity must be a whole number from 1 to 10.',
  unsupported_currency: 'This shop charges in EUR only.',
} as const;

/** The HTTP status of a refused add-to-cart: 404 for an unknown product, 409 for stock, else 400. */
export function addToCartStatus(reason: keyof typeof ADD_TO_CART_MESSAGES): number {
  if (reason === 'unknown_product') return 404;
  return reason === 'out_of_stock' ? 409 : 400;
}

/** Applies a coupon to the session and emits the coupon event; returns the message to show. */
export function applyCoupon(
  ctx: ShopContext,
  req: FastifyRequest,
  session: ShopSession,
  rawCode: string,
): { ok: boolean; message: string } {
  const code = rawCode.toUpperCase().slice(0, 32);
  const cart = getCart(ctx, session);
  const check = checkCoupon(ctx, code, session.customer?.id ?? null, cart.subtotalMinor);
  const who = session.customer
    ? { accountId: accountIdOf(session.customer.id), email: session.customer.email }
    : {};
  ctx.emit({
    type: 'coupon',
    outcome: check.ok ? 'success' : 'failure',
    ...who,
    amountMinor: check.ok ? check.discountMinor : undefined,
    currency: cart.currency,
    clientIp: req.ip,
    attributes: { code, stage: 'apply', ...(check.ok ? {} : { reason: check.reason }) },
  });
  if (!check.ok) return { ok: false, message: COUPON_REJECTION_MESSAGES[check.reason] };
  setSessionCoupon(ctx, session, couponCodesWith(ctx, session, check.coupon.code));
  return { ok: true, message: `Coupon ${check.coupon.code} applied: ${check.coupon.description}.` };
}

/** The client's price, read only because vulnerable mode honours it (flaw `client-price-trusted`). */
export function clientPrice(ctx: ShopContext, body: unknown, name: string): number | null {
  if (!ctx.vulnerable) return null;
  const value = intField(body, name, -1);
  return value >= 0 ? value : null;
}

/** The HTTP status of a refused checkout: 402 for the card, 429 for the payment limit, else 409. */
export function checkoutStatus(reason: string): number {
  if (reason === 'payment_declined' || reason === 'card_invalid') return 402;
  return reason === 'rate_limited' ? 429 : 409;
}

export function registerCartRoutes(app: FastifyInstance, ctx: ShopContext): void {
  app.get('/cart', async (req, reply) => {
    const session = ensureSession(ctx, req, reply);
    return sendPage(reply, 200, cartPage(viewOf(ctx, req), getCart(ctx, session)));
  });

  app.post('/cart/add', async (req, reply) => {
    if (!requireCsrf(ctx, req, reply)) return reply;
    const session = ensureSession(ctx, req, reply);
    const result = addToCart(ctx, session, intField(req.body, 'product_id', 0), {
      quantity: field(req.body, 'quantity', 20),
      currency: field(req.body, 'currency', 20),
      clientPriceMinor: clientPrice(ctx, req.body, 'price_minor'),
    });
    if (!result.ok) {
      return sendPage(
        reply,
        addToCartStatus(result.reason),
        cartPage(viewOf(ctx, req), getCart(ctx, session), ADD_TO_CART_MESSAGES[result.reason]),
      );
    }
    return reply.redirect('/cart', 303);
  });

  app.post('/cart/update', async (req, reply) => {
    if (!requireCsrf(ctx, req, reply)) return reply;
    const session = currentSession(req);
    if (session)
      setCartQuantity(ctx, session, intField(req.body, 'product_id', 0), intField(req.body, 'quantity', 1));
    return reply.redirect('/cart', 303);
  });

  app.post('/cart/remove', async (req, reply) => {
    if (!requireCsrf(ctx, req, reply)) return reply;
    const session = currentSession(req);
    if (session) setCartQuantity(ctx, session, intField(req.body, 'product_id', 0), 0);
    return reply.redirect('/cart', 303);
  });

  app.post('/cart/coupon', async (req, reply) => {
    if (!requireCsrf(ctx, req, reply)) return reply;
    const session = ensureSession(ctx, req, reply);
    const result = applyCoupon(ctx, req, session, field(req.body, 'code', 64));
    return sendPage(
      reply,
      result.ok ? 200 : 400,
      cartPage(viewOf(ctx, req), getCart(ctx, session), result.message),
    );
  });

  app.get('/checkout', async (req, reply) => {
    const customer = requireCustomer(req, reply);
    if (!customer) return reply;
    const session = ensureSession(ctx, req, reply);
    const cart = getCart(ctx, session);
    if (cart.lines.length === 0) return reply.redirect('/cart', 303);
    return sendPage(reply, 200, checkoutPage(viewOf(ctx, req), cart, customer.postalAddress));
  });

  app.post('/checkout', async (req, reply) => {
    const customer = requireCustomer(req, reply);
    if (!customer || !requireCsrf(ctx, req, reply)) return reply;
    const session = ensureSession(ctx, req, reply);
    const address = field(req.body, 'address', 500) || customer.postalAddress;
    const result = await placeOrder(
      ctx,
      session,
      {
        shippingAddress: address,
        card: {
          number: field(req.body, 'card_number', 40),
          expMonth: intField(req.body, 'exp_month', 0),
          expYear: intField(req.body, 'exp_year', 0),
          cvc: field(req.body, 'cvc', 8),
        },
      },
      req.ip,
    );
    if (result.ok) return reply.redirect(`/orders/${result.orderId}`, 303);
    const status = checkoutStatus(result.reason);
    if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
    return sendPage(
      reply,
      status,
      checkoutPage(viewOf(ctx, req), getCart(ctx, session), address, result.message),
    );
  });
}
