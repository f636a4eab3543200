/**
 * What happens in the demo city (demo, delivery simulator): scripts of timed steps, a benign
 * day and the named incidents. A step is a device message (a locker or a vehicle publishing
 * on its MQTT channel, engineer A's topic schema), a carrier or delivery-API event (mapped as
 * the delivery source maps them), or a shop event (login, address change, order). Times are
 * offsets in ms from the script's start: the player sends each step when its time comes.
 *
 * @example
 *   const script = benignDay(createCity(), { seed: 1 });
 */
import type { ShopBusinessEvent } from '../../ingest/sources/shop/business-event.js';
import type { DeliveryApiEvent } from '../../ingest/sources/delivery/schema.js';
import {
  offsetPoint,
  SimRandom,
  streetPath,
  type Address,
  type City,
  type GeoPoint,
  type Locker,
} from './city.js';

export type DeviceKind = 'locker' | 'vehicle';

export type ScriptStep =
  | {
      atMs: number;
      kind: 'device';
      deviceKind: DeviceKind;
      deviceId: string;
      channel: string;
      payload: Record<string, unknown>;
    }
  /** A delivery-API item without its `id` and `time` (the player stamps them). */
  | { atMs: number; kind: 'api'; item: DistributiveOmit<DeliveryApiEvent, 'id' | 'time'> }
  | { atMs: number; kind: 'shop'; event: ShopBusinessEvent };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface Script {
  name: string;
  description: string;
  /** Rule ids this script must raise (an incident) — empty for a benign day. */
  expectedRules: string[];
  steps: ScriptStep[];
}

export const CARRIER = 'democarrier';
/** Real-time ms between two simulated moments of a round (a GPS fix, a doorstep). */
const TICK_MS = 1000;

function gps(atMs: number, vehicleId: string, point: GeoPoint, driverId: string, extra = {}): ScriptStep {
  return {
    atMs,
    kind: 'device',
    deviceKind: 'vehicle',
    deviceId: vehicleId,
    channel: 'gps',
    payload: { lat: point.lat, lon: point.lon, accuracyM: 8, driverId, speedKmh: 25, ...extra },
  };
}

function locker(
  atMs: number,
  lockerId: string,
  channel: string,
  payload: Record<string, unknown>,
): ScriptStep {
  return { atMs, kind: 'device', deviceKind: 'locker', deviceId: lockerId, channel, payload };
}

function waypointsText(points: GeoPoint[]): string {
  return points.map((p) => `${p.lat.toFixed(6)},${p.lon.toFixed(6)}`).join(';');
}

interface RoundOptions {
  vehicleId: string;
  driverId: string;
  stops: Address[];
  startMs: number;
  rng: SimRandom;
  prefix: string;
}

/** A van's round: route announced, driving along streets with a fix per block, a delivery at each door. */
function round(city: City, options: RoundOptions): { steps: ScriptStep[]; endMs: number } {
  const { vehicleId, driverId, stops, rng, prefix } = options;
  const corners: { x: number; y: number }[] = [city.depot];
  let here: { x: number; y: number } = city.depot;
  for (const stop of [...stops, city.depot]) {
    corners.push(...streetPath(here, stop).slice(1));
    here = stop;
  }
  const steps: ScriptStep[] = [];
  let t = options.startMs;
  stops.forEach((stop, i) => {
    steps.push({
      atMs: t,
      kind: 'api',
      item: {
        type: 'carrier.out_for_delivery',
        carrier: CARRIER,
        data: {
          parcelId: `${prefix}-${i + 1}`,
          orderId: `ord-${prefix}-${i + 1}`,
          vehicleId,
          driverId,
          destination: { ...stop.point, area: stop.area },
          // The route travels with the first parcel of the round, as text (attributes hold no lists).
          attributes: i === 0 ? { waypoints: waypointsText(corners.map((c) => city.at(c.x, c.y))) } : {},
        },
      },
    });
  });
  here = city.depot;
  let parcel = 0;
  for (const stop of stops) {
    for (const corner of streetPath(here, stop)) {
      t += TICK_MS;
      steps.push(gps(t, vehicleId, city.at(corner.x, corner.y), driverId));
    }
    here = stop;
    parcel++;
    t += TICK_MS;
    const door = offsetPoint(stop.point, rng.int(-15, 15), rng.int(-15, 15));
    steps.push({
      atMs: t,
      kind: 'api',
      item: {
        type: 'carrier.delivered',
        carrier: CARRIER,
        data: {
          parcelId: `${prefix}-${parcel}`,
          orderId: `ord-${prefix}-${parcel}`,
          vehicleId,
          driverId,
          position: { ...door, accuracyM: rng.int(4, 20) },
          destination: { ...stop.point, area: stop.area },
          proof: { photoSha256: rng.hex(64), gps: true },
        },
      },
    });
  }
  for (const corner of streetPath(here, city.depot)) {
    t += TICK_MS;
    steps.push(gps(t, vehicleId, city.at(corner.x, corner.y), driverId));
  }
  return { steps, endMs: t };
}

