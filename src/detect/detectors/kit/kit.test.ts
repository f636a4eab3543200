import { describe, expect, it } from 'vitest';
import { BoundedMap, type Stamped } from './bounded-map.js';
import { Cooldown } from './cooldown.js';
import { EventWindow, type WindowEntry } from './event-window.js';
import { networkOf } from './fields.js';

interface Counter extends Stamped {
  n: number;
}
const counter = () => ({ lastMs: 0, positionMs: 0, n: 0 });
const entry = (t: number, a?: string, failed = false): WindowEntry => ({
  t,
  id: `e${t}`,
  failed,
  a,
  b: undefined,
  amount: 1,
});

describe('bounded map', () => {
  it('never holds more than maxKeys, evicting the least recently used', () => {
    const map = new BoundedMap<Counter>(3, 60_000);
    for (const key of ['a', 'b', 'c']) map.upsert(key, 0, counter);
    map.upsert('a', 30_000, counter); // a is used again, b is now the oldest
    map.upsert('d', 30_001, counter);
    expect(map.size).toBe(3);
    expect(map.peek('b', 30_001)).toBeUndefined();
    expect(map.peek('a', 30_001)).toBeDefined();
    expect(map.evictedForSpace).toBe(1);
  });

  it('forgets keys once their time-to-live has passed', () => {
    const map = new BoundedMap<Counter>(1000, 10_000);
    for (let i = 0; i < 100; i++) map.upsert(`k${i}`, i, counter);
    map.upsert('fresh', 50_000, counter);
    for (let i = 0; i < 30; i++) map.sweep(50_000);
    expect(map.size).toBe(1);
    expect(map.peek('k5', 50_000)).toBeUndefined();
  });

  it('keeps a key in use past its first time-to-live', () => {
    const map = new BoundedMap<Counter>(1000, 10_000);
    for (let t = 0; t <= 40_000; t += 2_000) {
      map.upsert('busy', t, counter).n++;
      map.sweep(t);
    }
    expect(map.peek('busy', 40_000)?.n).toBe(21);
  });
});

describe('event window', () => {
  it('counts distinct values and failures as entries come and go', () => {
    const window = new EventWindow();
    window.add(entry(0, 'x', true), 100);
    expect([window.size, window.distinctA, window.failures]).toEqual([1, 1, 1]);
    window.add(entry(10, 'y'), 100);
    window.add(entry(20, 'x', true), 100);
    expect([window.size, window.distinctA, window.failures]).toEqual([3, 2, 2]);
    window.expire(15);
    expect([window.size, window.distinctA, window.failures]).toEqual([1, 1, 1]);
    window.expire(100);
    expect([window.size, window.distinctA, window.failures]).toEqual([0, 0, 0]);
  });

  it('drops the oldest entries past maxEntries', () => {
    const window = new EventWindow();
    for (let t = 0; t < 500; t++) window.add(entry(t, `v${t}`), 50);
    expect(window.size).toBe(50);
    expect(window.distinctA).toBe(50);
    expect(window.first()?.t).toBe(450);
    expect(window.eventIds(10)).toHaveLength(10);
  });
});

describe('cool-down', () => {
  it('lets a rule fire once per entity per period', () => {
    const cooldown = new Cooldown(60_000, 100);
    const entity = { type: 'ip', value: '203.0.113.1' } as const;
    expect(cooldown.allow('r', entity, 0)).toBe(true);
    expect(cooldown.allow('r', entity, 59_999)).toBe(false);
    expect(cooldown.allow('r', { type: 'ip', value: '203.0.113.2' }, 1)).toBe(true);
    expect(cooldown.allow('r', entity, 60_000)).toBe(true);
  });
});

describe('network of an address', () => {
  it.each([
    ['203.0.113.45', '203.0.113.0/24'],
    ['::ffff:198.51.100.7', '198.51.100.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:0db8::1', '2001:db8:0::/48'],
    ['not-an-address', 'not-an-address'],
  ])('%s → %s', (address, network) => {
    expect(networkOf(address)).toBe(network);
  });
});
