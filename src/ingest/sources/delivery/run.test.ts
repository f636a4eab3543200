/**
 * The delivery source's MQTT subscription against real Mosquitto brokers: the shared one on
 * 127.0.0.1:1883 (a unique topic root and client id per test) for the normal path, and a
 * broker of the test's own (a temporary config, persistence in a temporary directory, a free
 * port) that is stopped and started again for the "no QoS 1 message lost" guarantee.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../../bus/memory/memory-bus.js';
import { openStore } from '../../../store/index.js';
import type { Store } from '../../../store/store.js';
import { MemoryDeadLetterSink } from '../dead-letter.js';
import { parseDeliveryConfig } from './config.js';
import { DeliveryEventWriter } from './event-store-writer.js';
import { createDeliveryIngest } from './ingest.js';
import { EventJournal } from './journal.js';
import { startDeliveryMqtt } from './run.js';
import { deliveryTopic } from './schema.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
let dir: string;
let store: Store;
let bus: MemoryBus;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ensuresec-delivery-mqtt-'));
  store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
  await store.migrate();
  bus = new MemoryBus();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const unique = () => randomBytes(6).toString('hex');

/** A delivery source (ingest + MQTT) subscribed under `root` on `url`. */
function startSource(url: string, root: string, clientId: string) {
  const config = parseDeliveryConfig({
    mqtt: { enabled: true, url, clientId, topics: [root], reconnectPeriod: 200 },
    devices: { ratePerSecond: 10_000, burst: 10_000 },
  });
  const writer = new DeliveryEventWriter({
    store,
    bus,
    journal: EventJournal.open(join(dir, `journal-${clientId}`)),
  });
  writer.recover();
  const ingest = createDeliveryIngest({
    config: { ...config, topicRoots: config.mqtt.topics },
    writer,
    deadLetters: new MemoryDeadLetterSink(),
  });
  const running = startDeliveryMqtt(config.mqtt, { ingest });
  const stop = async () => {
    await running.stop();
    await writer.close();
  };
  return { ingest, writer, running, stop };
}

