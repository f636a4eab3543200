/**
 * "Item not received" claims with a pattern (detect, built-in detector, delivery chain). A
 * claim is a `claim.not_received` delivery event (or a business event of a `claimTypes`
 * type); one order claimed twice counts once. Within `window`:
 * - `delivery.inr-repeat-customer`: `maxPerCustomer` claims by one customer (entity `account`);
 * - `delivery.inr-address`: `maxPerAddress` claims to one postal address, or claims by
 *   `maxAccountsPerAddress` accounts at one address, the ring's sign (entity `address`);
 * - `delivery.inr-payment-instrument`: `maxPerCard` claims paid with one card fingerprint
 *   (the business section's `cardFingerprint`, as the delivery API sends it, or
 *   `attributes.cardFingerprint`; entity `card`).
 * The customer is `customerId` (or the business account id or e-mail), the address the
 * event's `postalAddress` folded (case, punctuation, spaces).
 *
 * @example
 *   const detector = createInrClaimsDetector({ maxPerCustomer: 2, window: '180d' });
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, Detector } from '../detector.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { addressKeyOf, deliveryOf, normaliseDeliveryType, textOf } from './kit/delivery.js';
import { detection } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import type { EventWindow } from './kit/event-window.js';
import { accountKeyOf } from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

export const inrClaimsConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    claimTypes: z.array(z.string().min(1).max(64)).min(1).default(['claim.not_received', 'inr_claim']),
    window: durationMs.prefault('90d'),
    maxPerCustomer: count.default(3),
    maxPerAddress: count.default(4),
    maxAccountsPerAddress: count.default(3),
    maxPerCard: count.default(3),
    cooldown: durationMs.prefault('30d'),
    maxKeys: maxKeys.default(200_000),
  })
  .strict();

export type InrClaimsConfigInput = z.input<typeof inrClaimsConfigSchema>;

interface Claim {
  claimKey: string;
  customer: string | undefined;
  address: string | undefined;
  card: string | undefined;
  valueMinor: number;
}

function claimOf(event: SecurityEvent, claimTypes: ReadonlySet<string>): Claim | undefined {
  const found = deliveryOf(event);
  if (found !== undefined) {
    if (!claimTypes.has(found.type)) return undefined;
    const d = found.delivery;
    const customer = d.customerId ?? textOf(d.attributes['accountId']);
    const claimKey = d.orderId ?? d.parcelId ?? event.id;
    return {
      claimKey,
      customer,
      address: addressKeyOf(d.postalAddress),
      // The delivery API puts the card in the business section, whose fingerprint is marked personal.
      card:
        textOf(d.attributes['cardFingerprint'] ?? d.attributes['paymentInstrument']) ??
        event.business?.cardFingerprint,
      valueMinor: d.valueMinor ?? 0,
    };
  }
  const business = event.business;
  if (event.kind !== 'business' || business === undefined) return undefined;
  if (!claimTypes.has(normaliseDeliveryType(business.type)) && !claimTypes.has(business.type))
    return undefined;
  return {
    claimKey: textOf(business.attributes['orderId']) ?? event.id,
    customer: accountKeyOf(business),
    address: addressKeyOf(business.postalAddress),
    card: business.cardFingerprint ?? textOf(business.attributes['cardFingerprint']),
    valueMinor: business.amountMinor ?? 0,
  };
}

/** Claims in the window not counting one order twice. */
function distinctClaims(window: EventWindow): number {
  return window.distinctB;
}

export function createInrClaimsDetector(
  input: InrClaimsConfigInput = {},
  where = 'detectors.inr-claims',
): Detector {
  const config = parseDetectorConfig(inrClaimsConfigSchema, input, where);
  const claimTypes = new Set(config.claimTypes.map(normaliseDeliveryType));
  const table = () =>
    new WindowTable({ windowMs: config.window, maxKeys: config.maxKeys, maxEntriesPerKey: 200 });
  const byCustomer = table();
  const byAddress = table();
  const byCard = table();
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function fire(
    ruleId: string,
    entity: Detection['entity'],
    nowMs: number,
    window: EventWindow,
    title: string,
    what: string,
  ): Detection[] {
    if (!cooldown.allow(ruleId, entity, nowMs)) return [];
    const days = Math.round(config.window / 86_400_000);
    return [
      detection({
        ruleId,
        title,
        description: `${what} in ${days} days. Ask the carrier for proof of delivery and review the orders before refunding.`,
        severity: 'medium',
        eventIds: window.eventIds(),
        entity,
        attack: [],
        tags: ['delivery', 'inr-claims', 'fraud'],
        timeMs: clock.absolute(nowMs),
        evidence: {
          claims: distinctClaims(window),
          accounts: window.distinctA,
          claimedValueMinor: window.sum(),
          windowDays: days,
        },
      }),
    ];
  }

  return {
    name: 'inr-claims',
    kinds: ['business', 'delivery'],
    observe(event: SecurityEvent): Detection[] {
      if (!config.enabled) return [];
      const claim = claimOf(event, claimTypes);
      if (claim === undefined) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      for (const t of [byCustomer, byAddress, byCard]) t.sweep(nowMs);
      cooldown.sweep(nowMs);
      const entry = {
        t: nowMs,
        id: event.id,
        failed: false,
        a: claim.customer,
        b: claim.claimKey,
        amount: claim.valueMinor,
      };
      const found: Detection[] = [];
      if (claim.customer !== undefined) {
        const window = byCustomer.add(claim.customer, entry);
        if (distinctClaims(window) >= config.maxPerCustomer)
          found.push(
            ...fire(
              'delivery.inr-repeat-customer',
              { type: 'account', value: claim.customer },
              nowMs,
              window,
              'Repeated "not received" claims by one customer',
              `${distinctClaims(window)} "not received" claims by one customer`,
            ),
          );
      }
      if (claim.address !== undefined) {
        const window = byAddress.add(claim.address, entry);
        if (
          distinctClaims(window) >= config.maxPerAddress ||
          window.distinctA >= config.maxAccountsPerAddress
        )
          found.push(
            ...fire(
              'delivery.inr-address',
              { type: 'address', value: claim.address },
              nowMs,
              window,
              '"Not received" claims cluster at one address',
              `${distinctClaims(window)} "not received" claims by ${window.distinctA} account(s) at one address`,
            ),
          );
      }
      if (claim.card !== undefined) {
        const window = byCard.add(claim.card, entry);
        if (distinctClaims(window) >= config.maxPerCard)
          found.push(
            ...fire(
              'delivery.inr-payment-instrument',
              { type: 'card', value: claim.card },
              nowMs,
              window,
              '"Not received" claims on orders paid with one card',
              `${distinctClaims(window)} "not received" claims on orders paid with one card`,
            ),
          );
      }
      return found;
    },
    stateSize: () => byCustomer.size + byAddress.size + byCard.size + cooldown.size,
  };
}
