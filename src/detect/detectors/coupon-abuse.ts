/**
 * Coupon abuse (detect, built-in detector): guessing codes (many rejected coupon attempts
 * with distinct codes by one client: `ecommerce.coupon-abuse.guessing`) and farming a
 * once-per-customer coupon with throwaway accounts (one code used by several accounts from
 * one address, or shipped to one postal address: `ecommerce.coupon-abuse.multi-account`).
 * Reads the shop's `coupon` events (`attributes.code`, `attributes.reason`) and `order`
 * events (`attributes.couponCode`, `postalAddress`). No ATT&CK technique fits.
 * docs/detectors.md explains the settings.
 *
 * @example
 *   const detector = createCouponAbuseDetector({ multiAccount: { minAccounts: 3 } });
 *   const detections = detector.observe(couponRejectedEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, DetectionEntity, Detector } from '../detector.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, entityNoun, histogram } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import {
  accountKeyOf,
  businessOf,
  clientIpOf,
  sessionOf,
  stringAttribute,
  type Business,
} from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

export const couponAbuseConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    couponTypes: z.array(z.string().min(1).max(64)).min(1).default(['coupon']),
    orderTypes: z.array(z.string().min(1).max(64)).min(1).default(['order']),
    guessing: z
      .object({
        window: durationMs.prefault('10m'),
        minFailures: count.default(6),
        minDistinctCodes: count.default(4),
      })
      .strict()
      .prefault({}),
    multiAccount: z
      .object({
        window: durationMs.prefault('24h'),
        /** Accounts using one code from one client address. */
        minAccounts: count.default(4),
        /** Accounts using one code for one postal address (a stronger sign: lower bar). */
        minAccountsPerPostalAddress: count.default(3),
      })
      .strict()
      .prefault({}),
    cooldown: durationMs.prefault('1h'),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(500),
  })
  .strict();

export type CouponAbuseConfig = z.output<typeof couponAbuseConfigSchema>;
export type CouponAbuseConfigInput = z.input<typeof couponAbuseConfigSchema>;

const RULE_GUESSING = 'ecommerce.coupon-abuse.guessing';
const RULE_MULTI_ACCOUNT = 'ecommerce.coupon-abuse.multi-account';

function normalisedPostalAddress(address: string): string {
  return address
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function createCouponAbuseDetector(
  input: CouponAbuseConfigInput = {},
  where = 'detectors.coupon-abuse',
): Detector {
  const config = parseDetectorConfig(couponAbuseConfigSchema, input, where);
  const couponTypes = new Set(config.couponTypes);
  const orderTypes = new Set(config.orderTypes);
  const bounds = { maxKeys: config.maxKeys, maxEntriesPerKey: config.maxEventsPerKey };
  const failures = new WindowTable({ ...bounds, windowMs: config.guessing.window });
  const uses = new WindowTable({ ...bounds, windowMs: config.multiAccount.window });
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function guessing(event: SecurityEvent, business: Business, code: string, nowMs: number): Detection[] {
    const found: Detection[] = [];
    const entities: DetectionEntity[] = [];
    const ip = clientIpOf(event);
    const account = accountKeyOf(business);
    const session = sessionOf(event);
    if (ip) entities.push({ type: 'ip', value: ip });
    if (account) entities.push({ type: 'account', value: account });
    if (session) entities.push({ type: 'session', value: session });
    const reason = stringAttribute(business, 'reason');
    for (const entity of entities) {
      const entry = { t: nowMs, id: event.id, failed: true, a: code, b: reason, amount: 0 };
      const window = failures.add(`${entity.type}|${entity.value}`, entry);
      if (
        window.failures < config.guessing.minFailures ||
        window.distinctA < config.guessing.minDistinctCodes
      )
        continue;
      if (!cooldown.allow(RULE_GUESSING, entity, nowMs)) continue;
      const entries = [...window.live()];
      found.push(
        detection({
          ruleId: RULE_GUESSING,
          title: `Coupon code guessing by one ${entityNoun(entity)}`,
          description: `${window.failures} rejected coupon attempts with ${window.distinctA} distinct codes in ${Math.round(config.guessing.window / 1000)} s.`,
          severity: 'medium',
          eventIds: window.eventIds(),
          entity,
          attack: [],
          tags: ['ecommerce', 'coupon-abuse'],
          timeMs: clock.absolute(nowMs),
          evidence: {
            rejected: window.failures,
            distinctCodes: window.distinctA,
            codes: histogram(
              entries.map((e) => e.a),
              10,
            ),
            reasons: histogram(entries.map((e) => e.b ?? 'unknown')),
          },
        }),
      );
    }
    return found;
  }

  function multiAccount(
    event: SecurityEvent,
    code: string,
    account: string,
    where: DetectionEntity,
    minAccounts: number,
    nowMs: number,
  ): Detection[] {
    const entry = { t: nowMs, id: event.id, failed: false, a: account, b: undefined, amount: 0 };
    const window = uses.add(`${code}|${where.type}|${where.value}`, entry);
    if (window.distinctA < minAccounts || !cooldown.allow(`${RULE_MULTI_ACCOUNT}|${code}`, where, nowMs))
      return [];
    return [
      detection({
        ruleId: RULE_MULTI_ACCOUNT,
        title: `Coupon ${code} used by ${window.distinctA} accounts from one ${where.type === 'ip' ? 'address' : 'postal address'}`,
        description: `${window.distinctA} accounts used the coupon ${code} from one ${entityNoun(where)} in ${Math.round(config.multiAccount.window / 3_600_000)} h: one customer farming a once-per-customer coupon.`,
        severity: 'medium',
        eventIds: window.eventIds(),
        entity: where,
        attack: [],
        tags: ['ecommerce', 'coupon-abuse'],
        timeMs: clock.absolute(nowMs),
        evidence: { code, distinctAccounts: window.distinctA, uses: window.size },
      }),
    ];
  }

  return {
    name: 'coupon-abuse',
    kinds: ['business'],
    observe(event: SecurityEvent): Detection[] {
      const business = businessOf(event);
      if (!config.enabled || business === undefined) return [];
      const isCoupon = couponTypes.has(business.type);
      const code = isCoupon ? stringAttribute(business, 'code') : stringAttribute(business, 'couponCode');
      if (code === undefined || !(isCoupon || orderTypes.has(business.type))) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      failures.sweep(nowMs);
      uses.sweep(nowMs);
      cooldown.sweep(nowMs);
      const upper = code.toUpperCase();
      if (isCoupon && business.outcome === 'failure') return guessing(event, business, upper, nowMs);
      if (business.outcome === 'failure') return [];
      const account = accountKeyOf(business);
      if (account === undefined) return [];
      const ip = clientIpOf(event);
      if (isCoupon && ip)
        return multiAccount(
          event,
          upper,
          account,
          { type: 'ip', value: ip },
          config.multiAccount.minAccounts,
          nowMs,
        );
      if (!isCoupon && business.postalAddress) {
        const address = { type: 'address', value: normalisedPostalAddress(business.postalAddress) } as const;
        return multiAccount(
          event,
          upper,
          account,
          address,
          config.multiAccount.minAccountsPerPostalAddress,
          nowMs,
        );
      }
      return [];
    },
    stateSize: () => failures.size + uses.size + cooldown.size,
  };
}
