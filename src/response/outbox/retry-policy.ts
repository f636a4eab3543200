/**
 * When the outbox tries again (response / outbox, no I/O): exponential backoff with jitter,
 * capped, until a message has had `maxAttempts` attempts or is older than `maxAgeMs`; then it
 * is dead and waits for an operator (`POST /api/v1/notices/:id/retry`).
 *
 * @example nextAttemptDelayMs(3, DEFAULT_RETRY_POLICY, () => 0.5) // 90 000: 30 s · 2² with the jitter at ¾
 */

export interface RetryPolicy {
  /** The wait after the first failed attempt, before jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  /** A message older than this is not tried again. */
  maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  maxAttempts: 12,
  maxAgeMs: 3 * 86_400_000,
};

/**
 * The wait after the `attempts`-th failed attempt: base · 2^(attempts−1), capped, then "equal
 * jitter" (between half and all of it), so senders that failed together do not retry together
 * yet the backoff never collapses to nothing.
 */
export function nextAttemptDelayMs(
  attempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(capped / 2 + random() * (capped / 2));
}

/** True when a message that just failed its `attempts`-th attempt must not be tried again. */
export function isExhausted(
  message: { attempts: number; createdAt: string },
  nowMs: number,
  policy: RetryPolicy,
  nextAttemptMs: number,
): boolean {
  const deadlineMs = Date.parse(message.createdAt) + policy.maxAgeMs;
  return message.attempts >= policy.maxAttempts || nextAttemptMs > deadlineMs || nowMs >= deadlineMs;
}
