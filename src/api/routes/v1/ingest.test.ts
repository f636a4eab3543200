/**
 * Ingest over the API: `POST /events` (batches from a `source` token) and `POST /shop-events`
 * (Standard Webhooks), on the real server, a real SQLite store and the real in-memory bus.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOPICS } from '../../../bus/bus.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import { parseWebhookSecret, signWebhook } from '../../../ingest/sources/webhook/signature.js';
import { createStoreDeadLetterSink } from '../../../ingest/sources/store-dead-letter-sink.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import { pino } from 'pino';

const batch = JSON.parse(readFileSync(new URL('./fixtures/ingest-batch.json', import.meta.url), 'utf8')) as {
  events: unknown[];
  expected: string[];
  rejectedPaths: Record<string, string[]>;
};

const shopCases = JSON.parse(
  readFileSync(new URL('../../../ingest/sources/webhook/fixtures/shop-events.json', import.meta.url), 'utf8'),
) as { valid: { name: string; payload: unknown }[] };

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEXT_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

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
    { ingest: { shopWebhooks: { keys: [key(NEXT_SECRET), key(SECRET)], toleranceMs: 300_000 } } },
  );
  published = [];
  h.bus.subscribe<SecurityEvent>(TOPICS.events, (message) => void published.push(message.data), {
    group: 'test',
  });
});
afterEach(async () => h.close());

describe('POST /api/v1/events', () => {
  const send = (body: unknown, token = h.tokens.source) => h.call('POST', '/api/v1/events', { token, body });

  it('stores and publishes the valid events, answering each item: accepted, duplicate or rejected', async () => {
    const response = await send({ events: batch.events });
    expect(response.statusCode).toBe(200);
    const answer = response.json() as {
      accepted: number;
      duplicates: number;
      rejected: number;
      results: { index: number; id?: string; status: string; issues?: { path: string }[] }[];
    };
    expect(answer.results.map((r) => r.status)).toEqual(batch.expected);
    expect(answer.results.map((r) => r.index)).toEqual(batch.expected.map((_s, i) => i));
    expect({ accepted: answer.accepted, duplicates: answer.duplicates, rejected: answer.rejected }).toEqual({
      accepted: 4,
      duplicates: 1,
      rejected: 4,
    });
    for (const [index, paths] of Object.entries(batch.rejectedPaths)) {
      const result = answer.results[Number(index)]!;
      expect(new Set(result.issues!.map((issue) => issue.path))).toEqual(new Set(paths));
    }
    // Stored before the answer: readable at once, with the schema's defaults filled in.
    const accepted = answer.results.filter((r) => r.status === 'accepted').map((r) => r.id!);
    expect(await h.store.events.count()).toBe(4);
    const stored = await h.call('GET', `/api/v1/events/${accepted[0]}`, { token: h.tokens.viewer });
    expect(stored.json()).toMatchObject({ id: accepted[0], kind: 'log', severity: 'info', labels: {} });
    await h.bus.drain();
    expect(published.map((event) => event.id).sort()).toEqual([...accepted].sort());
  });

  it('answers duplicate for a resent batch, keeps one copy and publishes nothing again', async () => {
    await send({ events: batch.events });
    await h.bus.drain();
    const publish = vi.spyOn(h.bus, 'publish');
    const again = await send({ events: batch.events });
    expect(again.statusCode).toBe(200);
    const answer = again.json() as { accepted: number; duplicates: number; results: { status: string }[] };
    expect(answer.accepted).toBe(0);
    expect(answer.duplicates).toBe(5);
    expect(answer.results.map((r) => r.status)).toEqual(
      batch.expected.map((status) => (status === 'rejected' ? 'rejected' : 'duplicate')),
    );
    expect(publish).not.toHaveBeenCalled();
    expect(await h.store.events.count()).toBe(4);
  });

  it('takes 1 to 1000 events and refuses other batches whole with validation_failed', async () => {
    const valid = batch.events[0] as Record<string, unknown>;
    for (const events of [[], Array.from({ length: 1001 }, () => ({}))]) {
      const response = await send({ events });
      expect({ status: response.statusCode, code: response.json().error.code }).toEqual({
        status: 400,
        code: 'validation_failed',
      });
    }
    expect((await send([valid])).json().error.code).toBe('validation_failed');
    expect(await h.store.events.count()).toBe(0);
  });

  it('is for the source role (and admins); a source token reads nothing', async () => {
    const event = batch.events[0];
    for (const role of ['viewer', 'analyst', 'partner'] as const) {
      const response = await send({ events: [event] }, h.tokens[role]);
      expect({ role, status: response.statusCode, code: response.json().error.code }).toEqual({
        role,
        status: 403,
        code: 'forbidden',
      });
    }
    expect((await send({ events: [event] }, h.tokens.admin)).statusCode).toBe(200);
    const read = await h.call('GET', '/api/v1/events', { token: h.tokens.source });
    expect(read.statusCode).toBe(403);
    expect((await h.call('POST', '/api/v1/events', { body: { events: [event] } })).statusCode).toBe(401);
  });
});

describe('POST /api/v1/shop-events', () => {
  const nowSeconds = () => Math.floor(h.clock.nowMs() / 1000);
  function deliver(
    payload: unknown,
    options: { id?: string; secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
  ) {
    const body = JSON.stringify(payload);
    const id = options.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const timestamp = options.timestamp ?? nowSeconds();
    return h.call('POST', '/api/v1/shop-events', {
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(key(options.secret ?? SECRET), id, timestamp, body),
        ...options.headers,
      },
      payload: body,
    });
  }
  const login = shopCases.valid[0]!.payload;

  it('stores and publishes every kind of shop event, signed with any configured secret', async () => {
    for (const [i, c] of shopCases.valid.entries()) {
      const response = await deliver(c.payload, { id: `msg_${i}`, secret: i % 2 ? SECRET : NEXT_SECRET });
      expect({ name: c.name, status: response.statusCode }).toEqual({ name: c.name, status: 200 });
      const answer = response.json() as { webhookId: string; eventId: string; status: string };
      expect(answer).toMatchObject({ webhookId: `msg_${i}`, status: 'accepted' });
      expect(await h.store.events.get(answer.eventId)).toMatchObject({ kind: 'business' });
    }
    await h.bus.drain();
    expect(published).toHaveLength(shopCases.valid.length);
  });

  it('stores a redelivery (same webhook-id, new attempt time) once and does not publish it again', async () => {
    const first = (await deliver(login)).json() as { eventId: string; status: string };
    h.clock.advance(60_000);
    const again = await deliver(login, { timestamp: nowSeconds() });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({
      webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      eventId: first.eventId,
      status: 'duplicate',
    });
    await h.bus.drain();
    expect(published.map((event) => event.id)).toEqual([first.eventId]);
    expect(await h.store.events.count()).toBe(1);
  });

  it('refuses a wrong signature, an unknown secret and a tampered body with webhook_signature_invalid', async () => {
    const tampered = await deliver(login, {
      headers: { 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
    });
    const unknown = await deliver(login, { secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` });
    const dotted = await deliver(login, { headers: { 'webhook-id': 'msg.1' } });
    for (const response of [tampered, unknown, dotted]) {
      expect({ status: response.statusCode, code: response.json().error.code }).toEqual({
        status: 401,
        code: 'webhook_signature_invalid',
      });
    }
    expect(await h.store.events.count()).toBe(0);
  });

  it('refuses a timestamp outside the tolerance with webhook_timestamp_out_of_tolerance', async () => {
    for (const timestamp of [nowSeconds() - 301, nowSeconds() + 301]) {
      const response = await deliver(login, { timestamp });
      expect({ status: response.statusCode, code: response.json().error.code }).toEqual({
        status: 401,
        code: 'webhook_timestamp_out_of_tolerance',
      });
    }
  });

  it('answers unauthenticated without webhook headers, and invalid_json before anything is stored', async () => {
    const bare = await h.call('POST', '/api/v1/shop-events', { body: login });
    expect({ status: bare.statusCode, code: bare.json().error.code }).toEqual({
      status: 401,
      code: 'unauthenticated',
    });
    const broken = await h.call('POST', '/api/v1/shop-events', {
      headers: { 'content-type': 'application/json' },
      payload: '{"type":',
    });
    expect(broken.json().error.code).toBe('invalid_json');
  });

  it('refuses a signed but invalid event with validation_failed naming the fields', async () => {
    const response = await deliver({
      type: 'login',
      timestamp: '2026-03-01T11:59:00Z',
      data: { outcome: 'maybe', clientIp: 'x' },
    });
    expect(response.statusCode).toBe(400);
    const error = response.json().error as { code: string; details: { path: string }[] };
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d) => d.path).sort()).toEqual(['data.clientIp', 'data.outcome']);
    expect(await h.store.events.count()).toBe(0);
  });

  it('refuses an event said to happen after it was sent', async () => {
    const response = await deliver({
      type: 'order',
      timestamp: new Date(h.clock.nowMs() + 301_000).toISOString(),
      data: { outcome: 'success', clientIp: '203.0.113.7' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toEqual([expect.objectContaining({ path: 'timestamp' })]);
  });

  it('refuses every delivery when no secret is configured', async () => {
    await h.close();
    h = await startHarness();
    const response = await deliver(login);
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toMatchObject({
      code: 'webhook_signature_invalid',
      detail: 'No shop webhook secret is configured (ingest.shopWebhooks.secrets).',
    });
  });
});

describe('GET /api/v1/dead-letters', () => {
  it('lists what the store-backed sink wrote, newest first, by source and reason', async () => {
    const sink = createStoreDeadLetterSink({ store: h.store, logger: pino({ level: 'silent' }) });
    sink.put({
      source: 'nginx',
      reason: 'bad_time',
      input: 'line 1',
      location: 'access.log:0',
      time: '2026-03-01T11:00:00.000Z',
    });
    sink.put({
      source: 'syslog',
      reason: 'syslog_bad_header',
      input: '<13>junk',
      time: '2026-03-01T11:00:01.000Z',
    });
    sink.put({ source: 'nginx', reason: 'not_json', input: '{', time: '2026-03-01T11:00:02.000Z' });
    await sink.close();
    const list = async (query: string) =>
      (
        (await h.call('GET', `/api/v1/dead-letters${query}`, { token: h.tokens.viewer })).json() as {
          items: { input: string }[];
        }
      ).items.map((letter) => letter.input);
    expect(await list('')).toEqual(['{', '<13>junk', 'line 1']);
    expect(await list('?source=nginx')).toEqual(['{', 'line 1']);
    expect(await list('?source=nginx&reason=bad_time')).toEqual(['line 1']);
    const firstPage = (
      await h.call('GET', '/api/v1/dead-letters?limit=2', { token: h.tokens.viewer })
    ).json();
    expect(firstPage.nextCursor).not.toBeNull();
    const denied = await h.call('GET', '/api/v1/dead-letters', { token: h.tokens.source });
    expect(denied.statusCode).toBe(403);
  });
});
