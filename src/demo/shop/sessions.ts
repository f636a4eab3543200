/**
 * Shop sessions: an opaque random id in the `shop_sid` cookie (HttpOnly, SameSite=Lax)
 * pointing at a row that holds the customer, the CSRF token and the applied coupon. The
 * cart hangs off the session. Sessions are created only when a page needs one and are
 * rotated on login so a planted session id never becomes a logged-in one.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ShopContext } from './context.js';
import { field } from './context.js';

export const SESSION_COOKIE = 'shop_sid';

export interface Customer {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  postalAddress: string;
}

export interface ShopSession {
  id: string;
  csrfToken: string;
  couponCode: string | null;
  customer: Customer | null;
}

interface SessionRow {
  id: string;
  csrf_token: string;
  coupon_code: string | null;
  customer_id: number | null;
  email: string | null;
  name: string | null;
  is_admin: number | null;
  postal_address: string | null;
}

const sessions = new WeakMap<FastifyRequest, ShopSession>();

function loadSession(ctx: ShopContext, id: string): ShopSession | null {
  const row = ctx.db
    .prepare(
      `SELECT s.id, s.csrf_token, s.coupon_code, s.customer_id, c.email, c.name, c.is_admin, c.postal_address
       FROM sessions s LEFT JOIN customers c ON c.id = s.customer_id WHERE s.id = ? AND s.expires_at > ?`,
    )
    .get(id, ctx.clock.nowMs()) as SessionRow | undefined;
  if (!row) return null;
  return {
    id: row.id,
    csrfToken: row.csrf_token,
    couponCode: row.coupon_code,
    customer:
      row.customer_id === null
        ? null
        : {
            id: row.customer_id,
            email: row.email ?? '',
            name: row.name ?? '',
            isAdmin: row.is_admin === 1,
            postalAddress: row.postal_address ?? '',
          },
  };
}

/** Loads the session named by the cookie, if any; never creates one. */
export function registerSessions(app: FastifyInstance, ctx: ShopContext): void {
  app.addHook('preHandler', async (req) => {
    const id = req.cookies[SESSION_COOKIE];
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{20,64}$/.test(id)) return;
    const session = loadSession(ctx, id);
    if (session) sessions.set(req, session);
  });
}

export function currentSession(req: FastifyRequest): ShopSession | null {
  return sessions.get(req) ?? null;
}

export function currentCustomer(req: FastifyRequest): Customer | null {
  return sessions.get(req)?.customer ?? null;
}

function setCookie(reply: FastifyReply, id: string, ttlMs: number): void {
  reply.setCookie(SESSION_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    maxAge: Math.floor(ttlMs / 1000),
  });
}

function insertSession(ctx: ShopContext, customerId: number | null, couponCode: string | null): string {
  const id = randomBytes(24).toString('base64url');
  const nowMs = ctx.clock.nowMs();
  ctx.db
    .prepare(
      'INSERT INTO sessions (id, customer_id, csrf_token, coupon_code, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(id, customerId, randomBytes(24).toString('base64url'), couponCode, nowMs, nowMs + ctx.sessionTtlMs);
  // Expired sessions are swept now and then rather than by a timer.
  if (Math.random() < 0.01) ctx.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(nowMs);
  return id;
}

/** The request's session, creating an anonymous one (and its cookie) when there is none. */
export function ensureSession(ctx: ShopContext, req: FastifyRequest, reply: FastifyReply): ShopSession {
  const existing = sessions.get(req);
  if (existing) return existing;
  const id = insertSession(ctx, null, null);
  setCookie(reply, id, ctx.sessionTtlMs);
  const session = loadSession(ctx, id);
  if (!session) throw new Error('session vanished right after insert');
  sessions.set(req, session);
  return session;
}

/** Starts a fresh session for `customerId` (or anonymous), carrying the cart over, and drops the old one. */
export function rotateSession(
  ctx: ShopContext,
  req: FastifyRequest,
  reply: FastifyReply,
  customerId: number | null,
): ShopSession {
  const old = sessions.get(req);
  const id = insertSession(ctx, customerId, old?.couponCode ?? null);
  if (old) {
    ctx.db.transaction(() => {
      ctx.db.prepare('UPDATE cart_items SET session_id = ? WHERE session_id = ?').run(id, old.id);
      ctx.db.prepare('DELETE FROM sessions WHERE id = ?').run(old.id);
    })();
  }
  setCookie(reply, id, ctx.sessionTtlMs);
  const session = loadSession(ctx, id);
  if (!session) throw new Error('session vanished right after insert');
  sessions.set(req, session);
  return session;
}

export function setSessionCoupon(ctx: ShopContext, session: ShopSession, code: string | null): void {
  ctx.db.prepare('UPDATE sessions SET coupon_code = ? WHERE id = ?').run(code, session.id);
  session.couponCode = code;
}

/** Safe mode: the form's `_csrf` field (or `x-csrf-token` header) must match the session's token. */
export function csrfValid(ctx: ShopContext, req: FastifyRequest): boolean {
  if (ctx.vulnerable) return true;
  const session = sessions.get(req);
  if (!session) return false;
  const header = req.headers['x-csrf-token'];
  const sent = field(req.body, '_csrf', 128) || (typeof header === 'string' ? header : '');
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(sent);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
