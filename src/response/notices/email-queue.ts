/**
 * Queuing one composed email in the persistent outbox (response / notices): what incident
 * reports to a CSIRT (audience `authorities`) and deadline reminders to the entity's own
 * people (audience `team`) use, beside `notify` for customers and partners. Queuing is a ledger
 * entry (`notice.queued`); the idempotency key comes from the caller's parts, so asking twice
 * for the same email queues it once, across restarts too.
 *
 * @example
 * await mail.queue({ audience: 'authorities', reference: report.incidentId, recipient: 'cert@csirt.example',
 *   subject, text, html, attachments: [], idempotencyParts: ['report', report.id, 'cert@csirt.example'], actor: user.id });
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { ulid } from '../../core/ids.js';
import type { LedgerWriter } from '../../ledger/service.js';
import type { OutboxContent, OutboxMessage } from '../../store/store.js';

type EmailContent = Extract<OutboxContent, { kind: 'email' }>;

export interface ComposedEmail {
  audience: 'authorities' | 'team';
  /** The incident the email is about (`inc_…`). */
  reference: string;
  recipient: string;
  subject: string;
  text: string;
  html: string;
  attachments: EmailContent['attachments'];
  /** What makes this email the same email when asked for again. */
  idempotencyParts: readonly string[];
  /** A user id or `system`. */
  actor: string;
}

export interface EmailQueue {
  /** Queues the email; `queued: false` (and no message) when the same email was queued before. */
  queue(email: ComposedEmail): Promise<{ queued: boolean; message: OutboxMessage | undefined }>;
}

export interface EmailQueueOptions {
  ledger: LedgerWriter;
  /** SMTP is configured; without it emails are refused rather than queued to fail. */
  emailEnabled: boolean;
  clock?: Clock;
  onQueued?: () => void;
}

function idempotencyKeyOf(parts: readonly string[]): string {
  return `ntk_${createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32)}`;
}

export function createEmailQueue(options: EmailQueueOptions): EmailQueue {
  const clock = options.clock ?? systemClock;
  return {
    async queue(email) {
      if (!options.emailEnabled) {
        throw new EnsuresecError('notice_channel_unconfigured', {
          detail: 'Sending by email needs notices.smtp in ensuresec.yaml.',
        });
      }
      const nowMs = clock.nowMs();
      const nowIso = new Date(nowMs).toISOString();
      const idempotencyKey = idempotencyKeyOf([email.audience, ...email.idempotencyParts]);
      const message: OutboxMessage = {
        id: `ntc_${ulid(nowMs)}`,
        idempotencyKey,
        channel: 'email',
        audience: email.audience,
        reference: email.reference,
        recipient: email.recipient,
        partnerId: null,
        content: {
          kind: 'email',
          subject: email.subject,
          text: email.text,
          html: email.html,
          attachments: email.attachments,
        },
        status: 'pending',
        attempts: 0,
        createdAt: nowIso,
        updatedAt: nowIso,
        nextAttemptAt: nowIso,
        lastError: null,
        deliveredAt: null,
      };
      const queued = await options.ledger.commit({
        kind: 'notice.queued',
        actor: email.actor,
        write: async (tx) => ((await tx.outbox.enqueue(message)) ? message : undefined),
      });
      if (queued) {
        options.onQueued?.();
        return { queued: true, message: queued };
      }
      return { queued: false, message: undefined };
    },
  };
}
