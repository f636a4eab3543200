/**
 * Parcel locker security (detect, built-in detector, delivery chain). Rules, entity `device`
 * (the locker id, with `/compartment` when one is named):
 * - `delivery.locker-forced-open`: a door opens (`locker.door` state open) or a compartment
 *   empties (`locker.compartment` state empty) with no authorisation in the `authorisedFor`
 *   before: a valid code (`codeValid: true` on any event of that locker and compartment), a
 *   `locker.pickup` or a drop-off (`carrier.delivered` with the locker id); an opening with
 *   `codeValid: false` on the event itself is unauthorised too;
 * - `delivery.locker-code-guessing`: `minInvalidCodes` invalid codes on one locker in `window`;
 * - `delivery.locker-tamper`: the tamper switch reports triggered (`locker.tamper`);
 * - `delivery.locker-off-hours`: a door opens outside `deliveryWindow` (`HH:MM`-`HH:MM` in
 *   `utcOffsetMinutes`); off unless a window is set, since most lockers serve round the clock;
 * - `delivery.locker-silent`: a locker that reported at least twice is silent for `silence`.
 *   Detectors only run on events, so silence is found on the next event of any device: the
 *   lockers are checked every `checkEvery` of event time (the `time` we accepted the events
 *   at, never the devices' skewed clocks).
 *
 * @example
 *   const detector = createLockerSecurityDetector({ deliveryWindow: { from: '06:00', to: '22:00' } });
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { deliveryOf, isActiveState, textOf, type Delivery } from './kit/delivery.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import { WindowTable } from './kit/window-table.js';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 06:00');

export const lockerSecurityConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How long a valid code, a pickup or a drop-off authorises the door of its compartment. */
    authorisedFor: durationMs.prefault('3m'),
    minInvalidCodes: count.default(5),
    window: durationMs.prefault('10m'),
    deliveryWindow: z.object({ from: clockTime, to: clockTime }).strict().optional(),
    utcOffsetMinutes: z.number().int().min(-840).max(840).default(0),
    silence: durationMs.prefault('15m'),
    checkEvery: durationMs.prefault('1m'),
    cooldown: durationMs.prefault('1h'),
    maxKeys: maxKeys.default(100_000),
  })
  .strict();

export type LockerSecurityConfigInput = z.input<typeof lockerSecurityConfigSchema>;

const FORCED = 'delivery.locker-forced-open';
const GUESSING = 'delivery.locker-code-guessing';
const TAMPER = 'delivery.locker-tamper';
const OFF_HOURS = 'delivery.locker-off-hours';
const SILENT = 'delivery.locker-silent';

interface Authorisation extends Stamped {
  atMs: number;
  eventId: string;
}

interface Locker extends Stamped {
  reports: number;
  lastEventId: string;
  silentReported: boolean;
}

const TEXT: Record<string, { title: string; severity: Detection['severity']; advice: string }> = {
  [FORCED]: {
    title: 'Locker opened without a valid code',
    severity: 'high',
    advice: 'Block the compartment, hold the parcels in it and send someone to check the locker.',
  },
  [GUESSING]: {
    title: 'Pickup codes guessed at a locker',
    severity: 'medium',
    advice: 'Block the locker keypad for a while and check its camera.',
  },
  [TAMPER]: {
    title: 'Locker tamper switch triggered',
    severity: 'high',
    advice: 'Send someone to check the locker and hold the parcels in it.',
  },
  [OFF_HOURS]: {
    title: 'Locker opened outside the delivery window',
    severity: 'medium',
    advice: 'Check who opened it with the carrier.',
  },
  [SILENT]: {
    title: 'Locker stopped reporting',
    severity: 'medium',
    advice: 'A cut power or network line can hide a break-in: check the locker.',
  },
};