async function connectPublisher(url: string, clientId: string): Promise<MqttClient> {
  const client = mqtt.connect(url, { clientId, clean: false, reconnectPeriod: 200, protocolVersion: 4 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('MQTT subscription (Mosquitto on 127.0.0.1:1883)', () => {
  it('stores what lockers and vehicles publish with QoS 1, refusing the malformed', async () => {
    const root = `test-${unique()}/ensuresec/v1`;
    const source = startSource('mqtt://127.0.0.1:1883', root, `ensuresec-test-${unique()}`);
    cleanups.push(source.stop);
    await source.running.subscribed;
    const publisher = await connectPublisher('mqtt://127.0.0.1:1883', `pub-${unique()}`);
    cleanups.push(() => publisher.endAsync());
    const door = deliveryTopic({ site: 's1', deviceKind: 'locker', deviceId: 'lk-1', channel: 'door' }, root);
    const gps = deliveryTopic({ site: 's1', deviceKind: 'vehicle', deviceId: 'van-1', channel: 'gps' }, root);
    await publisher.publishAsync(door, JSON.stringify({ seq: 1, state: 'forced', compartmentId: 'A1' }), {
      qos: 1,
    });
    await publisher.publishAsync(gps, JSON.stringify({ seq: 1, lat: 52.5, lon: 13.4 }), { qos: 1 });
    await publisher.publishAsync(gps, JSON.stringify({ seq: 1, lat: 52.5, lon: 13.4 }), { qos: 1 });
    await publisher.publishAsync(gps, '{"seq": 2, "lat": "north"}', { qos: 1 });
    await publisher.publishAsync(`${root}/s1/locker/lk-1/gps`, '{}', { qos: 1 });

    await waitFor(() => source.ingest.counters.linesRead === 5);
    await source.writer.flush();
    const events = (await store.events.list({ kind: 'delivery', limit: 10 })).items;
    expect(events.map((event) => event.delivery?.type).sort()).toEqual(['locker.door', 'vehicle.position']);
    expect(source.ingest.counters).toMatchObject({
      duplicates: 1,
      malformed: { delivery_bad_payload: 1, delivery_bad_topic: 1 },
      mqttConnected: true,
    });
  }, 40_000);
});

/** A Mosquitto of the test's own, with persistence, on a free loopback port. */
class OwnBroker {
  private process: ChildProcess | null = null;
  readonly url: string;
  private readonly confPath: string;

  constructor(
    readonly port: number,
    workDir: string,
  ) {
    this.url = `mqtt://127.0.0.1:${port}`;
    this.confPath = join(workDir, 'mosquitto.conf');
    writeFileSync(
      this.confPath,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence true',
        `persistence_location ${workDir}/`,
        'max_queued_messages 100000',
        'log_type error',
        '',
      ].join('\n'),
    );
  }

  async start(): Promise<void> {
    const child = spawn(MOSQUITTO, ['-c', this.confPath], { stdio: 'ignore' });
    this.process = child;
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const probe = mqtt.connect(this.url, { reconnectPeriod: 0, connectTimeout: 1000 });
          probe.once('connect', () => void probe.endAsync().then(() => resolve(true)));
          probe.once('error', () => void probe.endAsync(true).then(() => resolve(false)));
        }),
      15_000,
    );
  }

  /** SIGTERM: Mosquitto writes its persistence file (sessions, queued messages) and exits. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    this.process = null;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('broker restart (a Mosquitto of our own)', () => {
  it('resumes the subscription and loses no QoS 1 message, storing each once', async () => {
    // Its own directory, writable by the user Mosquitto drops to when started as root.
    const brokerDir = mkdtempSync(join(tmpdir(), 'ensuresec-mosquitto-'));
    chmodSync(brokerDir, 0o777);
    cleanups.push(() => rmSync(brokerDir, { recursive: true, force: true }));
    const broker = new OwnBroker(await freePort(), brokerDir);
    await broker.start();
    cleanups.push(() => broker.stop());
    const root = 'restart/ensuresec/v1';
    const clientId = `ensuresec-restart-${unique()}`;
    let source: ReturnType<typeof startSource> | null = startSource(broker.url, root, clientId);
    cleanups.push(() => source?.stop());
    await source.running.subscribed;
    const publisher = await connectPublisher(broker.url, `pub-${unique()}`);
    cleanups.push(() => publisher.endAsync(true));
    const topic = deliveryTopic(
      { site: 's1', deviceKind: 'vehicle', deviceId: 'van-9', channel: 'gps' },
      root,
    );
    let seq = 0;
    const publish = (count: number) => {
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < count; i++) {
        sent.push(
          publisher.publishAsync(topic, JSON.stringify({ seq: seq++, lat: 52.5, lon: 13.4 }), { qos: 1 }),
        );
      }
      return sent;
    };

    // 1. While everything runs.
    await Promise.all(publish(50));
    // 2. The broker goes away; the publisher queues its QoS 1 messages and sends them when it is back.
    await broker.stop();
    await waitFor(() => !source!.ingest.counters.mqttConnected && !publisher.connected);
    const whileDown = publish(50);
    await broker.start();
    await Promise.all(whileDown);
    // 3. Our source goes away; the broker queues for its kept session.
    await waitFor(() => source!.ingest.counters.events === 100);
    await source.stop();
    source = null;
    await Promise.all(publish(50));
    // 4. And both at once: the broker restarts with messages queued for us.
    await broker.stop();
    await broker.start();
    source = startSource(broker.url, root, clientId);
    await waitFor(async () => (await store.events.count()) >= 150 && source!.writer.queued === 0);
    await source.writer.flush();

    const events = (await store.events.list({ kind: 'delivery', limit: 500 })).items;
    const seqs = events.map((event) => event.delivery?.seq).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(seqs).toEqual(Array.from({ length: 150 }, (_v, i) => i));
    expect(source.ingest.counters.mqttConnected).toBe(true);
  }, 60_000);
});
