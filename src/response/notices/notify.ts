/**
 * `notify`: what playbooks call to tell customers or partners (response / notices). It
 * validates the request (its facts come from alerts: untrusted), renders each notice and
 * queues it in the persistent outbox through the ledger (`notice.queued`), one message per
 * recipient and channel. Asking twice for the same notice queues it once: the idempotency key
 * is derived from the audience, the reference, the channel, the recipient and the revision.
 *
 * @example
 * await notifier.notify({ audience: 'customers', reference: incident.id,
 *   recipients: [{ email: 'ann@example.com', language: 'de' }],
 *   facts: { kind: 'credential_attack', detectedAt: alert.firstSeen } });
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { ulid } from '../../core/ids.js';
import { personal } from '../../core/personal-data.js';
import type { LedgerWriter } from '../../ledger/service.js';
import type { OutboxContent, OutboxMessage } from '../../store/store.js';
import { renderCustomerNotice, type ShopProfile } from './customer-notice.js';
import {
  partnerFactsSchema,
  partnerWebhookBody,
  renderPartnerEmail,
  stixFileName,
} from './partner-notice.js';
import type { PartnerDirectoryEntry } from './partners.js';
import { customerPseudonym } from './recipients.js';
import { buildStixBundle } from './stix.js';
import { CUSTOMER_NOTICE_KINDS, customerLanguageOf } from './templates/customer/index.js';

const reference = z
  .string()
  .regex(/^[a-z]{2,8}_[0-9A-HJKMNP-TV-Z]{26}$/, 'an incident or alert id, e.g. inc_01J…');
/** A later notice about the same reference (an update) takes the next revision, so it is sent too. */
const revision = z.number().int().min(1).max(1000).default(1);

