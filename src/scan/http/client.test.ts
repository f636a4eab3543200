import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScope } from '../scope.js';
import { startHostileServer } from '../testing/hostile-server.js';
import { ScanHttpClient, type ScanHttpOptions } from './client.js';

describe('scan HTTP client against a hostile target', () => {
  let target: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    target = await startHostileServer();
  });
  afterAll(async () => target.close());

  function client(overrides: Partial<ScanHttpOptions> = {}): ScanHttpClient {
    return new ScanHttpClient({
      scope: createScope(new URL(target.url)),
      maxRequests: 20,
      ratePerSecond: 0,
      concurrency: 2,
      timeoutMs: 1000,
      maxResponseBytes: 256 * 1024,
      ...overrides,
    });
  }

  it('cuts an endless body at the size cap and says so', async () => {
    const started = Date.now();
    const res = await client().send({ url: `${target.url}/endless` });
    expect(res.ok && res.truncated).toBe(true);
    expect(res.ok && res.bodyBytes).toBe(256 * 1024);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('cuts a body that promises 50 MiB before the timeout', async () => {
    const res = await client().send({ url: `${target.url}/huge` });
    expect(res.ok && res.truncated).toBe(true);
  });

  it('gives up on a slow drip after the timeout', async () => {
    const started = Date.now();
    const res = await client({ timeoutMs: 400 }).send({ url: `${target.url}/slow` });
    expect(res).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('gives up on a server that never answers', async () => {
    const res = await client({ timeoutMs: 300 }).send({ url: `${target.url}/hang` });
    expect(res).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('detects a redirect loop', async () => {
    const res = await client().send({ url: `${target.url}/loop`, followRedirects: true });
    expect(res).toMatchObject({ ok: false, reason: 'redirect_loop' });
  });

  it('reads binary junk as (lossy) text without failing', async () => {
    const res = await client().send({ url: `${target.url}/junk` });
    expect(res.ok && res.bodyBytes).toBe(4096);
  });

  it('stops at the request budget and refuses what is out of scope', async () => {
    const c = client({ maxRequests: 2 });
    expect((await c.send({ url: `${target.url}/` })).ok).toBe(true);
    expect((await c.send({ url: 'http://127.0.0.2:1/' })).ok).toBe(false);
    expect((await c.send({ url: `${target.url}/` })).ok).toBe(true);
    expect(await c.send({ url: `${target.url}/` })).toMatchObject({ ok: false, reason: 'budget_exhausted' });
    expect(c.stats().sent).toBe(2);
  });

  it('spaces requests by the rate limit and caps concurrency', async () => {
    const c = client({ ratePerSecond: 20, concurrency: 1 });
    const started = Date.now();
    await Promise.all([1, 2, 3, 4, 5].map(() => c.send({ url: `${target.url}/` })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
