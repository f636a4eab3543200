/**
 * Delivery ingest routes (api/v1): carriers post their parcel events as Standard Webhooks
 * (`POST /delivery/webhooks/:carrier`, authenticated by the carrier's signing secret), and a
 * carrier's, locker operator's or shop's backend posts batches of carrier events, "item not
 * received" claims and order address changes with an API token holding
 * `write:delivery-events` (`POST /delivery/events`). Both store before they answer, are
 * idempotent (a webhook-id or an item id sent again answers `duplicate`), then publish the new
 * events on the bus for detection. docs/delivery.md documents the payloads.
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { carrierWebhookToEvent, deliveryApiEventToEvent } from '../../../ingest/sources/delivery/mapping.js';
import {
  CARRIER_ID,
  carrierWebhookSchema,
  deliveryApiEventSchema,
} from '../../../ingest/sources/delivery/schema.js';
import { DEFAULT_TOLERANCE_MS } from '../../../ingest/sources/webhook/verify.js';
import { defineRoute } from '../../route.js';
import {
  ingestBatch,
  issueSchema,
  sentBeforeItHappened,
  storeAndPublish,
  verifiedWebhook,
  zodIssues,
} from './ingest-batch.js';

export const MAX_DELIVERY_EVENTS_PER_BATCH = 1000;

const itemResultSchema = z.object({
  index: z.number().int(),
  /** The sender's item id. */
  id: z.string().optional(),
  /** The SecurityEvent id it was stored under. */
  eventId: z.string().optional(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  issues: z.array(issueSchema).optional(),
});

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
    const verified = verifiedWebhook(
      request,
      deps,
      keys,
      toleranceMs,
      `No webhook secret is configured for carrier "${params.carrier}" (ingest.delivery.carriers).`,
    );
    const parsed = carrierWebhookSchema.safeParse(body);
    if (!parsed.success) {
      throw new EnsuresecError('validation_failed', {
        detail: 'The carrier event is invalid.',
        details: zodIssues(parsed.error).map((issue) => ({ in: 'body', ...issue })),
      });
    }
    if (Date.parse(parsed.data.timestamp) > verified.timestampSeconds * 1000 + toleranceMs) {
      throw sentBeforeItHappened('The carrier event is invalid.', 'timestamp');
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
    return ingestBatch(
      body.events,
      (item) => {
        const parsed = deliveryApiEventSchema.safeParse(item);
        const id = idOf(item);
        const sender = id === undefined ? {} : { id };
        if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error), ...sender };
        if (Date.parse(parsed.data.time) > latestMs) {
          const issue = {
            path: 'time',
            code: 'too_big',
            message: 'the event is in the future; check the sender clock',
          };
          return { ok: false, issues: [issue], ...sender };
        }
        const event = deliveryApiEventToEvent(principal.user.id, principal.user.name, parsed.data);
        return { ok: true, event, id: parsed.data.id };
      },
      deps,
      request,
    );
  },
});

function idOf(item: unknown): string | undefined {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}

export const deliveryRoutes = [carrierWebhook, deliveryEvents];
