/**
 * Ingest routes (api/v1): sources send events here. `POST /events` takes a batch of
 * SecurityEvents from a token with `write:events`; `POST /shop-events` takes one shop business
 * event signed per Standard Webhooks. Both store before they answer (what is acknowledged is
 * durable), are idempotent by event id (a resend answers `duplicate` and is not published
 * again), then publish the new events on the bus for detection.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TOPICS } from '../../../bus/bus.js';
import { EnsuresecError } from '../../../core/errors.js';
import { securityEventSchema, type SecurityEvent } from '../../../core/records/index.js';
import {
  parseShopWebhookPayload,
  shopWebhookToSecurityEvent,
} from '../../../ingest/sources/webhook/shop-events.js';
import { DEFAULT_TOLERANCE_MS, verifyWebhook } from '../../../ingest/sources/webhook/verify.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';

export const MAX_EVENTS_PER_BATCH = 1000;
/** Issues reported per rejected event: enough to fix it, bounded for a hostile batch. */
const MAX_ISSUES_PER_ITEM = 10;

const issueSchema = z.object({ path: z.string(), code: z.string(), message: z.string() });

const itemResultSchema = z.object({
  index: z.number().int(),
  id: z.string().optional(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  issues: z.array(issueSchema).optional(),
});
type ItemResult = z.infer<typeof itemResultSchema>;

export const batchResultSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(itemResultSchema),
});

/** The answer to `POST /api/v1/events`. */
export type EventBatchResult = z.infer<typeof batchResultSchema>;

const shopEventResultSchema = z.object({
  webhookId: z.string(),
  eventId: z.string(),
  status: z.enum(['accepted', 'duplicate']),
});

/**
 * Stores the events (one transaction, ids already stored skipped), then publishes the new
 * ones. A failed publish is logged, not answered: the events are stored, and a resend would
 * only be a duplicate.
 */
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

function idOf(item: unknown): string | undefined {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}

const ingestEvents = defineRoute('ingest', {
  method: 'POST',
  url: '/events',
  summary: `Send a batch of 1-${MAX_EVENTS_PER_BATCH} SecurityEvents; each is accepted, a duplicate, or rejected with its issues`,
  access: 'write:events',
  body: z.strictObject({ events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_BATCH) }),
  response: { schema: batchResultSchema },
  async handler({ body, deps, request }) {
    const results: ItemResult[] = [];
    const valid: SecurityEvent[] = [];
    const seen = new Set<string>();
    body.events.forEach((item, index) => {
      const parsed = securityEventSchema.safeParse(item);
      if (!parsed.success) {
        const id = idOf(item);
        results.push({
          index,
          ...(id === undefined ? {} : { id }),
          status: 'rejected',
          issues: parsed.error.issues.slice(0, MAX_ISSUES_PER_ITEM).map((issue) => ({
            path: issue.path.map(String).join('.'),
            code: issue.code,
            message: issue.message,
          })),
        });
        return;
      }
      const event = parsed.data;
      // A repeat inside the batch is a duplicate of its first copy, like a repeat across batches.
      if (!seen.has(event.id)) valid.push(event);
      seen.add(event.id);
      results.push({ index, id: event.id, status: 'accepted' });
    });
    const stored = await storeAndPublish(valid, deps, request);
    const answered = new Set<string>();
    for (const result of results) {
      if (result.status !== 'accepted' || result.id === undefined) continue;
      if (answered.has(result.id) || !stored.has(result.id)) result.status = 'duplicate';
      answered.add(result.id);
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

const WEBHOOK_FAILURE_CODES = {
  missing_headers: 'unauthenticated',
  malformed_headers: 'webhook_signature_invalid',
  signature_mismatch: 'webhook_signature_invalid',
  timestamp_out_of_tolerance: 'webhook_timestamp_out_of_tolerance',
} as const;

const shopEvents = defineRoute('ingest', {
  method: 'POST',
  url: '/shop-events',
  summary:
    'Send one shop business event as a Standard Webhooks delivery (authenticated by its signature, not a token)',
  // Public to the token gate: the webhook signature authenticates the sender instead.
  access: 'public',
  response: { schema: shopEventResultSchema },
  async handler({ request, deps, body }) {
    const settings = deps.ingest?.shopWebhooks;
    const verified = verifyWebhook({
      headers: request.headers,
      body: request.rawBody ?? Buffer.alloc(0),
      keys: settings?.keys ?? [],
      nowMs: deps.clock.nowMs(),
      ...(settings ? { toleranceMs: settings.toleranceMs } : {}),
    });
    if (!verified.ok) {
      const detail =
        verified.failure === 'signature_mismatch' && (settings?.keys.length ?? 0) === 0
          ? 'No shop webhook secret is configured (ingest.shopWebhooks.secrets).'
          : verified.detail;
      throw new EnsuresecError(WEBHOOK_FAILURE_CODES[verified.failure], { detail });
    }
    const parsed = parseShopWebhookPayload(body);
    if (!parsed.ok) {
      throw new EnsuresecError('validation_failed', {
        detail: 'The shop event is invalid.',
        details: parsed.issues.slice(0, MAX_ISSUES_PER_ITEM).map((issue) => ({ in: 'body', ...issue })),
      });
    }
    const latestMs = verified.timestampSeconds * 1000 + (settings?.toleranceMs ?? DEFAULT_TOLERANCE_MS);
    if (parsed.occurredMs > latestMs) {
      // An event cannot happen after it was sent; a far-future time would top every list for ever.
      throw new EnsuresecError('validation_failed', {
        detail: 'The shop event is invalid.',
        details: [
          {
            in: 'body',
            path: 'timestamp',
            code: 'too_big',
            message: 'the event happened after webhook-timestamp, when it was sent',
          },
        ],
      });
    }
    const event = shopWebhookToSecurityEvent(verified.id, parsed);
    const stored = await storeAndPublish([event], deps, request);
    return {
      webhookId: verified.id,
      eventId: event.id,
      status: stored.has(event.id) ? ('accepted' as const) : ('duplicate' as const),
    };
  },
});

export const ingestRoutes = [ingestEvents, shopEvents];
