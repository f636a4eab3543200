/**
 * Notice routes (api/v1): the persistent outbox's delivery status, and an operator's retry of
 * a failed or dead notice. Recipients' email addresses are shown pseudonymised (as the ledger
 * shows them), and what was sent is never shown: a notice is a customer's mail.
 */
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { customerPseudonym } from '../../../response/notices/recipients.js';
import type { OutboxMessage } from '../../../store/store.js';
import { defineRoute } from '../../route.js';
import { idParams, pageOf, pageQueryShape } from '../../schemas.js';

export const NOTICE_STATUSES = ['pending', 'sending', 'delivered', 'failed', 'dead'] as const;
/** Customers and partners get notices; authorities get incident reports; team gets deadline reminders. */
export const NOTICE_AUDIENCES = ['customers', 'partners', 'authorities', 'team'] as const;

export const noticeViewSchema = z.object({
  id: z.string(),
  channel: z.enum(['email', 'webhook']),
  audience: z.enum(NOTICE_AUDIENCES),
  reference: z.string(),
  /** A partner's id, or a customer's email address as `pii:email:…`. */
  recipient: z.string(),
  partnerId: z.string().nullable(),
  status: z.enum(NOTICE_STATUSES),
  attempts: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});
export type NoticeView = z.infer<typeof noticeViewSchema>;

function viewOf(message: OutboxMessage, key: Buffer): NoticeView {
  return {
    id: message.id,
    channel: message.channel,
    audience: message.audience,
    reference: message.reference,
    recipient:
      message.channel === 'email' && message.partnerId === null
        ? customerPseudonym(message.recipient, key)
        : (message.partnerId ?? message.recipient),
    partnerId: message.partnerId,
    status: message.status,
    attempts: message.attempts,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
    nextAttemptAt: message.nextAttemptAt,
    lastError: message.lastError,
    deliveredAt: message.deliveredAt,
  };
}

const list = defineRoute('notices', {
  method: 'GET',
  url: '/notices',
  summary: 'List notices to customers and partners with their delivery status, newest first',
  access: 'read',
  query: z.strictObject({
    ...pageQueryShape,
    status: z.enum(NOTICE_STATUSES).optional(),
    channel: z.enum(['email', 'webhook']).optional(),
    audience: z.enum(NOTICE_AUDIENCES).optional(),
    reference: z.string().min(1).max(64).optional(),
  }),
  response: { schema: pageOf(noticeViewSchema) },
  async handler({ query, deps }) {
    const page = await deps.store.outbox.list(query);
    return {
      items: page.items.map((message) => viewOf(message, deps.pseudonymisationKey)),
      nextCursor: page.nextCursor,
    };
  },
});

const get = defineRoute('notices', {
  method: 'GET',
  url: '/notices/:id',
  summary: 'One notice and its delivery status',
  access: 'read',
  params: idParams('ntc'),
  response: { schema: noticeViewSchema },
  async handler({ params, deps }) {
    const message = await deps.store.outbox.get(params.id);
    if (!message) throw new EnsuresecError('not_found', { detail: `Notice ${params.id} does not exist.` });
    return viewOf(message, deps.pseudonymisationKey);
  },
});

const retry = defineRoute('notices', {
  method: 'POST',
  url: '/notices/:id/retry',
  summary: 'Send a failed or dead notice again now (same id, so receivers can recognise a copy)',
  access: 'write:security',
  params: idParams('ntc'),
  response: { schema: noticeViewSchema },
  async handler({ params, principal, deps }) {
    const requeued = await deps.ledger.commit({
      kind: 'notice.requeued',
      actor: principal.user.id,
      write: (tx) => tx.outbox.requeue(params.id, deps.clock.nowMs()),
    });
    if (requeued) return viewOf(requeued, deps.pseudonymisationKey);
    const existing = await deps.store.outbox.get(params.id);
    if (!existing) throw new EnsuresecError('not_found', { detail: `Notice ${params.id} does not exist.` });
    throw new EnsuresecError('notice_not_retryable', {
      detail: `Notice ${params.id} is ${existing.status}.`,
    });
  },
});

export const noticeRoutes = [list, get, retry];
