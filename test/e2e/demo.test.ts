/** `ensuresec demo` end to end: the shop behind the gateway, its business events in the pipeline, the simulator's traffic. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { parseConfig } from '../../src/server/config/load.js';
import { readCliToken } from '../../src/server/data-dir.js';
import { startDemo, type Demo } from '../../src/server/demo.js';

describe('ensuresec demo', { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-demo-'));
  let demo: Demo;
  let client: ApiClient;

  beforeAll(async () => {
    const config = parseConfig('demo:\n  simulator:\n    shoppers: 2\n    ratePerSecond: 10\n');
    demo = await startDemo({
      config,
      dataDir,
      logger: pino({ level: 'silent' }),
      ports: { api: 0, gateway: 0, shop: 0 },
      simulatorDurationMs: 20_000,
    });
    client = new ApiClient({ baseUrl: demo.runtime.apiUrl, token: readCliToken(dataDir) as string });
  });

  afterAll(async () => {
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the real shop through the gateway', async () => {
    const response = await request(`${demo.runtime.gatewayUrl}/search?q=tea`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toMatch(/^req_/);
    expect(await response.body.text()).toContain('<html');
  });

  it('turns a failed shop login into a business event with the client address', async () => {
    const response = await request(`${demo.runtime.gatewayUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password' }),
    });
    await response.body.dump();
    expect(response.statusCode).toBe(401);
    await demo.runtime.events.flush();
    const events = await client.events.list({ kind: 'business', limit: 500 });
    const login = events.items.find(
      (event) =>
        event.business?.type === 'login' &&
        event.business.outcome === 'failure' &&
        event.business.email === 'nobody@example.com',
    );
    expect(login).toMatchObject({ source: { type: 'shop', name: 'demo-shop' }, client: { ip: '127.0.0.1' } });
  });

  it('lets the simulated shoppers through the gateway', async () => {
    const started = Date.now();
    let forwarded = 0;
    while (Date.now() - started < 15_000) {
      const status = await client.status();
      forwarded = (status.providers['gateway'] as { outcomes: { forwarded: number } }).outcomes.forwarded;
      if (forwarded >= 20) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(forwarded).toBeGreaterThanOrEqual(20);
  });
});
