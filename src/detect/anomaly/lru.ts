/**
 * A Map with a hard size bound (detect/anomaly): a key read with `touch` moves to the most
 * recent end; beyond `maxKeys` the least recently touched keys are evicted, a batch of
 * `maxKeys / 64` (at least one) at a time. Time-free: the anomaly state has no TTL, only room.
 */

/** Share of `maxKeys` evicted in one walk: keeps the walks over V8's holes linear overall. */
export const EVICTION_BATCH_SHARE = 1 / 64;

export class LruMap<V> {
  private readonly map = new Map<string, V>();
  private readonly batch: number;
  evicted = 0;
  /** Walks from the front of the map made to evict: about evicted / batch. */
  evictionWalks = 0;

  constructor(readonly maxKeys: number) {
    this.batch = Math.max(1, Math.ceil(maxKeys * EVICTION_BATCH_SHARE));
  }

  get size(): number {
    return this.map.size;
  }

  touch(key: string, create: () => V): V {
    let value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
    } else {
      value = create();
      if (this.map.size >= this.maxKeys) this.evictStalest();
    }
    this.map.set(key, value);
    return value;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /*
   * A walk from the front of a Map first steps over the holes that earlier deletions left there
   * (V8 compacts them only when it rehashes), so evicting one key per walk costs O(keys) per
   * eviction once the map is full: 250,000 evictions took 27 s. A batch per walk pays that once.
   */
  private evictStalest(): void {
    this.evictionWalks++;
    let left = this.batch;
    for (const key of this.map.keys()) {
      this.map.delete(key);
      this.evicted++;
      if (--left === 0) return;
    }
  }
}
