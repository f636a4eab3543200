/**
 * The shop's business events: what the shop tells Ensuresec about logins, registrations,
 * orders, payments, coupons, address and delivery changes. The composition root bridges
 * `onBusinessEvent` to SecurityEvents (kind 'business'); the fields mirror that section.
 */
import type { Logger } from 'pino';
import type { ShopBusinessEvent } from '../../ingest/sources/shop/business-event.js';

export const BUSINESS_EVENT_TYPES = [
  'login',
  'logout',
  'registration',
  'order',
  'payment',
  'coupon',
  'address_change',
  'delivery_status',
] as const;
export type BusinessEventType = (typeof BUSINESS_EVENT_TYPES)[number];

/** The shape Ensuresec's shop source takes, with the types this shop emits. */
export interface BusinessEvent extends ShopBusinessEvent {
  type: BusinessEventType;
}

export type BusinessEventListener = (event: BusinessEvent) => void;

export function accountIdOf(customerId: number): string {
  return `cus_${customerId}`;
}

/** Wraps the caller's listener so a throwing listener is logged and never breaks a shop request. */
export function safeEmitter(
  listener: BusinessEventListener | undefined,
  logger: Logger,
): BusinessEventListener {
  return (event) => {
    if (!listener) return;
    try {
      listener(event);
    } catch (err) {
      logger.warn({ err, type: event.type }, 'demo shop: business event listener threw');
    }
  };
}
