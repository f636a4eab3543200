/**
 * A Map with a hard size bound (detect/anomaly): a key read with `touch` moves to the most
 * recent end; beyond `maxKeys` the least recently touched key is evicted. Time-free: the
 * anomaly state has no TTL, only room.
 */
export class LruMap<V> {
  private readonly map = new Map<string, V>();
  evicted = 0;

  constructor(readonly maxKeys: number) {}

  get size(): number {
    return this.map.size;
  }

  touch(key: string, create: () => V): V {
    let value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
    } else {
      value = create();
      if (this.map.size >= this.maxKeys) {
        const oldest = this.map.keys().next();
        if (!oldest.done) {
          this.map.delete(oldest.value);
          this.evicted++;
        }
      }
    }
    this.map.set(key, value);
    return value;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }
}
