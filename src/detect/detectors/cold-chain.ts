/**
 * Cold-chain excursions (detect, built-in detector, delivery chain): a parcel of a
 * temperature class (`chilled`, `frozen`, or any class configured) whose readings
 * (`sensor.temperature`, `value` in °C, or °F with `unit: "F"`) stay above the class's
 * `maxC` for `maxAbove` in total (`delivery.cold-chain-excursion`, entity `order`: the order
 * id, else the parcel id; `device` for a sensor that names no parcel). Time above counts between consecutive readings when the earlier
 * one was above, each gap at most `maxGap` (a silent sensor does not add hours). The class
 * comes from `attributes.class` (or `parcelClass`, `temperatureClass`) on the reading or an
 * earlier event of the parcel; `attributes.maxC` on an event sets the parcel's own limit.
 * Parcels of no known class are not judged. Duplicates (a `seq` already seen) are dropped.
 *
 * @example
 *   const detector = createColdChainDetector({ classes: { chilled: { maxC: 8, maxAbove: '30m' } } });
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { deliveryOf, numberOf, parcelKeyOf, textOf, type Delivery } from './kit/delivery.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';

const temperatureClass = z.object({ maxC: z.number().min(-100).max(100), maxAbove: durationMs }).strict();

export const coldChainConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    classes: z
      .record(z.string().min(1).max(64), temperatureClass)
      .default({ chilled: { maxC: 8, maxAbove: 30 * 60_000 }, frozen: { maxC: -15, maxAbove: 15 * 60_000 } }),
    /** For a parcel whose limit comes from its own `attributes.maxC` and whose class is unknown. */
    defaultMaxAbove: durationMs.prefault('30m'),
    maxGap: durationMs.prefault('15m'),
    parcelTtl: durationMs.prefault('7d'),
    cooldown: durationMs.prefault('1d'),
    maxKeys: maxKeys.default(200_000),
  })
  .strict();

export type ColdChainConfigInput = z.input<typeof coldChainConfigSchema>;

const RULE = 'delivery.cold-chain-excursion';

interface Parcel extends Stamped {
  className: string | undefined;
  ownMaxC: number | undefined;
  lastReadingMs: number | undefined;
  lastAbove: boolean;
  aboveMs: number;
  peakC: number;
  lastSeq: number;
  ids: string[];
}

function classOf(delivery: Delivery): string | undefined {
  const attributes = delivery.attributes;
  return textOf(
    attributes['class'] ?? attributes['parcelClass'] ?? attributes['temperatureClass'],
  )?.toLowerCase();
}

function celsiusOf(delivery: Delivery): number | undefined {
  const value = delivery.value ?? numberOf(delivery.attributes['temperature']);
  if (value === undefined) return undefined;
  const unit = (delivery.unit ?? '').trim().toLowerCase().replace('°', '');
  return unit === 'f' || unit === 'fahrenheit' ? ((value - 32) * 5) / 9 : value;
}

export function createColdChainDetector(
  input: ColdChainConfigInput = {},
  where = 'detectors.cold-chain',
): Detector {
  const config = parseDetectorConfig(coldChainConfigSchema, input, where);
  const parcels = new BoundedMap<Parcel>(config.maxKeys, config.parcelTtl);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function reading(
    event: SecurityEvent,
    delivery: Delivery,
    key: string,
    parcel: Parcel,
    nowMs: number,
  ): Detection[] {
    const celsius = celsiusOf(delivery);
    if (celsius === undefined) return [];
    if (delivery.seq !== undefined) {
      if (delivery.seq <= parcel.lastSeq) return [];
      parcel.lastSeq = delivery.seq;
    }
    const limits = parcel.className === undefined ? undefined : config.classes[parcel.className];
    const maxC = parcel.ownMaxC ?? limits?.maxC;
    if (maxC === undefined) return [];
    const maxAboveMs = limits?.maxAbove ?? config.defaultMaxAbove;
    if (parcel.lastReadingMs !== undefined && parcel.lastAbove) {
      parcel.aboveMs += Math.min(config.maxGap, nowMs - parcel.lastReadingMs);
    }
    const above = celsius > maxC;
    parcel.lastReadingMs = nowMs;
    parcel.lastAbove = above;
    if (above) {
      parcel.peakC = Math.max(parcel.peakC, celsius);
      if (parcel.ids.length < 50) parcel.ids.push(event.id);
    }
    if (parcel.aboveMs < maxAboveMs) return [];
    const entity =
      parcelKeyOf(delivery) === undefined
        ? ({ type: 'device', value: key } as const)
        : ({ type: 'order', value: delivery.orderId ?? key } as const);
    if (!cooldown.allow(RULE, entity, nowMs)) return [];
    const minutes = Math.round(parcel.aboveMs / 60_000);
    return [
      detection({
        ruleId: RULE,
        title: 'Cold-chain excursion',
        description: `A ${parcel.className ?? 'temperature-controlled'} parcel spent ${minutes} min above ${maxC} °C (peak ${Math.round(parcel.peakC * 10) / 10} °C). Hold the parcel and check the goods before they reach the customer.`,
        severity: 'high',
        eventIds: parcel.ids.length > 0 ? parcel.ids : [event.id],
        entity,
        attack: [],
        tags: ['delivery', 'cold-chain'],
        timeMs: clock.absolute(nowMs),
        evidence: {
          minutesAbove: minutes,
          maxC,
          peakC: Math.round(parcel.peakC * 10) / 10,
          class: parcel.className ?? '',
          parcelId: delivery.parcelId ?? '',
        },
      }),
    ];
  }

  return {
    name: 'cold-chain',
    kinds: ['delivery'],
    observe(event: SecurityEvent): Detection[] {
      const found = deliveryOf(event);
      if (!config.enabled || found === undefined) return [];
      const { delivery, type } = found;
      // A reading from a sensor of its own (a cool box in a van) is keyed by the device.
      const key = parcelKeyOf(delivery) ?? delivery.deviceId;
      const className = classOf(delivery);
      const ownMaxC = numberOf(delivery.attributes['maxC']);
      const isReading = type === 'sensor.temperature';
      if (key === undefined || (!isReading && className === undefined && ownMaxC === undefined)) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      parcels.sweep(nowMs);
      cooldown.sweep(nowMs);
      const known = parcels.peek(key, nowMs);
      if (known === undefined && className === undefined && ownMaxC === undefined) return [];
      const parcel = parcels.upsert(key, nowMs, () => ({
        lastMs: nowMs,
        positionMs: nowMs,
        className: undefined,
        ownMaxC: undefined,
        lastReadingMs: undefined,
        lastAbove: false,
        aboveMs: 0,
        peakC: Number.NEGATIVE_INFINITY,
        lastSeq: -1,
        ids: [],
      }));
      parcel.className = className ?? parcel.className;
      parcel.ownMaxC = ownMaxC ?? parcel.ownMaxC;
      return isReading ? reading(event, delivery, key, parcel, nowMs) : [];
    },
    stateSize: () => parcels.size + cooldown.size,
  };
}
