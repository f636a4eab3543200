import { describe, expect, it } from 'vitest';
import { LruMap } from './lru.js';

describe('anomaly LRU map', () => {
  it('evicts the least recently touched keys first', () => {
    const map = new LruMap<number>(64);
    for (let i = 0; i < 64; i++) map.touch(`k${i}`, () => i);
    map.touch('k0', () => -1); // k0 is now the most recent, k1 the stalest
    map.touch('new', () => 64);
    expect(map.size).toBeLessThanOrEqual(64);
    expect(map.get('k0')).toBe(0);
    expect(map.get('k1')).toBeUndefined();
    expect(map.get('new')).toBe(64);
  });

  it('evicts a million keys in a number of walks linear in the evictions', () => {
    const maxKeys = 10_000;
    const map = new LruMap<number>(maxKeys);
    const keys = 1_000_000;
    for (let i = 0; i < keys; i++) {
      map.touch(`c${i}`, () => i);
      if (i % 3 === 0) map.touch(`c${i >> 1}`, () => i); // re-touches leave holes behind
    }
    expect(map.size).toBeLessThanOrEqual(maxKeys);
    // one walk per batch of maxKeys / 64, never one per evicted key
    expect(map.evictionWalks).toBeLessThanOrEqual(Math.ceil(map.evicted / (maxKeys / 64)) + 1);
    expect(map.evicted).toBeGreaterThan(keys - maxKeys);
  });
});
