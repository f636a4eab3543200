/**
 * What every shop route shares: the database, the mode, the clock, the payment provider,
 * the business-event emitter and the login limiter. Built once in `createDemoShop`.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { PaymentProvider } from '../payment/index.js';
import type { ShopDb } from './db.js';
import type { BusinessEventListener } from './events.js';
import type { LoginRateLimiter } from './rate-limit.js';

export interface ShopContext {
  db: ShopDb;
  vulnerable: boolean;
  clock: Clock;
  payment: PaymentProvider;
  emit: BusinessEventListener;
  /** null in vulnerable mode (flaw `no-login-rate-limit`). */
  loginLimiter: LoginRateLimiter | null;
  /** Failed payments per account and address; null in vulnerable mode (flaw `no-payment-rate-limit`). */
  paymentLimiter: LoginRateLimiter | null;
  logger: Logger;
  /** Delivery advances one step per this many ms after payment; 0 = only the admin advances it. */
  deliveryStepMs: number;
  sessionTtlMs: number;
}

/** Reads a string field from an untrusted body (form or JSON), trimmed and capped. */
export function field(body: unknown, name: string, maxLength = 200): string {
  if (body === null || typeof body !== 'object') return '';
  const value = (body as Record<string, unknown>)[name];
  if (typeof value === 'string') return value.trim().slice(0, maxLength);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/** Parses a positive integer field, or returns `fallback`. */
export function intField(body: unknown, name: string, fallback: number): number {
  const text = field(body, name, 12);
  return /^\d{1,9}$/.test(text) ? Number(text) : fallback;
}
