import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPICS } from '../bus/bus.js';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { newId } from '../core/ids.js';
import { securityEventSchema, type SecurityEvent } from '../core/records/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { createEventSink } from './event-sink.js';
import { businessEventToSecurityEvent, type ShopBusinessEvent } from './sources/shop/business-event.js';

const logger = pino({ level: 'silent' });

function httpEvent(timeMs = Date.now()): SecurityEvent {
  return securityEventSchema.parse({
    id: newId('evt', timeMs),
    time: new Date(timeMs).toISOString(),
    kind: 'http',
    source: { type: 'gateway', name: 'test' },
    client: { ip: '127.0.0.1' },
    http: {
      requestId: 'req_1',
      method: 'GET',
      path: '/',
      status: 200,
      requestBytes: 0,
      responseBytes: 2,
      latencyMs: 1,
      outcome: 'forwarded',
    },
  });
}

describe('event sink', () => {
  let dir: string;
  let store: Store;
  let bus: MemoryBus;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ensuresec-sink-'));
    store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
    await store.migrate();
    bus = new MemoryBus();
  });

  afterEach(async () => {
    await bus.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes pushed events to the store in batches and publishes each on the bus', async () => {
    const published: string[] = [];
    bus.subscribe<SecurityEvent>(TOPICS.events, (message) => void published.push(message.data.id), {
      group: 'test',
    });
    const sink = createEventSink({ store, bus, logger, batchSize: 10 });
    const events = Array.from({ length: 25 }, () => httpEvent());
    for (const event of events) sink.push(event);
    await sink.close();
    await bus.drain();
    expect(await store.events.count()).toBe(25);
    expect(published.sort()).toEqual(events.map((event) => event.id).sort());
    expect(sink.stats()).toMatchObject({ accepted: 25, written: 25, dropped: 0, queued: 0 });
  });

  it('drops the oldest events beyond its bound and counts them', async () => {
    const sink = createEventSink({
      store,
      bus,
      logger,
      batchSize: 1000,
      maxQueued: 5,
      flushIntervalMs: 60_000,
    });
    for (let i = 0; i < 8; i++) sink.push(httpEvent());
    expect(sink.stats()).toMatchObject({ accepted: 8, dropped: 3, queued: 5 });
    await sink.close();
    expect(await store.events.count()).toBe(5);
  });

  it('keeps going when the store fails a batch', async () => {
    const sink = createEventSink({ store, bus, logger, batchSize: 2 });
    await store.close();
    sink.push(httpEvent());
    sink.push(httpEvent());
    await sink.flush();
    expect(sink.stats()).toMatchObject({ failedBatches: 1, dropped: 2 });
    store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
  });

  it('publishes for detection without waiting for the batch to be stored, even when storing fails', async () => {
    const published: string[] = [];
    bus.subscribe<SecurityEvent>(TOPICS.events, (message) => void published.push(message.data.id), {
      group: 'test',
    });
    // A batch that would only be written in a minute: detection must not wait for it.
    const sink = createEventSink({ store, bus, logger, batchSize: 1000, flushIntervalMs: 60_000 });
    const first = httpEvent();
    sink.push(first);
    // Not in the pushing code's turn: the gateway's hot path never runs detection.
    expect(published).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await bus.drain();
    expect(published).toEqual([first.id]);
    expect(await store.events.count()).toBe(0);

    await store.close();
    const second = httpEvent();
    sink.push(second);
    await sink.flush();
    await bus.drain();
    expect(published).toEqual([first.id, second.id]);
    expect(sink.stats()).toMatchObject({ published: 2, unpublished: 0, failedBatches: 1, dropped: 2 });
    store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
  });
});

describe('shop business events', () => {
  it('become valid SecurityEvents of kind business', () => {
    const input = JSON.parse(
      readFileSync(join(import.meta.dirname, 'fixtures', 'payment-declined.json'), 'utf8'),
    ) as ShopBusinessEvent;
    const event = businessEventToSecurityEvent(input, 'demo-shop', Date.parse('2026-11-26T10:00:00Z'));
    expect(securityEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      kind: 'business',
      severity: 'low',
      client: { ip: '198.51.100.23' },
      business: {
        type: 'payment',
        outcome: 'failure',
        cardFingerprint: 'fp_4000000000000002',
        amountMinor: 1999,
      },
    });
  });
});