function minutesOfDay(text: string): number {
  const [hours, minutes] = text.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

function isDoorOpen(type: string, delivery: Delivery): boolean {
  if (type !== 'locker.door' && type !== 'locker.door_open' && type !== 'locker.door_opened') return false;
  if (type !== 'locker.door') return true;
  return isActiveState(delivery.state ?? delivery.attributes['open']) === true;
}

function isEmptied(type: string, delivery: Delivery): boolean {
  if (type !== 'locker.compartment') return false;
  const state = (delivery.state ?? textOf(delivery.attributes['occupancy']) ?? '').toLowerCase();
  return state === 'empty' || state === 'emptied' || state === 'vacant';
}

export function createLockerSecurityDetector(
  input: LockerSecurityConfigInput = {},
  where = 'detectors.locker-security',
): Detector {
  const config = parseDetectorConfig(lockerSecurityConfigSchema, input, where);
  const authorisations = new BoundedMap<Authorisation>(config.maxKeys, config.authorisedFor);
  const lockers = new BoundedMap<Locker>(config.maxKeys, 7 * 86_400_000);
  const invalidCodes = new WindowTable({
    windowMs: config.window,
    maxKeys: config.maxKeys,
    maxEntriesPerKey: 100,
  });
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();
  const lastSeen = new Map<string, number>();
  let nextCheckMs = 0;

  function fire(
    rule: string,
    value: string,
    nowMs: number,
    what: string,
    eventIds: string[],
    evidence: Detection['evidence'],
  ): Detection[] {
    const entity = { type: 'device', value } as const;
    if (!cooldown.allow(rule, entity, nowMs)) return [];
    const text = TEXT[rule] as (typeof TEXT)[string];
    return [
      detection({
        ruleId: rule,
        title: text.title,
        description: `${what} ${text.advice}`,
        severity: text.severity,
        eventIds,
        entity,
        attack: [],
        tags: ['delivery', 'locker-security'],
        timeMs: clock.absolute(nowMs),
        evidence,
      }),
    ];
  }

  function outsideWindow(nowMs: number): boolean {
    const window = config.deliveryWindow;
    if (window === undefined) return false;
    const localMinutes =
      Math.floor(((clock.absolute(nowMs) / 60_000 + config.utcOffsetMinutes) % 1440) + 1440) % 1440;
    const from = minutesOfDay(window.from);
    const to = minutesOfDay(window.to);
    const inside =
      from <= to ? localMinutes >= from && localMinutes < to : localMinutes >= from || localMinutes < to;
    return !inside;
  }

  function checkSilence(nowMs: number): Detection[] {
    if (nowMs < nextCheckMs) return [];
    nextCheckMs = nowMs + config.checkEvery;
    const found: Detection[] = [];
    for (const [lockerId, lastMs] of lastSeen) {
      const locker = lockers.peek(lockerId, nowMs);
      if (locker === undefined) {
        lastSeen.delete(lockerId);
        continue;
      }
      // Oldest first: the first locker heard from recently ends the scan.
      if (nowMs - lastMs < config.silence) break;
      if (locker.silentReported || locker.reports < 2) continue;
      locker.silentReported = true;
      const minutes = Math.round((nowMs - lastMs) / 60_000);
      found.push(
        ...fire(
          SILENT,
          lockerId,
          nowMs,
          `No message from the locker for ${minutes} min.`,
          [locker.lastEventId],
          {
            minutesSilent: minutes,
            silenceMinutes: Math.round(config.silence / 60_000),
          },
        ),
      );
    }
    return found;
  }

  function judge(
    event: SecurityEvent,
    delivery: Delivery,
    type: string,
    lockerId: string,
    nowMs: number,
  ): Detection[] {
    const compartment = delivery.compartmentId ? `${lockerId}/${delivery.compartmentId}` : lockerId;
    const found: Detection[] = [];
    const authorises =
      delivery.codeValid === true ||
      (delivery.codeValid === undefined && (type === 'locker.pickup' || type === 'carrier.delivered'));
    if (authorises) {
      for (const key of new Set([compartment, lockerId])) {
        const entry = authorisations.upsert(key, nowMs, () => ({
          lastMs: nowMs,
          positionMs: nowMs,
          atMs: nowMs,
          eventId: event.id,
        }));
        entry.atMs = nowMs;
        entry.eventId = event.id;
      }
    }
    if (delivery.codeValid === false) {
      const window = invalidCodes.add(lockerId, {
        t: nowMs,
        id: event.id,
        failed: true,
        a: delivery.compartmentId,
        b: undefined,
        amount: 0,
      });
      if (window.size >= config.minInvalidCodes) {
        found.push(
          ...fire(
            GUESSING,
            lockerId,
            nowMs,
            `${window.size} invalid codes in ${Math.round(config.window / 60_000)} min.`,
            window.eventIds(),
            {
              invalidCodes: window.size,
              compartments: window.distinctA,
            },
          ),
        );
      }
    }
    if (type === 'locker.tamper' && isActiveState(delivery.state ?? delivery.value ?? true) === true) {
      found.push(
        ...fire(TAMPER, lockerId, nowMs, 'The tamper switch of the locker was triggered.', [event.id], {
          compartment: delivery.compartmentId ?? '',
          state: delivery.state ?? 'triggered',
        }),
      );
    }
    const opened = isDoorOpen(type, delivery);
    if (opened || isEmptied(type, delivery)) {
      const authorisation =
        delivery.codeValid === false
          ? undefined
          : (authorisations.peek(compartment, nowMs) ??
            (compartment === lockerId ? undefined : authorisations.peek(lockerId, nowMs)));
      const valid =
        delivery.codeValid === true ||
        (authorisation !== undefined && nowMs - authorisation.atMs <= config.authorisedFor);
      // The locker itself says the door opened without the lock releasing.
      const forced = (delivery.state ?? '').toLowerCase() === 'forced';
      if (!valid || forced) {
        const what = opened ? 'A door opened' : 'A compartment emptied';
        found.push(
          ...fire(
            FORCED,
            compartment,
            nowMs,
            `${what} with no valid code, pickup or drop-off before it.`,
            [event.id],
            {
              lockerId,
              compartment: delivery.compartmentId ?? '',
              codeValid: delivery.codeValid ?? 'none',
              sensor: opened ? 'door' : 'compartment',
            },
          ),
        );
      }
      if (opened && outsideWindow(nowMs)) {
        found.push(
          ...fire(OFF_HOURS, lockerId, nowMs, 'A door opened outside the delivery window.', [event.id], {
            window: `${config.deliveryWindow?.from}-${config.deliveryWindow?.to}`,
            codeValid: delivery.codeValid ?? 'none',
          }),
        );
      }
    }
    return found;
  }

  return {
    name: 'locker-security',
    kinds: ['delivery'],
    observe(event: SecurityEvent): Detection[] {
      if (!config.enabled) return [];
      const found = deliveryOf(event);
      if (found === undefined) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      authorisations.sweep(nowMs);
      lockers.sweep(nowMs);
      invalidCodes.sweep(nowMs);
      cooldown.sweep(nowMs);
      const detections = checkSilence(nowMs);
      const lockerId = found.delivery.lockerId;
      if (!lockerId) return detections;
      if (found.type.startsWith('locker.')) {
        const locker = lockers.upsert(lockerId, nowMs, () => ({
          lastMs: nowMs,
          positionMs: nowMs,
          reports: 0,
          lastEventId: event.id,
          silentReported: false,
        }));
        locker.reports++;
        locker.lastEventId = event.id;
        locker.silentReported = false;
        lastSeen.delete(lockerId);
        lastSeen.set(lockerId, nowMs);
        if (lastSeen.size > config.maxKeys) lastSeen.delete(lastSeen.keys().next().value as string);
      }
      return [...detections, ...judge(event, found.delivery, found.type, lockerId, nowMs)];
    },
    stateSize: () => authorisations.size + lockers.size + invalidCodes.size + cooldown.size + lastSeen.size,
  };
}
