/**
 * The delivery source's MQTT subscription (ingest): mqtt.js with a fixed client id and
 * `clean: false`, so the broker keeps our session and queues QoS 1 messages while we (or it)
 * are away; QoS 1 on `<root>/+/+/+/+` for every configured root. mqtt.js sends the PUBACK
 * when `handleMessage` calls back, and the PUBACKs of one event-loop turn leave the process
 * only after the turn's events are durable in the journal (group commit, see below) or the
 * message was refused: a message the broker saw acknowledged is never lost here. Reconnects are mqtt.js's (`reconnectPeriod`); nothing a device sends stops it.
 *
 * @example
 * const mqtt = await startDeliveryMqtt(config.mqtt, { ingest, logger });
 * await mqtt.stop();
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { DeliveryConfig } from './config.js';
import type { DeliveryIngest, DeliveryIngestOptions } from './ingest.js';
import { deliveryTopicFilter } from './schema.js';

const noTrace = (): void => undefined;
const GROUPED: DeliveryIngestOptions = { deferDurability: true };
const IMMEDIATE: DeliveryIngestOptions = { deferDurability: false };

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
  // mqtt.js traces every packet through the `debug` package, a few calls per message even when
  // off; unless DEBUG asks for its trace, hand it a no-op instead.
  if (!/mqttjs/.test(process.env['DEBUG'] ?? '')) options.log = noTrace;
  const client = mqtt.connect(config.url, options);
  // Group commit. mqtt.js hands over one message at a time and reads the next only after the
  // PUBACK of this one is written, so acknowledgements cannot simply be held back. Instead the
  // socket is corked at the first acknowledgement of an event-loop turn, the messages of the
  // turn are journaled with deferred durability, and after the turn (setImmediate runs once
  // mqtt.js has handled every packet it had parsed) the journal is written once and only then
  // the socket uncorked: the turn's PUBACKs leave in one write, after their messages are
  // durable. One journal write and one socket write per message were a fifth of the source's
  // CPU. If the journal write fails the connection is destroyed with the PUBACKs still in it:
  // the broker sends the messages again.
  let corked: { uncork(): void; destroy(error?: Error): void } | null = null;
  const corkAcks = (): boolean => {
    if (corked) return true;
    const stream = client.stream as
      | (NodeJS.WritableStream & {
          cork?: () => void;
          uncork?: () => void;
          destroy?: (error?: Error) => void;
        })
      | undefined;
    if (
      typeof stream?.cork !== 'function' ||
      typeof stream.uncork !== 'function' ||
      typeof stream.destroy !== 'function'
    ) {
      return false;
    }
    stream.cork();
    corked = stream as { uncork(): void; destroy(error?: Error): void };
    setImmediate(releaseAcks);
    return true;
  };
  const releaseAcks = (): void => {
    const stream = corked;
    corked = null;
    if (!stream) return;
    try {
      ingest.makeDurable();
    } catch (error) {
      logger?.error({ err: error }, 'the delivery journal could not be written; dropping the connection');
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    stream.uncork();
  };
  const notWritten = (error: unknown, topic: string, done: (error?: Error) => void): void => {
    // Not acknowledged: the broker sends it again after a reconnect.
    logger?.error({ err: error, topic }, 'a delivery message could not be written');
    done(error instanceof Error ? error : new Error(String(error)));
  };
  const written = (topic: string, done: (error?: Error) => void): void => {
    try {
      // A message that waited for room in the writer resolves after its turn's release:
      // with no cork open its PUBACK would leave at once, so it is made durable here.
      if (!corked) ingest.makeDurable();
    } catch (error) {
      notWritten(error, topic, done);
      return;
    }
    done();
  };
  // Called for each message in turn; the PUBACK goes out when `done` is called: at once when
  // the message was taken without waiting (it is in the journal's buffer, and the PUBACK in the
  // corked socket until the buffer is written), else when the wait is over.
  client.handleMessage = (packet, done) => {
    const topic = packet.topic;
    let outcome: ReturnType<DeliveryIngest['ingestDeliveryMessageNow']>;
    try {
      outcome = ingest.ingestDeliveryMessageNow(
        topic,
        packet.payload as Buffer,
        corkAcks() ? GROUPED : IMMEDIATE,
      );
    } catch (error) {
      notWritten(error, topic, done);
      return;
    }
    if (outcome instanceof Promise) {
      outcome.then(
        () => written(topic, done),
        (error: unknown) => notWritten(error, topic, done),
      );
    } else {
      written(topic, done);
    }
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
