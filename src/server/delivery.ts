/**
 * The delivery source in the composition root: the carriers' webhook secrets for the API,
 * the journal-backed writer for device messages (`<dataDir>/delivery-journal`, replayed at
 * start), `ingestDeliveryMessage` for in-process publishers (the demo's simulator), and the
 * MQTT subscription when `ingest.delivery.mqtt.enabled`. The MQTT client connects in the
 * background and retries: a broker that is not there yet does not stop the server.
 *
 * @example
 * const delivery = startDelivery({ config, dataDir, store, bus, deadLetters, metricsRegistry, logger, clock });
 * await delivery.ingestDeliveryMessage('ensuresec/v1/s1/vehicle/van-1/gps', { seq: 1, lat: 52.5, lon: 13.4 });
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Bus } from '../bus/bus.js';
import type { Clock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import type { IngestApiConfig } from '../api/types.js';
import type { DeadLetterSink } from '../ingest/sources/dead-letter.js';
import { DeliveryEventWriter } from '../ingest/sources/delivery/event-store-writer.js';
import { createDeliveryIngest, type DeliveryIngest } from '../ingest/sources/delivery/ingest.js';
import { EventJournal } from '../ingest/sources/delivery/journal.js';
import { registerDeliveryMetrics } from '../ingest/sources/delivery/metrics.js';
import { startDeliveryMqtt, type RunningDeliveryMqtt } from '../ingest/sources/delivery/run.js';
import { parseWebhookSecret } from '../ingest/sources/webhook/signature.js';
import type { Store } from '../store/store.js';
import type { EnsuresecConfig } from './config/schema.js';
import { resolveSecret } from './config/secrets.js';

/** Each carrier's decoded secrets; a value may hold several, space-separated (rotation). */
export function deliveryWebhookSettings(
  config: EnsuresecConfig,
  env: NodeJS.ProcessEnv = process.env,
): NonNullable<IngestApiConfig['delivery']> {
  const settings = config.ingest.delivery;
  const carriers = new Map<string, Buffer[]>();
  for (const carrier of settings.carriers) {
    const keys: Buffer[] = [];
    for (const reference of carrier.secrets) {
      const value = resolveSecret(reference, env);
      if (value === undefined) continue;
      for (const secret of value.split(/\s+/).filter((part) => part.length > 0)) {
        const parsed = parseWebhookSecret(secret);
        if (!parsed.ok) {
          throw new EnsuresecError('config_invalid', {
            detail: `ingest.delivery.carriers (${carrier.id}): ${reference} holds an unusable secret: ${parsed.reason}.`,
          });
        }
        keys.push(parsed.key);
      }
    }
    carriers.set(carrier.id, keys);
  }
  return { carriers, toleranceMs: settings.webhookTolerance };
}

export interface StartDeliveryOptions {
  config: EnsuresecConfig;
  dataDir: string;
  store: Store;
  bus: Bus;
  deadLetters: DeadLetterSink;
  metricsRegistry: Registry;
  logger: Logger;
  clock: Clock;
}

export interface RunningDelivery {
  /** One device message, as the MQTT path takes it; resolves when it is durable or refused. */
  ingestDeliveryMessage: DeliveryIngest['ingestDeliveryMessage'];
  readonly ingest: DeliveryIngest;
  /** The MQTT subscription, null when `ingest.delivery.mqtt.enabled` is false. */
  readonly mqtt: RunningDeliveryMqtt | null;
  /** Resolves when every message taken so far is stored and published. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function startDelivery(options: StartDeliveryOptions): RunningDelivery {
  const settings = options.config.ingest.delivery;
  const writer = new DeliveryEventWriter({
    store: options.store,
    bus: options.bus,
    journal: EventJournal.open(join(options.dataDir, 'delivery-journal')),
    logger: options.logger,
  });
  const replayed = writer.recover();
  if (replayed > 0) options.logger.info({ events: replayed }, 'delivery events replayed from the journal');
  const ingest = createDeliveryIngest({
    config: { ...settings, topicRoots: settings.mqtt.topics },
    writer,
    deadLetters: options.deadLetters,
    clock: options.clock,
  });
  registerDeliveryMetrics(options.metricsRegistry, () => {
    const stats = writer.getStats();
    ingest.counters.queued = stats.queued;
    ingest.counters.storeFailures = stats.failedBatches;
    return [ingest.counters];
  });
  const password = resolveSecret(settings.mqtt.password);
  const mqtt = settings.mqtt.enabled
    ? startDeliveryMqtt(settings.mqtt, {
        ingest,
        logger: options.logger,
        ...(password === undefined ? {} : { password }),
      })
    : null;
  return {
    ingestDeliveryMessage: ingest.ingestDeliveryMessage,
    ingest,
    mqtt,
    flush: () => writer.flush(),
    async close() {
      await mqtt?.stop();
      await writer.close();
    },
  };
}
