/**
 * Route deviation and unexplained stops (detect, built-in detector, delivery chain). The
 * planned route of a vehicle arrives on any delivery event with a `vehicleId` and
 * `attributes.waypoints` (a `vehicle.route_planned` event, or the carrier's
 * `out_for_delivery`): a list of `{lat, lon}` or `[lat, lon]`, or the text
 * `"lat,lon;lat,lon;…"` (carrier and device attributes hold only text and numbers), in driving
 * order, the depot and every stop; `attributes.corridorM` may widen the corridor. Then:
 * - `delivery.route-deviation`: the vehicle's positions (`vehicle.position`, any event with a
 *   vehicle id and a position) stay farther than the corridor from the route for
 *   `minOffRoute` and at least `minOffRouteFixes` fixes;
 * - `delivery.unexplained-stop`: the vehicle stays within `stopRadiusM` of one spot for
 *   `minStop` (from its positions, or a `vehicle.stop` event whose `value` is the stop's
 *   length in seconds, or `attributes.durationS`) farther than `stopRadiusM` from every
 *   waypoint.
 * A vehicle without a planned route is not judged. Duplicates and late fixes (a `seq` or a
 * device time not after the last) are dropped. Entity `device`: the vehicle id.
 *
 * @example
 *   const detector = createRouteDeviationDetector({ corridorM: 300, minStop: '5m' });
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import {
  deliveryOf,
  distanceM,
  distanceToPathM,
  numberOf,
  pointOf,
  positionOf,
  type Delivery,
  type Point,
} from './kit/delivery.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';

export const routeDeviationConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How far from the planned route a vehicle may drive (detours, GPS noise). */
    corridorM: z.number().min(10).max(100_000).default(500),
    minOffRoute: durationMs.prefault('5m'),
    minOffRouteFixes: count.default(3),
    /** A vehicle within this radius of one spot is stopped there; a waypoint this close explains it. */
    stopRadiusM: z.number().min(5).max(10_000).default(150),
    minStop: durationMs.prefault('15m'),
    /** How long a planned route is kept after the vehicle's last event. */
    routeTtl: durationMs.prefault('24h'),
    maxWaypoints: count.default(500),
    cooldown: durationMs.prefault('1h'),
    maxKeys: maxKeys.default(50_000),
  })
  .strict();

export type RouteDeviationConfigInput = z.input<typeof routeDeviationConfigSchema>;

const DEVIATION = 'delivery.route-deviation';
const STOP = 'delivery.unexplained-stop';

interface Vehicle extends Stamped {
  route: Point[];
  corridorM: number;
  routeEventId: string;
  lastSeq: number;
  lastDeviceMs: number;
  offSinceMs: number | undefined;
  offFixes: number;
  offIds: string[];
  maxOffM: number;
  anchor: Point | undefined;
  anchorSinceMs: number;
  anchorId: string;
}

/** `[{lat, lon}, …]`, `[[lat, lon], …]` or, where attributes hold only text, `"lat,lon;lat,lon;…"`. */
function waypointsOf(delivery: Delivery, max: number): Point[] {
  const value = delivery.attributes['waypoints'] ?? delivery.attributes['route'];
  const raw = typeof value === 'string' ? value.split(';').map((pair) => pair.split(',')) : value;
  if (!Array.isArray(raw)) return [];
  const points: Point[] = [];
  for (const item of raw.slice(0, max)) {
    const point = pointOf(item);
    if (point !== undefined) points.push(point);
  }
  return points;
}

