/**
 * The delivery chain's wire schema (ingest, delivery source): the MQTT topic tree that
 * lockers and vehicles publish to, the JSON payload of each channel, and the carriers'
 * webhook and API payloads. Everything here is untrusted input: bounded, validated with zod.
 * docs/delivery.md shows every schema with an example; mapping.ts turns them into
 * SecurityEvents.
 *
 * Topic tree: `<root>/<site>/<deviceKind>/<deviceId>/<channel>`, root `ensuresec/v1` by
 * default, e.g. `ensuresec/v1/berlin-1/locker/lk-0042/door`.
 *
 * @example
 * deliveryTopic({ site: 'berlin-1', deviceKind: 'vehicle', deviceId: 'van-7', channel: 'gps' });
 * // 'ensuresec/v1/berlin-1/vehicle/van-7/gps'
 * parseDeliveryTopic('ensuresec/v1/berlin-1/vehicle/van-7/gps');
 * // { ok: true, value: { site: 'berlin-1', deviceKind: 'vehicle', deviceId: 'van-7', channel: 'gps' } }
 */
import { z } from 'zod';
import { isoTimestamp } from '../../../core/records/index.js';

export const DEFAULT_DELIVERY_TOPIC_ROOT = 'ensuresec/v1';

export const DEVICE_KINDS = ['locker', 'vehicle'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** The channels each kind of device publishes on. */
export const DEVICE_CHANNELS = {
  locker: ['door', 'compartment', 'tamper', 'pickup', 'temperature', 'battery', 'heartbeat'],
  vehicle: ['gps', 'stop', 'temperature', 'battery', 'heartbeat'],
} as const satisfies Record<DeviceKind, readonly string[]>;
export type LockerChannel = (typeof DEVICE_CHANNELS.locker)[number];
export type VehicleChannel = (typeof DEVICE_CHANNELS.vehicle)[number];
export type DeliveryChannel = LockerChannel | VehicleChannel;

export const ALL_CHANNELS: readonly DeliveryChannel[] = [
  ...new Set<DeliveryChannel>([...DEVICE_CHANNELS.locker, ...DEVICE_CHANNELS.vehicle]),
];

/** A site or device id: one topic level, no MQTT wildcards, no separators. */
export const TOPIC_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** A topic root: levels of the same characters separated by `/`. */
export const TOPIC_ROOT = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}(\/[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}){0,7}$/;

export interface DeliveryTopic {
  site: string;
  deviceKind: DeviceKind;
  deviceId: string;
  channel: DeliveryChannel;
}

export function isChannelOf(deviceKind: DeviceKind, channel: string): channel is DeliveryChannel {
  return (DEVICE_CHANNELS[deviceKind] as readonly string[]).includes(channel);
}

/** The topic a device publishes one channel on; throws a RangeError on an id that cannot be a topic level. */
export function deliveryTopic(topic: DeliveryTopic, root: string = DEFAULT_DELIVERY_TOPIC_ROOT): string {
  if (!TOPIC_ROOT.test(root)) throw new RangeError(`"${root}" cannot be a topic root`);
  if (!TOPIC_SEGMENT.test(topic.site)) throw new RangeError(`"${topic.site}" cannot be a site id`);
  if (!TOPIC_SEGMENT.test(topic.deviceId)) throw new RangeError(`"${topic.deviceId}" cannot be a device id`);
  if (!isChannelOf(topic.deviceKind, topic.channel)) {
    throw new RangeError(`a ${topic.deviceKind} has no channel "${topic.channel}"`);
  }
  return `${root}/${topic.site}/${topic.deviceKind}/${topic.deviceId}/${topic.channel}`;
}

/** The subscription that takes every channel of every device under `root`. */
export function deliveryTopicFilter(root: string = DEFAULT_DELIVERY_TOPIC_ROOT): string {
  return `${root}/+/+/+/+`;
}

export type TopicProblem =
  'not_under_root' | 'bad_levels' | 'bad_site' | 'bad_device_kind' | 'bad_device_id' | 'bad_channel';

const SLASH = 0x2f;

export type ParsedTopic = { ok: true; value: DeliveryTopic } | { ok: false; problem: TopicProblem };

