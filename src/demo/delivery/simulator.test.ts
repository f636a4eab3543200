import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOPICS } from '../../bus/bus.js';
import { MemoryBus } from '../../bus/memory/memory-bus.js';
import { ManualClock } from '../../core/clock.js';
import type { SecurityEvent } from '../../core/records/index.js';
import { createDetectionPipeline } from '../../detect/pipeline/pipeline.js';
import { parseDeliveryConfig } from '../../ingest/sources/delivery/config.js';
import { DeliveryEventWriter } from '../../ingest/sources/delivery/event-store-writer.js';
import { createDeliveryIngest } from '../../ingest/sources/delivery/ingest.js';
import { MemoryDeadLetterSink } from '../../ingest/sources/dead-letter.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/store.js';
import { createCity } from './city.js';
import { benignDay, DELIVERY_INCIDENT_NAMES, DELIVERY_INCIDENTS } from './scripts.js';
import { createDeliverySimulator } from './simulator.js';

let dir: string;
let store: Store;
let bus: MemoryBus;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ensuresec-delivery-sim-'));
  store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
  await store.migrate();
  bus = new MemoryBus();
});
afterEach(async () => {
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The embedded demo's path without a broker: device messages through the delivery source's
 * `ingestDeliveryMessage` (validation, duplicates, the durable writer, the bus), carrier,
 * API and shop events onto the bus; the detection pipeline reads the bus in arrival order.
 */
function harness() {
  const clock = new ManualClock(Date.parse('2026-11-27T08:00:00Z'));
  const writer = new DeliveryEventWriter({ store, bus, journal: null, retryMs: 10 });
  const deadLetters = new MemoryDeadLetterSink();
  const ingest = createDeliveryIngest({ config: parseDeliveryConfig({}), writer, deadLetters, clock });
  const pipeline = createDetectionPipeline();
  const rules: string[] = [];
  bus.subscribe<SecurityEvent>(
    TOPICS.events,
    (message) => {
      for (const change of pipeline.observe(message.data))
        if (change.type === 'created') rules.push(change.alert.ruleId);
    },
    { group: 'detect' },
  );
  const simulator = createDeliverySimulator({
    city: createCity({ seed: 7 }),
    clock,
    sinks: {
      device: (topic, payload) => ingest.ingestDeliveryMessage(topic, JSON.stringify(payload)),
      event: async (event) => {
        await bus.publish(TOPICS.events, event, { id: event.id });
      },
    },
    // Real time passes between two moments of a script: what the source wrote is published by then.
    sleep: async (ms) => {
      await writer.flush();
      await bus.drain();
      clock.advance(ms);
    },
  });
  const settle = async () => {
    await writer.flush();
    await bus.drain();
  };
  return { simulator, rules, settle, deadLetters, ingest, writer };
}

describe('delivery simulator', () => {
  it('plays a benign day through the delivery source without a single alert', async () => {
    const { simulator, rules, settle, deadLetters, ingest, writer } = harness();
    const stats = await simulator.play(benignDay(simulator.city));
    await settle();
    expect(stats.deviceMessages).toBeGreaterThan(100);
    expect(stats.events).toBeGreaterThan(20);
    expect(stats.failed).toBe(0);
    expect(deadLetters.list()).toEqual([]);
    expect(ingest.counters.dropped).toBe(0);
    expect(rules).toEqual([]);
    await writer.close();
  }, 60_000);

  it.each(DELIVERY_INCIDENT_NAMES)(
    'raises the expected alerts for the %s incident after a benign day',
    async (name) => {
      const { simulator, rules, settle, writer } = harness();
      await simulator.play(benignDay(simulator.city));
      await settle();
      expect(rules).toEqual([]);
      const script = DELIVERY_INCIDENTS[name](simulator.city);
      await simulator.play(script);
      await settle();
      expect(script.expectedRules.length).toBeGreaterThan(0);
      for (const rule of script.expectedRules) expect(rules, `${name}: ${rules.join(', ')}`).toContain(rule);
      await writer.close();
    },
    60_000,
  );

  it('draws the same city from the same seed, with addresses in every kind of area', () => {
    const city = createCity({ seed: 3 });
    expect(createCity({ seed: 3 })).toEqual(expect.objectContaining({ addresses: city.addresses }));
    expect(new Set(city.addresses.map((a) => a.area))).toEqual(new Set(['urban', 'suburban', 'rural']));
  });
});
