import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, startUpstream, type Upstream } from './testing/harness.js';
import { TokenBuckets } from './token-bucket.js';

describe('token buckets', () => {
  it('allows the burst, then refills at the rate', () => {
    const buckets = new TokenBuckets();
    const ratePerMs = 60 / 60_000;
    for (let i = 0; i < 3; i++) expect(buckets.take('k', ratePerMs, 3, 0)).toBe(0);
    expect(buckets.take('k', ratePerMs, 3, 0)).toBe(1000);
    expect(buckets.take('k', ratePerMs, 3, 1000)).toBe(0);
  });

  it('evicts idle buckets and stays bounded under a flood of keys', () => {
    const buckets = new TokenBuckets(1_000);
    for (let i = 0; i < 5_000; i++) buckets.take(`ip-${i}`, 1 / 1000, 5, 0);
    expect(buckets.size).toBeLessThanOrEqual(1_000);
    const before = buckets.size;
    expect(buckets.evictIdle(1)).toBe(0);
    expect(buckets.evictIdle(10_000)).toBe(before);
    expect(buckets.size).toBe(0);
  });
});

describe('gateway rate limits', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });

  async function get(
    base: string,
    path: string,
    method = 'GET',
  ): Promise<{ status: number; retryAfter: string | undefined }> {
    const res = await request(`${base}${path}`, { method });
    await res.body.dump();
    return { status: res.statusCode, retryAfter: res.headers['retry-after'] as string | undefined };
  }

  it('answers 429 with Retry-After once a client used its burst', async () => {
    const gw = await startGateway(upstream.url, {
      rateLimits: { perClient: { requestsPerWindow: 2, windowMs: 10_000 } },
    });
    try {
      expect((await get(gw.base, '/a')).status).toBe(200);
      expect((await get(gw.base, '/b')).status).toBe(200);
      const limited = await get(gw.base, '/c');
      expect(limited.status).toBe(429);
      expect(Number(limited.retryAfter)).toBe(5);
      expect(gw.events.at(-1)?.http).toMatchObject({ outcome: 'rate_limited', status: 429, route: '/c' });
    } finally {
      await gw.gateway.close();
    }
  });

  it('limits a configured route and method without touching other routes', async () => {
    const gw = await startGateway(upstream.url, {
      rateLimits: {
        routes: [{ method: 'POST', pathPrefix: '/login', ratePerMinute: 1, burst: 1, name: 'login' }],
      },
    });
    try {
      expect((await get(gw.base, '/login', 'POST')).status).toBe(200);
      const limited = await get(gw.base, '/login', 'POST');
      expect(limited.status).toBe(429);
      expect(Number(limited.retryAfter)).toBe(60);
      expect(gw.events.at(-1)?.http?.route).toBe('login');
      expect((await get(gw.base, '/login', 'GET')).status).toBe(200);
      expect((await get(gw.base, '/products', 'POST')).status).toBe(200);
    } finally {
      await gw.gateway.close();
    }
  });
});
