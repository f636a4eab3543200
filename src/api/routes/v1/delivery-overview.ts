/**
 * The delivery chain at a glance (api/v1, read): for the dashboard's Delivery page, the latest
 * known position and state of each parcel, locker and vehicle, the delivery alerts placed on
 * the map, and one parcel's event timeline. Folded from the most recent delivery events of the
 * window (at most `MAX_EVENTS`, newest first), so one call costs a bounded read whatever the
 * store holds. No person's identifier leaves here: drivers, customers and addresses are left
 * out (the map needs places, not people).
 */
import { z } from 'zod';
import type { Alert, SecurityEvent } from '../../../core/records/index.js';
import { isoTimestamp, severity } from '../../../core/records/index.js';
import type { Store } from '../../../store/store.js';
import { defineRoute } from '../../route.js';

const MAX_EVENTS = 5000;
const PAGE = 500;
const DELIVERY_DETECTORS = new Set([
  'ato-redirect-chain',
  'cold-chain',
  'delivery-insider',
  'delivery-location',
  'inr-claims',
  'locker-security',
  'route-deviation',
]);

const point = z.object({ lat: z.number(), lon: z.number() });
const windowQuery = z.enum(['1h', '6h', '24h', '7d']).default('24h');
const WINDOW_MS = { '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 } as const;

const overviewSchema = z.object({
  sinceMs: z.number().int(),
  /** Delivery events read to build the answer (at most 5000, newest first). */
  eventsRead: z.number().int(),
  parcels: z.array(
    z.object({
      parcelId: z.string(),
      orderId: z.string().optional(),
      carrier: z.string().optional(),
      status: z.string(),
      time: isoTimestamp,
      position: point.optional(),
      destination: point.extend({ area: z.string().optional() }).optional(),
      vehicleId: z.string().optional(),
      lockerId: z.string().optional(),
    }),
  ),
  lockers: z.array(
    z.object({ lockerId: z.string(), time: isoTimestamp, lastType: z.string(), position: point.optional() }),
  ),
  vehicles: z.array(z.object({ vehicleId: z.string(), time: isoTimestamp, position: point })),
  alerts: z.array(
    z.object({
      id: z.string(),
      time: isoTimestamp,
      ruleId: z.string(),
      title: z.string(),
      severity,
      detector: z.string(),
      parcelId: z.string().optional(),
      position: point.optional(),
    }),
  ),
});

const timelineSchema = z.object({
  parcelId: z.string(),
  events: z.array(
    z.object({
      id: z.string(),
      time: isoTimestamp,
      type: z.string(),
      source: z.string(),
      position: point.optional(),
      state: z.string().optional(),
      value: z.number().optional(),
      unit: z.string().optional(),
      lockerId: z.string().optional(),
      vehicleId: z.string().optional(),
      proof: z.object({ photo: z.boolean(), signature: z.boolean(), gps: z.boolean() }).optional(),
    }),
  ),
});

async function recentDeliveryEvents(store: Store, sinceIso: string): Promise<SecurityEvent[]> {
  const events: SecurityEvent[] = [];
  let cursor: string | undefined;
  while (events.length < MAX_EVENTS) {
    const page = await store.events.list({
      kind: 'delivery',
      since: sinceIso,
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    });
    events.push(...page.items);
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return events;
}

const pointOf = (p: { lat: number; lon: number } | undefined) => (p ? { lat: p.lat, lon: p.lon } : undefined);

/** Folds events (newest first) into the latest state of each parcel, locker and vehicle. */
function fold(events: SecurityEvent[]) {
  const parcels = new Map<string, z.infer<typeof overviewSchema>['parcels'][number]>();
  const lockers = new Map<string, z.infer<typeof overviewSchema>['lockers'][number]>();
  const vehicles = new Map<string, z.infer<typeof overviewSchema>['vehicles'][number]>();
  const byId = new Map<string, SecurityEvent>();
  for (const event of events) {
    byId.set(event.id, event);
    const d = event.delivery;
    if (!d) continue;
    const position = pointOf(d.position);
    if (d.parcelId && d.type.startsWith('carrier.')) {
      const known = parcels.get(d.parcelId);
      if (!known) {
        parcels.set(d.parcelId, {
          parcelId: d.parcelId,
          ...(d.orderId ? { orderId: d.orderId } : {}),
          ...(d.carrier ? { carrier: d.carrier } : {}),
          status: d.type.slice('carrier.'.length),
          time: event.time,
          ...(position ? { position } : {}),
          ...(d.destination
            ? {
                destination: {
                  ...pointOf(d.destination)!,
                  ...(d.destination.area ? { area: d.destination.area } : {}),
                },
              }
            : {}),
          ...(d.vehicleId ? { vehicleId: d.vehicleId } : {}),
          ...(d.lockerId ? { lockerId: d.lockerId } : {}),
        });
      } else {
        // Older events fill what the newest left out.
        if (!known.position && position) known.position = position;
        if (!known.destination && d.destination)
          known.destination = {
            ...pointOf(d.destination)!,
            ...(d.destination.area ? { area: d.destination.area } : {}),
          };
      }
    }
    if (d.lockerId && d.type.startsWith('locker.') && !lockers.has(d.lockerId))
      lockers.set(d.lockerId, {
        lockerId: d.lockerId,
        time: event.time,
        lastType: d.type,
        ...(position ? { position } : {}),
      });
    if (d.lockerId && position && lockers.get(d.lockerId)?.position === undefined && lockers.has(d.lockerId))
      (lockers.get(d.lockerId) as { position?: { lat: number; lon: number } }).position = position;
    if (d.vehicleId && position && d.type.startsWith('vehicle.') && !vehicles.has(d.vehicleId))
      vehicles.set(d.vehicleId, { vehicleId: d.vehicleId, time: event.time, position });
  }
  return { parcels, lockers, vehicles, byId };
}

function placeAlert(alert: Alert, folded: ReturnType<typeof fold>) {
  const parcelId =
    typeof alert.evidence?.['parcelId'] === 'string' && alert.evidence['parcelId'] !== ''
      ? alert.evidence['parcelId']
      : undefined;
  let position: { lat: number; lon: number } | undefined;
  for (const id of alert.eventIds) {
    const d = folded.byId.get(id)?.delivery;
    position = pointOf(d?.position) ?? (d?.lockerId ? folded.lockers.get(d.lockerId)?.position : undefined);
    if (position) break;
  }
  if (!position && alert.entity?.type === 'device') {
    const id = alert.entity.value.split('/')[0] ?? '';
    position = folded.lockers.get(id)?.position ?? folded.vehicles.get(id)?.position;
  }
  if (!position && parcelId) position = folded.parcels.get(parcelId)?.position;
  return {
    id: alert.id,
    time: alert.time,
    ruleId: alert.ruleId,
    title: alert.title,
    severity: alert.severity,
    detector: alert.detector,
    ...(parcelId ? { parcelId } : {}),
    ...(position ? { position } : {}),
  };
}

const overview = defineRoute('delivery', {
  method: 'GET',
  url: '/delivery/overview',
  summary: 'Latest position and state of parcels, lockers and vehicles, and the delivery alerts, for the map',
  access: 'read',
  query: z.strictObject({ window: windowQuery }),
  response: { schema: overviewSchema },
  async handler({ query, deps }) {
    const sinceMs = deps.clock.nowMs() - WINDOW_MS[query.window];
    const sinceIso = new Date(sinceMs).toISOString();
    const events = await recentDeliveryEvents(deps.store, sinceIso);
    const folded = fold(events);
    const alerts = (await deps.store.alerts.list({ since: sinceIso, limit: 500 })).items.filter((alert) =>
      DELIVERY_DETECTORS.has(alert.detector),
    );
    return {
      sinceMs,
      eventsRead: events.length,
      parcels: [...folded.parcels.values()],
      lockers: [...folded.lockers.values()],
      vehicles: [...folded.vehicles.values()],
      alerts: alerts.map((alert) => placeAlert(alert, folded)),
    };
  },
});

const timeline = defineRoute('delivery', {
  method: 'GET',
  url: '/delivery/parcels/:parcelId',
  summary:
    "One parcel's delivery events of the window, oldest first (carrier, locker and sensor events naming it)",
  access: 'read',
  params: z.strictObject({ parcelId: z.string().min(1).max(128) }),
  query: z.strictObject({ window: windowQuery }),
  response: { schema: timelineSchema },
  async handler({ params, query, deps }) {
    const sinceIso = new Date(deps.clock.nowMs() - WINDOW_MS[query.window]).toISOString();
    const events = (await recentDeliveryEvents(deps.store, sinceIso))
      .filter(
        (event) =>
          event.delivery?.parcelId === params.parcelId || event.delivery?.orderId === params.parcelId,
      )
      .reverse();
    return {
      parcelId: params.parcelId,
      events: events.map((event) => {
        const d = event.delivery as NonNullable<SecurityEvent['delivery']>;
        const position = pointOf(d.position);
        return {
          id: event.id,
          time: event.time,
          type: d.type,
          source: event.source.name,
          ...(position ? { position } : {}),
          ...(d.state ? { state: d.state } : {}),
          ...(d.value !== undefined ? { value: d.value } : {}),
          ...(d.unit ? { unit: d.unit } : {}),
          ...(d.lockerId ? { lockerId: d.lockerId } : {}),
          ...(d.vehicleId ? { vehicleId: d.vehicleId } : {}),
          ...(d.proof
            ? {
                proof: {
                  photo: d.proof.photoSha256 !== undefined,
                  signature: d.proof.signature === true,
                  gps: d.proof.gps === true,
                },
              }
            : {}),
        };
      }),
    };
  },
});

export const deliveryOverviewRoutes = [overview, timeline];
