/**
 * Reading delivery events the way the delivery-chain detectors need them (detect, built-in
 * detectors): the delivery section with its type normalised (`Delivered`, `delivered`,
 * `carrier/delivered` and `carrier.delivered` are one type), positions (from the section or
 * from `lat`/`lon` attributes), distances on the Earth, the distance to a planned route,
 * and readings of optional attributes. Devices and carriers send what they like: every read
 * checks the type and answers undefined otherwise.
 */
import type { SecurityEvent } from '../../../core/records/index.js';

export type Delivery = NonNullable<SecurityEvent['delivery']>;

export interface Point {
  lat: number;
  lon: number;
  accuracyM?: number | undefined;
}

/** Short names a sender may use without their domain. */
const DOMAIN_OF: Record<string, string> = {
  label_created: 'carrier',
  picked_up: 'carrier',
  in_transit: 'carrier',
  out_for_delivery: 'carrier',
  delivered: 'carrier',
  failed_attempt: 'carrier',
  returned: 'carrier',
  redirected: 'carrier',
  not_received: 'claim',
  route_planned: 'vehicle',
  temperature: 'sensor',
  pickup: 'locker',
  tamper: 'locker',
};

// The detectors read the same event one after the other: remember the last normalisation.
let lastType = '';
let lastNormalised = '';

/** `carrier.delivered`: lower case, `/` `:` as `.`, `-` and spaces as `_`, the domain added when missing. */
export function normaliseDeliveryType(type: string): string {
  if (type === lastType) return lastNormalised;
  const normalised = normalise(type);
  lastType = type;
  lastNormalised = normalised;
  return normalised;
}

function normalise(type: string): string {
  const text = type
    .trim()
    .toLowerCase()
    .replace(/[/:]/g, '.')
    .replace(/[\s-]+/g, '_');
  if (text.includes('.')) return text;
  const domain = DOMAIN_OF[text];
  return domain === undefined ? text : `${domain}.${text}`;
}

/** The delivery section and its normalised type, when the event is a delivery event. */
export function deliveryOf(event: SecurityEvent): { delivery: Delivery; type: string } | undefined {
  const delivery = event.delivery;
  if (event.kind !== 'delivery' || delivery === undefined) return undefined;
  return { delivery, type: normaliseDeliveryType(delivery.type) };
}

export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A point from `{lat, lon}`, `{latitude, longitude}` or `[lat, lon]`; undefined when not a valid one. */
export function pointOf(value: unknown): Point | undefined {
  let lat: number | undefined;
  let lon: number | undefined;
  let accuracyM: number | undefined;
  if (Array.isArray(value) && value.length >= 2) {
    lat = numberOf(value[0]);
    lon = numberOf(value[1]);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    lat = numberOf(record['lat'] ?? record['latitude']);
    lon = numberOf(record['lon'] ?? record['lng'] ?? record['longitude']);
    accuracyM = numberOf(record['accuracyM'] ?? record['accuracy']);
  }
  if (lat === undefined || lon === undefined) return undefined;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  // (0, 0) is in the sea off Africa: a device without a fix, not a position.
  if (lat === 0 && lon === 0) return undefined;
  return { lat, lon, accuracyM };
}

/** Where the device or courier was: the section's position, else `lat`/`lon` attributes. */
export function positionOf(delivery: Delivery): Point | undefined {
  return pointOf(delivery.position) ?? pointOf(delivery.attributes);
}

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function distanceM(a: Point, b: Point): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Distance in metres from a point to a path of waypoints (a polyline), in a local flat
 * projection around the point: exact enough at the scale of a delivery round (tens of km).
 */
export function distanceToPathM(point: Point, path: readonly Point[]): number {
  if (path.length === 0) return Number.POSITIVE_INFINITY;
  if (path.length === 1) return distanceM(point, path[0] as Point);
  const kx = EARTH_RADIUS_M * RAD * Math.cos(point.lat * RAD);
  const ky = EARTH_RADIUS_M * RAD;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1] as Point;
    const b = path[i] as Point;
    const ax = (a.lon - point.lon) * kx;
    const ay = (a.lat - point.lat) * ky;
    const bx = (b.lon - point.lon) * kx;
    const by = (b.lat - point.lat) * ky;
    const dx = bx - ax;
    const dy = by - ay;
    const lengthSquared = dx * dx + dy * dy;
    const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / lengthSquared));
    const d = Math.hypot(ax + t * dx, ay + t * dy);
    if (d < best) best = d;
  }
  return best;
}

/** The parcel an event is about: its parcel id, else its order id. */
export function parcelKeyOf(delivery: Delivery): string | undefined {
  return delivery.parcelId || delivery.orderId || undefined;
}

/** An address as a key: lower case, punctuation and runs of spaces folded. */
export function addressKeyOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const key = address
    .toLowerCase()
    .replace(/[.,;#'"()-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return key === '' ? undefined : key;
}

/** A boolean-ish reading (`true`, `1`, `"triggered"`, `"open"`...), undefined when absent. */
export function isActiveState(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (
    ['true', '1', 'on', 'open', 'opened', 'triggered', 'tampered', 'alarm', 'forced', 'active'].includes(text)
  )
    return true;
  if (
    [
      'false',
      '0',
      'off',
      'closed',
      'close',
      'normal',
      'ok',
      'cleared',
      'clear',
      'inactive',
      'reset',
    ].includes(text)
  )
    return false;
  return undefined;
}
