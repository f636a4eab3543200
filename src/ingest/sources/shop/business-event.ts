/**
 * Source: the shop's business events (logins, registrations, orders, payments, coupons,
 * address and delivery changes), turned into SecurityEvents of kind 'business'.
 * The demo shop calls this through the composition root; real shops will post the same
 * shape as signed webhooks.
 */
import { newId } from '../../../core/ids.js';
import type { SecurityEvent } from '../../../core/records/index.js';

export interface ShopBusinessEvent {
  type: string;
  outcome?: 'success' | 'failure';
  accountId?: string;
  email?: string;
  postalAddress?: string;
  cardFingerprint?: string;
  amountMinor?: number;
  currency?: string;
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
  const business: NonNullable<SecurityEvent['business']> = { type: event.type, attributes: event.attributes };
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
