/**
 * `ensuresec/client` end to end: the real embedded runtime (store, bus, API on an ephemeral
 * port) with a shop webhook secret from its configuration, the client over real HTTP, and the
 * stored event read back through the API. Failure paths use small real HTTP servers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOP_EVENT_TYPES as SERVER_TYPES } from '../ingest/sources/shop/business-event.js';
import { parseConfig } from '../server/config/load.js';
import { readCliToken } from '../server/data-dir.js';
import { startRuntime, type Runtime } from '../server/runtime.js';
import { createShopEventsClient, SHOP_EVENT_TYPES, ShopEventsError, type ShopEvent } from './index.js';

const SECRET = `whsec_${Buffer.alloc(32, 42).toString('base64')}`;
const OLD_SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

const failedLogin: ShopEvent = {
  type: 'login',
  outcome: 'failure',
  accountId: 'cus_42',
  clientIp: '203.0.113.7',
  reason: 'bad_password',
  attributes: { userAgent: 'Mozilla/5.0' },
};

let dataDir: string;
let runtime: Runtime;
let adminToken: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-client-'));
  const secretFile = join(dataDir, 'shop-webhook-secrets');
  writeFileSync(secretFile, `${SECRET} ${OLD_SECRET}\n`);
  const config = parseConfig(
    `api:\n  port: 0\ngateway:\n  enabled: false\ndetection:\n  enabled: false\ningest:\n  shopWebhooks:\n    secrets: ["file:${secretFile}"]\n`,
  );
  runtime = await startRuntime({ config, dataDir, logger: pino({ level: 'silent' }) });
  adminToken = readCliToken(dataDir) ?? '';
});
afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function readEvent(id: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${runtime.apiUrl}/api/v1/events/${id}`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** A real HTTP server in front of (or instead of) Ensuresec, answering as `handle` says. */
async function startServer(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('ensuresec/client', () => {
  it('sends a signed event in one line; Ensuresec stores it and the API reads it back', async () => {
    const ensuresec = createShopEventsClient({ url: runtime.apiUrl, secret: SECRET });
    const result = await ensuresec.send(failedLogin);
    expect(result).toMatchObject({ ok: true, status: 'accepted', attempts: 1 });
    if (!result.ok) return;
    expect(result.webhookId).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(await readEvent(result.eventId)).toMatchObject({
      id: result.eventId,
      kind: 'business',
      source: { type: 'shop', name: 'shop-webhook' },
      severity: 'low',
      client: { ip: '203.0.113.7' },
      business: {
        type: 'login',
        outcome: 'failure',
        accountId: 'cus_42',
        attributes: { userAgent: 'Mozilla/5.0', reason: 'bad_password' },
      },
    });
  });

  it('signs with the old secret during a rotation, and answers duplicate for a webhook-id sent again', async () => {
    const ensuresec = createShopEventsClient({
      url: `${runtime.apiUrl}/api/v1/shop-events`,
      secret: OLD_SECRET,
    });
    const event: ShopEvent = {
      ...failedLogin,
      type: 'payment',
      reason: '05',
      occurredAt: '2026-11-26T10:00:00Z',
    };
    const first = await ensuresec.sendOrThrow(event, { webhookId: 'order-1001-payment-1' });
    const again = await ensuresec.sendOrThrow(event, { webhookId: 'order-1001-payment-1' });
    expect(first.status).toBe('accepted');
    expect(again).toMatchObject({ status: 'duplicate', eventId: first.eventId });
    expect(await readEvent(first.eventId)).toMatchObject({ time: '2026-11-26T10:00:00.000Z' });
  });

  it('redelivers with the same webhook-id after a lost answer, so the event is stored once', async () => {
    const seen: string[] = [];
    const flaky = await startServer((req, res, body) => {
      seen.push(String(req.headers['webhook-id']));
      void fetch(`${runtime.apiUrl}${req.url}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        },
        body,
      }).then(async (upstream) => {
        // The first answer is lost on the way back: the shop sees a 502 after Ensuresec stored it.
        const text = await upstream.text();
        if (seen.length === 1) res.writeHead(502).end();
        else res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
      });
    });
    try {
      const ensuresec = createShopEventsClient({ url: flaky.url, secret: SECRET, backoffMs: 10 });
      const result = await ensuresec.send({ ...failedLogin, accountId: 'cus_77' });
      expect(result).toMatchObject({ ok: true, status: 'duplicate', attempts: 2 });
      expect(new Set(seen).size).toBe(1);
      if (result.ok)
        expect(await readEvent(result.eventId)).toMatchObject({ business: { accountId: 'cus_77' } });
    } finally {
      await flaky.close();
    }
  });

  it('answers a refusal as a result without retrying, and sendOrThrow throws it', async () => {
    const wrong = createShopEventsClient({
      url: runtime.apiUrl,
      secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`,
      backoffMs: 10,
    });
    const result = await wrong.send(failedLogin);
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    if (!result.ok)
      expect([result.error.code, result.error.status]).toEqual(['webhook_signature_invalid', 401]);
    const invalid = createShopEventsClient({ url: runtime.apiUrl, secret: SECRET });
    const refused = await invalid.send({ type: 'login', clientIp: 'not an ip' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'validation_failed', status: 400 } });
    await expect(wrong.sendOrThrow(failedLogin)).rejects.toBeInstanceOf(ShopEventsError);
  });

  it('never throws: network errors, timeouts and 5xx end in a result after the retries', async () => {
    const silent = await startServer(() => undefined);
    const failing = await startServer((_req, res) => res.writeHead(503, { 'retry-after': '0' }).end());
    const closed = await startServer(() => undefined);
    const closedUrl = closed.url;
    await closed.close();
    try {
      const options = { secret: SECRET, retries: 2, backoffMs: 5 };
      const timedOut = await createShopEventsClient({ ...options, url: silent.url, timeoutMs: 100 }).send(
        failedLogin,
      );
      expect(timedOut).toMatchObject({ ok: false, attempts: 3, error: { code: 'timeout' } });
      const unavailable = await createShopEventsClient({ ...options, url: failing.url }).send(failedLogin);
      expect(unavailable).toMatchObject({ ok: false, attempts: 3, error: { code: 'http_503', status: 503 } });
      const unreachable = await createShopEventsClient({ ...options, url: closedUrl }).send(failedLogin);
      expect(unreachable).toMatchObject({ ok: false, attempts: 3, error: { code: 'network_error' } });
      const bad = await createShopEventsClient({ ...options, url: failing.url }).send({
        ...failedLogin,
        occurredAt: 'not a time',
      });
      expect(bad).toMatchObject({ ok: false, attempts: 0, error: { code: 'invalid_event' } });
    } finally {
      await silent.close();
      await failing.close();
    }
  });

  it('refuses an unusable secret when created, and knows the types the server accepts', () => {
    expect(() => createShopEventsClient({ url: runtime.apiUrl, secret: 'whsec_' })).toThrow(TypeError);
    expect([...SHOP_EVENT_TYPES]).toEqual([...SERVER_TYPES]);
  });
});
