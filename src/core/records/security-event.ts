/**
 * SecurityEvent: the one envelope for anything observed (an HTTP exchange summary, a log
 * line, a business event, a flow, a sensor reading). Each source fills the section of its
 * kind; personal fields are marked and pseudonymised when the event leaves the shop.
 */
import { z } from 'zod';
import { personal } from '../personal-data.js';
import { idOf, isoTimestamp, labels, severity } from './common.js';

export const EVENT_KINDS = ['http', 'log', 'business', 'flow', 'sensor', 'delivery'] as const;

export const clientSection = z.object({
  ip: personal('client_address', z.string().max(64)),
  port: z.number().int().min(0).max(65535).optional(),
  userAgent: z.string().max(2048).optional(),
  ja4: z.string().max(64).optional(),
});

export const httpSection = z.object({
  requestId: z.string().max(128),
  method: z.string().max(32),
  host: z.string().max(512).optional(),
  path: z.string().max(8192),
  /** HTTP version as the request line gave it, e.g. `HTTP/1.1` (access logs). */
  protocol: z.string().max(32).optional(),
  route: z.string().max(512).optional(),
  referer: z.string().max(8192).optional(),
  /** The authenticated user a web server logged (`%u`, `$remote_user`). */
  user: personal('account_id', z.string().max(256)).optional(),
  status: z.number().int().min(0).max(999),
  requestBytes: z.number().int().min(0),
  responseBytes: z.number().int().min(0),
  latencyMs: z.number().min(0),
  /** What the gateway did: passed it on, or answered itself (ban, throttle, limit, upstream error). */
  outcome: z.enum([
    'forwarded',
    'banned',
    'throttled',
    'rate_limited',
    'rejected',
    'upstream_error',
    'blocked',
  ]),
  upgrade: z.boolean().optional(),
  /** What the gateway's inspector (the WAF) found: the rules that matched, the one that blocked. */
  inspection: z
    .object({
      ruleIds: z.array(z.string().max(32)).max(500),
      blockedBy: z.string().max(32).optional(),
      detectionOnly: z.boolean().optional(),
    })
    .optional(),
});

export const logSection = z.object({
  line: z.string().max(65536),
  format: z.string().max(64).optional(),
});

export const businessSection = z.object({
  type: z.string().max(64),
  outcome: z.enum(['success', 'failure']).optional(),
  accountId: personal('account_id', z.string().max(256)).optional(),
  email: personal('email', z.string().max(320)).optional(),
  postalAddress: personal('postal_address', z.string().max(1024)).optional(),
  cardFingerprint: personal('card_fingerprint', z.string().max(256)).optional(),
  amountMinor: z.number().int().optional(),
  currency: z.string().length(3).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});

export const flowSection = z.object({
  srcIp: personal('client_address', z.string().max(64)),
  dstIp: z.string().max(64),
  srcPort: z.number().int().min(0).max(65535),
  dstPort: z.number().int().min(0).max(65535),
  protocol: z.string().max(16),
  bytes: z.number().int().min(0),
  packets: z.number().int().min(0),
  startMs: z.number().int().min(0),
  endMs: z.number().int().min(0),
  /** TCP flags seen over the flow, OR-ed as on the wire (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10). */
  tcpFlags: z.number().int().min(0).max(0xffff).optional(),
  /** Who reported the flow: the exporter's address (NetFlow/IPFIX), a sensor's name (Suricata, Zeek), `gateway`. */
  exporter: z.string().max(256).optional(),
  /** 1 in N packets sampled by the exporter; byte and packet counts are already scaled by it. */
  samplingRate: z.number().int().min(1).optional(),
  /** Connection state where the sensor knows it (Zeek `conn_state`, e.g. `S0`, `REJ`, `SF`). */
  state: z.string().max(32).optional(),
});

export const sensorSection = z.object({
  deviceId: z.string().max(256),
  type: z.string().max(64),
  value: z.number(),
  unit: z.string().max(32).optional(),
});

const geoPoint = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  /** Accuracy radius in metres, where the device reports one. */
  accuracyM: z.number().min(0).optional(),
});

/**
 * The delivery chain (carrier events, locker and vehicle telemetry, customer claims): what
 * happened to which parcel, where, seen by which device. Identifiers of people (drivers,
 * customers) are personal and pseudonymised when the event leaves the shop.
 */
export const deliverySection = z.object({
  /**
   * What happened, `<domain>.<what>`: `carrier.label_created|picked_up|in_transit|out_for_delivery|
   * delivered|failed_attempt|returned|redirected`, `locker.door|compartment|tamper|heartbeat|pickup`,
   * `vehicle.position|stop|heartbeat`, `sensor.temperature|battery`, `claim.not_received`.
   */
  type: z.string().max(64),
  carrier: z.string().max(128).optional(),
  orderId: z.string().max(128).optional(),
  parcelId: z.string().max(128).optional(),
  lockerId: z.string().max(128).optional(),
  compartmentId: z.string().max(64).optional(),
  vehicleId: z.string().max(128).optional(),
  driverId: personal('account_id', z.string().max(256)).optional(),
  customerId: personal('account_id', z.string().max(256)).optional(),
  /** The device that reported it (locker controller, vehicle tracker, scanner). */
  deviceId: z.string().max(256).optional(),
  /** Where the device or the courier was when it happened. */
  position: geoPoint.optional(),
  /** The delivery address's position and kind of area (sets how far is too far). */
  destination: geoPoint.extend({ area: z.enum(['urban', 'suburban', 'rural']).optional() }).optional(),
  postalAddress: personal('postal_address', z.string().max(1024)).optional(),
  /** Proof of delivery: photo hash, signature taken, GPS fix present. */
  proof: z
    .object({
      photoSha256: z.string().max(128).optional(),
      signature: z.boolean().optional(),
      gps: z.boolean().optional(),
    })
    .optional(),
  /** A state the event reports: a door `open`/`closed`, a tamper switch `triggered`... */
  state: z.string().max(64).optional(),
  /** A reading (temperature in °C, battery in %, speed in km/h) and its unit. */
  value: z.number().optional(),
  unit: z.string().max(32).optional(),
  /** Whether the locker accepted a pickup or drop-off code (absent: no code used). */
  codeValid: z.boolean().optional(),
  /** The device's own clock when it sent the message (may be skewed); `time` is when we accepted it. */
  deviceTime: isoTimestamp.optional(),
  /** The device's message counter, for duplicates and ordering. */
  seq: z.number().int().min(0).optional(),
  valueMinor: z.number().int().optional(),
  currency: z.string().length(3).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});

export const securityEventSchema = z.object({
  id: idOf('evt'),
  time: isoTimestamp,
  kind: z.enum(EVENT_KINDS),
  source: z.object({ type: z.string().max(64), name: z.string().max(256) }),
  severity: severity.default('info'),
  client: clientSection.optional(),
  http: httpSection.optional(),
  log: logSection.optional(),
  business: businessSection.optional(),
  flow: flowSection.optional(),
  sensor: sensorSection.optional(),
  delivery: deliverySection.optional(),
  labels,
});

export type SecurityEvent = z.infer<typeof securityEventSchema>;
export type SecurityEventInput = z.input<typeof securityEventSchema>;
