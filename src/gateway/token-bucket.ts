/**
 * In-memory token buckets (gateway enforcement: rate limits and throttle decisions).
 * Each key has a bucket of `burst` tokens refilled at `ratePerMs`; a request takes one.
 * Memory stays bounded: full (idle) buckets are swept periodically, and when `maxBuckets`
 * is reached the oldest buckets go first.
 */

interface Bucket {
  tokens: number;
  updatedMs: number;
  ratePerMs: number;
  burst: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly maxBuckets = 100_000) {}

  get size(): number {
    return this.buckets.size;
  }

  /**
   * Takes one token; returns 0 when allowed, else the milliseconds until a token is available.
   * @example buckets.take('203.0.113.9', 10 / 60_000, 10, Date.now()) // 0 for the first 10 calls
   */
  take(key: string, ratePerMs: number, burst: number, nowMs: number): number {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxBuckets) this.makeRoom(nowMs);
      bucket = { tokens: burst, updatedMs: nowMs, ratePerMs, burst };
      this.buckets.set(key, bucket);
    } else {
      const elapsedMs = nowMs - bucket.updatedMs;
      if (elapsedMs > 0) bucket.tokens = Math.min(burst, bucket.tokens + elapsedMs * ratePerMs);
      bucket.updatedMs = nowMs;
      bucket.ratePerMs = ratePerMs;
      bucket.burst = burst;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / ratePerMs);
  }

  /** Removes buckets that have refilled completely: forgetting them changes no answer. */
  evictIdle(nowMs: number): number {
    let removed = 0;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (nowMs - bucket.updatedMs) * bucket.ratePerMs >= bucket.burst) {
        this.buckets.delete(key);
        removed++;
      }
    }
    return removed;
  }

  private makeRoom(nowMs: number): void {
    if (this.evictIdle(nowMs) > 0) return;
    // Everyone is active (a flood of distinct keys): drop the oldest tenth rather than grow.
    let toDrop = Math.max(1, Math.floor(this.maxBuckets / 10));
    for (const key of this.buckets.keys()) {
      if (toDrop-- <= 0) break;
      this.buckets.delete(key);
    }
  }

  clear(): void {
    this.buckets.clear();
  }
}