function heartbeats(lockers: Locker[], fromMs: number, toMs: number, everyMs = 20_000): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (let t = fromMs; t <= toMs; t += everyMs)
    for (const l of lockers) steps.push(locker(t, l.id, 'heartbeat', { firmware: '2.4.1' }));
  return steps;
}

/** A courier drops a parcel in a compartment; later its customer picks it up with a code. */
function lockerParcel(
  l: Locker,
  compartmentId: string,
  parcelId: string,
  dropMs: number,
  pickMs: number,
): ScriptStep[] {
  return [
    {
      atMs: dropMs,
      kind: 'api',
      item: {
        type: 'carrier.delivered',
        carrier: CARRIER,
        data: { parcelId, lockerId: l.id, compartmentId, position: l.point },
      },
    },
    locker(dropMs + 200, l.id, 'pickup', { compartmentId, codeValid: true, action: 'dropoff', parcelId }),
    locker(dropMs + 400, l.id, 'door', { compartmentId, state: 'open', codeValid: true }),
    locker(dropMs + 1400, l.id, 'compartment', { compartmentId, state: 'occupied', parcelId }),
    locker(dropMs + 1600, l.id, 'door', { compartmentId, state: 'closed' }),
    locker(pickMs, l.id, 'pickup', { compartmentId, codeValid: true, action: 'pickup', parcelId }),
    locker(pickMs + 300, l.id, 'door', { compartmentId, state: 'open', codeValid: true }),
    locker(pickMs + 1300, l.id, 'compartment', { compartmentId, state: 'empty' }),
    locker(pickMs + 1500, l.id, 'door', { compartmentId, state: 'closed' }),
  ];
}

function byTime(steps: ScriptStep[]): ScriptStep[] {
  return steps
    .map((step, i) => ({ step, i }))
    .sort((a, b) => a.step.atMs - b.step.atMs || a.i - b.i)
    .map(({ step }) => step);
}

/** An ordinary day: two vans on their rounds, lockers filled and emptied, a chilled parcel kept cold. */
export function benignDay(city: City, options: { seed?: number } = {}): Script {
  const seed = options.seed ?? 1;
  const rng = new SimRandom(seed);
  const pick = (n: number) => Array.from({ length: n }, () => rng.pick(city.addresses));
  const first = round(city, {
    vehicleId: 'van-1',
    driverId: 'drv-1',
    stops: pick(8),
    startMs: 0,
    rng,
    prefix: `d${seed}a`,
  });
  const second = round(city, {
    vehicleId: 'van-2',
    driverId: 'drv-2',
    stops: pick(8),
    startMs: 500,
    rng,
    prefix: `d${seed}b`,
  });
  const endMs = Math.max(first.endMs, second.endMs) + 5000;
  const steps = [...first.steps, ...second.steps, ...heartbeats(city.lockers, 0, endMs)];
  city.lockers.forEach((l, i) => {
    for (let c = 0; c < 3; c++) {
      const dropMs = 2000 + i * 1500 + c * 3000;
      steps.push(
        ...lockerParcel(
          l,
          l.compartments[c] as string,
          `lp-${seed}-${i}-${c}`,
          dropMs,
          dropMs + 12_000 + c * 2000,
        ),
      );
    }
  });
  for (let k = 0; k < 10; k++)
    steps.push({
      atMs: 1000 + k * 3000,
      kind: 'device',
      deviceKind: 'vehicle',
      deviceId: 'van-1',
      channel: 'temperature',
      payload: { parcelId: `d${seed}a-3`, value: 3.5 + rng.next(), attributes: { class: 'chilled' } },
    });
  return {
    name: 'benign-day',
    description: 'An ordinary delivery day in the demo city.',
    expectedRules: [],
    steps: byTime(steps),
  };
}

const lockerBreakIn = (city: City): Script => {
  const l = city.lockers[1] as Locker;
  return {
    name: 'locker-break-in',
    description:
      'At night someone forces a parcel locker: the tamper switch fires and doors open without a code.',
    expectedRules: ['delivery.locker-tamper', 'delivery.locker-forced-open'],
    steps: byTime([
      ...heartbeats([l], 0, 6000, 3000),
      locker(2000, l.id, 'tamper', { state: 'triggered' }),
      locker(2500, l.id, 'door', { compartmentId: 'C05', state: 'forced' }),
      locker(3000, l.id, 'compartment', { compartmentId: 'C05', state: 'empty' }),
      locker(3500, l.id, 'door', { compartmentId: 'C06', state: 'open' }),
      locker(4000, l.id, 'compartment', { compartmentId: 'C06', state: 'empty' }),
    ]),
  };
};

