/**
 * The shop's business events as Standard Webhooks payloads (ingest, shop source): the spec's
 * envelope `{type, timestamp, data}` around one shop business event, validated, and turned
 * into a SecurityEvent whose id derives from the webhook-id, so a redelivery (same id, same
 * body, new attempt timestamp) is stored once.
 *
 * @example
 * { "type": "login", "timestamp": "2026-03-01T12:00:00Z",
 *   "data": { "outcome": "failure", "accountId": "cus_42", "clientIp": "203.0.113.7", "reason": "bad_password" } }
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isoTimestamp, type SecurityEvent } from '../../../core/records/index.js';
import {
  businessEventToSecurityEvent,
  SHOP_EVENT_TYPES,
  shopBusinessEventSchema,
  type ShopBusinessEvent,
} from '../shop/business-event.js';

export const SHOP_WEBHOOK_SOURCE = 'shop-webhook';

export const shopWebhookEnvelopeSchema = z.strictObject({
  type: z.enum(SHOP_EVENT_TYPES),
  /** When the event happened in the shop (ISO 8601); the same on every redelivery. */
  timestamp: isoTimestamp,
  data: z.record(z.string(), z.unknown()),
});

export interface PayloadIssue {
  path: string;
  code: string;
  message: string;
}

export type ParsedShopWebhook =
  { ok: true; event: ShopBusinessEvent; occurredMs: number } | { ok: false; issues: PayloadIssue[] };

function issuesOf(error: z.ZodError, prefix: string[]): PayloadIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

/** Validates a parsed JSON body; every problem is named with its path (`data.clientIp`). */
export function parseShopWebhookPayload(body: unknown): ParsedShopWebhook {
  const envelope = shopWebhookEnvelopeSchema.safeParse(body);
  if (!envelope.success) return { ok: false, issues: issuesOf(envelope.error, []) };
  const { type, timestamp, data } = envelope.data;
  if ('type' in data) {
    return {
      ok: false,
      issues: [{ path: 'data.type', code: 'unrecognized_keys', message: 'the type belongs to the envelope' }],
    };
  }
  const event = shopBusinessEventSchema.safeParse({ ...data, type });
  if (!event.success) return { ok: false, issues: issuesOf(event.error, ['data']) };
  return { ok: true, event: event.data, occurredMs: Date.parse(timestamp) };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function crockford(bytes: Uint8Array, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * `evt_<ULID>` with the event's time as the ULID time (lists stay newest first) and 80 bits
 * of SHA-256 over the webhook-id as the rest: the same delivery always gives the same id.
 */
export function shopWebhookEventId(webhookId: string, occurredMs: number): string {
  const hash = createHash('sha256').update(`${SHOP_WEBHOOK_SOURCE}\n${webhookId}`).digest();
  let time = '';
  let rest = Math.max(0, Math.floor(occurredMs));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  return `evt_${time}${crockford(hash.subarray(0, 10), 16)}`;
}

export function shopWebhookToSecurityEvent(
  webhookId: string,
  parsed: { event: ShopBusinessEvent; occurredMs: number },
): SecurityEvent {
  return {
    ...businessEventToSecurityEvent(parsed.event, SHOP_WEBHOOK_SOURCE, parsed.occurredMs),
    id: shopWebhookEventId(webhookId, parsed.occurredMs),
  };
}
