/**
 * Labelled cases of the delivery-chain fraud detectors ("not received" claims, insiders, the
 * account takeover that ends in a redirected parcel): rings and insiders as fraud teams
 * describe them, and honest customers, buildings and movers that must stay quiet.
 */
import {
  account,
  BROWSERS,
  CaseBuilder,
  DAY,
  HOUR,
  makeCase,
  MINUTE,
  SECOND,
  TOOLS,
  type LabelledCase,
  type Rng,
} from './case-kit.js';
import { CENTRE, offset, type GeoPoint } from './cases-delivery.js';

function claim(
  b: CaseBuilder,
  atMs: number,
  fields: { customerId: string; orderId: string; address: string; card: string; valueMinor?: number },
): void {
  b.delivery(
    atMs,
    {
      type: 'claim.not_received',
      orderId: fields.orderId,
      customerId: fields.customerId,
      postalAddress: fields.address,
      valueMinor: fields.valueMinor ?? 8900,
      currency: 'EUR',
      attributes: fields.card ? { cardFingerprint: fields.card } : {},
    },
    'shop',
  );
}

function address(rng: Rng): string {
  return `${rng.int(1, 200)} ${rng.pick(['Rue Haute', 'Kerkstraat', 'Avenue Louise', 'Dorpsstraat'])}, ${rng.int(1000, 9999)} Town`;
}

const inrCases: LabelledCase[] = [
  makeCase(
    'inr-claims',
    'serial-claimer',
    'One customer claims three orders "not received" in two months.',
    741,
    (b, rng) => {
      const home = address(rng);
      for (let i = 0; i < 3; i++)
        claim(b, i * 25 * DAY, {
          customerId: 'cus_77',
          orderId: `ord_77${i}`,
          address: home,
          card: `fp_${rng.hex(8)}`,
        });
    },
    [{ ruleId: 'delivery.inr-repeat-customer', entity: account('cus_77'), count: 1 }],
  ),
  makeCase(
    'inr-claims',
    'ring-at-one-address',
    'Four new accounts claim orders to one address, each writing it differently.',
    742,
    (b, rng) => {
      const spellings = [
        '12 Rue Haute, 1000 Brussels',
        '12 rue haute 1000 brussels',
        '12, Rue  Haute, 1000 Brussels',
        '12 RUE HAUTE, 1000 BRUSSELS',
      ];
      spellings.forEach((spelling, i) =>
        claim(b, i * 3 * DAY, {
          customerId: `cus_r${i}`,
          orderId: `ord_r${i}`,
          address: spelling,
          card: `fp_${rng.hex(8)}`,
        }),
      );
    },
    [
      {
        ruleId: 'delivery.inr-address',
        entity: { type: 'address', value: '12 rue haute 1000 brussels' },
        count: 1,
      },
    ],
  ),
  makeCase(
    'inr-claims',
    'one-card-many-accounts',
    'Three accounts at three addresses claim orders all paid with one card.',
    743,
    (b, rng) => {
      for (let i = 0; i < 3; i++) {
        claim(b, i * 5 * DAY, {
          customerId: `cus_c${i}`,
          orderId: `ord_c${i}`,
          address: address(rng),
          card: '',
        });
        // As the delivery API sends it: the card in the business section (marked personal).
        const event = b.events.at(-1) as (typeof b.events)[number];
        event.business = {
          type: 'claim.not_received',
          accountId: `cus_c${i}`,
          cardFingerprint: 'fp_shared01',
          attributes: {},
        };
      }
    },
    [{ ruleId: 'delivery.inr-payment-instrument', entity: { type: 'card', value: 'fp_shared01' }, count: 1 }],
  ),
  makeCase(
    'inr-claims',
    'honest-claims-and-a-resend',
    'Thirty customers claim once each; one claim message is sent twice.',
    744,
    (b, rng) => {
      for (let i = 0; i < 30; i++) {
        const fields = {
          customerId: `cus_h${i}`,
          orderId: `ord_h${i}`,
          address: address(rng),
          card: `fp_${rng.hex(8)}`,
        };
        claim(b, i * DAY, fields);
        if (i === 4) claim(b, i * DAY + MINUTE, fields);
      }
    },
    [],
  ),
  makeCase(
    'inr-claims',
    'family-claims-a-year-apart',
    'Two people of one household claim once each, 200 days apart, and one of them once more a year later.',
    745,
    (b) => {
      const home = '7 Kerkstraat, 9000 Gent';
      claim(b, 0, { customerId: 'cus_f1', orderId: 'ord_f1', address: home, card: 'fp_f1' });
      claim(b, 200 * DAY, { customerId: 'cus_f2', orderId: 'ord_f2', address: home, card: 'fp_f2' });
      claim(b, 365 * DAY, { customerId: 'cus_f1', orderId: 'ord_f3', address: home, card: 'fp_f1' });
    },
    [],
  ),
];

