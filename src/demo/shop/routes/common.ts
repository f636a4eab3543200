/**
 * Helpers the shop's route files share: the view context, sending a page, and the
 * login and CSRF guards that answer with a page instead of throwing.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ShopContext } from '../context.js';
import type { SafeHtml } from '../html.js';
import { csrfValid, currentSession, type Customer } from '../sessions.js';
import type { ViewContext } from '../views/layout.js';
import { messagePage } from '../views/account-pages.js';

export function viewOf(ctx: ShopContext, req: FastifyRequest): ViewContext {
  const session = currentSession(req);
  const cartCount = session
    ? (
        ctx.db
          .prepare('SELECT COALESCE(SUM(quantity), 0) AS n FROM cart_items WHERE session_id = ?')
          .get(session.id) as {
          n: number;
        }
      ).n
    : 0;
  return { session, vulnerable: ctx.vulnerable, cartCount };
}

export function sendPage(reply: FastifyReply, status: number, body: SafeHtml): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.value);
}

export function sendMessage(
  ctx: ShopContext,
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
): FastifyReply {
  return sendPage(reply, status, messagePage(viewOf(ctx, req), title, message));
}

/** The logged-in customer, or null after redirecting to the login page. */
export function requireCustomer(req: FastifyRequest, reply: FastifyReply): Customer | null {
  const customer = currentSession(req)?.customer ?? null;
  if (!customer) void reply.redirect('/login', 303);
  return customer;
}

/** True when the form's CSRF token is valid (always in vulnerable mode); answers 403 otherwise. */
export function requireCsrf(ctx: ShopContext, req: FastifyRequest, reply: FastifyReply): boolean {
  if (csrfValid(ctx, req)) return true;
  void sendMessage(
    ctx,
    req,
    reply,
    403,
    'Form expired',
    'The form was missing its security token; reload the page and try again.',
  );
  return false;
}

/** Parses a numeric route parameter; null for anything that is not a plain positive integer. */
export function idParam(value: unknown): number | null {
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : null;
}
