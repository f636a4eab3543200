/**
 * The Ensuresec demo shop: a real small e-commerce shop (catalogue, accounts, cart,
 * coupons, checkout against the fake payment provider, orders, delivery tracking, admin)
 * that `ensuresec demo` puts behind the gateway. It reports business events through
 * `onBusinessEvent`; `vulnerable: true` switches on the flaws listed in VULNERABILITIES.
 *
 * @example
 * const shop = await createDemoShop({ dataDir: null, onBusinessEvent: (e) => bridge(e) });
 * const { url } = await shop.listen(); // http://127.0.0.1:8781
 * await shop.close();
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { createPaymentProvider, type PaymentProviderOptions } from '../payment/index.js';
import { ADMIN_EMAIL, randomPassword, seedAdmin } from './accounts.js';
import type { ShopContext } from './context.js';
import { openShopDb } from './db.js';
import { safeEmitter, type BusinessEventListener } from './events.js';
import {
  DEFAULT_LOGIN_RATE_LIMIT,
  DEFAULT_PAYMENT_RATE_LIMIT,
  LoginRateLimiter,
  type LoginRateLimitOptions,
} from './rate-limit.js';
import { registerAccountRoutes } from './routes/account.js';
import { registerApiRoutes } from './routes/api.js';
import { registerCartRoutes } from './routes/cart.js';
import { registerCatalogueRoutes } from './routes/catalogue.js';
import { sendMessage } from './routes/common.js';
import { registerExposedFiles } from './routes/exposed.js';
import { registerOrderRoutes } from './routes/orders.js';
import { registerToolRoutes } from './routes/tools.js';
import { registerTrackingRoutes } from './routes/tracking.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerSessions } from './sessions.js';

export { VULNERABILITIES, type Vulnerability, type VulnerabilityId } from './vulnerabilities.js';
export {
  BUSINESS_EVENT_TYPES,
  type BusinessEvent,
  type BusinessEventListener,
  type BusinessEventType,
} from './events.js';
export { DELIVERY_STATUSES, type DeliveryStatus, type OrderStatus } from './delivery.js';
export { ADMIN_EMAIL } from './accounts.js';
export type { LoginRateLimitOptions } from './rate-limit.js';

export const DEMO_SHOP_DEFAULT_PORT = 8781;

export interface DemoShopOptions {
  host?: string;
  /** Default 8781; 0 picks a free port. */
  port?: number;
  /** Directory for the shop's SQLite file; null or ':memory:' keeps it in memory. */
  dataDir?: string | null;
  vulnerable?: boolean;
  logger?: Logger;
  paymentProvider?: PaymentProviderOptions;
  onBusinessEvent?: BusinessEventListener;
  /** The admin's password; random when absent (read it from `shop.admin`). */
  adminPassword?: string;
  /** One delivery step per this many ms after payment (default 120000); 0 = only the admin advances. */
  deliveryStepMs?: number;
  /** Safe mode's login limit; vulnerable mode has none. */
  loginRateLimit?: Partial<LoginRateLimitOptions>;
  /** Safe mode's limit on failed payments (card testing); vulnerable mode has none. */
  paymentRateLimit?: Partial<LoginRateLimitOptions>;
  /** Which proxies may set X-Forwarded-For (default: loopback, i.e. the demo gateway). */
  trustProxy?: boolean | string;
  sessionTtlMs?: number;
  clock?: Clock;
}

export interface DemoShop {
  readonly app: FastifyInstance;
  readonly vulnerable: boolean;
  readonly admin: { email: string; password: string };
  listen(): Promise<{ url: string }>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function createDemoShop(options: DemoShopOptions = {}): Promise<DemoShop> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const clock = options.clock ?? systemClock;
  const vulnerable = options.vulnerable ?? false;
  const db = openShopDb(options.dataDir);
  const ctx: ShopContext = {
    db,
    vulnerable,
    clock,
    payment: createPaymentProvider({ clock, ...options.paymentProvider }),
    emit: safeEmitter(options.onBusinessEvent, logger),
    loginLimiter: vulnerable
      ? null
      : new LoginRateLimiter({ ...DEFAULT_LOGIN_RATE_LIMIT, ...options.loginRateLimit }, clock),
    paymentLimiter: vulnerable
      ? null
      : new LoginRateLimiter({ ...DEFAULT_PAYMENT_RATE_LIMIT, ...options.paymentRateLimit }, clock),
    logger,
    deliveryStepMs: options.deliveryStepMs ?? 120_000,
    sessionTtlMs: options.sessionTtlMs ?? 24 * 60 * 60_000,
  };
  const admin = { email: ADMIN_EMAIL, password: options.adminPassword ?? randomPassword() };
  await seedAdmin(ctx, admin.password);

  // At warn level, so the per-request info lines Fastify writes stay out of the demo's log.
  const loggerInstance: FastifyBaseLogger | undefined = options.logger
    ? logger.child({ component: 'demo-shop' }, { level: 'warn' })
    : undefined;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: options.trustProxy ?? 'loopback',
  });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: MAX_BODY_BYTES });
  if (!vulnerable) registerSecurityHeaders(app);
  registerSessions(app, ctx);
  registerCatalogueRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerCartRoutes(app, ctx);
  registerOrderRoutes(app, ctx);
  registerApiRoutes(app, ctx);
  registerToolRoutes(app, ctx);
  registerTrackingRoutes(app, ctx);
  if (vulnerable) registerExposedFiles(app);

  app.setNotFoundHandler(async (req, reply) =>
    req.url.startsWith('/api/')
      ? reply.code(404).send({ error: { code: 'not_found', message: 'No such endpoint.' } })
      : sendMessage(ctx, req, reply, 404, 'Not found', 'This page does not exist.'),
  );
  app.setErrorHandler(async (err: { statusCode?: number; message?: string }, req, reply) => {
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500
        ? err.statusCode
        : 500;
    if (status === 500) logger.error({ err, url: req.url }, 'demo shop: request failed');
    const message =
      status === 500 ? 'Something went wrong on our side.' : 'The request could not be understood.';
    if (req.url.startsWith('/api/'))
      return reply.code(status).send({ error: { code: 'request_failed', message } });
    return sendMessage(ctx, req, reply, status, status === 500 ? 'Error' : 'Bad request', message);
  });

  return {
    app,
    vulnerable,
    admin,
    async listen() {
      try {
        const url = await app.listen({
          host: options.host ?? '127.0.0.1',
          port: options.port ?? DEMO_SHOP_DEFAULT_PORT,
        });
        return { url };
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new EnsuresecError('port_in_use', {
            detail: `demo shop port ${options.port ?? DEMO_SHOP_DEFAULT_PORT}`,
            cause,
          });
        }
        throw cause;
      }
    },
    async close() {
      await app.close();
      db.close();
    },
  };
}