const insiderFraud = (city: City): Script => {
  const rng = new SimRandom(11);
  const carPark = offsetPoint(city.at(2, -5), 40, 0);
  const victims = city.addresses.filter((a) => Math.hypot(a.x - 2, a.y + 5) > 3).slice(0, 6);
  const steps: ScriptStep[] = [gps(0, 'van-9', carPark, 'drv-9')];
  victims.forEach((stop, i) => {
    steps.push({
      atMs: 100 + i * 100,
      kind: 'api',
      item: {
        type: 'carrier.out_for_delivery',
        carrier: CARRIER,
        data: {
          parcelId: `x9-${i}`,
          orderId: `ord-x9-${i}`,
          vehicleId: 'van-9',
          driverId: 'drv-9',
          destination: { ...stop.point, area: stop.area },
        },
      },
    });
    steps.push(gps(1000 + i * 1000, 'van-9', offsetPoint(carPark, rng.int(-5, 5), rng.int(-5, 5)), 'drv-9'));
    steps.push({
      atMs: 1500 + i * 1000,
      kind: 'api',
      item: {
        type: 'carrier.delivered',
        carrier: CARRIER,
        data: {
          parcelId: `x9-${i}`,
          orderId: `ord-x9-${i}`,
          vehicleId: 'van-9',
          driverId: 'drv-9',
          position: { ...offsetPoint(carPark, rng.int(-12, 12), rng.int(-12, 12)), accuracyM: 6 },
          destination: { ...stop.point, area: stop.area },
          proof: { photoSha256: rng.hex(64), gps: true },
        },
      },
    });
  });
  return {
    name: 'insider-fraud',
    description: 'A driver marks six parcels for addresses across town delivered from one car park.',
    expectedRules: ['delivery.insider-same-spot'],
    steps: byTime(steps),
  };
};

const inrClaimRing = (city: City): Script => {
  const drop = city.addresses.find((a) => a.area === 'suburban') ?? (city.addresses[0] as Address);
  const steps: ScriptStep[] = [];
  for (let i = 0; i < 4; i++) {
    const parcelId = `r-${i}`;
    steps.push({
      atMs: i * 1000,
      kind: 'api',
      item: {
        type: 'carrier.delivered',
        carrier: CARRIER,
        data: {
          parcelId,
          orderId: `ord-r-${i}`,
          customerId: `cus_ring${i}`,
          position: { ...drop.point, accuracyM: 5 },
          destination: { ...drop.point, area: drop.area },
          proof: { signature: false, gps: true },
        },
      },
    });
    steps.push({
      atMs: 4000 + i * 1000,
      kind: 'api',
      item: {
        type: 'claim.not_received',
        data: {
          orderId: `ord-r-${i}`,
          parcelId,
          customerId: `cus_ring${i}`,
          postalAddress: i % 2 === 0 ? drop.label : drop.label.toUpperCase(),
          cardFingerprint: `fp_ring_${i}`,
          valueMinor: 24_900,
          currency: 'EUR',
        },
      },
    });
  }
  return {
    name: 'inr-claim-ring',
    description: 'Four new accounts ship to one address and all claim their parcel never arrived.',
    expectedRules: ['delivery.inr-address'],
    steps: byTime(steps),
  };
};

const atoRedirect = (): Script => {
  const account = { accountId: 'cus_4242', email: 'vera.novak@example.com' };
  const home = {
    clientIp: '81.164.12.40',
    attributes: { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15' },
  };
  const thief = {
    clientIp: '185.220.101.34',
    attributes: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0' },
  };
  const shop = (
    atMs: number,
    from: typeof home,
    type: string,
    extra: Partial<ShopBusinessEvent> = {},
  ): ScriptStep => ({
    atMs,
    kind: 'shop',
    event: {
      type,
      outcome: 'success',
      ...account,
      clientIp: from.clientIp,
      ...extra,
      attributes: { ...from.attributes, ...(extra.attributes ?? {}) },
    },
  });
  return {
    name: 'ato-redirect',
    description:
      'A thief logs into a customer account, changes the address, orders a laptop and redirects the parcel.',
    expectedRules: ['delivery.ato-redirect-chain'],
    steps: [
      shop(0, home, 'login'),
      shop(500, home, 'login'),
      shop(1000, home, 'login'),
      shop(3000, thief, 'login'),
      shop(4000, thief, 'address_change', { postalAddress: '4411 Pickup Point, 1000 Demo City' }),
      shop(5000, thief, 'order', {
        amountMinor: 145_000,
        currency: 'EUR',
        attributes: { orderId: 'ord-ato-1' },
      }),
      {
        atMs: 8000,
        kind: 'api',
        item: {
          type: 'carrier.redirected',
          carrier: CARRIER,
          data: {
            parcelId: 'pcl-ato-1',
            orderId: 'ord-ato-1',
            postalAddress: 'Locker lk-0004, Demo City',
            attributes: { requestedBy: 'recipient' },
          },
        },
      },
    ],
  };
};

/** The named incidents, runnable like the attack scenarios (`ensuresec demo --scenario locker-break-in`). */
export const DELIVERY_INCIDENTS = {
  'ato-redirect': atoRedirect,
  'inr-claim-ring': inrClaimRing,
  'insider-fraud': insiderFraud,
  'locker-break-in': lockerBreakIn,
} as const satisfies Record<string, (city: City) => Script>;

export type DeliveryIncidentName = keyof typeof DELIVERY_INCIDENTS;
export const DELIVERY_INCIDENT_NAMES = Object.keys(DELIVERY_INCIDENTS) as DeliveryIncidentName[];
