/**
 * The login rate limit (safe mode only): failed logins are counted per client address
 * and per account in a sliding window; past the limit every login attempt, right or
 * wrong, answers 429 so a credential-stuffing run learns nothing more.
 */
import type { Clock } from '../../core/clock.js';

export interface LoginRateLimitOptions {
  maxFailuresPerIp: number;
  maxFailuresPerAccount: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimitOptions = {
  maxFailuresPerIp: 20,
  maxFailuresPerAccount: 5,
  windowMs: 15 * 60_000,
};

/**
 * Safe mode's payment limit against card testing: declined or invalid cards counted per
 * account (and, generously, per address); past it checkout answers 429. Per account 25 keeps
 * a shopper who mistypes a card a few times far from it.
 */
export const DEFAULT_PAYMENT_RATE_LIMIT: LoginRateLimitOptions = {
  maxFailuresPerIp: 100,
  maxFailuresPerAccount: 25,
  windowMs: 15 * 60_000,
};

const MAX_TRACKED_KEYS = 50_000;

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly options: LoginRateLimitOptions,
    private readonly clock: Clock,
  ) {}

  /** Seconds to wait before retrying, or 0 when the attempt may go ahead. */
  retryAfterSeconds(ip: string, email: string): number {
    const nowMs = this.clock.nowMs();
    const ipWait = this.waitMs(`ip:${ip}`, this.options.maxFailuresPerIp, nowMs);
    const accountWait = this.waitMs(`acct:${email.toLowerCase()}`, this.options.maxFailuresPerAccount, nowMs);
    return Math.ceil(Math.max(ipWait, accountWait) / 1000);
  }

  recordFailure(ip: string, email: string): void {
    const nowMs = this.clock.nowMs();
    this.push(`ip:${ip}`, nowMs);
    this.push(`acct:${email.toLowerCase()}`, nowMs);
  }

  private waitMs(key: string, max: number, nowMs: number): number {
    const recent = this.recent(key, nowMs);
    if (recent.length < max) return 0;
    const oldestCounted = recent[recent.length - max] ?? nowMs;
    return Math.max(1000, oldestCounted + this.options.windowMs - nowMs);
  }

  private recent(key: string, nowMs: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((t) => t > nowMs - this.options.windowMs);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }

  private push(key: string, nowMs: number): void {
    if (!this.failures.has(key) && this.failures.size >= MAX_TRACKED_KEYS) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    const list = this.recent(key, nowMs);
    list.push(nowMs);
    this.failures.set(key, list.slice(-100));
  }
}
