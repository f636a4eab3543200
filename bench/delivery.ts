/**
 * Delivery benchmark: `npm run bench:delivery` (node --expose-gc).
 * 1. Throughput: DELIVERY_BENCH_N sensor messages (default 100,000: vehicle GPS fixes, cargo
 *    and compartment temperatures, locker doors, compartments, pickup codes, heartbeats,
 *    batteries) from 2,000 vehicles and 500 lockers carrying DELIVERY_BENCH_PARCELS parcels,
 *    each message validated, mapped, journaled, stored in SQLite in batches, published on the
 *    in-process bus and run through the detection pipeline (the built-in detectors, the
 *    delivery ones included). (a) the baseline: the same messages through
 *    `ingestDeliveryMessage` in-process; (b) through MQTT: QoS 1 from a Mosquitto of the
 *    bench's own on loopback (the messages are queued for our persistent session first, so
 *    the figure is what the source drains, not how fast one publisher sends). Messages per
 *    wall second and per CPU second of this process (one core); (b)/(a) as a ratio.
 * 2. Memory with DELIVERY_BENCH_PARCELS (default 100,000) active parcels: every parcel
 *    labelled, out for delivery and read by a cold-chain sensor, through the detection
 *    pipeline and the source's device table; heap and array buffers after a full GC, and RSS,
 *    before and after.
 * DELIVERY_BENCH_PARTS (default `inprocess,mqtt,memory`) picks the parts to run;
 * DELIVERY_BENCH_PROFILE=<dir> writes a CPU profile of each measured throughput run (the timed
 * part only: not the broker's queue being filled) to `<dir>/delivery-<part>.cpuprofile`.
 * Prints numbers; asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { TOPICS } from '../src/bus/bus.js';
import { MemoryBus } from '../src/bus/memory/memory-bus.js';
import type { SecurityEvent } from '../src/core/records/index.js';
import { loadDetectionPipeline } from '../src/detect/pipeline/index.js';
import { MemoryDeadLetterSink } from '../src/ingest/sources/dead-letter.js';
import { parseDeliveryConfig } from '../src/ingest/sources/delivery/config.js';
import { DeliveryEventWriter } from '../src/ingest/sources/delivery/event-store-writer.js';
import { createDeliveryIngest } from '../src/ingest/sources/delivery/ingest.js';
import { EventJournal } from '../src/ingest/sources/delivery/journal.js';
import { deliveryApiEventToEvent } from '../src/ingest/sources/delivery/mapping.js';
import { startDeliveryMqtt } from '../src/ingest/sources/delivery/run.js';
import {
  deliveryTopic,
  type DeliveryChannel,
  type DeviceKind,
} from '../src/ingest/sources/delivery/schema.js';
import { openStore } from '../src/store/index.js';

const N = Number(process.env['DELIVERY_BENCH_N'] ?? 100_000);
const PARCELS = Number(process.env['DELIVERY_BENCH_PARCELS'] ?? 100_000);
const VEHICLES = 2_000;
const LOCKERS = 500;
const ROOT = 'bench/ensuresec/v1';
/** `DELIVERY_BENCH_PARTS`: any of `inprocess,mqtt,memory` (default all). */
const PARTS = new Set((process.env['DELIVERY_BENCH_PARTS'] ?? 'inprocess,mqtt,memory').split(','));
/** `DELIVERY_BENCH_PROFILE`: a directory for CPU profiles of the timed runs (none by default). */
const PROFILE_DIR = process.env['DELIVERY_BENCH_PROFILE'];

interface Message {
  topic: string;
  payload: string;
}

/** A day's mix: mostly GPS fixes, then temperatures, locker events, heartbeats, batteries. */
function messages(count: number): Message[] {
  const out: Message[] = [];
  const seqs = new Map<string, number>();
  const baseMs = Date.now();
  for (let i = 0; i < count; i++) {
    const roll = i % 20;
    const parcelId = `p-${(i * 7919) % PARCELS}`;
    let kind: DeviceKind = 'vehicle';
    let channel: DeliveryChannel;
    let body: Record<string, unknown>;
    if (roll < 11) {
      channel = 'gps';
      body = {
        lat: 52.4 + (i % 1000) / 5000,
        lon: 13.3 + (i % 777) / 4000,
        accuracyM: 8,
        speedKmh: i % 60,
        parcelId,
      };
    } else if (roll < 13) {
      channel = 'temperature';
      body = { value: 2 + (i % 50) / 10, parcelId };
    } else if (roll < 17) {
      kind = 'locker';
      channel = (['door', 'compartment', 'pickup', 'temperature'] as const)[roll - 13]!;
      const compartmentId = `C${i % 40}`;
      body =
        channel === 'door'
          ? { compartmentId, state: i % 2 ? 'open' : 'closed', codeValid: true }
          : channel === 'compartment'
            ? { compartmentId, state: i % 2 ? 'occupied' : 'empty', parcelId }
            : channel === 'pickup'
              ? { compartmentId, codeValid: i % 50 !== 0, parcelId }
              : { compartmentId, value: 4 };
    } else if (roll < 19) {
      kind = roll === 17 ? 'locker' : 'vehicle';
      channel = 'heartbeat';
      body = { uptimeS: i };
    } else {
      channel = 'battery';
      body = { value: 100 - (i % 100) };
    }
    const deviceId = kind === 'vehicle' ? `van-${i % VEHICLES}` : `lk-${i % LOCKERS}`;
    const key = `${kind}/${deviceId}`;
    const seq = (seqs.get(key) ?? 0) + 1;
    seqs.set(key, seq);
    body['seq'] = seq;
    body['time'] = new Date(baseMs + i).toISOString();
    out.push({
      topic: deliveryTopic({ site: 'bench', deviceKind: kind, deviceId, channel }, ROOT),
      payload: JSON.stringify(body),
    });
  }
  return out;
}

