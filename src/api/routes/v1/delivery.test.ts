/**
 * Delivery ingest over the API: carrier webhooks (Standard Webhooks, a secret per carrier) and
 * the token-authenticated batch of carrier events, claims and address changes, on the real
 * server, a real SQLite store and the real in-memory bus.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../bus/bus.js';
import { securityEventSchema, type SecurityEvent } from '../../../core/records/index.js';
import { parseWebhookSecret, signWebhook } from '../../../ingest/sources/webhook/signature.js';
import { startHarness, type Harness } from '../../testing/harness.js';

interface Cases {
  valid: { name: string; payload: { type: string; timestamp: string; data: Record<string, unknown> } }[];
  invalid: { name: string; payload: unknown; paths: string[] }[];
  apiBatch: { events: unknown[]; expected: string[]; rejectedPaths: Record<string, string[]> };
}
const cases = JSON.parse(
  readFileSync(
    new URL('../../../ingest/sources/delivery/fixtures/carrier-events.json', import.meta.url),
    'utf8',
  ),
) as Cases;

const DHL_SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const UPS_SECRET = `whsec_${Buffer.alloc(32, 4).toString('base64')}`;

function key(secret: string): Buffer {
  const parsed = parseWebhookSecret(secret);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.key;
}

let h: Harness;
let published: SecurityEvent[];
beforeEach(async () => {
  h = await startHarness(
    {},
    {
      ingest: {
        shopWebhooks: { keys: [], toleranceMs: 300_000 },
        delivery: {
          carriers: new Map([
            ['dhl', [key(DHL_SECRET)]],
            ['ups', [key(UPS_SECRET)]],
          ]),
          toleranceMs: 300_000,
        },
      },
    },
  );
  published = [];
  h.bus.subscribe<SecurityEvent>(TOPICS.events, (message) => void published.push(message.data), {
    group: 'test',
  });
});
afterEach(async () => h.close());

describe('POST /api/v1/delivery/webhooks/:carrier', () => {
  const nowSeconds = () => Math.floor(h.clock.nowMs() / 1000);
  function deliver(
    payload: unknown,
    options: { carrier?: string; id?: string; secret?: string; timestamp?: number } = {},
  ) {
    const body = JSON.stringify(payload);
    const id = options.id ?? 'msg_carrier_1';
    const timestamp = options.timestamp ?? nowSeconds();
    return h.call('POST', `/api/v1/delivery/webhooks/${options.carrier ?? 'dhl'}`, {
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(key(options.secret ?? DHL_SECRET), id, timestamp, body),
      },
      payload: body,
    });
  }

  it.each(cases.valid.map((c) => [c.name, c] as const))('stores and publishes %s', async (_name, c) => {
    const response = await deliver(c.payload);
    expect(response.statusCode).toBe(200);
    const answer = response.json() as { eventId: string; status: string };
    expect(answer.status).toBe('accepted');
    const stored = await h.store.events.get(answer.eventId);
    expect(securityEventSchema.parse(stored)).toEqual(stored);
    const { reason, trackingNumber, attributes, ...fields } = c.payload.data;
    expect(stored).toMatchObject({
      kind: 'delivery',
      time: new Date(c.payload.timestamp).toISOString(),
      source: { type: 'carrier-webhook', name: 'dhl' },
      delivery: { type: `carrier.${c.payload.type}`, carrier: 'dhl', ...fields },
    });
    const expectedAttributes = {
      ...(attributes as Record<string, unknown> | undefined),
      ...(reason === undefined ? {} : { reason }),
      ...(trackingNumber === undefined ? {} : { trackingNumber }),
    };
    expect(stored?.delivery?.attributes).toEqual(expectedAttributes);
    await h.bus.drain();
    expect(published.map((event) => event.id)).toEqual([answer.eventId]);
  });

  it.each(cases.invalid.map((c) => [c.name, c] as const))(
    'refuses %s with 400, naming where',
    async (_name, c) => {
      const response = await deliver(c.payload);
      expect({ status: response.statusCode, code: response.json().error.code }).toEqual({
        status: 400,
        code: 'validation_failed',
      });
      const details = response.json().error.details as { path: string }[];
      expect([...new Set(details.map((d) => d.path))].sort()).toEqual([...c.paths].sort());
      expect(await h.store.events.count()).toBe(0);
    },
  );

  it('acknowledges a redelivered webhook-id as a duplicate, stored and published once', async () => {
    const payload = cases.valid[4]!.payload;
    const first = (await deliver(payload)).json() as { eventId: string };
    h.clock.advance(90_000);
    const again = await deliver(payload);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ webhookId: 'msg_carrier_1', eventId: first.eventId, status: 'duplicate' });
    await h.bus.drain();
    expect(published).toHaveLength(1);
    // The same webhook-id from another carrier is another event.
    const ups = await deliver(payload, { carrier: 'ups', secret: UPS_SECRET });
    expect(ups.json()).toMatchObject({ status: 'accepted' });
  });

  it("refuses another carrier's secret, an unknown carrier, a replay and a future event", async () => {
    const payload = cases.valid[0]!.payload;
    const wrongSecret = await deliver(payload, { secret: UPS_SECRET });
    expect([wrongSecret.statusCode, wrongSecret.json().error.code]).toEqual([
      401,
      'webhook_signature_invalid',
    ]);
    const unknown = await deliver(payload, { carrier: 'fedex' });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'webhook_signature_invalid']);
    expect(unknown.json().error.detail).toContain('fedex');
    const replay = await deliver(payload, { timestamp: nowSeconds() - 301 });
    expect([replay.statusCode, replay.json().error.code]).toEqual([
      401,
      'webhook_timestamp_out_of_tolerance',
    ]);
    const future = await deliver({ ...payload, timestamp: '2026-03-01T13:00:00Z' });
    expect([future.statusCode, future.json().error.code]).toEqual([400, 'validation_failed']);
    const badId = await deliver(payload, { carrier: 'DHL!' });
    expect([badId.statusCode, badId.json().error.code]).toEqual([400, 'validation_failed']);
    const unsigned = await h.call('POST', '/api/v1/delivery/webhooks/dhl', { body: payload });
    expect([unsigned.statusCode, unsigned.json().error.code]).toEqual([401, 'unauthenticated']);
    expect(await h.store.events.count()).toBe(0);
  });
});

describe('POST /api/v1/delivery/events', () => {
  const send = (body: unknown, token = h.tokens.carrier) =>
    h.call('POST', '/api/v1/delivery/events', { token, body });

  it('stores claims, address changes and carrier events, answering each item', async () => {
    const response = await send({ events: cases.apiBatch.events });
    expect(response.statusCode).toBe(200);
    const answer = response.json() as {
      accepted: number;
      results: { index: number; eventId?: string; status: string; issues?: { path: string }[] }[];
    };
    expect(answer.results.map((r) => r.status)).toEqual(cases.apiBatch.expected);
    for (const [index, paths] of Object.entries(cases.apiBatch.rejectedPaths)) {
      const issues = answer.results[Number(index)]!.issues!;
      expect(new Set(issues.map((issue) => issue.path))).toEqual(new Set(paths));
    }
    const [claimId, changeId, deliveredId] = answer.results.slice(0, 3).map((r) => r.eventId!);
    expect(await h.store.events.get(claimId!)).toMatchObject({
      kind: 'delivery',
      source: { type: 'delivery-api', name: 'carrier-user' },
      delivery: { type: 'claim.not_received', orderId: 'o-1', customerId: 'cus-1', valueMinor: 129900 },
      business: { type: 'claim.not_received', accountId: 'cus-1', cardFingerprint: 'fp-visa-1' },
    });
    expect(await h.store.events.get(changeId!)).toMatchObject({
      delivery: {
        type: 'order.address_changed',
        postalAddress: 'Waldweg 9, 14467 Potsdam',
        attributes: { changedBy: 'customer' },
      },
    });
    expect(await h.store.events.get(deliveredId!)).toMatchObject({
      delivery: { type: 'carrier.delivered', carrier: 'dhl', proof: { signature: true } },
    });
    expect(await h.store.events.count()).toBe(3);
    const again = (await send({ events: cases.apiBatch.events })).json() as {
      accepted: number;
      duplicates: number;
    };
    expect(again).toMatchObject({ accepted: 0, duplicates: 4 });
    expect(await h.store.events.count()).toBe(3);
  });

  it('is for the carrier and source roles (and admins); other roles are refused', async () => {
    const item = cases.apiBatch.events[0];
    for (const role of ['carrier', 'source', 'admin'] as const) {
      expect((await send({ events: [item] }, h.tokens[role])).statusCode).toBe(200);
    }
    for (const role of ['viewer', 'analyst', 'partner', 'gateway'] as const) {
      expect((await send({ events: [item] }, h.tokens[role])).json().error.code).toBe('forbidden');
    }
    // A carrier token can neither read events nor send arbitrary SecurityEvents.
    expect((await h.call('GET', '/api/v1/events', { token: h.tokens.carrier })).statusCode).toBe(403);
    expect(
      (await h.call('POST', '/api/v1/events', { token: h.tokens.carrier, body: { events: [{}] } }))
        .statusCode,
    ).toBe(403);
    expect((await h.call('POST', '/api/v1/delivery/events', { body: { events: [item] } })).statusCode).toBe(
      401,
    );
  });

  it('refuses an empty or oversized batch whole', async () => {
    for (const events of [[], Array.from({ length: 1001 }, () => ({}))]) {
      const response = await send({ events });
      expect([response.statusCode, response.json().error.code]).toEqual([400, 'validation_failed']);
    }
  });
});
