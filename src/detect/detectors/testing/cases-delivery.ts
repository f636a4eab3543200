/**
 * Labelled cases of the physical delivery-chain detectors (delivery location, route
 * deviation, locker security, cold chain): what thieves, careless couriers and failing fridges
 * look like in carrier and sensor messages, and ordinary rounds with GPS noise, duplicates and
 * missing optional fields that must stay quiet.
 */
import {
  CaseBuilder,
  HOUR,
  makeCase,
  MINUTE,
  SECOND,
  type ExpectedDetection,
  type LabelledCase,
  type Rng,
} from './case-kit.js';

export interface GeoPoint {
  lat: number;
  lon: number;
}

/** The city centre the cases take place in. */
export const CENTRE: GeoPoint = { lat: 50.8467, lon: 4.3525 };

/** The point `eastM` metres east and `northM` metres north of `from`. */
export function offset(from: GeoPoint, eastM: number, northM: number): GeoPoint {
  const lat = from.lat + northM / 111_320;
  const lon = from.lon + eastM / (111_320 * Math.cos((from.lat * Math.PI) / 180));
  return { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
}

export function device(value: string): ExpectedDetection['entity'] {
  return { type: 'device', value };
}
export function order(value: string): ExpectedDetection['entity'] {
  return { type: 'order', value };
}

type Area = 'urban' | 'suburban' | 'rural';

function parcelRound(
  b: CaseBuilder,
  rng: Rng,
  startMs: number,
  n: number,
  area: Area,
  deliveredOffsetM: (i: number) => number,
  prefix: string,
): void {
  for (let i = 0; i < n; i++) {
    const destination = offset(CENTRE, rng.int(-3000, 3000), rng.int(-3000, 3000));
    const parcelId = `${prefix}-${1000 + i}`;
    const t = startMs + i * 6 * MINUTE;
    b.delivery(t - 2 * HOUR, {
      type: 'carrier.out_for_delivery',
      carrier: 'postnord',
      parcelId,
      orderId: `ord_${prefix}${i}`,
      destination: { ...destination, area },
      attributes: {},
    });
    const away = deliveredOffsetM(i);
    const angle = rng.next() * 2 * Math.PI;
    b.delivery(t, {
      type: 'carrier.delivered',
      carrier: 'postnord',
      parcelId,
      orderId: `ord_${prefix}${i}`,
      driverId: 'drv_17',
      position: {
        ...offset(destination, away * Math.cos(angle), away * Math.sin(angle)),
        accuracyM: rng.int(5, 30),
      },
      proof: { photoSha256: rng.hex(64), gps: true },
      attributes: {},
    });
  }
}

const locationCases: LabelledCase[] = [
  makeCase(
    'delivery-location',
    'urban-parcel-marked-2km-away',
    'An urban parcel marked delivered 2 km from its address, the rest of the round at the door.',
    701,
    (b, rng) => parcelRound(b, rng, 3 * HOUR, 8, 'urban', (i) => (i === 5 ? 2000 : rng.int(5, 60)), 'u'),
    [{ ruleId: 'delivery.location-mismatch', entity: order('ord_u5'), count: 1 }],
  ),
  makeCase(
    'delivery-location',
    'rural-destination-from-label-only',
    'Rural parcels whose destination only the label event carried; one marked 3.5 km away, sent twice.',
    702,
    (b, rng) => {
      const farm = offset(CENTRE, 15_000, 9000);
      b.delivery(0, {
        type: 'carrier.label_created',
        parcelId: 'r-1',
        destination: { ...farm, area: 'rural' },
        attributes: {},
      });
      b.delivery(4 * HOUR, { type: 'carrier.picked_up', parcelId: 'r-1', attributes: {} });
      for (const t of [6 * HOUR, 6 * HOUR + 40 * SECOND]) {
        b.delivery(t, {
          type: 'Delivered',
          parcelId: 'r-1',
          position: { ...offset(farm, -3500, 200), accuracyM: 12 },
          attributes: {},
        });
      }
      parcelRound(b, rng, 5 * HOUR, 4, 'rural', () => rng.int(100, 700), 'rr');
    },
    [{ ruleId: 'delivery.location-mismatch', entity: order('r-1'), count: 1 }],
  ),
  makeCase(
    'delivery-location',
    'suburban-two-wrong-streets',
    'Two suburban parcels of a round marked 600 m and 900 m away.',
    703,
    (b, rng) =>
      parcelRound(
        b,
        rng,
        3 * HOUR,
        10,
        'suburban',
        (i) => (i === 2 ? 600 : i === 7 ? 900 : rng.int(10, 120)),
        's',
      ),
    [
      { ruleId: 'delivery.location-mismatch', entity: order('ord_s2'), count: 1 },
      { ruleId: 'delivery.location-mismatch', entity: order('ord_s7'), count: 1 },
    ],
  ),
  makeCase(
    'delivery-location',
    'ordinary-urban-round',
    'Twenty urban parcels marked delivered at the door, give or take GPS noise.',
    704,
    (b, rng) => parcelRound(b, rng, 3 * HOUR, 20, 'urban', () => rng.int(0, 120), 'n'),
    [],
  ),
  makeCase(
    'delivery-location',
    'long-driveways-and-poor-fixes',
    'Rural driveways 700 m long, a delivery with no GPS, and one with a fix too poor to judge.',
    705,
    (b, rng) => {
      parcelRound(b, rng, 3 * HOUR, 6, 'rural', () => rng.int(300, 750), 'f');
      const home = offset(CENTRE, 800, 800);
      b.delivery(HOUR, {
        type: 'carrier.out_for_delivery',
        parcelId: 'p-nogps',
        destination: home,
        attributes: {},
      });
      b.delivery(5 * HOUR, {
        type: 'carrier.delivered',
        parcelId: 'p-nogps',
        proof: { signature: true },
        attributes: {},
      });
      b.delivery(HOUR, {
        type: 'carrier.out_for_delivery',
        parcelId: 'p-poor',
        destination: { ...home, area: 'urban' },
        attributes: {},
      });
      b.delivery(5 * HOUR + MINUTE, {
        type: 'carrier.delivered',
        parcelId: 'p-poor',
        position: { ...offset(home, 3000, 0), accuracyM: 5000 },
        attributes: {},
      });
    },
    [],
  ),
];

/** A route through the given waypoints, announced at `atMs`. */
function plan(b: CaseBuilder, atMs: number, vehicleId: string, waypoints: GeoPoint[], extra = {}): void {
  b.delivery(
    atMs,
    { type: 'vehicle.route_planned', vehicleId, attributes: { waypoints, ...extra } },
    'fleet',
  );
}

function drive(
  b: CaseBuilder,
  rng: Rng,
  vehicleId: string,
  startMs: number,
  points: GeoPoint[],
  everyMs: number,
  noiseM = 20,
): number {
  let t = startMs;
  for (const point of points) {
    b.delivery(
      t,
      {
        type: 'vehicle.position',
        vehicleId,
        position: { ...offset(point, rng.int(-noiseM, noiseM), rng.int(-noiseM, noiseM)), accuracyM: 8 },
        attributes: {},
      },
      'fleet',
    );
    t += everyMs;
  }
  return t;
}

/** Points every `stepM` along the straight lines between waypoints, each waypoint held `dwell` fixes. */
function along(waypoints: GeoPoint[], stepM: number, dwell = 1): GeoPoint[] {
  const points: GeoPoint[] = [];
  for (let i = 1; i < waypoints.length; i++) {
    const a = waypoints[i - 1] as GeoPoint;
    const z = waypoints[i] as GeoPoint;
    for (let k = 0; k < dwell; k++) points.push(a);
    const lengthM = Math.hypot(
      (z.lat - a.lat) * 111_320,
      (z.lon - a.lon) * 111_320 * Math.cos((a.lat * Math.PI) / 180),
    );
    const steps = Math.max(1, Math.round(lengthM / stepM));
    for (let s = 1; s < steps; s++)
      points.push({ lat: a.lat + ((z.lat - a.lat) * s) / steps, lon: a.lon + ((z.lon - a.lon) * s) / steps });
  }
  points.push(waypoints.at(-1) as GeoPoint);
  return points;
}

const ROUTE = [CENTRE, offset(CENTRE, 2000, 0), offset(CENTRE, 2000, 2000), offset(CENTRE, 0, 2000), CENTRE];

const routeCases: LabelledCase[] = [
  makeCase(
    'route-deviation',
    'detour-to-a-warehouse',
    'A van leaves its round for 12 minutes to a spot 2 km off its route, then comes back.',
    711,
    (b, rng) => {
      plan(b, 0, 'van-3', ROUTE);
      let t = drive(b, rng, 'van-3', MINUTE, along(ROUTE.slice(0, 2), 400), MINUTE);
      const off = offset(CENTRE, 2000, -2200);
      t = drive(
        b,
        rng,
        'van-3',
        t,
        Array.from({ length: 12 }, () => off),
        MINUTE,
      );
      drive(b, rng, 'van-3', t, along(ROUTE.slice(1), 400), MINUTE);
    },
    [{ ruleId: 'delivery.route-deviation', entity: device('van-3'), count: 1 }],
  ),
  makeCase(
    'route-deviation',
    'long-stop-between-stops',
    'A van stands 25 minutes on its route but far from any planned stop.',
    712,
    (b, rng) => {
      plan(b, 0, 'van-4', ROUTE);
      const path = along(ROUTE, 250);
      const middle = offset(CENTRE, 1000, 0);
      const t = drive(b, rng, 'van-4', MINUTE, path.slice(0, 4), MINUTE);
      const t2 = drive(
        b,
        rng,
        'van-4',
        t,
        Array.from({ length: 26 }, () => middle),
        MINUTE,
        10,
      );
      drive(b, rng, 'van-4', t2, path.slice(4), MINUTE);
    },
    [{ ruleId: 'delivery.unexplained-stop', entity: device('van-4'), count: 1 }],
  ),
  makeCase(
    'route-deviation',
    'reported-stop-off-route-with-duplicates',
    'The tracker reports a 30-minute stop 1 km off the route, sent twice, with a late fix in between.',
    713,
    (b, rng) => {
      plan(b, 0, 'van-5', ROUTE);
      const t = drive(b, rng, 'van-5', MINUTE, along(ROUTE.slice(0, 2), 500), 2 * MINUTE);
      const spot = offset(CENTRE, 1000, -1000);
      for (const [dt, seq] of [
        [0, 100],
        [5 * SECOND, 100],
        [10 * SECOND, 99],
      ] as const) {
        b.delivery(
          t + dt,
          {
            type: 'vehicle.stop',
            vehicleId: 'van-5',
            position: spot,
            value: 1800,
            unit: 's',
            seq,
            attributes: {},
          },
          'fleet',
        );
      }
      drive(b, rng, 'van-5', t + MINUTE, along(ROUTE.slice(1), 500), 2 * MINUTE);
    },
    [{ ruleId: 'delivery.unexplained-stop', entity: device('van-5'), count: 1 }],
  ),
  makeCase(
    'route-deviation',
    'ordinary-round-with-stops',
    'A van follows its route with GPS noise and stands 10 minutes at each planned stop.',
    714,
    (b, rng) => {
      plan(b, 0, 'van-6', ROUTE);
      drive(b, rng, 'van-6', MINUTE, along(ROUTE, 300, 10), MINUTE, 40);
    },
    [],
  ),
  makeCase(
    'route-deviation',
    'no-plan-and-a-short-blip',
    'One van without a planned route drives anywhere; another leaves its corridor for two fixes only.',
    715,
    (b, rng) => {
      drive(
        b,
        rng,
        'van-7',
        0,
        Array.from({ length: 30 }, (_, i) => offset(CENTRE, -5000 + i * 300, 4000)),
        MINUTE,
      );
      // The carrier's out-for-delivery event carries the route as text, the way attributes travel over MQTT and webhooks.
      b.delivery(0, {
        type: 'carrier.out_for_delivery',
        parcelId: 'p-van-8',
        vehicleId: 'van-8',
        attributes: { waypoints: ROUTE.map((p) => `${p.lat},${p.lon}`).join(';'), corridorM: 300 },
      });
      const t = drive(b, rng, 'van-8', MINUTE, along(ROUTE.slice(0, 2), 400), MINUTE);
      const t2 = drive(b, rng, 'van-8', t, [offset(CENTRE, 2000, -700), offset(CENTRE, 2000, -700)], MINUTE);
      drive(b, rng, 'van-8', t2, along(ROUTE.slice(1), 400), MINUTE);
    },
    [],
  ),
];

function heartbeats(
  b: CaseBuilder,
  lockerId: string,
  fromMs: number,
  toMs: number,
  everyMs = 5 * MINUTE,
): void {
  let seq = 1;
  for (let t = fromMs; t <= toMs; t += everyMs)
    b.delivery(
      t,
      {
        type: 'locker.heartbeat',
        lockerId,
        deviceId: `ctl-${lockerId}`,
        seq: seq++,
        value: 97,
        unit: '%',
        attributes: {},
      },
      'lockers',
    );
}

function dropOff(
  b: CaseBuilder,
  atMs: number,
  lockerId: string,
  compartmentId: string,
  parcelId: string,
): void {
  b.delivery(atMs, {
    type: 'carrier.delivered',
    lockerId,
    compartmentId,
    parcelId,
    driverId: 'drv_4',
    attributes: {},
  });
  b.delivery(
    atMs + 5 * SECOND,
    { type: 'locker.door', lockerId, compartmentId, state: 'open', attributes: {} },
    'lockers',
  );
  b.delivery(
    atMs + 40 * SECOND,
    { type: 'locker.door', lockerId, compartmentId, state: 'closed', attributes: {} },
    'lockers',
  );
  b.delivery(
    atMs + 41 * SECOND,
    { type: 'locker.compartment', lockerId, compartmentId, state: 'occupied', attributes: {} },
    'lockers',
  );
}

function pickUp(
  b: CaseBuilder,
  atMs: number,
  lockerId: string,
  compartmentId: string,
  separateCodeEvent: boolean,
): void {
  if (separateCodeEvent) {
    b.delivery(
      atMs,
      { type: 'locker.pickup', lockerId, compartmentId, codeValid: true, attributes: {} },
      'lockers',
    );
    b.delivery(
      atMs + 3 * SECOND,
      { type: 'locker.door', lockerId, compartmentId, state: 'open', attributes: {} },
      'lockers',
    );
  } else {
    b.delivery(
      atMs,
      { type: 'locker.door', lockerId, compartmentId, state: 'open', codeValid: true, attributes: {} },
      'lockers',
    );
  }
  b.delivery(
    atMs + 20 * SECOND,
    { type: 'locker.compartment', lockerId, compartmentId, state: 'empty', attributes: {} },
    'lockers',
  );
  b.delivery(
    atMs + 25 * SECOND,
    { type: 'locker.door', lockerId, compartmentId, state: 'closed', attributes: {} },
    'lockers',
  );
}

function lockerDay(b: CaseBuilder, rng: Rng, lockerId: string, fromMs: number): void {
  heartbeats(b, lockerId, fromMs, fromMs + 18 * HOUR);
  for (let i = 0; i < 6; i++) {
    const compartment = `C${10 + i}`;
    dropOff(b, fromMs + HOUR + i * 7 * MINUTE, lockerId, compartment, `lk-${lockerId}-${i}`);
    pickUp(b, fromMs + 4 * HOUR + rng.int(0, 300) * MINUTE, lockerId, compartment, i % 2 === 0);
  }
}

const lockerCases: LabelledCase[] = [
  makeCase(
    'locker-security',
    'night-break-in',
    'At night the tamper switch fires, a door opens with no code, a compartment empties and a door is forced.',
    721,
    (b, rng) => {
      lockerDay(b, rng, 'LK-12', 0);
      b.delivery(
        15 * HOUR,
        { type: 'locker.tamper', lockerId: 'LK-12', state: 'triggered', attributes: {} },
        'lockers',
      );
      b.delivery(
        15 * HOUR + 30 * SECOND,
        { type: 'locker.door', lockerId: 'LK-12', compartmentId: 'C11', state: 'OPEN', attributes: {} },
        'lockers',
      );
      b.delivery(
        15 * HOUR + 50 * SECOND,
        {
          type: 'locker.compartment',
          lockerId: 'LK-12',
          compartmentId: 'C12',
          state: 'empty',
          attributes: {},
        },
        'lockers',
      );
      // A code read a moment before does not excuse a door the locker itself reports forced.
      b.delivery(
        15 * HOUR + 70 * SECOND,
        {
          type: 'locker.pickup',
          lockerId: 'LK-12',
          compartmentId: 'C13',
          state: 'pickup',
          codeValid: true,
          attributes: {},
        },
        'lockers',
      );
      b.delivery(
        15 * HOUR + 75 * SECOND,
        { type: 'locker.door', lockerId: 'LK-12', compartmentId: 'C13', state: 'forced', attributes: {} },
        'lockers',
      );
    },
    [
      { ruleId: 'delivery.locker-forced-open', entity: device('LK-12/C11'), count: 1 },
      { ruleId: 'delivery.locker-forced-open', entity: device('LK-12/C12'), count: 1 },
      { ruleId: 'delivery.locker-forced-open', entity: device('LK-12/C13'), count: 1 },
      { ruleId: 'delivery.locker-tamper', entity: device('LK-12'), count: 1 },
    ],
  ),
  makeCase(
    'locker-security',
    'codes-guessed-then-opened',
    'Six invalid codes in four minutes, then a door opens on an invalid code.',
    722,
    (b, rng) => {
      lockerDay(b, rng, 'LK-20', 0);
      for (let i = 0; i < 6; i++)
        b.delivery(
          11 * HOUR + i * 40 * SECOND,
          {
            type: 'locker.pickup',
            lockerId: 'LK-20',
            compartmentId: 'C30',
            codeValid: false,
            attributes: {},
          },
          'lockers',
        );
      b.delivery(
        11 * HOUR + 5 * MINUTE,
        {
          type: 'locker.door',
          lockerId: 'LK-20',
          compartmentId: 'C30',
          state: 'open',
          codeValid: false,
          attributes: {},
        },
        'lockers',
      );
    },
    [
      { ruleId: 'delivery.locker-code-guessing', entity: device('LK-20'), count: 1 },
      { ruleId: 'delivery.locker-forced-open', entity: device('LK-20/C30'), count: 1 },
    ],
  ),
  makeCase(
    'locker-security',
    'locker-goes-silent',
    'One locker stops sending heartbeats (power cut); its neighbour goes on reporting.',
    723,
    (b) => {
      heartbeats(b, 'LK-31', 0, 2 * HOUR);
      heartbeats(b, 'LK-32', 0, 4 * HOUR);
    },
    [{ ruleId: 'delivery.locker-silent', entity: device('LK-31'), count: 1 }],
  ),
  makeCase(
    'locker-security',
    'opened-in-the-night-with-a-code',
    'With a 06:00-22:00 delivery window, a door opens at 02:30 on a valid code.',
    724,
    (b, rng) => {
      lockerDay(b, rng, 'LK-40', 0);
      b.delivery(
        17 * HOUR + 30 * MINUTE,
        {
          type: 'locker.door',
          lockerId: 'LK-40',
          compartmentId: 'C3',
          state: 'open',
          codeValid: true,
          attributes: {},
        },
        'lockers',
      );
    },
    [{ ruleId: 'delivery.locker-off-hours', entity: device('LK-40'), count: 1 }],
    { deliveryWindow: { from: '06:00', to: '22:00' } },
  ),
  makeCase(
    'locker-security',
    'ordinary-locker-day',
    'Drop-offs and pickups all day (codes on the door event or a pickup event before it), heartbeats every 5 minutes.',
    725,
    (b, rng) => {
      lockerDay(b, rng, 'LK-50', 0);
      lockerDay(b, rng, 'LK-51', 2 * MINUTE);
    },
    [],
  ),
  makeCase(
    'locker-security',
    'typos-cleared-tamper-and-duplicates',
    'A customer mistypes a code once, a tamper switch reports cleared, heartbeats arrive twice.',
    726,
    (b, rng) => {
      lockerDay(b, rng, 'LK-60', 0);
      heartbeats(b, 'LK-60', 2 * MINUTE, 8 * HOUR, 15 * MINUTE);
      b.delivery(
        5 * HOUR,
        { type: 'locker.pickup', lockerId: 'LK-60', compartmentId: 'C90', codeValid: false, attributes: {} },
        'lockers',
      );
      pickUp(b, 5 * HOUR + 30 * SECOND, 'LK-60', 'C90', true);
      b.delivery(
        6 * HOUR,
        { type: 'locker.tamper', lockerId: 'LK-60', state: 'cleared', attributes: {} },
        'lockers',
      );
      b.delivery(
        6 * HOUR + MINUTE,
        { type: 'locker.door', lockerId: 'LK-60', compartmentId: 'C2', state: 'closed', attributes: {} },
        'lockers',
      );
    },
    [],
  ),
];

function readings(
  b: CaseBuilder,
  fields: { parcelId?: string; deviceId?: string; unit?: string; attributes?: Record<string, unknown> },
  fromMs: number,
  values: number[],
  everyMs = 5 * MINUTE,
): void {
  values.forEach((value, i) =>
    b.delivery(
      fromMs + i * everyMs,
      {
        type: 'sensor.temperature',
        ...(fields.parcelId ? { parcelId: fields.parcelId } : {}),
        ...(fields.deviceId ? { deviceId: fields.deviceId } : {}),
        value,
        unit: fields.unit ?? 'C',
        seq: i + 1,
        attributes: fields.attributes ?? {},
      },
      'sensors',
    ),
  );
}

const coldChainCases: LabelledCase[] = [
  makeCase(
    'cold-chain',
    'chilled-van-fridge-fails',
    'A chilled parcel (class on its label) reads 12 °C for 40 minutes.',
    731,
    (b) => {
      b.delivery(0, {
        type: 'carrier.label_created',
        parcelId: 'cc-1',
        orderId: 'ord_cc1',
        attributes: { class: 'chilled' },
      });
      readings(b, { parcelId: 'cc-1' }, HOUR, [4, 4, 5, 12, 12, 12, 12, 12, 12, 12, 12, 12, 5]);
    },
    [{ ruleId: 'delivery.cold-chain-excursion', entity: order('cc-1'), count: 1 }],
  ),
  makeCase(
    'cold-chain',
    'frozen-in-fahrenheit',
    'A frozen parcel reporting in °F at 20 °F (-6.7 °C) for 25 minutes.',
    732,
    (b) =>
      readings(
        b,
        { parcelId: 'fz-9', unit: 'F', attributes: { parcelClass: 'Frozen' } },
        0,
        [0, 1, 20, 20, 20, 20, 20, 20, 2],
      ),
    [{ ruleId: 'delivery.cold-chain-excursion', entity: order('fz-9'), count: 1 }],
  ),
  makeCase(
    'cold-chain',
    'cool-box-with-its-own-limit',
    'A cool box sensor naming no parcel carries its own 5 °C limit and reads 9 °C for an hour.',
    733,
    (b) =>
      readings(
        b,
        { deviceId: 'coolbox-7', attributes: { maxC: 5 } },
        0,
        [3, 3, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9],
      ),
    [{ ruleId: 'delivery.cold-chain-excursion', entity: device('coolbox-7'), count: 1 }],
  ),
  makeCase(
    'cold-chain',
    'door-openings-and-ambient-parcels',
    'A chilled parcel warms for 10 minutes twice when the van door opens; ambient parcels read 25 °C.',
    734,
    (b) => {
      readings(
        b,
        { parcelId: 'cc-2', attributes: { class: 'chilled' } },
        0,
        [4, 10, 10, 4, 4, 4, 4, 11, 11, 4, 4],
      );
      readings(b, { parcelId: 'amb-1' }, 0, [22, 25, 25, 25, 25, 25, 25, 25]);
    },
    [],
  ),
  makeCase(
    'cold-chain',
    'sensor-gap-and-duplicates',
    'A chilled parcel reads warm once, the sensor sleeps 3 hours, then reads cold; readings arrive twice.',
    735,
    (b) => {
      b.delivery(0, {
        type: 'carrier.picked_up',
        parcelId: 'cc-3',
        attributes: { temperatureClass: 'chilled' },
      });
      readings(b, { parcelId: 'cc-3' }, MINUTE, [4, 9]);
      readings(b, { parcelId: 'cc-3' }, MINUTE + 30 * SECOND, [4, 9]);
      b.delivery(
        3 * HOUR,
        { type: 'sensor.temperature', parcelId: 'cc-3', value: 4, unit: 'C', seq: 3, attributes: {} },
        'sensors',
      );
    },
    [],
  ),
];

export const deliveryCases: LabelledCase[] = [
  ...locationCases,
  ...routeCases,
  ...lockerCases,
  ...coldChainCases,
];