function delivered(
  b: CaseBuilder,
  atMs: number,
  fields: {
    driverId: string;
    vehicleId?: string;
    parcelId: string;
    at: GeoPoint;
    destination?: GeoPoint;
    address?: string;
  },
): void {
  b.delivery(atMs, {
    type: 'carrier.delivered',
    carrier: 'dpd',
    driverId: fields.driverId,
    ...(fields.vehicleId ? { vehicleId: fields.vehicleId } : {}),
    parcelId: fields.parcelId,
    position: { ...fields.at, accuracyM: 10 },
    ...(fields.destination ? { destination: { ...fields.destination, area: 'urban' as const } } : {}),
    ...(fields.address ? { postalAddress: fields.address } : {}),
    proof: { gps: true },
    attributes: {},
  });
}

function vehicleAt(b: CaseBuilder, atMs: number, vehicleId: string, driverId: string, at: GeoPoint): void {
  b.delivery(
    atMs,
    { type: 'vehicle.position', vehicleId, driverId, position: { ...at, accuracyM: 8 }, attributes: {} },
    'fleet',
  );
}

/** An honest round: drive to each address, deliver at the door. */
function honestRound(
  b: CaseBuilder,
  rng: Rng,
  driverId: string,
  vehicleId: string,
  startMs: number,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    const door = offset(CENTRE, rng.int(-2500, 2500), rng.int(-2500, 2500));
    const t = startMs + i * 8 * MINUTE;
    vehicleAt(b, t, vehicleId, driverId, offset(door, rng.int(-40, 40), rng.int(-40, 40)));
    delivered(b, t + 90 * SECOND, {
      driverId,
      vehicleId,
      parcelId: `${vehicleId}-${i}`,
      at: offset(door, rng.int(-8, 8), rng.int(-8, 8)),
      destination: door,
    });
  }
}

