/**
 * The delivery side of `ensuresec demo` (demo): starts the delivery simulator beside the shop
 * traffic. Devices publish over MQTT when the delivery source subscribes to a broker
 * (`ingest.delivery.mqtt.enabled`), else in-process through `ingestDeliveryMessage`, so the
 * embedded demo runs without a broker. It plays the named incidents asked for
 * (`--scenario locker-break-in` …) after a first benign day, then benign days until stopped.
 *
 * @example
 *   const delivery = await startDeliveryDemo({ config, runtime, logger, incidents: ['insider-fraud'] });
 *   await delivery.stop();
 */
import type { Logger } from 'pino';
import { systemClock } from '../../core/clock.js';
import type { SecurityEvent } from '../../core/records/index.js';
import type { EnsuresecConfig } from '../../server/config/schema.js';
import { resolveSecret } from '../../server/config/secrets.js';
import { createCity } from './city.js';
import { connectDevicePublisher, type DevicePublisher } from './mqtt-publisher.js';
import { benignDay, DELIVERY_INCIDENT_NAMES, type DeliveryIncidentName } from './scripts.js';
import { createDeliverySimulator } from './simulator.js';

export { DELIVERY_INCIDENT_NAMES, DELIVERY_INCIDENTS, type DeliveryIncidentName } from './scripts.js';
export { createDeliverySimulator } from './simulator.js';
export { createCity } from './city.js';

export function isDeliveryIncident(name: string): name is DeliveryIncidentName {
  return (DELIVERY_INCIDENT_NAMES as readonly string[]).includes(name);
}

export interface DeliveryDemo {
  /** Resolves when the first benign day and the incidents asked for have been played. */
  readonly incidentsPlayed: Promise<void>;
  stop(): Promise<void>;
}

export async function startDeliveryDemo(options: {
  config: EnsuresecConfig;
  runtime: {
    delivery: { ingestDeliveryMessage(topic: string, payload: object): Promise<unknown> };
    events: { push(event: SecurityEvent): void };
  };
  logger: Logger;
  incidents: readonly DeliveryIncidentName[];
}): Promise<DeliveryDemo> {
  const mqttSettings = options.config.ingest.delivery.mqtt;
  let publisher: DevicePublisher | null = null;
  if (mqttSettings.enabled) {
    const password = resolveSecret(mqttSettings.password);
    publisher = await connectDevicePublisher(mqttSettings.url, {
      ...(mqttSettings.username === undefined ? {} : { username: mqttSettings.username }),
      ...(password === undefined ? {} : { password }),
    });
  }
  const simulator = createDeliverySimulator({
    city: createCity(),
    clock: systemClock,
    ...(mqttSettings.enabled ? { topicRoot: mqttSettings.topics[0] } : {}),
    sinks: {
      device: (topic, payload) =>
        publisher
          ? publisher.publish(topic, payload)
          : options.runtime.delivery.ingestDeliveryMessage(topic, payload),
      event: (event) => options.runtime.events.push(event),
    },
  });
  const controller = new AbortController();
  const incidentsPlayed = (async () => {
    for (const stats of await simulator.run(options.incidents, controller.signal))
      options.logger.info(stats, 'delivery simulator: script played');
  })();
  const loop = (async () => {
    await incidentsPlayed;
    for (let day = 2; !controller.signal.aborted; day++)
      await simulator.play(benignDay(simulator.city, { seed: day }), controller.signal);
  })().catch((error: unknown) => options.logger.warn({ err: error }, 'delivery simulator stopped'));
  return {
    incidentsPlayed: incidentsPlayed.catch(() => undefined),
    async stop() {
      controller.abort();
      await loop;
      await publisher?.close();
    },
  };
}