export function parseDeliveryTopic(topic: string, root: string = DEFAULT_DELIVERY_TOPIC_ROOT): ParsedTopic {
  // `<root>/` then exactly four levels, read with indexOf (this runs for every device message).
  const start = root.length + 1;
  if (topic.charCodeAt(root.length) !== SLASH || !topic.startsWith(root)) {
    return { ok: false, problem: 'not_under_root' };
  }
  const afterSite = topic.indexOf('/', start);
  const afterKind = afterSite < 0 ? -1 : topic.indexOf('/', afterSite + 1);
  const afterId = afterKind < 0 ? -1 : topic.indexOf('/', afterKind + 1);
  if (afterId < 0 || topic.indexOf('/', afterId + 1) >= 0) return { ok: false, problem: 'bad_levels' };
  const site = topic.slice(start, afterSite);
  const deviceKind = topic.slice(afterSite + 1, afterKind);
  const deviceId = topic.slice(afterKind + 1, afterId);
  const channel = topic.slice(afterId + 1);
  if (!TOPIC_SEGMENT.test(site)) return { ok: false, problem: 'bad_site' };
  if (deviceKind !== 'locker' && deviceKind !== 'vehicle') return { ok: false, problem: 'bad_device_kind' };
  if (!TOPIC_SEGMENT.test(deviceId)) return { ok: false, problem: 'bad_device_id' };
  if (!isChannelOf(deviceKind, channel)) return { ok: false, problem: 'bad_channel' };
  return { ok: true, value: { site, deviceKind, deviceId, channel } };
}

// --- device payloads (MQTT) ---

