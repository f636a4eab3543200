import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, startUpstream, type TestGateway, type Upstream } from '../gateway/testing/harness.js';
import { registerGatewayConnectionMetrics } from './gateway-metrics.js';

let upstream: Upstream;
let gw: TestGateway;

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway(upstream.url);
});

afterAll(async () => {
  await gw.gateway.close();
  await upstream.close();
});

describe('gateway connection metrics', () => {
  it('exposes the connection counters and timing histograms to Prometheus, without per-client labels', async () => {
    const registry = new Registry();
    registerGatewayConnectionMetrics(registry, gw.gateway);
    for (let i = 0; i < 2; i++)
      await (await fetch(`${gw.base}/m`, { headers: { connection: 'close' } })).text();
    const text = await registry.metrics();
    expect(text).toMatch(/^ensuresec_gateway_connections_accepted_total 2$/m);
    expect(text).toMatch(/^# TYPE ensuresec_gateway_connection_first_byte_seconds histogram$/m);
    expect(text).toMatch(/^ensuresec_gateway_connection_first_byte_seconds_bucket\{le="\+Inf"\} 2$/m);
    expect(text).toMatch(/^ensuresec_gateway_connection_headers_seconds_count 2$/m);
    expect(text).toMatch(/^# TYPE ensuresec_gateway_connections_refused_total counter$/m);
    // Buckets are cumulative: each one at most the next.
    const buckets = [
      ...text.matchAll(/^ensuresec_gateway_connection_headers_seconds_bucket\{le="[^"]+"\} (\d+)$/gm),
    ].map((m) => Number(m[1]));
    expect(buckets.length).toBeGreaterThan(5);
    expect(buckets.every((value, i) => i === 0 || value >= (buckets[i - 1] as number))).toBe(true);
    expect(text).not.toMatch(/127\.0\.0\.1/);
  });
});
