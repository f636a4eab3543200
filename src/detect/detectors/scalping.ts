/**
 * Scalping and inventory hoarding (detect, built-in detector): bots that grab scarce stock,
 * to resell it or to deny it to others. Carts holding many units of scarce products, or
 * scarce products added from several accounts at one address (`ecommerce.scalping.hoarding`);
 * checkouts of scarce products faster than a person can type, repeatedly from one address or
 * account (`ecommerce.scalping.fast-checkout`). Reads the shop's `cart_add` events
 * (`attributes.productId`, `quantity`, `stockRemaining` or `limited`) and `order` events.
 * No ATT&CK technique fits. docs/detectors.md explains the settings.
 *
 * @example
 *   const detector = createScalpingDetector({ scarceProducts: ['console-x'] });
 *   const detections = detector.observe(cartAddEvent);
 */
import { z } from 'zod';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Detection, DetectionEntity, Detector } from '../detector.js';
import { BoundedMap, type Stamped } from './kit/bounded-map.js';
import { count, durationMs, maxKeys, parseDetectorConfig } from './kit/config.js';
import { Cooldown } from './kit/cooldown.js';
import { detection, entityNoun, histogram } from './kit/detection.js';
import { EventClock } from './kit/event-clock.js';
import type { EventWindow } from './kit/event-window.js';
import {
  accountKeyOf,
  businessOf,
  clientIpOf,
  numberAttribute,
  sessionOf,
  stringAttribute,
  type Business,
} from './kit/fields.js';
import { WindowTable } from './kit/window-table.js';

export const scalpingConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    cartAddTypes: z.array(z.string().min(1).max(64)).min(1).default(['cart_add']),
    orderTypes: z.array(z.string().min(1).max(64)).min(1).default(['order']),
    /** Product ids (or slugs) always treated as scarce, e.g. a limited drop. */
    scarceProducts: z.array(z.string().min(1).max(256)).max(10_000).default([]),
    /** A product whose remaining stock (`attributes.stockRemaining`) is at or below this is scarce. */
    scarceStockAtOrBelow: z.number().int().min(0).default(10),
    window: durationMs.prefault('30m'),
    /** Units of scarce products added by one address, account or session within the window. */
    maxScarceUnits: count.default(6),
    /** Accounts adding scarce products from one address within the window. */
    maxAccountsPerAddress: count.default(3),
    /** A checkout this soon after the first scarce add-to-cart is faster than a person. */
    fastCheckout: durationMs.prefault('8s'),
    minFastCheckouts: count.default(2),
    cooldown: durationMs.prefault('30m'),
    maxKeys: maxKeys.default(100_000),
    maxEventsPerKey: count.default(500),
  })
  .strict();

export type ScalpingConfig = z.output<typeof scalpingConfigSchema>;
export type ScalpingConfigInput = z.input<typeof scalpingConfigSchema>;

const RULE_HOARDING = 'ecommerce.scalping.hoarding';
const RULE_FAST = 'ecommerce.scalping.fast-checkout';

interface Basket extends Stamped {
  firstScarceAddMs: number;
  product: string;
}