const MAX_ATTRIBUTES = 32;
const attributeValue = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]);
export const attributesSchema = z
  .record(z.string().min(1).max(64), attributeValue)
  .refine((value) => Object.keys(value).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes`);

const id = z.string().min(1).max(128);
const latitude = z.number().min(-90).max(90);
const longitude = z.number().min(-180).max(180);
/** Epoch milliseconds after 2000-01-01 and before 2100-01-01, or ISO 8601 with an offset. */
const deviceTime = z.union([z.number().int().min(946_684_800_000).max(4_102_444_800_000), isoTimestamp]);

/**
 * Fields every channel may carry. `seq` is the device's message counter (duplicates and
 * ordering: without it a device's duplicates cannot be told apart); `time` the device's
 * clock. Keys a channel does not know are ignored, so newer firmware does not break ingest.
 */
const common = {
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  time: deviceTime.optional(),
  parcelId: id.optional(),
  orderId: id.optional(),
  carrier: z.string().min(1).max(128).optional(),
  driverId: z.string().min(1).max(256).optional(),
  /** Where the device is; required on `gps` and `stop`. */
  lat: latitude.optional(),
  lon: longitude.optional(),
  accuracyM: z.number().min(0).max(1_000_000).optional(),
  attributes: attributesSchema.optional(),
};
const position = { lat: latitude, lon: longitude };
const compartmentId = z.string().min(1).max(64);

/** Payload schemas per channel; `temperature`, `battery` and `heartbeat` are shared by both kinds. */
export const channelPayloadSchemas = {
  /** A compartment (or the locker's service) door: `forced` when it opened without the lock releasing. */
  door: z.object({
    ...common,
    compartmentId: compartmentId.optional(),
    state: z.enum(['open', 'closed', 'forced']),
    /** Whether a valid code unlocked it (absent: the locker does not know). */
    codeValid: z.boolean().optional(),
  }),
  /** The compartment's occupancy sensor. */
  compartment: z.object({ ...common, compartmentId, state: z.enum(['occupied', 'empty']) }),
  /** The tamper switch (case opened, lock drilled, controller moved). */
  tamper: z.object({
    ...common,
    compartmentId: compartmentId.optional(),
    state: z.enum(['triggered', 'cleared']),
  }),
  /** A code typed at the locker: to pick a parcel up, or a courier's to drop one off. */
  pickup: z.object({
    ...common,
    compartmentId: compartmentId.optional(),
    codeValid: z.boolean(),
    action: z.enum(['pickup', 'dropoff']).default('pickup'),
  }),
  /** A temperature reading in °C (cold chain); per compartment or for the vehicle's cargo space. */
  temperature: z.object({
    ...common,
    compartmentId: compartmentId.optional(),
    value: z.number().min(-100).max(200),
  }),
  /** Battery level in percent. */
  battery: z.object({ ...common, value: z.number().min(0).max(100) }),
  /** "Still here": lockers and vehicles send one at least every `heartbeatInterval`. */
  heartbeat: z.object({
    ...common,
    uptimeS: z.number().int().min(0).optional(),
    firmware: z.string().min(1).max(64).optional(),
  }),
  /** A vehicle's position fix. */
  gps: z.object({
    ...common,
    ...position,
    speedKmh: z.number().min(0).max(400).optional(),
    headingDeg: z.number().min(0).max(360).optional(),
  }),
  /** A vehicle stopping (`started`) and leaving again (`ended`, with how long it stood). */
  stop: z.object({
    ...common,
    ...position,
    state: z.enum(['started', 'ended']).default('started'),
    durationS: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .optional(),
  }),
} as const satisfies Record<DeliveryChannel, z.ZodType>;

export type ChannelPayloads = { [C in DeliveryChannel]: z.output<(typeof channelPayloadSchemas)[C]> };
/** What a device publishes on `channel`, before defaults (what a publisher writes). */
export type ChannelPayloadInput<C extends DeliveryChannel> = z.input<(typeof channelPayloadSchemas)[C]>;

/** Largest MQTT payload accepted; a bigger one is refused unread. */
export const MAX_DEVICE_PAYLOAD_BYTES = 16_384;

// --- carrier webhooks and the delivery API ---

export const CARRIER_EVENT_TYPES = [
  'label_created',
  'picked_up',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'failed_attempt',
  'returned',
  'redirected',
] as const;
export type CarrierEventType = (typeof CARRIER_EVENT_TYPES)[number];
/** The same events as `delivery.type` names them (and as the delivery API takes them). */
export const CARRIER_API_TYPES = [
  'carrier.label_created',
  'carrier.picked_up',
  'carrier.in_transit',
  'carrier.out_for_delivery',
  'carrier.delivered',
  'carrier.failed_attempt',
  'carrier.returned',
  'carrier.redirected',
] as const satisfies readonly `carrier.${CarrierEventType}`[];

/** A carrier id: the `:carrier` of the webhook URL and `ingest.delivery.carriers[].id`. */
export const CARRIER_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

const geoPoint = z.strictObject({
  lat: latitude,
  lon: longitude,
  accuracyM: z.number().min(0).max(1_000_000).optional(),
});

/** What a carrier says about one parcel (the `data` of a webhook, the body of an API event). */
export const carrierEventDataSchema = z.strictObject({
  parcelId: id,
  orderId: id.optional(),
  trackingNumber: z.string().min(1).max(128).optional(),
  driverId: z.string().min(1).max(256).optional(),
  vehicleId: id.optional(),
  customerId: z.string().min(1).max(256).optional(),
  lockerId: id.optional(),
  compartmentId: compartmentId.optional(),
  /** Where the courier was (the scanner's fix). */
  position: geoPoint.optional(),
  /** The delivery address's position and kind of area. */
  destination: geoPoint.extend({ area: z.enum(['urban', 'suburban', 'rural']).optional() }).optional(),
  /** The delivery address; on `redirected`, the new one. */
  postalAddress: z.string().min(1).max(1024).optional(),
  proof: z
    .strictObject({
      photoSha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'a SHA-256 as 64 lower-case hex digits')
        .optional(),
      signature: z.boolean().optional(),
      gps: z.boolean().optional(),
    })
    .optional(),
  /** Why an attempt failed or a parcel went back (`recipient_absent`, `refused`, …). */
  reason: z.string().min(1).max(64).optional(),
  /** The parcel's declared value, in minor units. */
  valueMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
    .optional(),
  attributes: attributesSchema.optional(),
});
export type CarrierEventData = z.output<typeof carrierEventDataSchema>;

/** A carrier webhook's body: the Standard Webhooks envelope around one carrier event. */
export const carrierWebhookSchema = z.strictObject({
  type: z.enum(CARRIER_EVENT_TYPES),
  /** When it happened (ISO 8601); the same on every redelivery. */
  timestamp: isoTimestamp,
  data: carrierEventDataSchema,
});
export type CarrierWebhook = z.output<typeof carrierWebhookSchema>;

/** A customer says a parcel marked delivered never arrived. */
export const notReceivedClaimSchema = z.strictObject({
  orderId: id,
  parcelId: id.optional(),
  customerId: z.string().min(1).max(256),
  postalAddress: z.string().min(1).max(1024).optional(),
  /** The payment instrument's fingerprint (claims per card). */
  cardFingerprint: z.string().min(1).max(256).optional(),
  /** What the order was worth, in minor units. */
  valueMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
    .optional(),
  attributes: attributesSchema.optional(),
});

/** An order's shipping address changed after it was placed (by the customer, support, or someone else). */
export const orderAddressChangeSchema = z.strictObject({
  orderId: id,
  customerId: z.string().min(1).max(256).optional(),
  /** The new address, and where it is. */
  postalAddress: z.string().min(1).max(1024),
  destination: geoPoint.extend({ area: z.enum(['urban', 'suburban', 'rural']).optional() }).optional(),
  /** Who changed it: `customer`, `support`, `carrier`… */
  changedBy: z.string().min(1).max(64).optional(),
  valueMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
    .optional(),
  attributes: attributesSchema.optional(),
});

/**
 * One item of `POST /api/v1/delivery/events`: the sender's own `id` (a resend with the same id
 * is stored once), when it happened, and one carrier event, claim or address change.
 */
export const deliveryApiEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    id: z.string().min(1).max(128),
    time: isoTimestamp,
    type: z.enum(CARRIER_API_TYPES),
    carrier: z.string().regex(CARRIER_ID, 'lower-case letters, digits and dashes'),
    data: carrierEventDataSchema,
  }),
  z.strictObject({
    id: z.string().min(1).max(128),
    time: isoTimestamp,
    type: z.literal('claim.not_received'),
    data: notReceivedClaimSchema,
  }),
  z.strictObject({
    id: z.string().min(1).max(128),
    time: isoTimestamp,
    type: z.literal('order.address_changed'),
    data: orderAddressChangeSchema,
  }),
]);
export type DeliveryApiEvent = z.output<typeof deliveryApiEventSchema>;
