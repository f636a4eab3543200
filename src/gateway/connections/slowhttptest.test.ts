import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityEventSchema, type SecurityEvent } from '../../core/records/security-event.js';
import { startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.js';
import { runSlowHttpTest, SLOWHTTPTEST, startCustomer } from '../testing/slow-client.js';

// CI installs slowhttptest (.ci/run); a machine without it skips rather than fails.
const available = existsSync(SLOWHTTPTEST);

const flowsOf = (events: SecurityEvent[], state: string): SecurityEvent[] =>
  events.filter((e) => e.kind === 'flow' && e.flow?.state === state && e.flow.srcIp === '127.0.0.1');

let upstream: Upstream;
let gw: TestGateway;

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway(upstream.url, {
    limits: { headersTimeoutMs: 2_000 },
    connections: {
      maxPerClient: 100,
      newPerSecondPerClient: 400,
      bodyIdleTimeoutMs: 3_000,
      bodyRateGraceMs: 1_000,
      minBodyBytesPerSecond: 512,
      flowEventIntervalMs: 1_000,
    },
  });
});

afterAll(async () => {
  await gw?.gateway.close();
  await upstream?.close();
});

describe.skipIf(!available)('slowhttptest against the gateway', () => {
  it('slowloris (-H): the attacker is capped and cut, a customer on another address is served throughout', async () => {
    const customer = startCustomer(gw.base, '127.0.0.2', 50);
    await runSlowHttpTest({
      mode: '-H',
      url: `${gw.base}/`,
      connections: 300,
      ratePerSecond: 150,
      seconds: 6,
    });
    const run = await customer.stop();
    expect(run.errors).toEqual([]);
    expect(run.statuses.length).toBeGreaterThan(10);
    expect(run.statuses.every((status) => status === 200)).toBe(true);
    const metrics = gw.gateway.metrics.connections;
    expect(metrics.refused.concurrent).toBeGreaterThan(0);
    expect(metrics.closed.slow_headers).toBeGreaterThan(0);
    const slow = flowsOf(gw.events, 'slow_headers');
    const capped = flowsOf(gw.events, 'connection_cap');
    expect(slow.length).toBeGreaterThan(0);
    expect(capped.length).toBeGreaterThan(0);
    // Rate-limited: far fewer events than closes, each saying how many it stands for.
    expect(slow.length + capped.length).toBeLessThan(
      metrics.closed.slow_headers + metrics.refused.concurrent,
    );
    for (const event of [...slow, ...capped]) expect(securityEventSchema.safeParse(event).success).toBe(true);
  }, 40_000);

  it('slow body (-B): the attacker is cut, a customer on another address is served throughout', async () => {
    const before = gw.gateway.metrics.connections.closed.slow_body;
    const customer = startCustomer(gw.base, '127.0.0.3', 50);
    await runSlowHttpTest({
      mode: '-B',
      url: `${gw.base}/upload`,
      connections: 300,
      ratePerSecond: 150,
      seconds: 6,
    });
    const run = await customer.stop();
    expect(run.errors).toEqual([]);
    expect(run.statuses.length).toBeGreaterThan(10);
    expect(run.statuses.every((status) => status === 200)).toBe(true);
    expect(gw.gateway.metrics.connections.closed.slow_body).toBeGreaterThan(before);
    const slow = flowsOf(gw.events, 'slow_body');
    expect(slow.length).toBeGreaterThan(0);
    expect(slow[0]).toMatchObject({
      source: { type: 'gateway' },
      flow: { protocol: 'tcp', srcIp: '127.0.0.1', dstPort: gw.port, exporter: 'gateway' },
    });
  }, 40_000);
});
