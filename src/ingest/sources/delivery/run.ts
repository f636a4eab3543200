/**
 * The delivery source's MQTT subscription (ingest): mqtt.js with a fixed client id and
 * `clean: false`, so the broker keeps our session and queues QoS 1 messages while we (or it)
 * are away; QoS 1 on `<root>/+/+/+/+` for every configured root. mqtt.js sends the PUBACK
 * when `handleMessage` calls back, which we do only after `ingestDeliveryMessage` has made
 * the event durable (or refused the message): a message the broker saw acknowledged is never
 * lost here. Reconnects are mqtt.js's (`reconnectPeriod`); nothing a device sends stops it.
 *
 * @example
 * const mqtt = await startDeliveryMqtt(config.mqtt, { ingest, logger });
 * await mqtt.stop();
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DeliveryConfig } from './config.js';
import type { DeliveryIngest } from './ingest.js';
import { deliveryTopicFilter } from './schema.js';

export interface DeliveryMqttDependencies {
  ingest: DeliveryIngest;
  logger?: Logger;
  /** The password, resolved from `mqtt.password` by the composition root. */
  password?: string;
}

export interface RunningDeliveryMqtt {
  readonly client: MqttClient;
  /** Resolves at the first successful subscription (tests wait for it; the runtime does not). */
  readonly subscribed: Promise<void>;
  stop(): Promise<void>;
}

export function startDeliveryMqtt(
  config: DeliveryConfig['mqtt'],
  deps: DeliveryMqttDependencies,
): RunningDeliveryMqtt {
  const { ingest, logger } = deps;
  const counters = ingest.counters;
  const options: IClientOptions = {
    clientId: config.clientId,
    clean: false,
    protocolVersion: 4,
    keepalive: Math.max(1, Math.round(config.keepalive / 1000)),
    reconnectPeriod: config.reconnectPeriod,
    connectTimeout: config.connectTimeout,
    resubscribe: true,
  };
  if (config.username !== undefined) options.username = config.username;
  if (deps.password !== undefined) options.password = deps.password;
  const client = mqtt.connect(config.url, options);
  // Called for each message in turn; the PUBACK goes out when `done` is called.
  client.handleMessage = (packet, done) => {
    ingest.ingestDeliveryMessage(packet.topic, packet.payload as Buffer).then(
      () => done(),
      (error: unknown) => {
        // Not acknowledged: the broker sends it again after a reconnect.
        logger?.error({ err: error, topic: packet.topic }, 'a delivery message could not be written');
        done(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };
  const filters = Object.fromEntries(
    config.topics.map((root) => [deliveryTopicFilter(root), { qos: 1 as const }]),
  );
  let markSubscribed: () => void = () => undefined;
  const subscribed = new Promise<void>((resolve) => (markSubscribed = resolve));
  client.on('connect', (connack) => {
    counters.mqttConnected = true;
    counters.mqttConnects++;
    logger?.info({ url: config.url, sessionPresent: connack.sessionPresent }, 'delivery MQTT connected');
    // A kept session keeps its subscriptions; subscribing again is harmless and covers a broker that lost them.
    client.subscribe(filters, (error) => {
      if (error) logger?.error({ err: error }, 'delivery MQTT subscription refused');
      else markSubscribed();
    });
  });
  client.on('close', () => {
    if (counters.mqttConnected) counters.mqttDisconnects++;
    counters.mqttConnected = false;
  });
  client.on('error', (error) => logger?.warn({ err: error }, 'delivery MQTT error'));
  return {
    client,
    subscribed,
    async stop() {
      await client.endAsync();
      counters.mqttConnected = false;
    },
  };
}
