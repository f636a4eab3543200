/**
 * Configuration of the delivery source (ingest): `ingest.delivery` in ensuresec.yaml. The MQTT
 * subscription is off unless `mqtt.enabled`; the device limits apply to every device message
 * (MQTT or `ingestDeliveryMessage`); `carriers` lists who may post signed webhooks.
 * docs/configuration.md and docs/delivery.md explain each key.
 *
 * @example
 * parseDeliveryConfig({ mqtt: { enabled: true, url: 'mqtt://127.0.0.1:1883' } });
 */
import { z } from 'zod';
import { durationMs, parseConfig } from '../access-log/config.js';
import { CARRIER_ID, DEFAULT_DELIVERY_TOPIC_ROOT, TOPIC_ROOT } from './schema.js';

/** A secret: `env:NAME` or `file:/path`, never the secret itself (as everywhere in ensuresec.yaml). */
const secretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be env:NAME or file:/path, never the secret itself');

export const deliveryMqttConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  url: z.url({ protocol: /^(mqtt|mqtts|ws|wss)$/ }).default('mqtt://127.0.0.1:1883'),
  /** Fixed, so the broker keeps the session (and queues QoS 1 messages) while we are away. */
  clientId: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
    .default('ensuresec-delivery'),
  /** Topic roots to subscribe under (`<root>/+/+/+/+`). */
  topics: z
    .array(z.string().regex(TOPIC_ROOT, 'levels of letters, digits, _ . : - separated by /'))
    .min(1)
    .max(16)
    .default([DEFAULT_DELIVERY_TOPIC_ROOT]),
  username: z.string().min(1).max(256).optional(),
  password: secretRef.optional(),
  keepalive: durationMs.default(30_000),
  reconnectPeriod: durationMs.default(1_000),
  connectTimeout: durationMs.default(10_000),
});

export const deliveryConfigSchema = z.strictObject({
  /** `source.name` of device events. */
  name: z.string().min(1).max(256).default('delivery-mqtt'),
  mqtt: deliveryMqttConfigSchema.prefault({}),
  devices: z
    .strictObject({
      /** Devices remembered for rate limits and duplicates; the least recently heard is forgotten. */
      maxDevices: z.number().int().min(1).max(10_000_000).default(100_000),
      ratePerSecond: z.number().min(0.01).max(100_000).default(50),
      burst: z.number().int().min(1).max(1_000_000).default(200),
      /** Message counters remembered per device to recognise duplicates. */
      seqWindow: z.number().int().min(32).max(65_536).default(1024),
      /** A device clock further than this from ours is not trusted for the event's time. */
      maxClockSkew: durationMs.default(120_000),
    })
    .prefault({}),
  /** Carriers posting signed webhooks to `POST /api/v1/delivery/webhooks/:carrier`. */
  carriers: z
    .array(
      z.strictObject({
        id: z.string().regex(CARRIER_ID, 'lower-case letters, digits and dashes, e.g. dhl'),
        /** Secret references; a value may hold several `whsec_` secrets, space-separated (rotation). */
        secrets: z.array(secretRef).min(1).max(16),
      }),
    )
    .max(100)
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      for (const [index, carrier] of list.entries()) {
        if (seen.has(carrier.id)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `carrier "${carrier.id}" is listed twice`,
          });
        }
        seen.add(carrier.id);
      }
    }),
  /** How far a webhook-timestamp may be from our clock (replays). */
  webhookTolerance: durationMs.default(300_000),
  deadLetters: z.strictObject({ maxPerMinute: z.number().int().min(0).max(10_000).default(60) }).prefault({}),
});

export type DeliveryConfig = z.output<typeof deliveryConfigSchema>;
export type DeliveryConfigInput = z.input<typeof deliveryConfigSchema>;

export function parseDeliveryConfig(input: unknown, where = 'ingest.delivery'): DeliveryConfig {
  return parseConfig(deliveryConfigSchema, input ?? {}, where);
}