/** Store, bus, journal and detection pipeline: the server's path for device messages. */
async function pipelineUnderTest(dir: string) {
  const store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
  await store.migrate();
  const bus = new MemoryBus();
  const loaded = await loadDetectionPipeline({});
  let detected = 0;
  let alerts = 0;
  bus.subscribe<SecurityEvent>(
    TOPICS.events,
    (message) => {
      alerts += loaded.pipeline.observe(message.data).length;
      detected++;
    },
    { group: 'detect' },
  );
  const writer = new DeliveryEventWriter({ store, bus, journal: EventJournal.open(join(dir, 'journal')) });
  // Devices get a generous budget: the bench measures throughput, not the flood guard.
  const config = parseDeliveryConfig({ devices: { ratePerSecond: 100_000, burst: 100_000 } });
  const ingest = createDeliveryIngest({
    config: { ...config, topicRoots: [ROOT] },
    writer,
    deadLetters: new MemoryDeadLetterSink(),
  });
  return {
    store,
    bus,
    writer,
    ingest,
    detectorNames: loaded.pipeline.detectorNames,
    detected: () => detected,
    alerts: () => alerts,
    async close() {
      await writer.close();
      await bus.close();
      await store.close();
    },
  };
}

interface Rate {
  wallPerSecond: number;
  cpuPerSecond: number;
  alerts: number;
}

/** Starts the CPU profiler when DELIVERY_BENCH_PROFILE is set; the result writes the profile. */
async function startProfile(part: string): Promise<() => Promise<void>> {
  if (PROFILE_DIR === undefined) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `delivery-${part}.cpuprofile`), JSON.stringify(profile));
  };
}

