/**
 * Account routes: register, log in (argon2id, session rotation, rate limit in safe mode),
 * log out, and the postal address. Emits login, registration and address events.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, registerCustomer, updatePostalAddress } from '../accounts.js';
import { field, type ShopContext } from '../context.js';
import { accountIdOf } from '../events.js';
import { ensureSession, rotateSession } from '../sessions.js';
import { accountPage, loginPage, registerPage } from '../views/account-pages.js';
import { requireCsrf, requireCustomer, sendPage, viewOf } from './common.js';

const REGISTRATION_MESSAGES = {
  invalid_email: 'Please enter a valid email address.',
  weak_password: 'The password must be 8 to 128 characters long.',
  invalid_name: 'Please enter your name (up to 100 characters).',
  email_taken: 'An account with this email already exists.',
} as const;

export type LoginOutcome =
  | { status: 'ok'; customerId: number }
  | { status: 'rate_limited'; retryAfterSeconds: number }
  | { status: 'invalid'; reason: 'unknown_account' | 'wrong_password' };

/** The login decision shared by the HTML form and the JSON API. */
export async function attemptLogin(
  ctx: ShopContext,
  req: FastifyRequest,
  reply: FastifyReply,
  email: string,
  password: string,
): Promise<LoginOutcome> {
  const retryAfterSeconds = ctx.loginLimiter?.retryAfterSeconds(req.ip, email) ?? 0;
  if (retryAfterSeconds > 0) {
    ctx.emit({
      type: 'login',
      outcome: 'failure',
      email,
      clientIp: req.ip,
      attributes: { reason: 'rate_limited' },
    });
    return { status: 'rate_limited', retryAfterSeconds };
  }
  const result = await authenticate(ctx, email, password);
  if (!result.ok) {
    ctx.loginLimiter?.recordFailure(req.ip, email);
    ctx.emit({
      type: 'login',
      outcome: 'failure',
      email,
      clientIp: req.ip,
      attributes: { reason: result.reason },
    });
    return { status: 'invalid', reason: result.reason };
  }
  rotateSession(ctx, req, reply, result.customerId);
  ctx.emit({
    type: 'login',
    outcome: 'success',
    accountId: accountIdOf(result.customerId),
    email: email.toLowerCase(),
    clientIp: req.ip,
    attributes: { userAgent: req.headers['user-agent'] ?? '' },
  });
  return { status: 'ok', customerId: result.customerId };
}

/** One message for every failure; vulnerable mode tells unknown accounts apart (flaw `account-enumeration-login`). */
export function loginFailureMessage(ctx: ShopContext, reason: 'unknown_account' | 'wrong_password'): string {
  if (ctx.vulnerable && reason === 'unknown_account') return 'There is no account with this email address.';
  return 'The email or password is wrong.';
}

export async function attemptRegistration(
  ctx: ShopContext,
  req: FastifyRequest,
  reply: FastifyReply,
  input: { email: string; password: string; name: string },
): Promise<{ ok: true; customerId: number | null } | { ok: false; message: string }> {
  const result = await registerCustomer(ctx, input);
  if (!result.ok) {
    ctx.emit({
      type: 'registration',
      outcome: 'failure',
      email: input.email,
      clientIp: req.ip,
      attributes: { reason: result.reason },
    });
    // Safe mode answers a taken email like a new account (a fresh session, the same redirect,
    // the same hashing time) and logs nobody in; a real shop would email the owner instead.
    // Deliberate flaw `account-enumeration-registration` (CWE-204) in vulnerable mode: it says so.
    if (result.reason === 'email_taken' && !ctx.vulnerable) {
      rotateSession(ctx, req, reply, null);
      return { ok: true, customerId: null };
    }
    return { ok: false, message: REGISTRATION_MESSAGES[result.reason] };
  }
  rotateSession(ctx, req, reply, result.customerId);
  ctx.emit({
    type: 'registration',
    outcome: 'success',
    accountId: accountIdOf(result.customerId),
    email: input.email.toLowerCase(),
    clientIp: req.ip,
    attributes: {},
  });
  return { ok: true, customerId: result.customerId };
}

export function registerAccountRoutes(app: FastifyInstance, ctx: ShopContext): void {
  app.get('/login', async (req, reply) => {
    ensureSession(ctx, req, reply);
    return sendPage(reply, 200, loginPage(viewOf(ctx, req)));
  });

  app.post('/login', async (req, reply) => {
    if (!requireCsrf(ctx, req, reply)) return reply;
    const email = field(req.body, 'email', 254);
    const outcome = await attemptLogin(ctx, req, reply, email, field(req.body, 'password', 128));
    if (outcome.status === 'ok') return reply.redirect('/', 303);
    if (outcome.status === 'rate_limited') {
      reply.header('retry-after', String(outcome.retryAfterSeconds));
      return sendPage(
        reply,
        429,
        loginPage(viewOf(ctx, req), email, 'Too many failed logins; try again later.'),
      );
    }
    return sendPage(reply, 401, loginPage(viewOf(ctx, req), email, loginFailureMessage(ctx, outcome.reason)));
  });

  app.get('/register', async (req, reply) => {
    ensureSession(ctx, req, reply);
    return sendPage(reply, 200, registerPage(viewOf(ctx, req), { email: '', name: '' }));
  });

  app.post('/register', async (req, reply) => {
    if (!requireCsrf(ctx, req, reply)) return reply;
    const input = {
      email: field(req.body, 'email', 300),
      password: field(req.body, 'password', 200),
      name: field(req.body, 'name', 150),
    };
    const result = await attemptRegistration(ctx, req, reply, input);
    if (result.ok) return reply.redirect('/', 303);
    return sendPage(reply, 400, registerPage(viewOf(ctx, req), input, result.message));
  });

  app.post('/logout', async (req, reply) => {
    if (!requireCsrf(ctx, req, reply)) return reply;
    const customer = viewOf(ctx, req).session?.customer;
    rotateSession(ctx, req, reply, null);
    if (customer) {
      ctx.emit({
        type: 'logout',
        accountId: accountIdOf(customer.id),
        email: customer.email,
        clientIp: req.ip,
        attributes: {},
      });
    }
    return reply.redirect('/', 303);
  });

  app.get('/account', async (req, reply) => {
    if (!requireCustomer(req, reply)) return reply;
    return sendPage(reply, 200, accountPage(viewOf(ctx, req)));
  });

  app.post('/account/address', async (req, reply) => {
    const customer = requireCustomer(req, reply);
    if (!customer || !requireCsrf(ctx, req, reply)) return reply;
    const address = field(req.body, 'address', 500);
    updatePostalAddress(ctx, customer.id, address);
    ctx.emit({
      type: 'address_change',
      outcome: 'success',
      accountId: accountIdOf(customer.id),
      email: customer.email,
      postalAddress: address,
      clientIp: req.ip,
      attributes: { hadAddress: customer.postalAddress !== '' },
    });
    customer.postalAddress = address;
    return sendPage(reply, 200, accountPage(viewOf(ctx, req), 'Address saved.'));
  });
}