const insiderCases: LabelledCase[] = [
  makeCase(
    'delivery-insider',
    'parcels-dumped-at-one-spot',
    'A driver marks six parcels for addresses across town delivered within 30 m of one car park.',
    751,
    (b, rng) => {
      honestRound(b, rng, 'drv_9', 'van-9', 0, 5);
      const carPark = offset(CENTRE, 1500, -800);
      for (let i = 0; i < 6; i++)
        delivered(b, HOUR + i * 2 * MINUTE, {
          driverId: 'drv_9',
          parcelId: `dump-${i}`,
          at: offset(carPark, rng.int(-15, 15), rng.int(-15, 15)),
          destination: offset(CENTRE, rng.int(-3000, 3000), rng.int(300, 3000)),
        });
    },
    [{ ruleId: 'delivery.insider-same-spot', entity: account('drv_9'), count: 1 }],
  ),
  makeCase(
    'delivery-insider',
    'marked-delivered-from-the-depot',
    "The van's tracker sits at the depot while its driver marks a parcel delivered 5 km away.",
    752,
    (b, rng) => {
      honestRound(b, rng, 'drv_2', 'van-2', 0, 4);
      const depot = offset(CENTRE, -4000, 0);
      vehicleAt(b, 2 * HOUR, 'van-2', 'drv_2', depot);
      vehicleAt(b, 2 * HOUR + MINUTE, 'van-2', 'drv_2', depot);
      const door = offset(CENTRE, 1000, 500);
      delivered(b, 2 * HOUR + 2 * MINUTE, {
        driverId: 'drv_2',
        parcelId: 'far-1',
        at: door,
        destination: door,
      });
    },
    [{ ruleId: 'delivery.insider-vehicle-elsewhere', entity: account('drv_2'), count: 1 }],
  ),
  makeCase(
    'delivery-insider',
    'same-spot-without-coordinates-of-addresses',
    'A carrier that sends no destinations: five parcels for five addresses marked at one spot.',
    753,
    (b, rng) => {
      const spot = offset(CENTRE, 300, 300);
      for (let i = 0; i < 5; i++)
        delivered(b, i * 3 * MINUTE, {
          driverId: 'drv_5',
          vehicleId: 'van-5',
          parcelId: `ns-${i}`,
          at: offset(spot, rng.int(-10, 10), 0),
          address: `${10 + i} Avenue Louise, 1050 Brussels`,
        });
    },
    [{ ruleId: 'delivery.insider-same-spot', entity: account('drv_5'), count: 1 }],
  ),
  makeCase(
    'delivery-insider',
    'apartment-block',
    'Eight parcels for one apartment block marked at its entrance.',
    754,
    (b, rng) => {
      const block = offset(CENTRE, -700, 900);
      for (let i = 0; i < 8; i++)
        delivered(b, i * 2 * MINUTE, {
          driverId: 'drv_6',
          vehicleId: 'van-6',
          parcelId: `apt-${i}`,
          at: offset(block, rng.int(-10, 10), rng.int(-10, 10)),
          destination: block,
          address: `3 Rue Haute apt ${i}, 1000 Brussels`,
        });
    },
    [],
  ),
  makeCase(
    'delivery-insider',
    'honest-rounds-and-a-stale-fix',
    'Two honest rounds; a van whose last fix is 20 minutes old and far away does not count against its driver.',
    755,
    (b, rng) => {
      honestRound(b, rng, 'drv_7', 'van-7', 0, 12);
      honestRound(b, rng, 'drv_8', 'van-8', 30 * MINUTE, 12);
      vehicleAt(b, 3 * HOUR, 'van-7', 'drv_7', offset(CENTRE, -5000, 0));
      const door = offset(CENTRE, 2000, 2000);
      delivered(b, 3 * HOUR + 20 * MINUTE, {
        driverId: 'drv_7',
        vehicleId: 'van-7',
        parcelId: 'late-1',
        at: door,
        destination: door,
      });
    },
    [],
  ),
];

interface Customer {
  id: string;
  email: string;
  ip: string;
  userAgent: string;
}

function shopper(rng: Rng, id: string): Customer {
  return { id, email: rng.person().email, ip: rng.ip(), userAgent: rng.pick(BROWSERS) };
}

function login(
  b: CaseBuilder,
  atMs: number,
  who: Customer,
  from: { ip: string; userAgent: string } = who,
): void {
  b.business(atMs, from.ip, 'login', {
    outcome: 'success',
    accountId: who.id,
    email: who.email,
    attributes: { userAgent: from.userAgent },
  });
}

function history(b: CaseBuilder, who: Customer): void {
  for (let week = 0; week < 3; week++) login(b, week * 7 * DAY, who);
}

function placeOrder(
  b: CaseBuilder,
  atMs: number,
  who: Customer,
  fromIp: string,
  orderId: number,
  amountMinor: number,
): void {
  b.business(atMs, fromIp, 'order', {
    outcome: 'success',
    accountId: who.id,
    amountMinor,
    currency: 'EUR',
    postalAddress: `${who.id} Main Street, 1000 Brussels`,
    attributes: { orderId },
  });
}

function redirect(b: CaseBuilder, atMs: number, fields: { orderId?: string; customerId?: string }): void {
  b.delivery(atMs, {
    type: 'carrier.redirected',
    carrier: 'bpost',
    parcelId: `pcl_${fields.orderId ?? fields.customerId}`,
    ...fields,
    attributes: { newDestination: 'pickup point 4411' },
  });
}

const THIEF = { ip: '185.220.101.34', userAgent: TOOLS.headless };
const START = 21 * DAY;

