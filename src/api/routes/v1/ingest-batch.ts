/**
 * What the event-ingest routes share (api/v1 `/events`, `/shop-events`, `/delivery/*`): a
 * batch is validated item by item, the valid events are stored in one transaction (ids
 * already stored skipped), then published; each item answers `accepted`, `duplicate` or
 * `rejected` with its issues. A signed webhook that fails verification answers with a stable
 * code. What is acknowledged is durable: the answer comes after the store.
 */
import type { FastifyRequest } from 'fastify';
import { z, type ZodError } from 'zod';
import { TOPICS } from '../../../bus/bus.js';
import { EnsuresecError } from '../../../core/errors.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import { verifyWebhook, type WebhookVerification } from '../../../ingest/sources/webhook/verify.js';
import type { ResolvedApiDeps } from '../../types.js';

/** Issues reported per rejected item: enough to fix it, bounded for a hostile batch. */
export const MAX_ISSUES_PER_ITEM = 10;

export const issueSchema = z.object({ path: z.string(), code: z.string(), message: z.string() });
export type ItemIssue = z.infer<typeof issueSchema>;

export type ItemStatus = 'accepted' | 'duplicate' | 'rejected';

/** One item's outcome: the sender's id when it had one, the stored event's id when valid. */
export interface BatchItem {
  index: number;
  id?: string;
  eventId?: string;
  status: ItemStatus;
  issues?: ItemIssue[];
}

/** How a route turns one untrusted item into an event, or says why it cannot. */
export type ItemValidation =
  { ok: true; event: SecurityEvent; id: string } | { ok: false; issues: ItemIssue[]; id?: string };

/** A zod error as bounded item issues. */
export function zodIssues(error: ZodError): ItemIssue[] {
  return error.issues.slice(0, MAX_ISSUES_PER_ITEM).map((issue) => ({
    path: issue.path.map(String).join('.'),
    code: issue.code,
    message: issue.message,
  }));
}

/**
 * Stores the events (one transaction, ids already stored skipped), then publishes the new
 * ones. A failed publish is logged, not answered: the events are stored, and a resend would
 * only be a duplicate.
 */
export async function storeAndPublish(
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

/**
 * Validates, stores and publishes a batch. A repeat inside the batch is a duplicate of its
 * first copy, like a repeat across batches.
 */
export async function ingestBatch(
  items: readonly unknown[],
  validate: (item: unknown) => ItemValidation,
  deps: ResolvedApiDeps,
  request: FastifyRequest,
): Promise<{ accepted: number; duplicates: number; rejected: number; results: BatchItem[] }> {
  const results: BatchItem[] = [];
  const events: SecurityEvent[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const outcome = validate(item);
    if (!outcome.ok) {
      const id = outcome.id;
      results.push({
        index,
        ...(id === undefined ? {} : { id }),
        status: 'rejected',
        issues: outcome.issues,
      });
      return;
    }
    if (!seen.has(outcome.event.id)) events.push(outcome.event);
    seen.add(outcome.event.id);
    results.push({ index, id: outcome.id, eventId: outcome.event.id, status: 'accepted' });
  });
  const stored = await storeAndPublish(events, deps, request);
  const answered = new Set<string>();
  for (const result of results) {
    if (result.status !== 'accepted' || result.eventId === undefined) continue;
    if (answered.has(result.eventId) || !stored.has(result.eventId)) result.status = 'duplicate';
    answered.add(result.eventId);
  }
  const count = (status: ItemStatus) => results.filter((r) => r.status === status).length;
  return {
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    rejected: count('rejected'),
    results,
  };
}

const WEBHOOK_FAILURE_CODES = {
  missing_headers: 'unauthenticated',
  malformed_headers: 'webhook_signature_invalid',
  signature_mismatch: 'webhook_signature_invalid',
  timestamp_out_of_tolerance: 'webhook_timestamp_out_of_tolerance',
} as const;

/**
 * Verifies a Standard Webhooks delivery against the sender's keys, or throws the stable error.
 * `unconfigured` explains a mismatch when no secret is configured at all.
 */
export function verifiedWebhook(
  request: FastifyRequest,
  deps: ResolvedApiDeps,
  keys: readonly Buffer[],
  toleranceMs: number | undefined,
  unconfigured: string,
): Extract<WebhookVerification, { ok: true }> {
  const verified = verifyWebhook({
    headers: request.headers,
    body: request.rawBody ?? Buffer.alloc(0),
    keys,
    nowMs: deps.clock.nowMs(),
    ...(toleranceMs === undefined ? {} : { toleranceMs }),
  });
  if (verified.ok) return verified;
  const detail =
    verified.failure === 'signature_mismatch' && keys.length === 0 ? unconfigured : verified.detail;
  throw new EnsuresecError(WEBHOOK_FAILURE_CODES[verified.failure], { detail });
}

/** A signed webhook's payload that claims to have happened after it was sent. */
export function sentBeforeItHappened(detail: string, path: string): EnsuresecError {
  return new EnsuresecError('validation_failed', {
    detail,
    details: [
      {
        in: 'body',
        path,
        code: 'too_big',
        message: 'the event happened after webhook-timestamp, when it was sent',
      },
    ],
  });
}
