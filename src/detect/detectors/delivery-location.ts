/**
 * Delivered too far from the address (detect, built-in detector, delivery chain): a parcel
 * marked `carrier.delivered` at a position farther from its destination than the area type
 * allows (urban, suburban, rural; unknown areas count as suburban), the GPS accuracy the
 * device reports given back up to `maxAccuracyCreditM`. The destination is the event's own,
 * else the last one an earlier event of the parcel carried (label, out for delivery). One
 * detection per parcel (`delivery.location-mismatch`, entity `order`: the order id, else the
 * parcel id). A fix worse than `maxAccuracyM` proves nothing and is skipped. ATT&CK: none
 * (physical). docs/delivery.md explains the settings.
 *
 * @example
 *   const detector = createDeliveryLocationDetector({ thresholdsM: { urban: 100 } });
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { deliveryOf, distanceM, parcelKeyOf, pointOf, positionOf, type Point } from './kit/delivery.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';

const metres = z.number().min(1).max(1_000_000);

export const deliveryLocationConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How far from the destination a delivery may be marked, by area type. */
    thresholdsM: z
      .object({ urban: metres.default(150), suburban: metres.default(300), rural: metres.default(1000) })
      .strict()
      .prefault({}),
    /** At most this much of the reported GPS accuracy is given back to the courier. */
    maxAccuracyCreditM: z.number().min(0).max(10_000).default(100),
    /** A fix less accurate than this is not judged. */
    maxAccuracyM: z.number().min(1).max(100_000).default(2000),
    /** How long a parcel's destination is remembered after its last event. */
    parcelTtl: durationMs.prefault('14d'),
    cooldown: durationMs.prefault('7d'),
    maxKeys: maxKeys.default(200_000),
  })
  .strict();

export type DeliveryLocationConfigInput = z.input<typeof deliveryLocationConfigSchema>;

const RULE = 'delivery.location-mismatch';

interface Parcel extends Stamped {
  destination: Point;
  area: 'urban' | 'suburban' | 'rural' | undefined;
}

export function createDeliveryLocationDetector(
  input: DeliveryLocationConfigInput = {},
  where = 'detectors.delivery-location',
): Detector {
  const config = parseDetectorConfig(deliveryLocationConfigSchema, input, where);
  const parcels = new BoundedMap<Parcel>(config.maxKeys, config.parcelTtl);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function judge(event: SecurityEvent, nowMs: number, key: string, parcel: Parcel, at: Point): Detection[] {
    const delivery = event.delivery as NonNullable<SecurityEvent['delivery']>;
    const accuracyM = at.accuracyM ?? 0;
    if (accuracyM > config.maxAccuracyM) return [];
    const area = parcel.area ?? 'suburban';
    const thresholdM = config.thresholdsM[area];
    const rawM = distanceM(at, parcel.destination);
    const distance = Math.max(0, rawM - Math.min(accuracyM, config.maxAccuracyCreditM));
    if (distance <= thresholdM) return [];
    const entity = { type: 'order', value: delivery.orderId ?? key } as const;
    if (!cooldown.allow(RULE, entity, nowMs)) return [];
    const proof = delivery.proof;
    return [
      detection({
        ruleId: RULE,
        title: 'Parcel marked delivered far from its address',
        description: `Marked delivered ${Math.round(rawM)} m from the delivery address (${area} area, allowed ${thresholdM} m). Ask the carrier for proof of delivery before answering a claim.`,
        severity: rawM > thresholdM * 10 ? 'high' : 'medium',
        eventIds: [event.id],
        entity,
        attack: [],
        tags: ['delivery', 'delivery-location'],
        timeMs: clock.absolute(nowMs),
        evidence: {
          distanceM: Math.round(rawM),
          thresholdM,
          area,
          accuracyM: Math.round(accuracyM),
          parcelId: delivery.parcelId ?? '',
          carrier: delivery.carrier ?? '',
          photo: proof?.photoSha256 !== undefined,
          signature: proof?.signature === true,
        },
      }),
    ];
  }

  return {
    name: 'delivery-location',
    kinds: ['delivery'],
    observe(event: SecurityEvent): Detection[] {
      const found = deliveryOf(event);
      if (!config.enabled || found === undefined) return [];
      const key = parcelKeyOf(found.delivery);
      const destination = pointOf(found.delivery.destination);
      const delivered = found.type === 'carrier.delivered';
      if (key === undefined || (destination === undefined && !delivered)) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      parcels.sweep(nowMs);
      cooldown.sweep(nowMs);
      let parcel = parcels.peek(key, nowMs);
      if (destination !== undefined) {
        parcel = parcels.upsert(key, nowMs, () => ({
          lastMs: nowMs,
          positionMs: nowMs,
          destination,
          area: undefined,
        }));
        parcel.destination = destination;
        parcel.area = found.delivery.destination?.area ?? parcel.area;
      }
      if (!delivered || parcel === undefined) return [];
      const at = positionOf(found.delivery);
      return at === undefined ? [] : judge(event, nowMs, key, parcel, at);
    },
    stateSize: () => parcels.size + cooldown.size,
  };
}