export function createScalpingDetector(
  input: ScalpingConfigInput = {},
  where = 'detectors.scalping',
): Detector {
  const config = parseDetectorConfig(scalpingConfigSchema, input, where);
  const cartAddTypes = new Set(config.cartAddTypes);
  const orderTypes = new Set(config.orderTypes);
  const scarceProducts = new Set(config.scarceProducts);
  const bounds = {
    windowMs: config.window,
    maxKeys: config.maxKeys,
    maxEntriesPerKey: config.maxEventsPerKey,
  };
  const adds = new WindowTable(bounds);
  const fast = new WindowTable(bounds);
  const baskets = new BoundedMap<Basket>(config.maxKeys, config.window);
  const cooldown = new Cooldown(config.cooldown, config.maxKeys);
  const clock = new EventClock();

  function isScarce(business: Business, product: string): boolean {
    if (scarceProducts.has(product) || business.attributes.limited === true) return true;
    const stock = numberAttribute(business, 'stockRemaining');
    return stock !== undefined && stock <= config.scarceStockAtOrBelow;
  }

  function entitiesOf(event: SecurityEvent, business: Business): DetectionEntity[] {
    const list: DetectionEntity[] = [];
    const ip = clientIpOf(event);
    const account = accountKeyOf(business);
    const session = sessionOf(event);
    if (ip) list.push({ type: 'ip', value: ip });
    if (account) list.push({ type: 'account', value: account });
    if (session) list.push({ type: 'session', value: session });
    return list;
  }

  function report(
    rule: string,
    entity: DetectionEntity,
    window: EventWindow,
    nowMs: number,
    text: string,
    evidence: Detection['evidence'],
  ): Detection[] {
    if (!cooldown.allow(rule, entity, nowMs)) return [];
    return [
      detection({
        ruleId: rule,
        title: `${rule === RULE_HOARDING ? 'Scarce stock hoarded' : 'Bot-speed checkouts of scarce stock'} by one ${entityNoun(entity)}`,
        description: text,
        severity: 'medium',
        eventIds: window.eventIds(),
        entity,
        attack: [],
        tags: ['ecommerce', 'scalping', 'inventory'],
        timeMs: clock.absolute(nowMs),
        evidence,
      }),
    ];
  }

  function cartAdd(event: SecurityEvent, business: Business, nowMs: number): Detection[] {
    const product = stringAttribute(business, 'productId') ?? stringAttribute(business, 'productSlug');
    if (product === undefined || !isScarce(business, product)) return [];
    const quantity = Math.max(1, Math.min(1000, Math.floor(numberAttribute(business, 'quantity') ?? 1)));
    const account = accountKeyOf(business);
    const basketKey = account ?? sessionOf(event) ?? clientIpOf(event);
    if (basketKey !== undefined) {
      const basket = baskets.upsert(basketKey, nowMs, () => ({
        lastMs: nowMs,
        positionMs: nowMs,
        firstScarceAddMs: nowMs,
        product,
      }));
      if (nowMs - basket.firstScarceAddMs > config.window) basket.firstScarceAddMs = nowMs;
    }
    const found: Detection[] = [];
    for (const entity of entitiesOf(event, business)) {
      const window = adds.add(`${entity.type}|${entity.value}`, {
        t: nowMs,
        id: event.id,
        failed: false,
        a: account,
        b: product,
        amount: quantity,
      });
      const units = window.sum();
      const accounts = entity.type === 'ip' ? window.distinctA : 1;
      if (units < config.maxScarceUnits && accounts < config.maxAccountsPerAddress) continue;
      const evidence = {
        scarceUnits: units,
        distinctProducts: window.distinctB,
        distinctAccounts: accounts,
        products: histogram(
          [...window.live()].map((e) => e.b),
          5,
        ),
      };
      const text = `${units} units of scarce products (${window.distinctB} product(s)) put in carts by ${accounts} account(s) in ${Math.round(config.window / 60_000)} min.`;
      found.push(...report(RULE_HOARDING, entity, window, nowMs, text, evidence));
    }
    return found;
  }

  function order(event: SecurityEvent, business: Business, nowMs: number): Detection[] {
    const account = accountKeyOf(business);
    const basketKey = account ?? sessionOf(event) ?? clientIpOf(event);
    const basket = basketKey === undefined ? undefined : baskets.peek(basketKey, nowMs);
    if (basketKey === undefined || basket === undefined) return [];
    baskets.delete(basketKey);
    const seconds = (nowMs - basket.firstScarceAddMs) / 1000;
    if (nowMs - basket.firstScarceAddMs > config.fastCheckout) return [];
    const found: Detection[] = [];
    for (const entity of entitiesOf(event, business)) {
      const window = fast.add(`${entity.type}|${entity.value}`, {
        t: nowMs,
        id: event.id,
        failed: false,
        a: account,
        b: basket.product,
        amount: seconds,
      });
      if (window.size < config.minFastCheckouts) continue;
      const slowest = [...window.live()].reduce((max, e) => Math.max(max, e.amount), 0);
      const evidence = {
        fastCheckouts: window.size,
        distinctAccounts: window.distinctA,
        slowestSeconds: Math.round(slowest * 10) / 10,
        thresholdSeconds: config.fastCheckout / 1000,
      };
      const text = `${window.size} checkouts of scarce products each within ${Math.round(slowest * 10) / 10} s of the first add-to-cart, by ${window.distinctA} account(s).`;
      found.push(...report(RULE_FAST, entity, window, nowMs, text, evidence));
    }
    return found;
  }

  return {
    name: 'scalping',
    kinds: ['business'],
    observe(event: SecurityEvent): Detection[] {
      const business = businessOf(event);
      if (!config.enabled || business === undefined || business.outcome === 'failure') return [];
      const isAdd = cartAddTypes.has(business.type);
      if (!isAdd && !orderTypes.has(business.type)) return [];
      const nowMs = clock.advance(event);
      if (nowMs === undefined) return [];
      for (const table of [adds, fast, baskets]) table.sweep(nowMs);
      cooldown.sweep(nowMs);
      return isAdd ? cartAdd(event, business, nowMs) : order(event, business, nowMs);
    },
    stateSize: () => adds.size + fast.size + baskets.size + cooldown.size,
  };
}
