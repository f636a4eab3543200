/**
 * The delivery source in the composition root: carrier secrets from the configuration, the
 * in-process entry point, the MQTT subscription against the real Mosquitto on 127.0.0.1:1883,
 * the metrics, and a runtime that starts with the MQTT broker absent.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../core/errors.js';
import { deliveryTopic } from '../ingest/sources/delivery/schema.js';
import { parseConfig } from './config/load.js';
import { deliveryWebhookSettings } from './delivery.js';
import { startRuntime, type Runtime } from './runtime.js';

const DHL = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const DHL_OLD = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;

describe('carrier webhook secrets from the configuration', () => {
  it("reads each carrier's secrets, several per value during a rotation", () => {
    const config = parseConfig(
      'ingest:\n  delivery:\n    webhookTolerance: 2m\n    carriers:\n      - id: dhl\n        secrets: ["env:DHL_SECRET"]\n      - id: ups\n        secrets: ["env:UPS_SECRET"]\n',
    );
    const settings = deliveryWebhookSettings(config, { DHL_SECRET: `${DHL} ${DHL_OLD}` });
    expect(settings.toleranceMs).toBe(120_000);
    expect(settings.carriers.get('dhl')).toEqual([Buffer.alloc(32, 1), Buffer.alloc(24, 2)]);
    expect(settings.carriers.get('ups')).toEqual([]);
  });

  it('refuses an unusable secret naming the reference, never the secret; refuses a literal and a carrier twice', () => {
    const config = parseConfig(
      'ingest:\n  delivery:\n    carriers:\n      - id: dhl\n        secrets: ["env:DHL_SECRET"]\n',
    );
    const weak = `whsec_${Buffer.alloc(16, 5).toString('base64')}`;
    let caught: unknown;
    try {
      deliveryWebhookSettings(config, { DHL_SECRET: weak });
    } catch (error) {
      caught = error;
    }
    expect((caught as EnsuresecError).code).toBe('config_invalid');
    expect((caught as EnsuresecError).message).toContain('env:DHL_SECRET');
    expect((caught as EnsuresecError).message).not.toContain(weak.slice(6));
    expect(() =>
      parseConfig(`ingest:\n  delivery:\n    carriers:\n      - id: dhl\n        secrets: ["${DHL}"]\n`),
    ).toThrow(EnsuresecError);
    expect(() =>
      parseConfig(
        'ingest:\n  delivery:\n    carriers:\n      - {id: dhl, secrets: ["env:A"]}\n      - {id: dhl, secrets: ["env:B"]}\n',
      ),
    ).toThrow(/listed twice/);
  });
});

describe('the delivery source in the runtime', () => {
  let dataDir: string;
  let runtime: Runtime | null = null;
  afterEach(async () => {
    await runtime?.close();
    runtime = null;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(yaml: string): Promise<Runtime> {
    dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-delivery-runtime-'));
    const config = parseConfig(
      `api:\n  port: 0\ngateway:\n  enabled: false\ndetection:\n  enabled: false\n${yaml}`,
    );
    runtime = await startRuntime({ config, dataDir, logger: pino({ level: 'silent' }) });
    return runtime;
  }

  it('takes device messages from MQTT and in-process alike, and counts them in /metrics', async () => {
    const root = `rt-${randomBytes(6).toString('hex')}/ensuresec/v1`;
    const clientId = `ensuresec-rt-${randomBytes(6).toString('hex')}`;
    const rt = await start(
      `ingest:\n  delivery:\n    mqtt:\n      enabled: true\n      url: mqtt://127.0.0.1:1883\n      clientId: ${clientId}\n      topics: ["${root}"]\n`,
    );
    await rt.delivery.mqtt?.subscribed;
    const publisher = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId: `pub-${clientId}` });
    const tamper = deliveryTopic(
      { site: 'hq', deviceKind: 'locker', deviceId: 'lk-1', channel: 'tamper' },
      root,
    );
    await publisher.publishAsync(tamper, JSON.stringify({ seq: 1, state: 'triggered' }), { qos: 1 });
    await publisher.endAsync();
    const inProcess = await rt.delivery.ingestDeliveryMessage(
      deliveryTopic({ site: 'hq', deviceKind: 'vehicle', deviceId: 'van-1', channel: 'gps' }, root),
      { seq: 1, lat: 52.5, lon: 13.4 },
    );
    expect(inProcess.status).toBe('accepted');
    const deadline = Date.now() + 15_000;
    while ((await rt.store.events.count()) < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const events = (await rt.store.events.list({ kind: 'delivery', limit: 10 })).items;
    expect(events.map((event) => event.delivery?.type).sort()).toEqual(['locker.tamper', 'vehicle.position']);
    const metrics = await fetch(`${rt.apiUrl}/metrics`).then((response) => response.text());
    expect(metrics).toMatch(/ensuresec_delivery_messages_total\{source="delivery-mqtt",kind="accepted"\} 2/);
    expect(metrics).toMatch(/ensuresec_delivery_mqtt_connected\{source="delivery-mqtt"\} 1/);
  }, 40_000);

  it('starts without a broker (the embedded demo) and keeps taking in-process messages', async () => {
    const rt = await start(
      'ingest:\n  delivery:\n    mqtt:\n      enabled: true\n      url: mqtt://127.0.0.1:1\n',
    );
    const outcome = await rt.delivery.ingestDeliveryMessage(
      'ensuresec/v1/hq/locker/lk-2/door',
      '{"seq":1,"state":"forced"}',
    );
    expect(outcome.status).toBe('accepted');
    await rt.delivery.flush();
    expect(await rt.store.events.count()).toBe(1);
    expect(rt.delivery.ingest.counters.mqttConnected).toBe(false);
  });
});
