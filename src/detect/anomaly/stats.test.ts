import { describe, expect, it } from 'vitest';
import { routeKeyOf, userAgentFamily } from './features.js';
import {
  binomialTail,
  bitmapEstimate,
  DecayingLogHistogram,
  fnv1a,
  RobustEw,
  shannonEntropy,
  zOfTail,
} from './stats.js';
import { seededRandom } from './testing/synthetic-shop.js';

describe('streaming statistics', () => {
  it('RobustEw learns a mean and spread and is not dragged by one outlier', () => {
    const ew = RobustEw.forHalfLife(1000);
    const random = seededRandom(1);
    for (let i = 0; i < 5000; i++) ew.update(100 + (random() - 0.5) * 20);
    expect(ew.mean).toBeCloseTo(100, 0);
    expect(ew.sd).toBeGreaterThan(4);
    expect(ew.sd).toBeLessThan(8);
    const before = ew.mean;
    ew.update(1e9);
    expect(ew.mean - before).toBeLessThan(0.1);
    expect(ew.z(160, 1)).toBeGreaterThan(6);
  });

  it('DecayingLogHistogram gives quantiles within a bucket and forgets old samples', () => {
    const histogram = new DecayingLogHistogram();
    for (let i = 1; i <= 1000; i++) histogram.add(i);
    expect(histogram.quantile(0.5)).toBeGreaterThan(480);
    expect(histogram.quantile(0.5)).toBeLessThan(560);
    for (let w = 0; w < 200; w++) histogram.decay(0.5);
    for (let i = 0; i < 10; i++) histogram.add(3);
    expect(histogram.quantile(0.99)).toBeLessThan(4);
  });

  // Expected values: sum(comb(n, i) * p**i * (1 - p)**(n - i) for i in range(k, n + 1)) in Python.
  it.each([
    [10, 0, 0.1, 1],
    [10, 11, 0.1, 0],
    [46, 5, 0.01, 9.742899389210344e-5],
    [7, 5, 0.01, 2.06515e-9],
    [200, 30, 0.05, 8.709270943979937e-8],
  ])('binomialTail(%i, %i, %f) = %f', (n, k, p, expected) => {
    const tail = binomialTail(n, k, p);
    if (expected === 0 || expected === 1) expect(tail).toBe(expected);
    else expect(Math.abs(tail / expected - 1)).toBeLessThan(0.02);
  });

  it('zOfTail inverts the normal tail', () => {
    expect(zOfTail(1e-9)).toBeCloseTo(6, 0);
    expect(zOfTail(0.0013)).toBeCloseTo(3, 0);
    expect(zOfTail(0.7)).toBe(0);
  });

  it('bitmapEstimate counts small sets of distinct values', () => {
    for (const n of [1, 10, 30, 60]) {
      let low = 0;
      let high = 0;
      for (let i = 0; i < n; i++) {
        const bit = fnv1a(`/products/${i}`) & 63;
        if (bit < 32) low = (low | (1 << bit)) >>> 0;
        else high = (high | (1 << (bit - 32))) >>> 0;
      }
      expect(Math.abs(bitmapEstimate(low, high) - n)).toBeLessThanOrEqual(Math.max(2, n * 0.35));
    }
  });

  it('measures entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abab')).toBeCloseTo(1);
    expect(shannonEntropy('abcdefgh')).toBeCloseTo(3);
    expect(shannonEntropy('abab')).toBeCloseTo(1); // no state left behind
  });
});

describe('features', () => {
  it.each([
    ['GET', undefined, '/products/42?x=1', 'GET /products'],
    ['POST', undefined, '/login', 'POST /login'],
    ['GET', undefined, '/', 'GET /'],
    ['GET', undefined, '*', 'GET /'],
    ['PROPFIND', undefined, '/dav', 'OTHER /dav'],
    ['GET', 'catalogue', '/products/42', 'GET catalogue'],
  ])('%s %s %s is route %s', (method, route, path, key) => {
    expect(routeKeyOf(method, route, path)).toBe(key);
  });

  it('drops version numbers from user agents', () => {
    expect(userAgentFamily('Mozilla/5.0 (X11; rv:127.0) Firefox/127.0')).toBe(
      userAgentFamily('Mozilla/5.0 (X11; rv:128.0) Firefox/128.0'),
    );
    expect(userAgentFamily('python-requests/2.32.3')).toBe('python-requests/#.#.#');
  });
});
