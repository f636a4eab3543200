/**
 * Login rate limit (auth): failed sign-ins are counted per client ip and per user name
 * in a sliding window, in memory. Either key over the limit answers 429 with
 * Retry-After, which slows both password guessing against one account and password
 * spraying from one address. Memory is bounded: the oldest keys are dropped first.
 */
import type { Clock } from '../../core/clock.js';

const MAX_TRACKED_KEYS = 10_000;

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxAttempts: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Seconds until the first of the keys may try again; 0 when all may. */
  retryAfterSeconds(keys: string[]): number {
    const nowMs = this.clock.nowMs();
    let waitMs = 0;
    for (const key of keys) {
      const recent = this.recent(key, nowMs);
      if (recent.length >= this.maxAttempts) {
        const oldest = recent[recent.length - this.maxAttempts] ?? nowMs;
        waitMs = Math.max(waitMs, oldest + this.windowMs - nowMs);
      }
    }
    return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
  }

  recordFailure(keys: string[]): void {
    const nowMs = this.clock.nowMs();
    for (const key of keys) {
      const recent = this.recent(key, nowMs);
      recent.push(nowMs);
      this.failures.delete(key);
      this.failures.set(key, recent);
    }
    while (this.failures.size > MAX_TRACKED_KEYS) {
      const oldestKey = this.failures.keys().next().value;
      if (oldestKey === undefined) break;
      this.failures.delete(oldestKey);
    }
  }

  /** A successful sign-in clears the user name's count (the ip's stays: it may be spraying). */
  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, nowMs: number): number[] {
    return (this.failures.get(key) ?? []).filter((atMs) => atMs > nowMs - this.windowMs);
  }
}
