/**
 * The gateway with the WAF on worker threads, over real HTTP: response headers that phase 3
 * cannot block go to the client without waiting for the worker, and the exchange's SecurityEvent
 * still carries what phase 3 logged; when a guarded phase-3 deny can match (its TX variable set
 * by the request), the response waits and is blocked.
 */
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../../testing/harness.js';
import { createWafWorkerPool, type WafWorkerPool } from './pool.js';

describe('gateway + WAF pool: response headers and phase 3', () => {
  let upstream: Upstream;
  let pool: WafWorkerPool;
  let gateway: TestGateway;
  beforeAll(async () => {
    upstream = await startUpstream();
    pool = await createWafWorkerPool({
      ruleFiles: [join(import.meta.dirname, 'fixtures/gateway-phase3.conf')],
      workers: 2,
    });
    gateway = await startGateway(upstream.url, { inspection: pool.inspector });
  }, 60_000);
  afterAll(async () => {
    await gateway.gateway.close();
    await pool.close();
    await upstream.close();
  });

  const eventOf = async (requestId: string) => {
    await eventually(() => gateway.events.some((event) => event.http?.requestId === requestId));
    return gateway.events.find((event) => event.http?.requestId === requestId)?.http;
  };

  it('answers at once and the event still carries the phase-3 match', async () => {
    const res = await request(`${gateway.base}/catalog`, { headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    expect(((await res.body.json()) as { url: string }).url).toBe('/catalog');
    const event = await eventOf(String(res.headers['x-request-id']));
    expect(event?.inspection?.ruleIds).toEqual(['130']);
    expect(event?.inspection?.blockedBy).toBeUndefined();
    expect(pool.load().every((worker) => worker.exchanges === 0 && worker.queued === 0)).toBe(true);
  });

  it('waits for phase 3 when its guarded deny can match, and blocks', async () => {
    const res = await request(`${gateway.base}/catalog`, { headers: { 'x-deny-json': '1' } });
    expect(res.statusCode).toBe(502);
    await res.body.dump();
    const event = await eventOf(String(res.headers['x-request-id']));
    expect(event?.inspection).toMatchObject({ ruleIds: ['130', '132'], blockedBy: '132' });
  });
});
