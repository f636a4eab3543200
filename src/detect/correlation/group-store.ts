/**
 * Bounded per-group state (detect/correlation): a Map kept in least-recently-touched order
 * (a touch moves the key to the end), so the first key is always the stalest. Two limits keep
 * memory bounded whatever the traffic: keys idle for longer than the rule's timespan expire
 * (swept from the front as event time advances: each key is swept once, O(1) amortised), and
 * beyond `maxKeys` the stalest keys are evicted, a batch of `maxKeys / 64` (at least one) at a
 * time. Time is the events' time, never the wall clock.
 *
 * Why batches and the sweep's horizon: a walk from the front of a Map first steps over the
 * holes earlier deletions left there (V8 compacts them only when it rehashes). One eviction per
 * walk, or a sweep walk per call that finds nothing to expire, would cost O(keys) each time.
 */

/** Share of `maxKeys` evicted in one walk. */
const EVICTION_BATCH_SHARE = 1 / 64;

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
  private readonly batch: number;
  /**
   * No key was touched before this event time when the last sweep ended (the key it stopped at,
   * or the earliest touch since): until `horizon` passes it, a sweep has nothing to expire.
   */
  private oldestTouchMs = Number.POSITIVE_INFINITY;
  expired = 0;
  evicted = 0;
  /** Walks from the front of the map (sweeps that ran, eviction batches): for the stats and tests. */
  walks = 0;

  constructor(
    readonly maxKeys: number,
    private readonly ttlMs: number,
    /** Called for a key that expired (not for one evicted for room): windowed rules decide here. */
    private readonly onExpire: (key: string, state: S) => void = () => {},
  ) {
    this.batch = Math.max(1, Math.ceil(maxKeys * EVICTION_BATCH_SHARE));
  }

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
    if (nowMs < this.oldestTouchMs) this.oldestTouchMs = nowMs;
    this.map.set(key, state);
    return state;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Expires every key idle since before `nowMs - ttlMs`. */
  sweep(nowMs: number): void {
    const horizon = nowMs - this.ttlMs;
    if (this.oldestTouchMs >= horizon) return;
    this.walks++;
    this.oldestTouchMs = Number.POSITIVE_INFINITY;
    for (const [key, state] of this.map) {
      if (state.lastMs >= horizon) {
        this.oldestTouchMs = state.lastMs;
        break;
      }
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
    this.walks++;
    let left = this.batch;
    for (const key of this.map.keys()) {
      this.map.delete(key);
      this.evicted++;
      if (--left === 0) return;
    }
  }

  stats(): GroupStoreStats {
    return { keys: this.map.size, expired: this.expired, evicted: this.evicted };
  }
}
