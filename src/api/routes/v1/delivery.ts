/**
 * Delivery ingest routes (api/v1): carriers post their parcel events as Standard Webhooks
 * (`POST /delivery/webhooks/:carrier`, authenticated by the carrier's signing secret), and a
 * carrier's, locker operator's or shop's backend posts batches of carrier events, "item not
 * received" claims and order address changes with an API token holding
 * `write:delivery-events` (`POST /delivery/events`). Both store before they answer, are
 * idempotent (a webhook-id or an item id sent again answers `duplicate`), then publish the new
 * events on the bus for detection. docs/delivery.md documents the payloads.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TOPICS } from '../../../bus/bus.js';
import { EnsuresecError } from '../../../core/errors.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import { carrierWebhookToEvent, deliveryApiEventToEvent } from '../../../ingest/sources/delivery/mapping.js';
import {
  CARRIER_ID,
  carrierWebhookSchema,
  deliveryApiEventSchema,
} from '../../../ingest/sources/delivery/schema.js';
import { DEFAULT_TOLERANCE_MS, verifyWebhook } from '../../../ingest/sources/webhook/verify.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';

export const MAX_DELIVERY_EVENTS_PER_BATCH = 1000;
const MAX_ISSUES_PER_ITEM = 10;

const issueSchema = z.object({ path: z.string(), code: z.string(), message: z.string() });
const itemResultSchema = z.object({
  index: z.number().int(),
  /** The sender's item id. */
  id: z.string().optional(),
  /** The SecurityEvent id it was stored under. */
  eventId: z.string().optional(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  issues: z.array(issueSchema).optional(),
});
type ItemResult = z.infer<typeof itemResultSchema>;

const batchResultSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(itemResultSchema),
});

const webhookResultSchema = z.object({
  webhookId: z.string(),
  eventId: z.string(),
  status: z.enum(['accepted', 'duplicate']),
});

async function storeAndPublish(
  events: readonly SecurityEvent[],
  deps: ResolvedApiDeps,
  request: FastifyRequest,
): Promise<Set<string>> {
  const stored = new Set(await deps.store.events.insertNew(events));
  for (const event of events) {
    if (!stored.has(event.id)) continue;
    try {
      await deps.bus.publish(TOPICS.events, event, { id: event.id });
    } catch (error) {
      request.log.error({ err: error, eventId: event.id }, 'a stored event could not be published');
    }
  }
  return stored;
}

function tooLate(path: string, message: string) {
  return { path, code: 'too_big', message };
}

const WEBHOOK_FAILURE_CODES = {
  missing_headers: 'unauthenticated',
  malformed_headers: 'webhook_signature_invalid',
  signature_mismatch: 'webhook_signature_invalid',
  timestamp_out_of_tolerance: 'webhook_timestamp_out_of_tolerance',
} as const;

const carrierWebhook = defineRoute('delivery', {
  method: 'POST',
  url: '/delivery/webhooks/:carrier',
  summary:
    "Send one carrier parcel event as a Standard Webhooks delivery, signed with that carrier's secret (not a token)",
  // Public to the token gate: the carrier's webhook signature authenticates the sender instead.
  access: 'public',
  params: z.strictObject({ carrier: z.string().regex(CARRIER_ID, 'a configured carrier id') }),
  response: { schema: webhookResultSchema },
  async handler({ request, deps, params, body }) {
    const settings = deps.ingest?.delivery;
    const keys = settings?.carriers.get(params.carrier) ?? [];
    const toleranceMs = settings?.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    const verified = verifyWebhook({
      headers: request.headers,
      body: request.rawBody ?? Buffer.alloc(0),
      keys,
      nowMs: deps.clock.nowMs(),
      toleranceMs,
    });
    if (!verified.ok) {
      const detail =
        verified.failure === 'signature_mismatch' && keys.length === 0
          ? `No webhook secret is configured for carrier "${params.carrier}" (ingest.delivery.carriers).`
          : verified.detail;
      throw new EnsuresecError(WEBHOOK_FAILURE_CODES[verified.failure], { detail });
    }
    const parsed = carrierWebhookSchema.safeParse(body);
    if (!parsed.success) {
      throw new EnsuresecError('validation_failed', {
        detail: 'The carrier event is invalid.',
        details: parsed.error.issues.slice(0, MAX_ISSUES_PER_ITEM).map((issue) => ({
          in: 'body',
          path: issue.path.map(String).join('.'),
          code: issue.code,
          message: issue.message,
        })),
      });
    }
    if (Date.parse(parsed.data.timestamp) > verified.timestampSeconds * 1000 + toleranceMs) {
      throw new EnsuresecError('validation_failed', {
        detail: 'The carrier event is invalid.',
        details: [
          {
            in: 'body',
            ...tooLate('timestamp', 'the event happened after webhook-timestamp, when it was sent'),
          },
        ],
      });
    }
    const event = carrierWebhookToEvent(params.carrier, verified.id, parsed.data);
    const stored = await storeAndPublish([event], deps, request);
    return {
      webhookId: verified.id,
      eventId: event.id,
      status: stored.has(event.id) ? ('accepted' as const) : ('duplicate' as const),
    };
  },
});

const deliveryEvents = defineRoute('delivery', {
  method: 'POST',
  url: '/delivery/events',
  summary: `Send a batch of 1-${MAX_DELIVERY_EVENTS_PER_BATCH} carrier events, not-received claims and order address changes`,
  access: 'write:delivery-events',
  body: z.strictObject({ events: z.array(z.unknown()).min(1).max(MAX_DELIVERY_EVENTS_PER_BATCH) }),
  response: { schema: batchResultSchema },
  async handler({ body, deps, request, principal }) {
    const latestMs = deps.clock.nowMs() + (deps.ingest?.delivery?.toleranceMs ?? DEFAULT_TOLERANCE_MS);
    const results: ItemResult[] = [];
    const events: SecurityEvent[] = [];
    const seen = new Set<string>();
    body.events.forEach((item, index) => {
      const itemId = idOf(item);
      const parsed = deliveryApiEventSchema.safeParse(item);
      const issues = parsed.success
        ? Date.parse(parsed.data.time) > latestMs
          ? [tooLate('time', 'the event is in the future; check the sender clock')]
          : []
        : parsed.error.issues.slice(0, MAX_ISSUES_PER_ITEM).map((issue) => ({
            path: issue.path.map(String).join('.'),
            code: issue.code,
            message: issue.message,
          }));
      if (!parsed.success || issues.length > 0) {
        results.push({ index, ...(itemId === undefined ? {} : { id: itemId }), status: 'rejected', issues });
        return;
      }
      const event = deliveryApiEventToEvent(principal.user.id, principal.user.name, parsed.data);
      if (!seen.has(event.id)) events.push(event);
      seen.add(event.id);
      results.push({ index, id: parsed.data.id, eventId: event.id, status: 'accepted' });
    });
    const stored = await storeAndPublish(events, deps, request);
    const answered = new Set<string>();
    for (const result of results) {
      if (result.status !== 'accepted' || result.eventId === undefined) continue;
      if (answered.has(result.eventId) || !stored.has(result.eventId)) result.status = 'duplicate';
      answered.add(result.eventId);
    }
    const count = (status: ItemResult['status']) => results.filter((r) => r.status === status).length;
    return {
      accepted: count('accepted'),
      duplicates: count('duplicate'),
      rejected: count('rejected'),
      results,
    };
  },
});

function idOf(item: unknown): string | undefined {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}

export const deliveryRoutes = [carrierWebhook, deliveryEvents];