export function createRouteDeviationDetector(
  input: RouteDeviationConfigInput = {},
  where = 'detectors.route-deviation',
): Detector {
  const config = parseDetectorConfig(routeDeviationConfigSchema, input, where);
  const vehicles = new BoundedMap<Vehicle>(config.maxKeys, config.routeTtl);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function plan(event: SecurityEvent, delivery: Delivery, vehicleId: string, nowMs: number): void {
    const route = waypointsOf(delivery, config.maxWaypoints);
    if (route.length === 0) return;
    const vehicle = vehicles.upsert(vehicleId, nowMs, () => ({
      lastMs: nowMs,
      positionMs: nowMs,
      route,
      corridorM: config.corridorM,
      routeEventId: event.id,
      lastSeq: -1,
      lastDeviceMs: Number.NEGATIVE_INFINITY,
      offSinceMs: undefined,
      offFixes: 0,
      offIds: [],
      maxOffM: 0,
      anchor: undefined,
      anchorSinceMs: nowMs,
      anchorId: event.id,
    }));
    vehicle.route = route;
    vehicle.routeEventId = event.id;
    vehicle.corridorM = numberOf(delivery.attributes['corridorM']) ?? config.corridorM;
    vehicle.offSinceMs = undefined;
    vehicle.offFixes = 0;
    vehicle.offIds = [];
  }

  /** False for a duplicate or a fix older than one already seen. */
  function fresh(vehicle: Vehicle, delivery: Delivery): boolean {
    if (delivery.seq !== undefined) {
      if (delivery.seq <= vehicle.lastSeq) return false;
      vehicle.lastSeq = delivery.seq;
    }
    const deviceMs = delivery.deviceTime === undefined ? Number.NaN : Date.parse(delivery.deviceTime);
    if (Number.isFinite(deviceMs)) {
      if (deviceMs <= vehicle.lastDeviceMs) return false;
      vehicle.lastDeviceMs = deviceMs;
    }
    return true;
  }

  function fire(
    rule: string,
    vehicleId: string,
    nowMs: number,
    text: { title: string; description: string },
    eventIds: string[],
    evidence: Detection['evidence'],
  ): Detection[] {
    const entity = { type: 'device', value: vehicleId } as const;
    if (!cooldown.allow(rule, entity, nowMs)) return [];
    return [
      detection({
        ruleId: rule,
        ...text,
        severity: 'medium',
        eventIds,
        entity,
        attack: [],
        tags: ['delivery', 'route-deviation'],
        timeMs: clock.absolute(nowMs),
        evidence,
      }),
    ];
  }

  function offRoute(event: SecurityEvent, vehicle: Vehicle, vehicleId: string, at: Point, nowMs: number) {
    const offM = distanceToPathM(at, vehicle.route);
    if (offM <= vehicle.corridorM + Math.min(at.accuracyM ?? 0, 100)) {
      vehicle.offSinceMs = undefined;
      vehicle.offFixes = 0;
      vehicle.offIds = [];
      vehicle.maxOffM = 0;
      return [];
    }
    vehicle.offSinceMs ??= nowMs;
    vehicle.offFixes++;
    vehicle.maxOffM = Math.max(vehicle.maxOffM, offM);
    if (vehicle.offIds.length < 50) vehicle.offIds.push(event.id);
    const minutes = Math.round((nowMs - vehicle.offSinceMs) / 60_000);
    if (nowMs - vehicle.offSinceMs < config.minOffRoute || vehicle.offFixes < config.minOffRouteFixes)
      return [];
    return fire(
      DEVIATION,
      vehicleId,
      nowMs,
      {
        title: 'Delivery vehicle off its planned route',
        description: `The vehicle drove up to ${Math.round(vehicle.maxOffM)} m from its planned route for ${minutes} min (${vehicle.offFixes} positions; corridor ${vehicle.corridorM} m). Check with the driver and the carrier.`,
      },
      [...vehicle.offIds, vehicle.routeEventId],
      {
        maxOffRouteM: Math.round(vehicle.maxOffM),
        minutesOffRoute: minutes,
        fixes: vehicle.offFixes,
        corridorM: vehicle.corridorM,
      },
    );
  }

  function stop(
    event: SecurityEvent,
    vehicle: Vehicle,
    vehicleId: string,
    at: Point,
    nowMs: number,
    lengthMs: number | undefined,
  ) {
    if (vehicle.anchor === undefined || distanceM(vehicle.anchor, at) > config.stopRadiusM) {
      vehicle.anchor = at;
      vehicle.anchorSinceMs = nowMs;
      vehicle.anchorId = event.id;
    }
    const stoppedMs = Math.max(lengthMs ?? 0, nowMs - vehicle.anchorSinceMs);
    if (stoppedMs < config.minStop) return [];
    const fromRouteM = Math.min(...vehicle.route.map((point) => distanceM(point, vehicle.anchor as Point)));
    if (fromRouteM <= config.stopRadiusM) return [];
    const minutes = Math.round(stoppedMs / 60_000);
    return fire(
      STOP,
      vehicleId,
      nowMs,
      {
        title: 'Delivery vehicle stopped away from its planned stops',
        description: `The vehicle stood ${minutes} min at a spot ${Math.round(fromRouteM)} m from the nearest planned stop. Check with the driver and the carrier.`,
      },
      [vehicle.anchorId, event.id, vehicle.routeEventId],
      {
        minutesStopped: minutes,
        fromNearestWaypointM: Math.round(fromRouteM),
        stopRadiusM: config.stopRadiusM,
      },
    );
  }

  return {
    name: 'route-deviation',
    kinds: ['delivery'],
    observe(event: SecurityEvent): Detection[] {
      const found = deliveryOf(event);
      const vehicleId = found?.delivery.vehicleId;
      if (!config.enabled || found === undefined || !vehicleId) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      vehicles.sweep(nowMs);
      cooldown.sweep(nowMs);
      const { delivery, type } = found;
      if (type === 'vehicle.route_planned' || delivery.attributes['waypoints'] !== undefined) {
        plan(event, delivery, vehicleId, nowMs);
        return [];
      }
      const vehicle = vehicles.peek(vehicleId, nowMs);
      const at = positionOf(delivery);
      if (vehicle === undefined || at === undefined || !fresh(vehicle, delivery)) return [];
      vehicles.upsert(vehicleId, nowMs, () => vehicle);
      const isStop = type === 'vehicle.stop';
      const lengthS = isStop ? (numberOf(delivery.attributes['durationS']) ?? delivery.value) : undefined;
      const lengthMs = lengthS !== undefined && lengthS >= 0 ? lengthS * 1000 : undefined;
      return [
        ...offRoute(event, vehicle, vehicleId, at, nowMs),
        ...stop(event, vehicle, vehicleId, at, nowMs, lengthMs),
      ];
    },
    stateSize: () => vehicles.size + cooldown.size,
  };
}
