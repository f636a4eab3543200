import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, startUpstream, type TestGateway, type Upstream } from '../gateway/testing/harness.js';
import { join } from 'node:path';
import type { InspectionContext } from '../gateway/inspection.js';
import { createWafWorkerPool } from '../gateway/waf/pool/pool.js';
import { registerGatewayConnectionMetrics, registerWafWorkerMetrics } from './gateway-metrics.js';

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

describe('WAF worker metrics', () => {
  it('shows what each worker thread holds and what waits for it', async () => {
    const pool = await createWafWorkerPool({
      ruleFiles: [join(import.meta.dirname, '../gateway/waf/pool/fixtures/pool-rules.conf')],
      workers: 2,
    });
    try {
      const registry = new Registry();
      registerWafWorkerMetrics(registry, () => pool.load());
      const contexts: InspectionContext[] = Array.from({ length: 3 }, (_, i) => ({
        requestId: `m-${i}`,
        clientIp: '198.51.100.9',
        method: 'GET',
        url: `/m/${i}`,
        headers: { host: 'localhost' },
        route: 'default',
        vars: {},
      }));
      await Promise.all(contexts.map((ctx) => pool.inspector.onRequestHeaders?.(ctx)));
      const held = await registry.metrics();
      const exchanges = [...held.matchAll(/^ensuresec_waf_worker_exchanges\{worker="(\d)"\} (\d+)$/gm)];
      expect(exchanges.map((m) => m[1])).toEqual(['0', '1']);
      expect(exchanges.reduce((sum, m) => sum + Number(m[2]), 0)).toBe(3);
      expect(held).toMatch(/^ensuresec_waf_worker_queued\{worker="0"\} 0$/m);
      await Promise.all(contexts.map((ctx) => pool.inspector.onEnd?.(ctx)));
      const ended = await registry.metrics();
      expect(ended).toMatch(/^ensuresec_waf_worker_exchanges\{worker="0"\} 0$/m);
      expect(ended).toMatch(/^ensuresec_waf_worker_exchanges\{worker="1"\} 0$/m);
    } finally {
      await pool.close();
    }
  });
});
