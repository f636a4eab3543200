import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { securityEventSchema } from '../core/records/security-event.js';
import { buildSecurityEvent } from './events.js';
import {
  eventually,
  makeDecision,
  mutableProvider,
  startGateway,
  startUpstream,
  type Upstream,
} from './testing/harness.js';

describe('gateway events', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('publishes one event per exchange that the SecurityEvent schema accepts', async () => {
    const gw = await startGateway(upstream.url, { name: 'edge-1' });
    try {
      const res = await request(`${gw.base}/products/42?q=1`, {
        method: 'POST',
        body: 'hello',
        headers: { 'user-agent': 'vitest-agent', host: 'shop.example' },
      });
      const text = await res.body.text();
      await eventually(() => gw.events.length >= 1);
      expect(gw.events).toHaveLength(1);
      const event = securityEventSchema.parse(gw.events[0]);
      expect(event).toMatchObject({
        kind: 'http',
        source: { type: 'gateway', name: 'edge-1' },
        client: { ip: '127.0.0.1', userAgent: 'vitest-agent' },
        http: {
          method: 'POST',
          host: 'shop.example',
          path: '/products/42?q=1',
          route: '/products',
          status: 200,
          requestBytes: 5,
          responseBytes: Buffer.byteLength(text),
          outcome: 'forwarded',
          requestId: res.headers['x-request-id'],
        },
      });
      expect(event.http?.latencyMs).toBeGreaterThan(0);
    } finally {
      await gw.gateway.close();
    }
  });

  it('builds schema-valid events for every outcome, even with oversized fields', () => {
    for (const outcome of [
      'forwarded',
      'banned',
      'throttled',
      'rate_limited',
      'rejected',
      'upstream_error',
      'blocked',
    ] as const) {
      const event = buildSecurityEvent(
        {
          requestId: 'req-1',
          startedAtMs: Date.now(),
          latencyMs: 1.5,
          clientIp: '2001:db8::1',
          clientPort: 5555,
          userAgent: 'u'.repeat(5000),
          method: 'GET',
          host: undefined,
          path: `/${'p'.repeat(9000)}`,
          route: '/p',
          status: 200,
          requestBytes: 0,
          responseBytes: 10,
          outcome,
          upgrade: outcome === 'forwarded',
        },
        'gateway',
      );
      expect(securityEventSchema.safeParse(event).success).toBe(true);
    }
  });

  it('samples forwarded exchanges but always publishes blocks and errors', async () => {
    const state = mutableProvider();
    const gw = await startGateway(upstream.url, { eventSampleRate: 0, decisions: state.provider });
    try {
      for (let i = 0; i < 5; i++) await (await request(`${gw.base}/echo`)).body.dump();
      await eventually(() => gw.gateway.metrics.eventsSampledOut === 5);
      expect(gw.events).toHaveLength(0);
      expect(gw.gateway.metrics.eventsSampledOut).toBe(5);
      state.decisions = [makeDecision({ action: 'ban', scope: 'ip', value: '127.0.0.1' })];
      await gw.gateway.refreshDecisions();
      for (let i = 0; i < 3; i++) await (await request(`${gw.base}/echo`)).body.dump();
      expect(gw.events.map((e) => e.http?.outcome)).toEqual(['banned', 'banned', 'banned']);
    } finally {
      await gw.gateway.close();
    }
  });

  it('publishes about the configured share of forwarded exchanges', async () => {
    const gw = await startGateway(upstream.url, { eventSampleRate: 0.5 });
    try {
      for (let i = 0; i < 200; i++) await (await request(`${gw.base}/echo`)).body.dump();
      await eventually(
        () => gw.gateway.metrics.eventsPublished + gw.gateway.metrics.eventsSampledOut === 200,
      );
      expect(gw.events.length).toBeGreaterThan(50);
      expect(gw.events.length).toBeLessThan(150);
    } finally {
      await gw.gateway.close();
    }
  });

  it('survives a publishEvent callback that throws', async () => {
    const gw = await startGateway(upstream.url, {
      publishEvent: () => {
        throw new Error('bus full');
      },
    });
    try {
      const res = await request(`${gw.base}/echo`);
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      await eventually(() => gw.gateway.metrics.eventPublishErrors === 1);
    } finally {
      await gw.gateway.close();
    }
  });
});
