/**
 * The demo shop as a real shop would be wired: with a shop webhook secret configured, its
 * business events travel signed through `ensuresec/client` to `POST /api/v1/shop-events`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../core/records/index.js';
import { parseConfig } from './config/load.js';
import { readCliToken } from './data-dir.js';
import { startDemo, type Demo } from './demo.js';

describe('demo shop events over signed webhooks', { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-demo-webhooks-'));
  let demo: Demo;
  let token: string;

  beforeAll(async () => {
    const secretFile = join(dataDir, 'shop-webhook-secret');
    writeFileSync(secretFile, `whsec_${Buffer.alloc(32, 3).toString('base64')}\n`);
    const config = parseConfig(
      `detection:\n  enabled: false\ndemo:\n  simulator:\n    enabled: false\ningest:\n  shopWebhooks:\n    secrets: ["file:${secretFile}"]\n`,
    );
    demo = await startDemo({
      config,
      dataDir,
      logger: pino({ level: 'silent' }),
      ports: { api: 0, gateway: 0, shop: 0 },
    });
    token = readCliToken(dataDir) as string;
  });
  afterAll(async () => {
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a failed shop login sent by the client, as source shop-webhook', async () => {
    const response = await fetch(`${demo.runtime.gatewayUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password' }),
    });
    expect(response.status).toBe(401);
    const find = async () => {
      const listed = await fetch(`${demo.runtime.apiUrl}/api/v1/events?kind=business&limit=100`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const page = (await listed.json()) as { items: SecurityEvent[] };
      return page.items.find((event) => event.business?.email === 'nobody@example.com');
    };
    await expect.poll(find, { timeout: 5_000 }).toMatchObject({
      source: { type: 'shop', name: 'shop-webhook' },
      client: { ip: '127.0.0.1' },
      business: { type: 'login', outcome: 'failure' },
    });
  });
});