const customerRequestSchema = z.strictObject({
  audience: z.literal('customers'),
  reference,
  recipients: z
    .array(
      z.strictObject({
        email: personal('email', z.email()),
        /** BCP 47, e.g. `de-CH`; en, de, fr, it and es have a translation, others get English. */
        language: z.string().max(35).optional(),
        name: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(100_000),
  facts: z.strictObject({
    kind: z.enum(CUSTOMER_NOTICE_KINDS),
    detectedAt: z.iso.datetime({ offset: true }),
  }),
  revision,
  /** Who asked: a user id or `playbook:<id>`; default `system`. */
  actor: z.string().max(200).optional(),
});

const partnerRequestSchema = z.strictObject({
  audience: z.literal('partners'),
  reference,
  /** Partner ids from `partners:` in ensuresec.yaml, or every configured partner. */
  recipients: z.union([z.literal('all'), z.array(z.string().min(1).max(64)).min(1).max(1000)]),
  facts: partnerFactsSchema,
  revision,
  actor: z.string().max(200).optional(),
});

export const notifyRequestSchema = z.discriminatedUnion('audience', [
  customerRequestSchema,
  partnerRequestSchema,
]);
export type NotifyRequest = z.input<typeof notifyRequestSchema>;

export interface NotifyResult {
  /** The messages this call queued. */
  queued: OutboxMessage[];
  /** Messages skipped because the same notice was queued before. */
  alreadyQueued: number;
  /** Partners that have no channel configured. */
  skipped: { partnerId: string; reason: string }[];
}

export interface NotifierOptions {
  ledger: LedgerWriter;
  /** Keys the customers' part of idempotency keys, so a key reveals no address. */
  pseudonymisationKey: Buffer;
  shop: ShopProfile;
  partners: readonly PartnerDirectoryEntry[];
  /** SMTP is configured; without it email notices are refused rather than queued to fail. */
  emailEnabled: boolean;
  clock?: Clock;
  /** Called after messages were queued (the composition root wakes the worker). */
  onQueued?: () => void;
}

export interface Notifier {
  notify(request: NotifyRequest): Promise<NotifyResult>;
}

type Draft = Pick<OutboxMessage, 'channel' | 'recipient' | 'partnerId' | 'content'> & {
  recipientKey: string;
};

function idempotencyKeyOf(parts: readonly string[]): string {
  return `ntk_${createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32)}`;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const clock = options.clock ?? systemClock;

  function requireEmail(): void {
    if (!options.emailEnabled) {
      throw new EnsuresecError('notice_channel_unconfigured', {
        detail: 'Email notices need notices.smtp in ensuresec.yaml.',
      });
    }
  }

  function customerDrafts(request: z.output<typeof customerRequestSchema>): Draft[] {
    requireEmail();
    return request.recipients.map((recipient) => {
      const email = recipient.email.trim();
      const rendered = renderCustomerNotice({
        kind: request.facts.kind,
        language: customerLanguageOf(recipient.language),
        reference: request.reference,
        detectedAt: request.facts.detectedAt,
        shop: options.shop,
        recipientName: recipient.name,
      });
      return {
        channel: 'email',
        recipient: email,
        partnerId: null,
        content: { kind: 'email', ...rendered, attachments: [] },
        recipientKey: customerPseudonym(email, options.pseudonymisationKey),
      };
    });
  }

  function partnerDrafts(
    request: z.output<typeof partnerRequestSchema>,
    nowIso: string,
    skipped: NotifyResult['skipped'],
  ): Draft[] {
    const wanted =
      request.recipients === 'all'
        ? [...options.partners]
        : request.recipients.map((id) => {
            const partner = options.partners.find((candidate) => candidate.id === id);
            if (!partner) {
              throw new EnsuresecError('not_found', {
                detail: `No partner "${id}" is configured under partners:.`,
              });
            }
            return partner;
          });
    if (wanted.some((partner) => partner.email !== undefined)) requireEmail();
    const bundle = buildStixBundle({
      shopName: options.shop.name,
      reference: request.reference,
      facts: request.facts,
      now: nowIso,
    });
    const bundleText = JSON.stringify(bundle, null, 2);
    const drafts: Draft[] = [];
    for (const partner of wanted) {
      const input = { partner, shop: options.shop, reference: request.reference, facts: request.facts };
      if (partner.email !== undefined) {
        drafts.push({
          channel: 'email',
          recipient: partner.email,
          partnerId: partner.id,
          content: {
            kind: 'email',
            ...renderPartnerEmail(input),
            attachments: [
              {
                filename: stixFileName(request.reference),
                contentType: 'application/stix+json;version=2.1',
                content: bundleText,
              },
            ],
          },
          recipientKey: `partner:${partner.id}`,
        });
      }
      if (partner.webhookUrl !== undefined) {
        const content: OutboxContent = {
          kind: 'webhook',
          url: partner.webhookUrl,
          body: partnerWebhookBody(input, bundle, nowIso),
        };
        drafts.push({
          channel: 'webhook',
          recipient: partner.id,
          partnerId: partner.id,
          content,
          recipientKey: `partner:${partner.id}`,
        });
      }
      if (partner.email === undefined && partner.webhookUrl === undefined) {
        skipped.push({ partnerId: partner.id, reason: 'no email and no webhook configured' });
      }
    }
    return drafts;
  }

  return {
    async notify(input) {
      const parsed = notifyRequestSchema.safeParse(input);
      if (!parsed.success) {
        throw new EnsuresecError('validation_failed', {
          detail: 'The notice request is invalid.',
          details: parsed.error.issues.map((issue) => ({
            path: issue.path.map(String).join('.'),
            code: issue.code,
            message: issue.message,
          })),
        });
      }
      const request = parsed.data;
      const nowMs = clock.nowMs();
      const nowIso = new Date(nowMs).toISOString();
      const skipped: NotifyResult['skipped'] = [];
      const drafts =
        request.audience === 'customers' ? customerDrafts(request) : partnerDrafts(request, nowIso, skipped);
      const messages: OutboxMessage[] = drafts.map(({ recipientKey, ...draft }) => ({
        ...draft,
        id: `ntc_${ulid(nowMs)}`,
        idempotencyKey: idempotencyKeyOf([
          request.audience,
          request.reference,
          draft.channel,
          recipientKey,
          String(request.revision),
        ]),
        audience: request.audience,
        reference: request.reference,
        status: 'pending',
        attempts: 0,
        createdAt: nowIso,
        updatedAt: nowIso,
        nextAttemptAt: nowIso,
        lastError: null,
        deliveredAt: null,
      }));
      const results = await Promise.all(
        messages.map((message) =>
          options.ledger.commit({
            kind: 'notice.queued',
            actor: request.actor ?? 'system',
            write: async (tx) => ((await tx.outbox.enqueue(message)) ? message : undefined),
          }),
        ),
      );
      const queued = results.filter((message): message is OutboxMessage => message !== undefined);
      if (queued.length > 0) options.onQueued?.();
      return { queued, alreadyQueued: messages.length - queued.length, skipped };
    },
  };
}
