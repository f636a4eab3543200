/**
 * Persistent collections (gateway/waf/engine): what `initcol:ip=%{remote_addr}` opens and the
 * transaction saves back at the end. A small interface so the store-backed implementation can
 * replace this in-memory one; records expire after SecCollectionTimeout (default 3600 s).
 *
 * Synchronous on purpose: rules run synchronously within a phase. A store-backed version keeps a
 * warm cache here and writes behind.
 */

export interface PersistentCollections {
  /** The stored variables of `collection` (`IP`, `GLOBAL`) under `key`, or undefined. */
  load(collection: string, key: string): Record<string, string> | undefined;
  save(collection: string, key: string, values: Record<string, string>): void;
}

export interface InMemoryCollectionsOptions {
  timeoutSec?: number;
  nowMs?: () => number;
  /** Records kept at most; the oldest are dropped first (a flood of client addresses). */
  maxRecords?: number;
}

export class InMemoryPersistentCollections implements PersistentCollections {
  private readonly records = new Map<string, { values: Record<string, string>; expiresAtMs: number }>();
  private readonly timeoutMs: number;
  private readonly nowMs: () => number;
  private readonly maxRecords: number;

  constructor(options: InMemoryCollectionsOptions = {}) {
    this.timeoutMs = (options.timeoutSec ?? 3600) * 1000;
    this.nowMs = options.nowMs ?? Date.now;
    this.maxRecords = options.maxRecords ?? 100_000;
  }

  load(collection: string, key: string): Record<string, string> | undefined {
    const id = `${collection}\u0000${key}`;
    const record = this.records.get(id);
    if (!record) return undefined;
    if (record.expiresAtMs <= this.nowMs()) {
      this.records.delete(id);
      return undefined;
    }
    return { ...record.values };
  }

  save(collection: string, key: string, values: Record<string, string>): void {
    const id = `${collection}\u0000${key}`;
    this.records.delete(id);
    this.records.set(id, { values: { ...values }, expiresAtMs: this.nowMs() + this.timeoutMs });
    if (this.records.size > this.maxRecords) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
  }
}
