/**
 * Ingest routes (api/v1): sources send events here. `POST /events` takes a batch of
 * SecurityEvents from a token with `write:events`; `POST /shop-events` takes one shop business
 * event signed per Standard Webhooks. Both store before they answer (what is acknowledged is
 * durable), are idempotent by event id (a resend answers `duplicate` and is not published
 * again), then publish the new events on the bus for detection.
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { securityEventSchema } from '../../../core/records/index.js';
import {
  parseShopWebhookPayload,
  shopWebhookToSecurityEvent,
} from '../../../ingest/sources/webhook/shop-events.js';
import { DEFAULT_TOLERANCE_MS } from '../../../ingest/sources/webhook/verify.js';
import { defineRoute } from '../../route.js';
import {
  ingestBatch,
  issueSchema,
  MAX_ISSUES_PER_ITEM,
  sentBeforeItHappened,
  storeAndPublish,
  verifiedWebhook,
  zodIssues,
} from './ingest-batch.js';

export const MAX_EVENTS_PER_BATCH = 1000;

const itemResultSchema = z.object({
  index: z.number().int(),
  id: z.string().optional(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  issues: z.array(issueSchema).optional(),
});

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
    const batch = await ingestBatch(
      body.events,
      (item) => {
        const parsed = securityEventSchema.safeParse(item);
        if (!parsed.success) {
          const id = idOf(item);
          return { ok: false, issues: zodIssues(parsed.error), ...(id === undefined ? {} : { id }) };
        }
        return { ok: true, event: parsed.data, id: parsed.data.id };
      },
      deps,
      request,
    );
    return {
      ...batch,
      results: batch.results.map(({ index, id, status, issues }) => ({
        index,
        ...(id === undefined ? {} : { id }),
        status,
        ...(issues === undefined ? {} : { issues }),
      })),
    };
  },
});

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
    const verified = verifiedWebhook(
      request,
      deps,
      settings?.keys ?? [],
      settings?.toleranceMs,
      'No shop webhook secret is configured (ingest.shopWebhooks.secrets).',
    );
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
      throw sentBeforeItHappened('The shop event is invalid.', 'timestamp');
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
