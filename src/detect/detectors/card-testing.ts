/**
 * Card testing (detect, built-in detector): a fraudster checks which stolen card numbers
 * work with bursts of small authorisations, most of them declined, many distinct cards from
 * one session, address or account (`ecommerce.card-testing`). Reads the shop's `payment`
 * events: outcome, amount, card fingerprint and the decline code (`attributes.code`).
 * No ATT&CK technique fits. docs/detectors.md explains the settings.
 *
 * @example
 *   const detector = createCardTestingDetector({ smallAmountMinor: 500 });
 *   const detections = detector.observe(paymentDeclinedEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, DetectionEntity, Detector } from '../detector.js';
import { count, durationMs, fraction, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, entityNoun, histogram, ratio } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import type { EventWindow } from './kit/event-window.js';
import { accountKeyOf, businessOf, clientIpOf, sessionOf, stringAttribute } from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

export const cardTestingConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    paymentTypes: z.array(z.string().min(1).max(64)).min(1).default(['payment']),
    /** The entities whose payments are counted together. */
    keys: z
      .array(z.enum(['ip', 'account', 'session']))
      .min(1)
      .default(['ip', 'account', 'session']),
    window: durationMs.prefault('10m'),
    cooldown: durationMs.prefault('30m'),
    minAttempts: count.default(6),
    minDistinctCards: count.default(4),
    minFailures: count.default(4),
    minFailureRatio: fraction.default(0.5),
    /** An authorisation at or below this amount (minor units) is "small". */
    smallAmountMinor: z.number().int().min(0).default(1000),
    /** Share of small authorisations that makes the burst look like testing. */
    minSmallShare: fraction.default(0.5),
    /** With this many distinct cards the amounts no longer matter. */
    manyDistinctCards: count.default(10),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(1000),
  })
  .strict();

export type CardTestingConfig = z.output<typeof cardTestingConfigSchema>;
export type CardTestingConfigInput = z.input<typeof cardTestingConfigSchema>;

const RULE = 'ecommerce.card-testing';

export function createCardTestingDetector(
  input: CardTestingConfigInput = {},
  where = 'detectors.card-testing',
): Detector {
  const config = parseDetectorConfig(cardTestingConfigSchema, input, where);
  const paymentTypes = new Set(config.paymentTypes);
  const windows = new WindowTable({
    windowMs: config.window,
    maxKeys: config.maxKeys,
    maxEntriesPerKey: config.maxEventsPerKey,
  });
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();
  const isSmall = (amount: number) => amount > 0 && amount <= config.smallAmountMinor;

  function judge(window: EventWindow, entity: DetectionEntity, nowMs: number): Detection | undefined {
    const attempts = window.size;
    const cards = window.distinctA;
    if (attempts < config.minAttempts || cards < config.minDistinctCards) return undefined;
    if (window.failures < config.minFailures || window.failures / attempts < config.minFailureRatio)
      return undefined;
    const small = window.count((e) => isSmall(e.amount));
    if (small / attempts < config.minSmallShare && cards < config.manyDistinctCards) return undefined;
    if (!cooldown.allow(RULE, entity, nowMs)) return undefined;
    const entries = [...window.live()];
    const succeeded = attempts - window.failures;
    return detection({
      ruleId: RULE,
      title: `Card testing from one ${entityNoun(entity)}`,
      description: `${attempts} authorisations with ${cards} distinct cards in ${Math.round(config.window / 1000)} s, ${window.failures} declined, ${small} small. ${succeeded > 0 ? `${succeeded} card(s) were accepted: refund and block them. ` : ''}Challenge or block the ${entityNoun(entity)}.`,
      severity: 'high',
      eventIds: window.eventIds(1000, (e) => !e.failed),
      entity,
      attack: [],
      tags: ['ecommerce', 'card-testing', 'payment', 'fraud'],
      timeMs: clock.absolute(nowMs),
      evidence: {
        attempts,
        declines: window.failures,
        accepted: succeeded,
        distinctCards: cards,
        smallAuthorisations: small,
        failureRatio: ratio(window.failures, attempts),
        maxAmountMinor: entries.reduce((max, e) => Math.max(max, e.amount), 0),
        declineCodes: histogram(entries.filter((e) => e.failed).map((e) => e.b ?? 'unknown')),
      },
    });
  }

  return {
    name: 'card-testing',
    kinds: ['business'],
    observe(event: SecurityEvent): Detection[] {
      const business = businessOf(event, paymentTypes);
      if (!config.enabled || business === undefined || business.outcome === undefined) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      windows.sweep(nowMs);
      cooldown.sweep(nowMs);
      const card = business.cardFingerprint ?? stringAttribute(business, 'cardFingerprint');
      const code = stringAttribute(business, 'code') ?? stringAttribute(business, 'reason');
      const entities: DetectionEntity[] = [];
      for (const key of config.keys) {
        const value =
          key === 'ip' ? clientIpOf(event) : key === 'account' ? accountKeyOf(business) : sessionOf(event);
        if (value !== undefined) entities.push({ type: key, value });
      }
      const found: Detection[] = [];
      for (const entity of entities) {
        const window = windows.add(`${entity.type}|${entity.value}`, {
          t: nowMs,
          id: event.id,
          failed: business.outcome === 'failure',
          a: card,
          b: code,
          amount: business.amountMinor ?? 0,
        });
        const d = judge(window, entity, nowMs);
        if (d) found.push(d);
      }
      return found;
    },
    stateSize: () => windows.size + cooldown.size,
  };
}
