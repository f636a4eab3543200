/**
 * The simulator's devices over the real Mosquitto on 127.0.0.1:1883 (a unique topic root per
 * run): every message of an incident reaches a subscriber on the delivery topic tree, valid
 * per the delivery source's payload schema.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import {
  channelPayloadSchemas,
  parseDeliveryTopic,
  type DeliveryChannel,
} from '../../ingest/sources/delivery/schema.js';
import { createCity } from './city.js';
import { connectDevicePublisher, type DevicePublisher } from './mqtt-publisher.js';
import { DELIVERY_INCIDENTS } from './scripts.js';
import { createDeliverySimulator } from './simulator.js';

const BROKER = 'mqtt://127.0.0.1:1883';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the simulator over MQTT', () => {
  it('publishes each device message of the locker break-in at QoS 1 on the delivery topic tree', async () => {
    const root = `ensuresec-sim-test/${process.pid}-${Date.now()}`;
    const subscriber = await mqtt.connectAsync(BROKER, { clientId: `sim-sub-${process.pid}-${Date.now()}` });
    cleanups.push(() => subscriber.endAsync());
    const received: { topic: string; payload: unknown }[] = [];
    subscriber.on('message', (topic, payload) =>
      received.push({ topic, payload: JSON.parse(payload.toString()) }),
    );
    await subscriber.subscribeAsync(`${root}/+/+/+/+`, { qos: 1 });
    const publisher: DevicePublisher = await connectDevicePublisher(BROKER);
    cleanups.push(() => publisher.close());

    const clock = new ManualClock(Date.parse('2026-11-27T02:00:00Z'));
    const simulator = createDeliverySimulator({
      city: createCity(),
      clock,
      topicRoot: root,
      sinks: { device: (topic, payload) => publisher.publish(topic, payload), event: () => undefined },
      sleep: async (ms) => clock.advance(ms),
    });
    const stats = await simulator.play(DELIVERY_INCIDENTS['locker-break-in'](simulator.city));
    const started = Date.now();
    while (received.length < stats.deviceMessages && Date.now() - started < 10_000)
      await new Promise((resolve) => setTimeout(resolve, 50));

    expect(stats.deviceMessages).toBeGreaterThan(5);
    expect(received).toHaveLength(stats.deviceMessages);
    for (const message of received) {
      const topic = parseDeliveryTopic(message.topic, root);
      expect(topic.ok, message.topic).toBe(true);
      if (!topic.ok) continue;
      const schema = channelPayloadSchemas[topic.value.channel as DeliveryChannel];
      expect(schema.safeParse(message.payload).success, message.topic).toBe(true);
    }
    expect(received.map((m) => m.topic)).toContain(`${root}/demo-city/locker/lk-0002/tamper`);
  });
});
