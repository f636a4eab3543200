import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import WebSocket from 'ws';
import type { InspectionContext, Inspector } from './inspection.js';
import {
  eventually,
  rawRequest,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from './testing/harness.js';

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

/**
 * An inspector that completes an exchange in its response-headers phase (setting findings, as
 * the WAF does in its logging phase) and records every onEnd call: the gateway must call onEnd
 * exactly for the exchanges that ended before that phase, and publish their events after it.
 */
function endRecordingInspector(delayMs: number) {
  const ended: string[] = [];
  const inspector: Inspector = {
    onRequestHeaders: () => undefined,
    onResponseHeaders: (ctx) => {
      ctx.findings = { ruleIds: ['completed'] };
      return undefined;
    },
    onEnd: async (ctx: InspectionContext) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      ended.push(ctx.url);
      ctx.findings = { ruleIds: ['900990'] };
    },
  };
  return { inspector, ended };
}

describe('gateway inspection hook: exchanges that end early', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('calls onEnd when the client leaves before the answer, and the event waits for its findings', async () => {
    const { inspector, ended } = endRecordingInspector(50);
    const gw = await startGateway(upstream.url, { inspection: inspector });
    try {
      // The shop never answers /hang; the client gives up after 200 ms.
      await rawRequest(gw.port, 'GET /hang?who=leaver HTTP/1.1\r\nHost: localhost\r\n\r\n', 200).catch(
        () => '',
      );
      await eventually(() => gw.events.some((event) => event.http?.path === '/hang?who=leaver'), 3_000);
      expect(ended).toEqual(['/hang?who=leaver']);
      const event = gw.events.find((e) => e.http?.path === '/hang?who=leaver');
      expect(event?.http?.inspection?.ruleIds).toEqual(['900990']);
    } finally {
      await gw.gateway.close();
    }
  });

  it('calls onEnd when the shop fails, and not for an exchange the inspector completed', async () => {
    const { inspector, ended } = endRecordingInspector(0);
    const gw = await startGateway(upstream.url, { inspection: inspector });
    const down = await startGateway('http://127.0.0.1:9', { inspection: inspector });
    try {
      const ok = await request(`${gw.base}/echo?who=done`);
      await ok.body.dump();
      expect(ok.statusCode).toBe(200);
      const failed = await request(`${down.base}/echo?who=unreachable`);
      await failed.body.dump();
      expect(failed.statusCode).toBe(502);
      await eventually(() => ended.length > 0);
      expect(ended).toEqual(['/echo?who=unreachable']);
      expect(gw.events.at(-1)?.http?.inspection?.ruleIds).toEqual(['completed']);
    } finally {
      await gw.gateway.close();
      await down.gateway.close();
    }
  });

  it('calls onEnd once a WebSocket upgrade passed its request phase', async () => {
    const { inspector, ended } = endRecordingInspector(0);
    const gw = await startGateway(upstream.url, { inspection: inspector });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/socket?who=ws`);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.close();
      expect(ended).toEqual(['/socket?who=ws']);
    } finally {
      await gw.gateway.close();
    }
  });
});
