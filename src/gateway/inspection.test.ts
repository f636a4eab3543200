import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { Inspector } from './inspection.js';
import { startGateway, startUpstream, type TestGateway, type Upstream } from './testing/harness.js';

/** A tiny inspector in the shape the WAF engine will have: one header rule, one body rule, one response rule. */
const exampleInspector: Inspector = {
  onRequestHeaders: (ctx) =>
    ctx.headers['x-scanner'] === 'sqlmap'
      ? { action: 'block', status: 403, ruleIds: ['913100'], message: 'scanner user agent' }
      : undefined,
  wantsRequestBody: (ctx) => ctx.method !== 'GET',
  onRequestBody: async (_ctx, body) =>
    body.includes('UNION SELECT')
      ? { action: 'block', status: 403, ruleIds: ['942100'], message: 'SQL injection in body' }
      : undefined,
  onResponseBody: (ctx, body) => {
    ctx.vars['responseInspected'] = true;
    return /4111\d{12}/.test(body.toString('latin1'))
      ? { action: 'block', status: 502, ruleIds: ['950100'], message: 'card number in response' }
      : undefined;
  },
};

describe('gateway inspection hook', () => {
  let upstream: Upstream;
  let gw: TestGateway;
  beforeAll(async () => {
    upstream = await startUpstream();
    gw = await startGateway(upstream.url, { inspection: exampleInspector });
  });
  afterAll(async () => {
    await gw.gateway.close();
    await upstream.close();
  });

  it('blocks on a request header value with the verdict status and a blocked event', async () => {
    const seenBefore = upstream.seen.length;
    const res = await request(`${gw.base}/echo`, { headers: { 'x-scanner': 'sqlmap' } });
    const body = (await res.body.json()) as { error: { code: string; requestId: string } };
    expect(res.statusCode).toBe(403);
    expect(body.error.code).toBe('request_blocked');
    expect(JSON.stringify(body)).not.toContain('913100');
    expect(upstream.seen.length).toBe(seenBefore);
    expect(gw.events.at(-1)?.http?.outcome).toBe('blocked');
    expect(gw.events.at(-1)?.labels).toMatchObject({ ruleIds: '913100' });
  });

  it('blocks on a request body substring and passes a clean body unchanged', async () => {
    const blocked = await request(`${gw.base}/echo`, {
      method: 'POST',
      body: "q=1' UNION SELECT password FROM users",
    });
    await blocked.body.dump();
    expect(blocked.statusCode).toBe(403);
    expect(gw.events.at(-1)?.labels?.['ruleIds']).toBe('942100');

    const clean = await request(`${gw.base}/echo`, { method: 'POST', body: 'q=shoes' });
    const echoed = (await clean.body.json()) as { body: string };
    expect(clean.statusCode).toBe(200);
    expect(echoed.body).toBe('q=shoes');
  });

  it('blocks a response whose body leaks a card number', async () => {
    const res = await request(`${gw.base}/page`);
    const text = await res.body.text();
    expect(res.statusCode).toBe(502);
    expect(text).not.toContain('4111');
    expect(gw.events.at(-1)?.http).toMatchObject({ outcome: 'blocked', status: 502 });
  });

  it('fails closed with 500 when an inspector throws', async () => {
    const broken = await startGateway(upstream.url, {
      inspection: {
        onRequestHeaders: () => {
          throw new Error('rule bug');
        },
      },
    });
    try {
      const res = await request(`${broken.base}/echo`);
      const body = (await res.body.json()) as { error: { code: string } };
      expect(res.statusCode).toBe(500);
      expect(body.error.code).toBe('internal');
    } finally {
      await broken.gateway.close();
    }
  });
});
