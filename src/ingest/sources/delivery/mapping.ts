/**
 * Delivery messages → SecurityEvents (ingest, delivery source): a device's channel payload,
 * a carrier webhook, or a delivery API item becomes one event of kind `delivery` whose
 * `delivery` section names the parcel, order, locker, vehicle and people involved. Pure: the
 * caller passes the time it received the message. Ids are deterministic, so a redelivery of
 * the same message (after a broker restart, a webhook retry, an API resend) is stored once.
 *
 * | topic channel        | delivery.type        | from the payload                          |
 * | -------------------- | -------------------- | ----------------------------------------- |
 * | locker/…/door        | `locker.door`        | state open/closed/forced, compartmentId   |
 * | locker/…/compartment | `locker.compartment` | state occupied/empty, compartmentId       |
 * | locker/…/tamper      | `locker.tamper`      | state triggered/cleared                   |
 * | locker/…/pickup      | `locker.pickup`      | codeValid, state pickup/dropoff           |
 * | vehicle/…/gps        | `vehicle.position`   | position, value = speed km/h              |
 * | vehicle/…/stop       | `vehicle.stop`       | position, state started/ended             |
 * | …/temperature        | `sensor.temperature` | value °C                                  |
 * | …/battery            | `sensor.battery`     | value %                                   |
 * | …/heartbeat          | `locker.heartbeat` / `vehicle.heartbeat` |                       |
 *
 * @example
 * const result = deviceMessageToEvent(
 *   { site: 's1', deviceKind: 'locker', deviceId: 'lk-1', channel: 'door' },
 *   { seq: 7, state: 'open', compartmentId: 'A3' },
 *   { receivedMs: Date.now(), sourceName: 'delivery-mqtt', maxClockSkewMs: 120_000 },
 * );
 * result.event.delivery; // { type: 'locker.door', lockerId: 'lk-1', deviceId: 'lk-1', state: 'open', seq: 7, … }
 */
import type { SecurityEvent } from '../../../core/records/index.js';
import { deterministicEventId } from '../access-log/event-id.js';
import type {
  CarrierEventData,
  CarrierEventType,
  ChannelPayloads,
  DeliveryApiEvent,
  DeliveryChannel,
  DeliveryTopic,
} from './schema.js';

export type DeliverySection = NonNullable<SecurityEvent['delivery']>;

/** Source types in `event.source.type`. */
export const DELIVERY_SOURCE_TYPES = {
  mqtt: 'mqtt',
  carrierWebhook: 'carrier-webhook',
  api: 'delivery-api',
} as const;

const TYPE_OF_CHANNEL: Record<DeliveryChannel, string> = {
  door: 'locker.door',
  compartment: 'locker.compartment',
  tamper: 'locker.tamper',
  pickup: 'locker.pickup',
  gps: 'vehicle.position',
  stop: 'vehicle.stop',
  temperature: 'sensor.temperature',
  battery: 'sensor.battery',
  heartbeat: 'heartbeat',
};

export interface DeviceMappingOptions {
  /** When the message arrived (ms since the epoch). */
  receivedMs: number;
  /** `source.name` (the MQTT source's configured name). */
  sourceName: string;
  /** Beyond this distance between the device's clock and ours, the device's time is not trusted. */
  maxClockSkewMs: number;
  /** The raw payload, part of the id when the device sends no `seq`. */
  rawPayload?: string;
}

export interface DeviceMappingResult {
  event: SecurityEvent;
  /** Set when the device's clock is off by more than `maxClockSkewMs`: received − device time. */
  clockSkewMs?: number;
}

function deviceTimeMs(time: number | string | undefined): number | undefined {
  if (time === undefined) return undefined;
  return typeof time === 'number' ? time : Date.parse(time);
}

