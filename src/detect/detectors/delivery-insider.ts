/**
 * Insider patterns in the last mile (detect, built-in detector, delivery chain), on
 * `carrier.delivered` events. Entity `account`: the driver id (else `device`: the vehicle):
 * - `delivery.insider-same-spot`: one driver marks `minParcels` parcels delivered within
 *   `window` at positions within `spotRadiusM` of each other while their destinations are
 *   spread out (farther than `spotRadiusM` from the spot); parcels for one building do not
 *   count. Without a destination, distinct postal addresses stand in for it.
 * - `delivery.insider-vehicle-elsewhere`: a parcel marked delivered while the driver's
 *   vehicle (its `vehicleId`, or the vehicle the driver was last seen with) reported, within
 *   `positionFresh`, a position more than `maxVehicleGapM` from the delivery's position
 *   (else its destination). Positions come from any event with a vehicle id and a position.
 *
 * @example
 *   const detector = createDeliveryInsiderDetector({ minParcels: 6, spotRadiusM: 40 });
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import {
  addressKeyOf,
  deliveryOf,
  distanceM,
  parcelKeyOf,
  pointOf,
  positionOf,
  type Point,
} from './kit/delivery.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';

export const deliveryInsiderConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    minParcels: count.default(5),
    spotRadiusM: z.number().min(5).max(10_000).default(50),
    window: durationMs.prefault('2h'),
    maxVehicleGapM: z.number().min(50).max(1_000_000).default(1000),
    positionFresh: durationMs.prefault('5m'),
    maxDeliveriesPerDriver: count.default(200),
    cooldown: durationMs.prefault('12h'),
    maxKeys: maxKeys.default(50_000),
  })
  .strict();

export type DeliveryInsiderConfigInput = z.input<typeof deliveryInsiderConfigSchema>;

const SAME_SPOT = 'delivery.insider-same-spot';
const ELSEWHERE = 'delivery.insider-vehicle-elsewhere';

interface Marked {
  t: number;
  id: string;
  parcel: string;
  at: Point;
  destination: Point | undefined;
  address: string | undefined;
}

interface Driver extends Stamped {
  marked: Marked[];
  vehicleId: string | undefined;
}

interface Vehicle extends Stamped {
  at: Point;
  atMs: number;
  eventId: string;
}

export function createDeliveryInsiderDetector(
  input: DeliveryInsiderConfigInput = {},
  where = 'detectors.delivery-insider',
): Detector {
  const config = parseDetectorConfig(deliveryInsiderConfigSchema, input, where);
  const drivers = new BoundedMap<Driver>(config.maxKeys, config.window);
  const vehicles = new BoundedMap<Vehicle>(config.maxKeys, Math.max(config.positionFresh, 60_000));
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function fire(
    rule: string,
    entity: Detection['entity'],
    nowMs: number,
    title: string,
    description: string,
    eventIds: string[],
    evidence: Detection['evidence'],
  ): Detection[] {
    if (!cooldown.allow(rule, entity, nowMs)) return [];
    return [
      detection({
        ruleId: rule,
        title,
        description,
        severity: 'high',
        eventIds,
        entity,
        attack: [],
        tags: ['delivery', 'delivery-insider', 'insider'],
        timeMs: clock.absolute(nowMs),
        evidence,
      }),
    ];
  }

  function sameSpot(driver: Driver, mark: Marked, entity: Detection['entity'], nowMs: number): Detection[] {
    driver.marked = driver.marked.filter((m) => nowMs - m.t <= config.window && m.parcel !== mark.parcel);
    driver.marked.push(mark);
    if (driver.marked.length > config.maxDeliveriesPerDriver) driver.marked.shift();
    const here = driver.marked.filter((m) => distanceM(m.at, mark.at) <= config.spotRadiusM);
    const elsewhere = here.filter((m) =>
      m.destination !== undefined
        ? distanceM(m.destination, mark.at) > config.spotRadiusM
        : m.address !== undefined,
    );
    const addresses = new Set(
      elsewhere.map((m) => m.address ?? `${m.destination?.lat},${m.destination?.lon}`),
    );
    const spread = elsewhere.some((m) => m.destination !== undefined) ? elsewhere.length : addresses.size;
    if (spread < config.minParcels) return [];
    const minutes = Math.round((nowMs - (here[0]?.t ?? nowMs)) / 60_000);
    return fire(
      SAME_SPOT,
      entity,
      nowMs,
      'Many parcels marked delivered at one spot',
      `${spread} parcels for other addresses marked delivered within ${config.spotRadiusM} m of one spot in ${minutes} min by one driver. Ask the carrier for proof of delivery and hold the driver's next round.`,
      elsewhere.map((m) => m.id).reverse(),
      { parcels: spread, spotRadiusM: config.spotRadiusM, minutes },
    );
  }

  function vehicleElsewhere(
    event: SecurityEvent,
    vehicleId: string | undefined,
    at: Point | undefined,
    entity: Detection['entity'],
    nowMs: number,
  ): Detection[] {
    if (vehicleId === undefined || at === undefined) return [];
    const vehicle = vehicles.peek(vehicleId, nowMs);
    if (vehicle === undefined || nowMs - vehicle.atMs > config.positionFresh) return [];
    const gapM =
      distanceM(vehicle.at, at) - Math.min(vehicle.at.accuracyM ?? 0, 200) - Math.min(at.accuracyM ?? 0, 200);
    if (gapM <= config.maxVehicleGapM) return [];
    const km = Math.round(gapM / 100) / 10;
    return fire(
      ELSEWHERE,
      entity,
      nowMs,
      'Parcel marked delivered while the vehicle was elsewhere',
      `Marked delivered ${km} km from where the driver's vehicle reported itself ${Math.round((nowMs - vehicle.atMs) / 1000)} s before. Ask the carrier for proof of delivery.`,
      [event.id, vehicle.eventId],
      {
        gapM: Math.round(gapM),
        secondsSinceVehicleFix: Math.round((nowMs - vehicle.atMs) / 1000),
        maxVehicleGapM: config.maxVehicleGapM,
      },
    );
  }

  return {
    name: 'delivery-insider',
    kinds: ['delivery'],
    observe(event: SecurityEvent): Detection[] {
      const found = deliveryOf(event);
      if (!config.enabled || found === undefined) return [];
      const { delivery, type } = found;
      const delivered = type === 'carrier.delivered';
      const position = positionOf(delivery);
      if (!delivered && (delivery.vehicleId === undefined || position === undefined)) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      drivers.sweep(nowMs);
      vehicles.sweep(nowMs);
      cooldown.sweep(nowMs);
      const driverId = delivery.driverId;
      if (!delivered) {
        const vehicle = vehicles.upsert(delivery.vehicleId as string, nowMs, () => ({
          lastMs: nowMs,
          positionMs: nowMs,
          at: position as Point,
          atMs: nowMs,
          eventId: event.id,
        }));
        Object.assign(vehicle, { at: position, atMs: nowMs, eventId: event.id });
        if (driverId)
          drivers.upsert(driverId, nowMs, () => ({
            lastMs: nowMs,
            positionMs: nowMs,
            marked: [],
            vehicleId: undefined,
          })).vehicleId = delivery.vehicleId;
        return [];
      }
      const entity: Detection['entity'] | undefined = driverId
        ? { type: 'account', value: driverId }
        : delivery.vehicleId
          ? { type: 'device', value: delivery.vehicleId }
          : undefined;
      const parcel = parcelKeyOf(delivery);
      if (entity === undefined || parcel === undefined) return [];
      const driver = drivers.upsert(entity.value, nowMs, () => ({
        lastMs: nowMs,
        positionMs: nowMs,
        marked: [],
        vehicleId: undefined,
      }));
      driver.vehicleId = delivery.vehicleId ?? driver.vehicleId;
      const destination = pointOf(delivery.destination);
      const found2: Detection[] = [];
      if (position !== undefined) {
        const mark = {
          t: nowMs,
          id: event.id,
          parcel,
          at: position,
          destination,
          address: addressKeyOf(delivery.postalAddress),
        };
        found2.push(...sameSpot(driver, mark, entity, nowMs));
      }
      found2.push(...vehicleElsewhere(event, driver.vehicleId, position ?? destination, entity, nowMs));
      return found2;
    },
    stateSize: () => drivers.size + vehicles.size + cooldown.size,
  };
}