const chainCases: LabelledCase[] = [
  makeCase(
    'ato-redirect-chain',
    'new-device-address-order-redirect',
    'A login from a new device, a new shipping address, a 1 450 EUR order, and the parcel redirected to a pickup point.',
    761,
    (b, rng) => {
      const who = shopper(rng, 'cus_501');
      history(b, who);
      login(b, START, who, THIEF);
      b.business(START + 3 * MINUTE, THIEF.ip, 'address_change', {
        outcome: 'success',
        accountId: who.id,
        attributes: {},
      });
      placeOrder(b, START + 9 * MINUTE, who, THIEF.ip, 88_001, 145_000);
      redirect(b, START + 20 * HOUR, { orderId: '88001' });
    },
    [{ ruleId: 'delivery.ato-redirect-chain', entity: account('cus_501'), count: 1 }],
  ),
  makeCase(
    'ato-redirect-chain',
    'explicit-signal-redirect-by-customer',
    "The shop's risk engine flags a session; the carrier's redirect names the customer, not the order.",
    762,
    (b, rng) => {
      const who = shopper(rng, 'cus_502');
      history(b, who);
      b.business(START, who.ip, 'account_takeover_signal', {
        accountId: who.id,
        attributes: { reason: 'session token replay' },
      });
      b.business(START + HOUR, THIEF.ip, 'shipping_address_change', {
        outcome: 'success',
        accountId: who.id,
        attributes: {},
      });
      placeOrder(b, START + 2 * HOUR, who, THIEF.ip, 88_002, 60_000);
      redirect(b, START + DAY, { customerId: 'cus_502' });
    },
    [{ ruleId: 'delivery.ato-redirect-chain', entity: account('cus_502'), count: 1 }],
  ),
  makeCase(
    'ato-redirect-chain',
    'links-out-of-order',
    'The address change (from the delivery API) reaches us late, after the order and the redirect.',
    763,
    (b, rng) => {
      const who = shopper(rng, 'cus_503');
      history(b, who);
      login(b, START, who, THIEF);
      placeOrder(b, START + 5 * MINUTE, who, THIEF.ip, 88_003, 99_000);
      redirect(b, START + 5 * HOUR, { orderId: '88003' });
      // As the delivery API reports it: the order's new address, naming the order only.
      b.delivery(START + 6 * HOUR, {
        type: 'order.address_changed',
        orderId: '88003',
        postalAddress: '4411 Pickup Point, 1000 Brussels',
        attributes: { changedBy: 'customer' },
      });
    },
    [{ ruleId: 'delivery.ato-redirect-chain', entity: account('cus_503'), count: 1 }],
  ),
  makeCase(
    'ato-redirect-chain',
    'customer-moves-and-redirects',
    'A customer on a known device changes address, orders big and redirects the parcel to a pickup point.',
    764,
    (b, rng) => {
      const who = shopper(rng, 'cus_504');
      history(b, who);
      login(b, START, who);
      b.business(START + 3 * MINUTE, who.ip, 'address_change', {
        outcome: 'success',
        accountId: who.id,
        attributes: {},
      });
      placeOrder(b, START + 9 * MINUTE, who, who.ip, 88_004, 145_000);
      redirect(b, START + 20 * HOUR, { orderId: '88004' });
    },
    [],
  ),
  makeCase(
    'ato-redirect-chain',
    'partial-chains',
    'A new-device login with address change and big order but no redirect; another with a redirect of a small order.',
    765,
    (b, rng) => {
      const one = shopper(rng, 'cus_505');
      const two = shopper(rng, 'cus_506');
      history(b, one);
      history(b, two);
      login(b, START, one, { ip: rng.ip(), userAgent: BROWSERS[4] });
      b.business(START + MINUTE, one.ip, 'address_change', {
        outcome: 'success',
        accountId: one.id,
        attributes: {},
      });
      placeOrder(b, START + 2 * MINUTE, one, one.ip, 88_005, 150_000);
      b.delivery(START + DAY, {
        type: 'carrier.delivered',
        orderId: '88005',
        parcelId: 'pcl_88005',
        attributes: {},
      });
      login(b, START, two, THIEF);
      b.business(START + MINUTE, THIEF.ip, 'address_change', {
        outcome: 'success',
        accountId: two.id,
        attributes: {},
      });
      placeOrder(b, START + 2 * MINUTE, two, THIEF.ip, 88_006, 2_500);
      redirect(b, START + DAY, { orderId: '88006' });
    },
    [],
  ),
];

export const deliveryFraudCases: LabelledCase[] = [...inrCases, ...insiderCases, ...chainCases];