/** `toISOString()`'s own shape: such a device time (the usual one) is its own ISO form. */
const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * `new Date(ms).toISOString()` of the device's time, without formatting it again when the
 * device sent it in that form already (the schema's ISO pattern has admitted only real dates).
 */
function isoOf(time: number | string | undefined, ms: number): string {
  return typeof time === 'string' && time.length === 24 && CANONICAL_ISO.test(time)
    ? time
    : new Date(ms).toISOString();
}

/**
 * The event's time is the device's when its clock agrees with ours within `maxClockSkewMs`
 * (readings keep their order when a device sends a backlog), else the time we received it,
 * with the skew recorded in `attributes.clockSkewMs`.
 */
export function deviceMessageToEvent<C extends DeliveryChannel>(
  topic: DeliveryTopic & { channel: C },
  payload: ChannelPayloads[C],
  options: DeviceMappingOptions,
): DeviceMappingResult {
  const p = payload as ChannelPayloads[DeliveryChannel] & Record<string, unknown>;
  const deviceMs = deviceTimeMs(p.time);
  const skewMs = deviceMs === undefined ? 0 : options.receivedMs - deviceMs;
  const skewed = Math.abs(skewMs) > options.maxClockSkewMs;
  const timeMs = deviceMs === undefined || skewed ? options.receivedMs : deviceMs;
  const attributes: Record<string, unknown> = p.attributes ? { ...p.attributes } : {};
  if (skewed) attributes['clockSkewMs'] = skewMs;

  const type =
    topic.channel === 'heartbeat' ? `${topic.deviceKind}.heartbeat` : TYPE_OF_CHANNEL[topic.channel];
  const delivery: DeliverySection = { type, deviceId: topic.deviceId, attributes };
  if (topic.deviceKind === 'locker') delivery.lockerId = topic.deviceId;
  else delivery.vehicleId = topic.deviceId;
  if (p.seq !== undefined) delivery.seq = p.seq;
  const deviceIso = deviceMs === undefined ? undefined : isoOf(p.time, deviceMs);
  if (deviceIso !== undefined) delivery.deviceTime = deviceIso;
  if (p.parcelId !== undefined) delivery.parcelId = p.parcelId;
  if (p.orderId !== undefined) delivery.orderId = p.orderId;
  if (p.carrier !== undefined) delivery.carrier = p.carrier;
  if (p.driverId !== undefined) delivery.driverId = p.driverId;
  if (p.lat !== undefined && p.lon !== undefined) {
    delivery.position =
      p.accuracyM === undefined
        ? { lat: p.lat, lon: p.lon }
        : { lat: p.lat, lon: p.lon, accuracyM: p.accuracyM };
  }
  fillChannel(delivery, topic.channel, p);

  const idParts = [
    'delivery',
    topic.site,
    topic.deviceKind,
    topic.deviceId,
    topic.channel,
    p.seq === undefined ? (options.rawPayload ?? '') : String(p.seq),
    deviceMs === undefined ? String(options.receivedMs) : String(deviceMs),
  ];
  const event: SecurityEvent = {
    id: deterministicEventId(timeMs, idParts),
    time: timeMs === deviceMs && deviceIso !== undefined ? deviceIso : new Date(timeMs).toISOString(),
    kind: 'delivery',
    source: { type: DELIVERY_SOURCE_TYPES.mqtt, name: options.sourceName },
    severity: severityOf(topic.channel, delivery.state),
    delivery,
    labels: { 'delivery.site': topic.site, 'delivery.channel': topic.channel },
  };
  return skewed ? { event, clockSkewMs: skewMs } : { event };
}

function fillChannel(
  delivery: DeliverySection,
  channel: DeliveryChannel,
  p: ChannelPayloads[DeliveryChannel] & Record<string, unknown>,
): void {
  const compartmentId = p['compartmentId'];
  if (typeof compartmentId === 'string') delivery.compartmentId = compartmentId;
  switch (channel) {
    case 'door':
    case 'compartment':
    case 'tamper':
    case 'stop':
      delivery.state = p['state'] as string;
      if (typeof p['codeValid'] === 'boolean') delivery.codeValid = p['codeValid'];
      if (typeof p['durationS'] === 'number') delivery.attributes['durationS'] = p['durationS'];
      return;
    case 'pickup':
      delivery.state = p['action'] as string;
      delivery.codeValid = p['codeValid'] as boolean;
      return;
    case 'gps':
      if (typeof p['speedKmh'] === 'number') {
        delivery.value = p['speedKmh'];
        delivery.unit = 'km/h';
      }
      if (typeof p['headingDeg'] === 'number') delivery.attributes['headingDeg'] = p['headingDeg'];
      return;
    case 'temperature':
      delivery.value = p['value'] as number;
      delivery.unit = 'celsius';
      return;
    case 'battery':
      delivery.value = p['value'] as number;
      delivery.unit = 'percent';
      return;
    case 'heartbeat':
      if (typeof p['uptimeS'] === 'number') delivery.attributes['uptimeS'] = p['uptimeS'];
      if (typeof p['firmware'] === 'string') delivery.attributes['firmware'] = p['firmware'];
      return;
  }
}

function severityOf(channel: DeliveryChannel, state: string | undefined): SecurityEvent['severity'] {
  if (channel === 'tamper' && state === 'triggered') return 'low';
  if (channel === 'door' && state === 'forced') return 'low';
  return 'info';
}

/** The delivery section of one carrier event. */
function carrierSection(carrier: string, type: CarrierEventType, data: CarrierEventData): DeliverySection {
  const delivery: DeliverySection = {
    type: `carrier.${type}`,
    carrier,
    parcelId: data.parcelId,
    attributes: data.attributes ? { ...data.attributes } : {},
  };
  if (data.orderId !== undefined) delivery.orderId = data.orderId;
  if (data.driverId !== undefined) delivery.driverId = data.driverId;
  if (data.vehicleId !== undefined) delivery.vehicleId = data.vehicleId;
  if (data.customerId !== undefined) delivery.customerId = data.customerId;
  if (data.lockerId !== undefined) delivery.lockerId = data.lockerId;
  if (data.compartmentId !== undefined) delivery.compartmentId = data.compartmentId;
  if (data.position !== undefined) delivery.position = data.position;
  if (data.destination !== undefined) delivery.destination = data.destination;
  if (data.postalAddress !== undefined) delivery.postalAddress = data.postalAddress;
  if (data.proof !== undefined) delivery.proof = data.proof;
  if (data.valueMinor !== undefined) delivery.valueMinor = data.valueMinor;
  if (data.currency !== undefined) delivery.currency = data.currency;
  if (data.reason !== undefined) delivery.attributes['reason'] = data.reason;
  if (data.trackingNumber !== undefined) delivery.attributes['trackingNumber'] = data.trackingNumber;
  return delivery;
}

/** One carrier webhook delivery; its id derives from the carrier and the webhook-id. */
export function carrierWebhookToEvent(
  carrier: string,
  webhookId: string,
  webhook: { type: CarrierEventType; timestamp: string; data: CarrierEventData },
): SecurityEvent {
  const timeMs = Date.parse(webhook.timestamp);
  return {
    id: deterministicEventId(timeMs, ['carrier-webhook', carrier, webhookId]),
    time: new Date(timeMs).toISOString(),
    kind: 'delivery',
    source: { type: DELIVERY_SOURCE_TYPES.carrierWebhook, name: carrier },
    severity: 'info',
    delivery: carrierSection(carrier, webhook.type, webhook.data),
    labels: {},
  };
}

/**
 * One item of the delivery API, sent by `senderId` (the token's user). A claim's payment
 * instrument travels in the `business` section, the one whose `cardFingerprint` is marked
 * personal: the delivery section has no such field.
 */
export function deliveryApiEventToEvent(
  senderId: string,
  senderName: string,
  item: DeliveryApiEvent,
): SecurityEvent {
  const timeMs = Date.parse(item.time);
  const base = {
    id: deterministicEventId(timeMs, ['delivery-api', senderId, item.id]),
    time: new Date(timeMs).toISOString(),
    kind: 'delivery' as const,
    source: { type: DELIVERY_SOURCE_TYPES.api, name: senderName },
    labels: {},
  };
  switch (item.type) {
    case 'claim.not_received': {
      const data = item.data;
      const delivery: DeliverySection = {
        type: item.type,
        orderId: data.orderId,
        customerId: data.customerId,
        attributes: data.attributes ? { ...data.attributes } : {},
      };
      if (data.parcelId !== undefined) delivery.parcelId = data.parcelId;
      if (data.postalAddress !== undefined) delivery.postalAddress = data.postalAddress;
      if (data.valueMinor !== undefined) delivery.valueMinor = data.valueMinor;
      if (data.currency !== undefined) delivery.currency = data.currency;
      const event: SecurityEvent = { ...base, severity: 'low', delivery };
      if (data.cardFingerprint !== undefined) {
        event.business = {
          type: item.type,
          accountId: data.customerId,
          cardFingerprint: data.cardFingerprint,
          attributes: { orderId: data.orderId },
        };
      }
      return event;
    }
    case 'order.address_changed': {
      const data = item.data;
      const delivery: DeliverySection = {
        type: item.type,
        orderId: data.orderId,
        postalAddress: data.postalAddress,
        attributes: data.attributes ? { ...data.attributes } : {},
      };
      if (data.customerId !== undefined) delivery.customerId = data.customerId;
      if (data.destination !== undefined) delivery.destination = data.destination;
      if (data.valueMinor !== undefined) delivery.valueMinor = data.valueMinor;
      if (data.currency !== undefined) delivery.currency = data.currency;
      if (data.changedBy !== undefined) delivery.attributes['changedBy'] = data.changedBy;
      return { ...base, severity: 'info', delivery };
    }
    default: {
      const type = item.type.slice('carrier.'.length) as CarrierEventType;
      return { ...base, severity: 'info', delivery: carrierSection(item.carrier, type, item.data) };
    }
  }
}
