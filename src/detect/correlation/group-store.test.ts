import { describe, expect, it } from 'vitest';
import { GroupStore, type GroupState } from './group-store.js';

const fresh = (): GroupState => ({ lastMs: 0 });

describe('correlation group store', () => {
  it('expires idle keys in order and tells about each', () => {
    const expired: string[] = [];
    const store = new GroupStore<GroupState>(100, 1_000, (key) => expired.push(key));
    store.touch('a', 0, fresh);
    store.touch('b', 500, fresh);
    store.touch('a', 900, fresh);
    store.sweep(1_600); // b idle since 500: expired; a touched at 900: kept
    expect(expired).toEqual(['b']);
    store.sweep(1_950);
    expect(expired).toEqual(['b', 'a']);
    expect(store.size).toBe(0);
  });

  it('evicts many keys, and sweeps every event, in walks linear in the work done', () => {
    const maxKeys = 10_000;
    const store = new GroupStore<GroupState>(maxKeys, 60_000);
    const keys = 500_000;
    for (let i = 0; i < keys; i++) {
      const nowMs = i; // one key per millisecond: nothing expires within the 60 s before eviction
      store.touch(`ip${i}`, nowMs, fresh);
      store.touch(`ip${i >> 1}`, nowMs, fresh);
      store.sweep(nowMs);
    }
    expect(store.size).toBeLessThanOrEqual(maxKeys);
    expect(store.evicted).toBeGreaterThan(keys - maxKeys);
    // eviction batches of maxKeys / 64, and no sweep walk while nothing can have expired
    expect(store.walks).toBeLessThanOrEqual(Math.ceil(store.evicted / (maxKeys / 64)) + 1);
  });
});
