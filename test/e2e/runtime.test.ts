/** The embedded deployment end to end: gateway ─► shop, events ─► store, API decisions ─► gateway. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../../src/core/errors.js';
import { parseConfig } from '../../src/server/config/load.js';
import { startRuntime } from '../../src/server/runtime.js';
import { startEchoUpstream } from '../helpers/upstream.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

async function waitForStatus(url: string, expected: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const response = await request(url);
    await response.body.dump();
    if (response.statusCode === expected) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`still ${response.statusCode} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('embedded runtime', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let env: TestRuntime;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    env = await startTestRuntime(upstream.url);
  });

  afterAll(async () => {
    await env?.close();
    await upstream?.close();
  });

  it('serves the shop through the gateway with a request id and X-Forwarded-For', async () => {
    const response = await request(`${env.runtime.gatewayUrl}/products?q=tea`);
    const body = (await response.body.json()) as { url: string; forwardedFor: string; requestId: string };
    expect(response.statusCode).toBe(200);
    expect(body.url).toBe('/products?q=tea');
    expect(body.forwardedFor).toBe('127.0.0.1');
    expect(body.requestId).toMatch(/^req_/);
    expect(response.headers['x-request-id']).toBe(body.requestId);
  });

  it('records one event per exchange in the store', async () => {
    await (await request(`${env.runtime.gatewayUrl}/record-me`)).body.dump();
    await env.runtime.events.flush();
    const page = await env.client.events.list({ kind: 'http' });
    expect(page.items.some((event) => event.http?.path === '/record-me' && event.http.status === 200)).toBe(
      true,
    );
  });

  it('enforces a ban created through the API within one second, and lifts it when deleted', async () => {
    const url = `${env.runtime.gatewayUrl}/`;
    const decision = await env.client.decisions.add({
      action: 'ban',
      scope: 'cidr',
      value: '127.0.0.0/8',
      duration: '5m',
    });
    const bannedAfterMs = await waitForStatus(url, 403, 1000);
    expect(bannedAfterMs).toBeLessThan(1000);
    await env.client.decisions.delete(decision.id);
    expect(await waitForStatus(url, 200, 1000)).toBeLessThan(1000);
  });

  it('answers health, readiness and metrics without authentication, and nothing else', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await request(`${env.runtime.apiUrl}${path}`)).statusCode).toBe(200);
    }
    const status = await request(`${env.runtime.apiUrl}/api/v1/status`);
    expect(status.statusCode).toBe(401);
    expect(((await status.body.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });

  it("exposes the gateway's counters on /metrics", async () => {
    await (await request(`${env.runtime.gatewayUrl}/counted`)).body.dump();
    const metrics = await (await request(`${env.runtime.apiUrl}/metrics`)).body.text();
    const forwarded = /^ensuresec_gateway_requests_total\{outcome="forwarded"\} (\d+)$/m.exec(metrics);
    expect(Number(forwarded?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^ensuresec_events_total\{fate="accepted"\} \d+$/m);
    expect(metrics).toMatch(/^ensuresec_gateway_decisions_indexed \d+$/m);
  });

  it('answers 502 with an event when the shop is down', async () => {
    const down = await startTestRuntime('http://127.0.0.1:9');
    try {
      const response = await request(`${down.runtime.gatewayUrl}/`);
      expect(response.statusCode).toBe(502);
      expect(((await response.body.json()) as { error: { code: string } }).error.code).toBe(
        'upstream_unavailable',
      );
      await down.runtime.events.flush();
      const events = await down.client.events.list({ kind: 'http' });
      expect(events.items[0]?.http?.outcome).toBe('upstream_error');
    } finally {
      await down.close();
    }
  });
});

describe('start-up errors', () => {
  const logger = pino({ level: 'silent' });

  it('refuses an unwritable data directory clearly', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'ensuresec-ro-'));
    // A path below a regular file cannot be created, even by root (who ignores permission bits).
    const blockingFile = join(parent, 'not-a-directory');
    writeFileSync(blockingFile, '');
    try {
      const config = parseConfig('api:\n  port: 0\ngateway:\n  port: 0\n');
      const error = await startRuntime({ config, dataDir: join(blockingFile, 'data'), logger }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'data_dir_unwritable' });
      expect((error as Error).message).toContain('not-a-directory');
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('names a port that is already taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-port-'));
    try {
      const config = parseConfig(`api:\n  port: ${port}\ngateway:\n  port: 0\n`);
      const error = await startRuntime({ config, dataDir, logger }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EnsuresecError);
      expect((error as EnsuresecError).code).toBe('port_in_use');
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
