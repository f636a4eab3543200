/**
 * Source: the shop's business events (logins, registrations, orders, payments, coupons,
 * address and delivery changes), turned into SecurityEvents of kind 'business'.
 * The demo shop calls this through the composition root; real shops post the same shape as
 * signed webhooks (`POST /api/v1/shop-events`, validated by `shopBusinessEventSchema`).
 */
import { z } from 'zod';
import { newId } from '../../../core/ids.js';
import type { SecurityEvent } from '../../../core/records/index.js';

/**
 * The business event types a shop may send, named as the detectors read them: `order` is an
 * order placed, `payment` a payment authorisation result (its decline code in `reason`),
 * `coupon` a coupon redeemed.
 */
export const SHOP_EVENT_TYPES = [
  'login',
  'logout',
  'registration',
  'password_reset',
  'password_change',
  'email_change',
  'address_change',
  'payment_method_added',
  'cart_add',
  'order',
  'payment',
  'coupon',
  'refund_requested',
  'delivery_status',
] as const;
export type ShopEventType = (typeof SHOP_EVENT_TYPES)[number];

const MAX_ATTRIBUTES = 32;
const attributeValue = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]);

/** What a shop may send as one business event (untrusted input: bounded and strict). */
export const shopBusinessEventSchema = z
  .strictObject({
    type: z.enum(SHOP_EVENT_TYPES),
    outcome: z.enum(['success', 'failure']).optional(),
    accountId: z.string().min(1).max(256).optional(),
    email: z.string().min(3).max(320).optional(),
    postalAddress: z.string().min(1).max(1024).optional(),
    cardFingerprint: z.string().min(1).max(256).optional(),
    amountMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
      .optional(),
    /** Why it failed: a login failure reason (`unknown_account`) or a payment decline code (`05`). */
    reason: z.string().min(1).max(64).optional(),
    attributes: z
      .record(z.string().min(1).max(64), attributeValue)
      .refine((value) => Object.keys(value).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes`)
      .default({}),
    clientIp: z.union([z.ipv4(), z.ipv6()]),
  })
  .superRefine((event, ctx) => {
    if ((event.type === 'login' || event.type === 'payment') && event.outcome === undefined) {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: `a ${event.type} event needs its outcome` });
    }
  });

export interface ShopBusinessEvent {
  type: string;
  outcome?: 'success' | 'failure';
  accountId?: string;
  email?: string;
  postalAddress?: string;
  cardFingerprint?: string;
  amountMinor?: number;
  currency?: string;
  /** Kept in `attributes.reason`, where the detectors read it. */
  reason?: string;
  attributes: Record<string, unknown>;
  clientIp: string;
}

const SEVERITY_OF_FAILURE: Record<string, SecurityEvent['severity']> = {
  login: 'low',
  payment: 'low',
  coupon: 'low',
};

export function businessEventToSecurityEvent(
  event: ShopBusinessEvent,
  sourceName: string,
  nowMs: number,
): SecurityEvent {
  const attributes =
    event.reason === undefined ? event.attributes : { ...event.attributes, reason: event.reason };
  const business: NonNullable<SecurityEvent['business']> = { type: event.type, attributes };
  if (event.outcome) business.outcome = event.outcome;
  if (event.accountId) business.accountId = event.accountId;
  if (event.email) business.email = event.email;
  if (event.postalAddress) business.postalAddress = event.postalAddress;
  if (event.cardFingerprint) business.cardFingerprint = event.cardFingerprint;
  if (event.amountMinor !== undefined) business.amountMinor = event.amountMinor;
  if (event.currency) business.currency = event.currency;
  return {
    id: newId('evt', nowMs),
    time: new Date(nowMs).toISOString(),
    kind: 'business',
    source: { type: 'shop', name: sourceName },
    severity: event.outcome === 'failure' ? (SEVERITY_OF_FAILURE[event.type] ?? 'info') : 'info',
    client: { ip: event.clientIp },
    business,
    labels: {},
  };
}