async function measure(
  part: string,
  run: (p: Awaited<ReturnType<typeof pipelineUnderTest>>) => Promise<void>,
  prepare?: (p: Awaited<ReturnType<typeof pipelineUnderTest>>) => Promise<void>,
): Promise<Rate> {
  const dir = mkdtempSync(join(tmpdir(), 'ensuresec-bench-delivery-'));
  const p = await pipelineUnderTest(dir);
  try {
    await prepare?.(p);
    const stopProfile = await startProfile(part);
    const cpu = process.cpuUsage();
    const start = performance.now();
    await run(p);
    await p.writer.flush();
    await p.bus.drain();
    const wallS = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    await stopProfile();
    const cpuS = (used.user + used.system) / 1e6;
    if (p.detected() !== N) throw new Error(`detected ${p.detected()} of ${N} messages`);
    return { wallPerSecond: N / wallS, cpuPerSecond: N / cpuS, alerts: p.alerts() };
  } finally {
    await p.close();
    rmSync(dir, { recursive: true, force: true });
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

async function startBroker(): Promise<{ url: string; child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ensuresec-bench-mosquitto-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 100\nlog_type error\n`,
  );
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
  const url = `mqtt://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const probe = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 });
      await probe.endAsync();
      return { url, child, dir };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('mosquitto did not start');
}

/** Heap and array buffers (typed arrays' memory is outside the heap) after a full GC, in MiB. */
function gcMemoryMb(): { heap: number; buffers: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed / 1_048_576, buffers: usage.arrayBuffers / 1_048_576 };
}

const perParcel = (mib: number): string => ((mib * 1_048_576) / PARCELS).toFixed(0);

async function memoryWithParcels(): Promise<void> {
  const loaded = await loadDetectionPipeline({});
  console.log(`detectors: ${loaded.pipeline.detectorNames.join(', ')}`);
  const config = parseDeliveryConfig({ devices: { ratePerSecond: 100_000, burst: 100_000 } });
  const writer = { room: () => null, write: () => null, queued: 0 } as unknown as DeliveryEventWriter;
  const ingest = createDeliveryIngest({
    config: { ...config, topicRoots: [ROOT] },
    writer,
    deadLetters: new MemoryDeadLetterSink(),
  });
  const before = gcMemoryMb();
  const rssBefore = process.memoryUsage().rss / 1_048_576;
  const t0 = Date.now() - 3_600_000;
  for (let i = 0; i < PARCELS; i++) {
    const parcelId = `p-${i}`;
    const data = {
      parcelId,
      orderId: `o-${i}`,
      customerId: `cus-${i % 50_000}`,
      driverId: `drv-${i % 400}`,
      vehicleId: `van-${i % VEHICLES}`,
      destination: { lat: 52.4 + (i % 1000) / 5000, lon: 13.3 + (i % 777) / 4000, area: 'urban' as const },
      valueMinor: 5_000 + i,
    };
    for (const [type, offset] of [
      ['carrier.label_created', 0],
      ['carrier.out_for_delivery', 1000],
    ] as const) {
      const event = deliveryApiEventToEvent('bench', 'bench', {
        id: `${type}-${i}`,
        time: new Date(t0 + offset + i).toISOString(),
        type,
        carrier: 'bench',
        data,
      });
      loaded.pipeline.observe(event);
    }
    // One device per parcel: the device table fills up to its bound too.
    await ingest.ingestDeliveryMessage(
      deliveryTopic(
        { site: 'bench', deviceKind: 'vehicle', deviceId: `tracker-${i}`, channel: 'temperature' },
        ROOT,
      ),
      `{"seq":1,"value":5,"parcelId":"${parcelId}"}`,
    );
  }
  const after = gcMemoryMb();
  const rssAfter = process.memoryUsage().rss / 1_048_576;
  console.log(
    `memory, ${PARCELS.toLocaleString('en')} active parcels (2 carrier events + 1 sensor reading each): heap ${before.heap.toFixed(0)} → ${after.heap.toFixed(0)} MiB (+${perParcel(after.heap - before.heap)} bytes/parcel), array buffers ${before.buffers.toFixed(0)} → ${after.buffers.toFixed(0)} MiB (+${perParcel(after.buffers - before.buffers)} bytes/parcel), RSS ${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MiB; devices remembered ${ingest.counters.devicesTracked.toLocaleString('en')}`,
  );
}

async function main(): Promise<void> {
  const list = messages(N);
  console.log(
    `delivery bench: ${N.toLocaleString('en')} messages, ${PARCELS.toLocaleString('en')} parcels, node ${process.version}`,
  );

  if (!PARTS.has('inprocess'))
    throw new Error('the in-process run is the baseline: keep it in DELIVERY_BENCH_PARTS');
  const baseline = await measure('inprocess', async (p) => {
    for (const message of list) await p.ingest.ingestDeliveryMessage(message.topic, message.payload);
  });
  console.log(
    `(a) in-process ingestDeliveryMessage → journal → SQLite → bus → detectors: ${Math.round(baseline.wallPerSecond).toLocaleString('en')} msg/s wall, ${Math.round(baseline.cpuPerSecond).toLocaleString('en')} msg per CPU-second (alerts ${baseline.alerts})`,
  );

  if (PARTS.has('mqtt')) await mqttRun(list, baseline);
  if (PARTS.has('memory')) await memoryWithParcels();
}

async function mqttRun(list: Message[], baseline: Rate): Promise<void> {
  const broker = await startBroker();
  try {
    const clientId = 'ensuresec-bench';
    const mqttRate = await measure(
      'mqtt',
      async (p) => {
        const running = startDeliveryMqtt(
          parseDeliveryConfig({ mqtt: { enabled: true, url: broker.url, clientId, topics: [ROOT] } }).mqtt,
          { ingest: p.ingest },
        );
        while (p.ingest.counters.linesRead < N) await new Promise((resolve) => setTimeout(resolve, 20));
        await running.stop();
      },
      async () => {
        // Make the persistent session, then queue every message for it while it is away.
        const session = await mqtt.connectAsync(broker.url, { clientId, clean: false });
        await session.subscribeAsync(`${ROOT}/+/+/+/+`, { qos: 1 });
        await session.endAsync();
        const publisher = await mqtt.connectAsync(broker.url, { clientId: 'bench-publisher' });
        const inFlight: Promise<unknown>[] = [];
        for (const message of list) {
          inFlight.push(publisher.publishAsync(message.topic, message.payload, { qos: 1 }));
          if (inFlight.length >= 1000) await Promise.all(inFlight.splice(0));
        }
        await Promise.all(inFlight);
        await publisher.endAsync();
      },
    );
    console.log(
      `(b) MQTT QoS 1 from Mosquitto → the same path: ${Math.round(mqttRate.wallPerSecond).toLocaleString('en')} msg/s wall, ${Math.round(mqttRate.cpuPerSecond).toLocaleString('en')} msg per CPU-second; ratio (b)/(a) wall ${(mqttRate.wallPerSecond / baseline.wallPerSecond).toFixed(2)}, CPU ${(mqttRate.cpuPerSecond / baseline.cpuPerSecond).toFixed(2)}`,
    );
  } finally {
    broker.child.kill('SIGTERM');
    rmSync(broker.dir, { recursive: true, force: true });
  }
}

await main();
