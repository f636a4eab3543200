/**
 * Device messages through `ingestDeliveryMessage` (no broker), into a real SQLite store and the
 * real in-memory bus: every channel's mapping, malformed input, duplicates, out-of-order
 * counters, skewed clocks, a flooding device, bounded device tables and the journal's replay.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../bus/bus.js';
import { MemoryBus } from '../../../bus/memory/memory-bus.js';
import { ManualClock } from '../../../core/clock.js';
import { securityEventSchema, type SecurityEvent } from '../../../core/records/index.js';
import { openStore } from '../../../store/index.js';
import type { Store } from '../../../store/store.js';
import { MemoryDeadLetterSink } from '../dead-letter.js';
import { parseDeliveryConfig, type DeliveryConfigInput } from './config.js';
import { DeliveryEventWriter } from './event-store-writer.js';
import { createDeliveryIngest, type DeliveryIngest } from './ingest.js';
import { EventJournal } from './journal.js';
import { deliveryTopic, type DeviceKind, type DeliveryChannel } from './schema.js';

interface Cases {
  valid: {
    name: string;
    deviceKind: DeviceKind;
    channel: DeliveryChannel;
    payload: Record<string, unknown>;
    expected: Record<string, unknown>;
    severity: string;
  }[];
  invalid: { name: string; topic: string; payload: string; reason: string }[];
}
const cases = JSON.parse(
  readFileSync(new URL('./fixtures/device-messages.json', import.meta.url), 'utf8'),
) as Cases;

const NOW = Date.parse('2026-03-01T12:00:30.000Z');
let dir: string;
let store: Store;
let bus: MemoryBus;
let published: SecurityEvent[];
let deadLetters: MemoryDeadLetterSink;
let clock: ManualClock;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ensuresec-delivery-'));
  store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
  await store.migrate();
  bus = new MemoryBus();
  published = [];
  bus.subscribe<SecurityEvent>(TOPICS.events, (message) => void published.push(message.data), {
    group: 'test',
  });
  deadLetters = new MemoryDeadLetterSink();
  clock = new ManualClock(NOW);
});
afterEach(async () => {
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(
  config: DeliveryConfigInput = {},
  journal: EventJournal | null = EventJournal.open(join(dir, 'journal')),
) {
  const writer = new DeliveryEventWriter({ store, bus, journal, retryMs: 10 });
  const ingest = createDeliveryIngest({ config: parseDeliveryConfig(config), writer, deadLetters, clock });
  return { writer, ingest };
}

const topicOf = (kind: DeviceKind, channel: DeliveryChannel, deviceId = 'dev-1') =>
  deliveryTopic({ site: 'site-1', deviceKind: kind, deviceId, channel });

async function send(ingest: DeliveryIngest, topic: string, payload: unknown) {
  return ingest.ingestDeliveryMessage(topic, Buffer.from(JSON.stringify(payload)));
}

describe('device messages', () => {
  it.each(cases.valid.map((c) => [c.name, c] as const))('maps %s onto a delivery event', async (_name, c) => {
    const { writer, ingest } = start();
    const outcome = await send(ingest, topicOf(c.deviceKind, c.channel), c.payload);
    expect(outcome.status).toBe('accepted');
    await writer.flush();
    const eventId = outcome.status === 'accepted' ? outcome.eventId : '';
    const stored = await store.events.get(eventId);
    expect(stored).toBeDefined();
    expect(securityEventSchema.parse(stored)).toEqual(stored);
    expect(stored).toMatchObject({
      kind: 'delivery',
      source: { type: 'mqtt', name: 'delivery-mqtt' },
      severity: c.severity,
      delivery: c.expected,
      labels: { 'delivery.site': 'site-1', 'delivery.channel': c.channel },
    });
    await bus.drain();
    expect(published.map((event) => event.id)).toEqual([eventId]);
    await writer.close();
  });

  it.each(cases.invalid.map((c) => [c.name, c] as const))(
    'refuses %s, counted and dead-lettered',
    async (_name, c) => {
      const { writer, ingest } = start();
      const topic = `ensuresec/v1/site-1/${c.topic}`;
      const outcome = await ingest.ingestDeliveryMessage(topic, Buffer.from(c.payload, 'latin1'));
      expect(outcome).toMatchObject({ status: 'malformed', reason: c.reason });
      expect(ingest.counters.malformed).toEqual({ [c.reason]: 1 });
      expect(deadLetters.list()).toMatchObject([
        { source: 'delivery-mqtt', reason: c.reason, location: topic },
      ]);
      await writer.flush();
      expect(await store.events.count()).toBe(0);
      await writer.close();
    },
  );

  it('refuses a payload over 16 KiB without parsing it', async () => {
    const { ingest } = start();
    const outcome = await ingest.ingestDeliveryMessage(
      topicOf('locker', 'heartbeat'),
      Buffer.alloc(20_000, 0x20),
    );
    expect(outcome).toMatchObject({ status: 'malformed', reason: 'message_too_large' });
  });
});

describe('faults', () => {
  it('stores a repeated counter once and counts the duplicate; takes late counters as out of order', async () => {
    const { writer, ingest } = start();
    const topic = topicOf('vehicle', 'gps');
    const fix = (seq: number) => ({ seq, lat: 52.5, lon: 13.4 });
    const statuses = [];
    for (const seq of [1, 2, 3, 3, 5, 4, 2, 6]) statuses.push((await send(ingest, topic, fix(seq))).status);
    expect(statuses).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'duplicate',
      'accepted',
      'accepted',
      'duplicate',
      'accepted',
    ]);
    expect(ingest.counters).toMatchObject({ duplicates: 2, outOfOrder: 1, events: 6 });
    await writer.flush();
    expect(await store.events.count()).toBe(6);
    // Another device's counters are its own.
    expect((await send(ingest, topicOf('vehicle', 'gps', 'dev-2'), fix(3))).status).toBe('accepted');
    await writer.close();
  });

  it('takes a counter that went far back as a device restart, not as duplicates', async () => {
    const { writer, ingest } = start();
    const topic = topicOf('locker', 'battery');
    await send(ingest, topic, { seq: 50_000, value: 90 });
    expect((await send(ingest, topic, { seq: 0, value: 90 })).status).toBe('accepted');
    expect((await send(ingest, topic, { seq: 1, value: 90 })).status).toBe('accepted');
    expect((await send(ingest, topic, { seq: 1, value: 90 })).status).toBe('duplicate');
    expect(ingest.counters.seqResets).toBe(1);
    await writer.close();
  });

  it('keeps our time for a device whose clock is off, recording the skew; trusts a clock that agrees', async () => {
    const { writer, ingest } = start({ devices: { maxClockSkew: '2m' } });
    const topic = topicOf('locker', 'door');
    const skewed = await send(ingest, topic, { seq: 1, state: 'open', time: '2026-03-01T09:00:00.000Z' });
    const fine = await send(ingest, topic, { seq: 2, state: 'closed', time: '2026-03-01T12:00:20.000Z' });
    await writer.flush();
    const first = await store.events.get(skewed.status === 'accepted' ? skewed.eventId : '');
    const second = await store.events.get(fine.status === 'accepted' ? fine.eventId : '');
    expect(first).toMatchObject({
      time: new Date(NOW).toISOString(),
      delivery: {
        deviceTime: '2026-03-01T09:00:00.000Z',
        attributes: { clockSkewMs: 3 * 3_600_000 + 30_000 },
      },
    });
    expect(second).toMatchObject({ time: '2026-03-01T12:00:20.000Z', delivery: { attributes: {} } });
    expect(second?.delivery?.attributes).not.toHaveProperty('clockSkewMs');
    expect(ingest.counters.clockSkewed).toBe(1);
    await writer.close();
  });

  it('drops a flooding device beyond its burst, counts it, and lets it in again as tokens refill', async () => {
    const { writer, ingest } = start({ devices: { ratePerSecond: 10, burst: 20 } });
    const flood = topicOf('vehicle', 'gps', 'flooder');
    const statuses: string[] = [];
    for (let seq = 0; seq < 100; seq++)
      statuses.push((await send(ingest, flood, { seq, lat: 1, lon: 1 })).status);
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(20);
    expect(statuses.filter((s) => s === 'rate_limited')).toHaveLength(80);
    expect(ingest.counters.dropped).toBe(80);
    // A quiet device is not held back by the noisy one.
    expect((await send(ingest, topicOf('vehicle', 'gps', 'quiet'), { seq: 0, lat: 1, lon: 1 })).status).toBe(
      'accepted',
    );
    clock.advance(1_000);
    const after: string[] = [];
    for (let seq = 100; seq < 115; seq++)
      after.push((await send(ingest, flood, { seq, lat: 1, lon: 1 })).status);
    expect(after.filter((s) => s === 'accepted')).toHaveLength(10);
    await writer.close();
  });

  it('remembers at most maxDevices devices, forgetting the least recently heard', async () => {
    const { writer, ingest } = start({ devices: { maxDevices: 50 } });
    for (let n = 0; n < 500; n++) await send(ingest, topicOf('locker', 'heartbeat', `lk-${n}`), { seq: 1 });
    expect(ingest.counters.devicesTracked).toBe(50);
    expect(ingest.counters.deviceEvictions).toBe(450);
    expect(ingest.counters.events).toBe(500);
    await writer.close();
  });

  it('never throws, whatever the topic and payload', async () => {
    const { writer, ingest } = start();
    const junk: [string, unknown][] = [
      ['', ''],
      ['#', '{}'],
      ['ensuresec/v1/+/locker/x/door', '{"state":"open"}'],
      ['ensuresec/v1/s/locker/x/door/extra', '{}'],
      [`ensuresec/v1/${'s'.repeat(300)}/locker/x/door`, '{}'],
      ['ensuresec/v1/s/locker/x/door', '{"state":"open","attributes":{"a":{"nested":1}}}'],
      ['ensuresec/v1/s/locker/x/door', '{"__proto__":{"polluted":true},"state":"open"}'],
    ];
    for (const [topic, payload] of junk) {
      await expect(ingest.ingestDeliveryMessage(topic, Buffer.from(String(payload)))).resolves.toBeDefined();
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    await writer.close();
  });
});

describe('durability', () => {
  it('stores again, once, what a crashed run journaled but did not store', async () => {
    const journalDir = join(dir, 'journal');
    const crashed = EventJournal.open(journalDir);
    const failing = { events: { insertNew: () => Promise.reject(new Error('disk full')) } };
    const writer = new DeliveryEventWriter({
      store: failing as unknown as Store,
      bus,
      journal: crashed,
      retryMs: 5,
    });
    const ingest = createDeliveryIngest({ config: parseDeliveryConfig({}), writer, deadLetters, clock });
    for (let seq = 0; seq < 5; seq++) await send(ingest, topicOf('locker', 'battery'), { seq, value: 50 });
    const journaled = readdirSync(journalDir);
    expect(journaled).toHaveLength(1);
    await writer.close();

    const second = new DeliveryEventWriter({ store, bus, journal: EventJournal.open(journalDir) });
    expect(second.recover()).toBe(5);
    await second.flush();
    expect(await store.events.count()).toBe(5);
    const again = new DeliveryEventWriter({ store, bus, journal: EventJournal.open(journalDir) });
    expect(again.recover()).toBe(0);
    await second.close();
    await again.close();
    expect(readdirSync(journalDir)).toEqual([]);
  });

  it('with deferred durability (group commit), journals the events only at makeDurable, in one write', async () => {
    const journalDir = join(dir, 'journal');
    // A store that never stores: what is durable is what the journal holds.
    const failing = { events: { insertNew: () => Promise.reject(new Error('disk full')) } };
    const writer = new DeliveryEventWriter({
      store: failing as unknown as Store,
      bus,
      journal: EventJournal.open(journalDir),
      retryMs: 5,
    });
    const ingest = createDeliveryIngest({ config: parseDeliveryConfig({}), writer, deadLetters, clock });
    const journaledLines = () =>
      readdirSync(journalDir)
        .map((name) => readFileSync(join(journalDir, name), 'utf8'))
        .join('')
        .split('\n')
        .filter((line) => line !== '').length;
    for (let seq = 1; seq <= 3; seq++) {
      const outcome = await ingest.ingestDeliveryMessage(
        topicOf('locker', 'battery'),
        JSON.stringify({ seq, value: 50 }),
        { deferDurability: true },
      );
      expect(outcome.status).toBe('accepted');
    }
    expect(journaledLines()).toBe(0);
    ingest.makeDurable();
    expect(journaledLines()).toBe(3);
    // A plain (immediate) append writes the deferred lines first, in order.
    await ingest.ingestDeliveryMessage(topicOf('locker', 'battery'), JSON.stringify({ seq: 4, value: 50 }), {
      deferDurability: true,
    });
    await send(ingest, topicOf('locker', 'battery'), { seq: 5, value: 50 });
    expect(journaledLines()).toBe(5);
    await writer.close();

    const second = new DeliveryEventWriter({ store, bus, journal: EventJournal.open(journalDir) });
    expect(second.recover()).toBe(5);
    await second.close();
    const stored = await store.events.list({ limit: 10 });
    expect(stored.items.map((event) => event.delivery?.seq).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('without a journal, answers only once the event is stored', async () => {
    const { writer, ingest } = start({}, null);
    const outcome = await send(ingest, topicOf('locker', 'tamper'), { seq: 1, state: 'triggered' });
    expect(await store.events.get(outcome.status === 'accepted' ? outcome.eventId : '')).toBeDefined();
    await writer.close();
  });

  it('gives a redelivered message (same counter and device time) the same id, so the store keeps one', async () => {
    const { writer, ingest } = start();
    const payload = { seq: 9, state: 'open', time: '2026-03-01T12:00:10.000Z' };
    const first = await send(ingest, topicOf('locker', 'door'), payload);
    await writer.close();
    const restarted = start();
    clock.advance(5_000);
    const second = await send(restarted.ingest, topicOf('locker', 'door'), payload);
    expect(second).toEqual(first);
    await restarted.writer.flush();
    expect(await store.events.count()).toBe(1);
    expect(restarted.writer.getStats()).toMatchObject({ stored: 0, alreadyStored: 1 });
    await restarted.writer.close();
  });
});
