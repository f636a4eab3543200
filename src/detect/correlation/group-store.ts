/**
 * Bounded per-group state (detect/correlation): a Map kept in least-recently-touched order
 * (a touch moves the key to the end), so the first key is always the stalest. Two limits keep
 * memory bounded whatever the traffic: keys idle for longer than the rule's timespan expire
 * (swept from the front as event time advances: each key is swept once, O(1) amortised), and
 * beyond `maxKeys` the stalest key is evicted. Time is the events' time, never the wall clock.
 */

export interface GroupState {
  /** Event time (ms) of the last touch. */
  lastMs: number;
}

export interface GroupStoreStats {
  keys: number;
  expired: number;
  evicted: number;
}

export class GroupStore<S extends GroupState> {
  private readonly map = new Map<string, S>();
  expired = 0;
  evicted = 0;

  constructor(
    readonly maxKeys: number,
    private readonly ttlMs: number,
    /** Called for a key that expired (not for one evicted for room): windowed rules decide here. */
    private readonly onExpire: (key: string, state: S) => void = () => {},
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The state of a key, created when new, moved to the most recent end and stamped with `nowMs`. */
  touch(key: string, nowMs: number, create: () => S): S {
    let state = this.map.get(key);
    if (state === undefined) {
      if (this.map.size >= this.maxKeys) this.evictStalest();
      state = create();
    } else {
      this.map.delete(key);
    }
    state.lastMs = nowMs;
    this.map.set(key, state);
    return state;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Expires every key idle since before `nowMs - ttlMs`. */
  sweep(nowMs: number): void {
    const horizon = nowMs - this.ttlMs;
    for (const [key, state] of this.map) {
      if (state.lastMs >= horizon) break;
      this.map.delete(key);
      this.expired++;
      this.onExpire(key, state);
    }
  }

  /** Expires everything (end of input). */
  drain(): void {
    for (const [key, state] of this.map) {
      this.map.delete(key);
      this.onExpire(key, state);
    }
  }

  private evictStalest(): void {
    const first = this.map.keys().next();
    if (!first.done) {
      this.map.delete(first.value);
      this.evicted++;
    }
  }

  stats(): GroupStoreStats {
    return { keys: this.map.size, expired: this.expired, evicted: this.evicted };
  }
}
