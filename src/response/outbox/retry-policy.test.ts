import { describe, expect, it } from 'vitest';
import { describeDeliveryFailure } from './delivery-error.js';
import { isExhausted, nextAttemptDelayMs, type RetryPolicy } from './retry-policy.js';

const POLICY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 10_000, maxAttempts: 5, maxAgeMs: 60_000 };

describe('retry policy', () => {
  it('doubles the wait per attempt, capped, with the jitter between half and all of it', () => {
    expect([1, 2, 3, 4, 5].map((attempts) => nextAttemptDelayMs(attempts, POLICY, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000,
    ]);
    expect([1, 2, 3, 4, 5].map((attempts) => nextAttemptDelayMs(attempts, POLICY, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000, 5_000,
    ]);
    expect(nextAttemptDelayMs(1_000, POLICY, () => 1)).toBe(10_000);
  });

  it('gives up after the last attempt or past the maximum age', () => {
    const createdAt = '2026-11-27T00:00:00.000Z';
    const t0 = Date.parse(createdAt);
    expect(isExhausted({ attempts: 4, createdAt }, t0 + 1_000, POLICY, t0 + 2_000)).toBe(false);
    expect(isExhausted({ attempts: 5, createdAt }, t0 + 1_000, POLICY, t0 + 2_000)).toBe(true);
    expect(isExhausted({ attempts: 2, createdAt }, t0 + 59_000, POLICY, t0 + 61_000)).toBe(true);
  });
});

describe('delivery failure text', () => {
  it('masks email addresses, keeps the SMTP code, and stays one bounded line', () => {
    const error = Object.assign(
      new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <Ann@Example.com>: unknown\nuser"),
      {
        code: 'EENVELOPE',
        responseCode: 550,
      },
    );
    const text = describeDeliveryFailure(error);
    expect(text).toBe(
      "EENVELOPE 550: Can't send mail - all recipients were rejected: 550 5.1.1 <<address>>: unknown user",
    );
    expect(describeDeliveryFailure(new Error('x'.repeat(2_000))).length).toBe(500);
  });
});
