/**
 * A keyed table with a hard size bound and a time-to-live (detect, built-in detectors): the
 * state every detector keeps per entity (address, account, card...). Time is the events'
 * time, never the wall clock. Eviction is approximately least-recently-used: a key moves to
 * the back of the insertion order only when its position is older than an eighth of the TTL,
 * so a hot key costs no re-insertion per event, and the front of the map is always among the
 * stalest keys.
 *
 * @example
 *   const table = new BoundedMap<{ lastMs: number; positionMs: number; n: number }>(100_000, 600_000);
 *   const state = table.upsert('203.0.113.7', nowMs, () => ({ lastMs: nowMs, positionMs: nowMs, n: 0 }));
 */

export interface Stamped {
  /** Event time of the last use; the TTL runs from here. */
  lastMs: number;
  /** Event time at which the entry took its place in the eviction order. */
  positionMs: number;
}

export class BoundedMap<V extends Stamped> {
  private readonly map = new Map<string, V>();
  /*
   * The eviction order, oldest first, as a queue of (key, value, position) beside the map.
   * A Map's own iteration order would do, but V8 walks over the holes deleted entries leave
   * at its front, which turns "look at the oldest key" into O(n) under churn. An entry whose
   * value moved (re-queued, replaced or deleted) is stale and skipped.
   */
  private queueKeys: string[] = [];
  private queueValues: V[] = [];
  private queuePositions: number[] = [];
  private head = 0;
  private readonly repositionAfterMs: number;
  /** Keys removed to honour maxKeys (not TTL expiry): a sign the bound is too tight. */
  evictedForSpace = 0;

  constructor(
    readonly maxKeys: number,
    readonly ttlMs: number,
  ) {
    this.repositionAfterMs = Math.max(1, Math.floor(ttlMs / 8));
  }

  get size(): number {
    return this.map.size;
  }

  /** The live value of a key, or undefined when absent or expired. Does not touch it. */
  peek(key: string, nowMs: number): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    if (value.lastMs + this.ttlMs <= nowMs) {
      this.map.delete(key);
      return undefined;
    }
    return value;
  }

  /**
   * The key's value, created when absent or expired, marked as used at nowMs. `create` gets
   * nowMs so that a hot caller can pass one function made once instead of a closure per call.
   */
  upsert(key: string, nowMs: number, create: (nowMs: number) => V): V {
    let value = this.peek(key, nowMs);
    if (value === undefined) {
      value = create(nowMs);
      value.lastMs = nowMs;
      this.map.set(key, value);
      this.enqueue(key, value, nowMs);
      while (this.map.size > this.maxKeys) this.evictOldest();
      return value;
    }
    value.lastMs = nowMs;
    if (nowMs - value.positionMs >= this.repositionAfterMs) this.enqueue(key, value, nowMs);
    return value;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Drops expired keys from the front of the order; at most `budget` steps per call. */
  sweep(nowMs: number, budget = 4): void {
    for (let step = 0; step < budget && this.head < this.queueKeys.length; step++) {
      const key = this.queueKeys[this.head] as string;
      const value = this.queueValues[this.head] as V;
      const position = this.queuePositions[this.head] as number;
      if (!this.isCurrent(key, value, position)) {
        this.dequeue();
      } else if (value.lastMs + this.ttlMs <= nowMs) {
        this.map.delete(key);
        this.dequeue();
      } else if (value.lastMs > value.positionMs) {
        // Used since it took its place: give it a second chance at the back.
        this.dequeue();
        this.enqueue(key, value, value.lastMs);
      } else {
        return;
      }
    }
  }

  private isCurrent(key: string, value: V, position: number): boolean {
    return value.positionMs === position && this.map.get(key) === value;
  }

  private enqueue(key: string, value: V, positionMs: number): void {
    value.positionMs = positionMs;
    this.queueKeys.push(key);
    this.queueValues.push(value);
    this.queuePositions.push(positionMs);
  }

  private dequeue(): void {
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.queueKeys.length) {
      this.queueKeys = this.queueKeys.slice(this.head);
      this.queueValues = this.queueValues.slice(this.head);
      this.queuePositions = this.queuePositions.slice(this.head);
      this.head = 0;
    }
  }

  private evictOldest(): void {
    while (this.head < this.queueKeys.length) {
      const key = this.queueKeys[this.head] as string;
      const value = this.queueValues[this.head] as V;
      const current = this.isCurrent(key, value, this.queuePositions[this.head] as number);
      this.dequeue();
      if (current) {
        this.map.delete(key);
        this.evictedForSpace++;
        return;
      }
    }
  }
}
