/**
 * The WAF's persistent collections kept in the Store (composition root): what `initcol:ip=...`
 * opens survives a restart and is shared by the gateways of one database. Rules run
 * synchronously inside a phase, so the engine reads and writes a warm in-memory copy: it is
 * loaded at start, written behind (every `flushIntervalMs`, in one statement per 500 records),
 * refreshed from the store (every `refreshIntervalMs`, last write wins, local unsaved changes
 * kept) and purged of expired records. A failed flush keeps the changes for the next one.
 *
 * @example
 *   const collections = await StoreWafCollections.open(store, { logger });
 *   createWafEngine(ruleSet, { persistent: collections.withTimeout(3600) });
 *   await collections.close(); // last flush
 */
import type { Logger } from 'pino';
import type { PersistentCollections } from '../gateway/waf/index.js';
import type { Store, WafCollectionRecord } from '../store/store.js';

export interface StoreWafCollectionsOptions {
  logger: Logger;
  nowMs?: () => number;
  flushIntervalMs?: number;
  refreshIntervalMs?: number;
  /** Records kept in memory at most; the least recently written are dropped first (a flood of addresses). */
  maxRecords?: number;
}

const idOf = (collection: string, key: string): string => `${collection}\u0000${key}`;

export class StoreWafCollections {
  private readonly records = new Map<string, WafCollectionRecord>();
  private readonly dirty = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly nowMs: () => number;
  private readonly maxRecords: number;

  private constructor(
    private readonly store: Store,
    private readonly options: StoreWafCollectionsOptions,
  ) {
    this.nowMs = options.nowMs ?? Date.now;
    this.maxRecords = options.maxRecords ?? 100_000;
  }

  static async open(store: Store, options: StoreWafCollectionsOptions): Promise<StoreWafCollections> {
    const collections = new StoreWafCollections(store, options);
    await collections.refresh();
    const flushEvery = options.flushIntervalMs ?? 1_000;
    const refreshEvery = options.refreshIntervalMs ?? 10_000;
    collections.timers.push(
      setInterval(() => void collections.flush(), flushEvery).unref(),
      setInterval(() => void collections.refreshAndPurge(), refreshEvery).unref(),
    );
    return collections;
  }

  /** The engine's view: records saved through it expire `timeoutSec` (SecCollectionTimeout) after the save. */
  withTimeout(timeoutSec: number): PersistentCollections {
    return {
      load: (collection, key) => this.load(collection, key),
      save: (collection, key, values) => this.save(collection, key, values, timeoutSec * 1000),
    };
  }

  /** The live records, for WAF worker threads starting up (they keep their own copies). */
  liveRecords(): Array<{ collection: string; key: string; variables: Record<string, string> }> {
    const now = this.nowMs();
    return [...this.records.values()]
      .filter((record) => record.expiresMs > now)
      .map(({ collection, key, variables }) => ({ collection, key, variables: { ...variables } }));
  }

  get size(): number {
    return this.records.size;
  }

  private load(collection: string, key: string): Record<string, string> | undefined {
    const record = this.records.get(idOf(collection, key));
    if (!record || record.expiresMs <= this.nowMs()) return undefined;
    return { ...record.variables };
  }

  private save(collection: string, key: string, variables: Record<string, string>, timeoutMs: number): void {
    const id = idOf(collection, key);
    this.records.delete(id);
    this.records.set(id, {
      collection,
      key,
      variables: { ...variables },
      expiresMs: this.nowMs() + timeoutMs,
    });
    this.dirty.add(id);
    if (this.records.size > this.maxRecords) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) {
        this.records.delete(oldest);
        this.dirty.delete(oldest);
      }
    }
  }

  /** Writes the changed records; on failure they stay marked for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.dirty.size === 0) return;
      const ids = [...this.dirty];
      this.dirty.clear();
      const batch = ids.flatMap((id) => {
        const record = this.records.get(id);
        return record ? [record] : [];
      });
      try {
        await this.store.wafCollections.upsertMany(batch);
      } catch (error) {
        for (const id of ids) if (this.records.has(id)) this.dirty.add(id);
        this.options.logger.error(
          { err: error, records: batch.length },
          'saving WAF collections failed; retrying',
        );
      }
    });
    return this.flushing;
  }

  /** Loads what the store holds (other gateways' writes); records changed here and not yet saved win. */
  async refresh(): Promise<void> {
    const live = await this.store.wafCollections.listLive(this.nowMs());
    for (const record of live) {
      const id = idOf(record.collection, record.key);
      if (this.dirty.has(id)) continue;
      const mine = this.records.get(id);
      if (!mine || mine.expiresMs < record.expiresMs) this.records.set(id, record);
    }
  }

  private async refreshAndPurge(): Promise<void> {
    try {
      await this.flush();
      const now = this.nowMs();
      await this.store.wafCollections.purgeExpired(now);
      for (const [id, record] of this.records)
        if (record.expiresMs <= now && !this.dirty.has(id)) this.records.delete(id);
      await this.refresh();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'refreshing WAF collections from the store failed');
    }
  }

  /** Stops the timers and saves what is left. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.flush();
  }
}
