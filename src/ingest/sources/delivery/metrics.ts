/**
 * Counters of the delivery source (ingest): the log-source counters (a device message counts
 * as a line, `dropped` counts a flooding device's excess) plus duplicates, out-of-order
 * messages, skewed clocks, the devices remembered, the store queue and the MQTT connection.
 * Plain numbers on the hot path, read by Prometheus at scrape time.
 *
 * @example registerDeliveryMetrics(registry, () => [delivery.counters]);
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { newSourceCounters, type SourceCounters } from '../access-log/metrics.js';

export interface DeliveryCounters extends SourceCounters {
  duplicates: number;
  outOfOrder: number;
  /** A device's counter went far back: it restarted. */
  seqResets: number;
  clockSkewed: number;
  devicesTracked: number;
  deviceEvictions: number;
  queued: number;
  storeFailures: number;
  mqttConnected: boolean;
  mqttConnects: number;
  mqttDisconnects: number;
}

export function newDeliveryCounters(source: string): DeliveryCounters {
  return {
    ...newSourceCounters(source, 'delivery'),
    duplicates: 0,
    outOfOrder: 0,
    seqResets: 0,
    clockSkewed: 0,
    devicesTracked: 0,
    deviceEvictions: 0,
    queued: 0,
    storeFailures: 0,
    mqttConnected: false,
    mqttConnects: 0,
    mqttDisconnects: 0,
  };
}

type Pick = (counters: DeliveryCounters) => number;

function following(
  registry: Registry,
  name: string,
  help: string,
  read: () => DeliveryCounters[],
  pairs: [string, Pick][],
): void {
  const last = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: ['source', 'kind'],
    registers: [registry],
    collect() {
      for (const counters of read()) {
        for (const [kind, pick] of pairs) {
          const key = `${counters.source}\n${kind}`;
          const value = pick(counters);
          const delta = value - (last.get(key) ?? 0);
          if (delta > 0) this.inc({ source: counters.source, kind }, delta);
          last.set(key, value);
        }
      }
    },
  });
}

/** `ensuresec_delivery_*`: messages by outcome, malformed ones by reason, devices, queue, MQTT connection. */
export function registerDeliveryMetrics(registry: Registry, sources: () => DeliveryCounters[]): void {
  following(
    registry,
    'ensuresec_delivery_messages_total',
    'Device messages by outcome: received, accepted, duplicate, out_of_order, seq_reset, clock_skewed, rate_limited.',
    sources,
    [
      ['received', (c) => c.linesRead],
      ['accepted', (c) => c.events],
      ['duplicate', (c) => c.duplicates],
      ['out_of_order', (c) => c.outOfOrder],
      ['seq_reset', (c) => c.seqResets],
      ['clock_skewed', (c) => c.clockSkewed],
      ['rate_limited', (c) => c.dropped],
    ],
  );
  const lastMalformed = new Map<string, number>();
  new Counter({
    name: 'ensuresec_delivery_malformed_total',
    help: 'Device messages refused, by reason (delivery_bad_topic, delivery_bad_payload, not_json, json_not_object, message_too_large).',
    labelNames: ['source', 'reason'],
    registers: [registry],
    collect() {
      for (const counters of sources()) {
        for (const [reason, value] of Object.entries(counters.malformed)) {
          const key = `${counters.source}\n${reason}`;
          const delta = (value ?? 0) - (lastMalformed.get(key) ?? 0);
          if (delta > 0) this.inc({ source: counters.source, reason }, delta);
          lastMalformed.set(key, value ?? 0);
        }
      }
    },
  });
  following(
    registry,
    'ensuresec_delivery_mqtt_connections_total',
    'MQTT connections made and lost by the delivery source.',
    sources,
    [
      ['connect', (c) => c.mqttConnects],
      ['disconnect', (c) => c.mqttDisconnects],
    ],
  );
  following(
    registry,
    'ensuresec_delivery_store_failures_total',
    'Batches of delivery events the store refused (they are tried again).',
    sources,
    [['batch', (c) => c.storeFailures]],
  );
  const gauge = (name: string, help: string, pick: Pick) =>
    new Gauge({
      name,
      help,
      labelNames: ['source'],
      registers: [registry],
      collect() {
        for (const counters of sources()) this.set({ source: counters.source }, pick(counters));
      },
    });
  gauge(
    'ensuresec_delivery_devices_tracked',
    'Devices remembered for rate limits and duplicates.',
    (c) => c.devicesTracked,
  );
  gauge(
    'ensuresec_delivery_device_evictions',
    'Devices forgotten to keep the table bounded (since start).',
    (c) => c.deviceEvictions,
  );
  gauge('ensuresec_delivery_queued_events', 'Delivery events waiting to be stored.', (c) => c.queued);
  gauge('ensuresec_delivery_mqtt_connected', '1 while the MQTT subscription is connected.', (c) =>
    c.mqttConnected ? 1 : 0,
  );
}
