/**
 * The webhook channel (response / outbox): a signed POST per Standard Webhooks. The
 * `webhook-id` is the outbox id, the same on every attempt, so a receiver that keeps the ids
 * it processed ignores a resend; the timestamp and signature are fresh per attempt. Any answer
 * but 2xx is a failed attempt (redirects are not followed). Secrets are looked up per attempt
 * from the configuration, never stored in the outbox.
 */
import { request } from 'undici';
import type { Clock } from '../../core/clock.js';
import type { OutboxMessage } from '../../store/store.js';
import { DeliveryError } from './delivery-error.js';
import type { NoticeSender } from './sender.js';
import { webhookHeaders } from './webhook-signature.js';

export interface WebhookSenderOptions {
  /** The partner's webhook secret (resolved), undefined when none is configured. */
  secretFor(partnerId: string): string | undefined;
  clock: Clock;
  /** Per attempt, headers and body; default 10 000. */
  timeoutMs?: number;
  userAgent?: string;
}

export function createWebhookSender(options: WebhookSenderOptions): NoticeSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async send(message: OutboxMessage) {
      const content = message.content;
      if (content === null || content.kind !== 'webhook') {
        throw new DeliveryError(`notice ${message.id} has no webhook content to send`);
      }
      const secret = message.partnerId === null ? undefined : options.secretFor(message.partnerId);
      if (secret === undefined) {
        throw new DeliveryError(
          `no webhook secret is configured for partner ${message.partnerId ?? '(none)'}`,
        );
      }
      const headers = webhookHeaders({
        secret,
        id: message.id,
        timestampSeconds: Math.floor(options.clock.nowMs() / 1000),
        body: content.body,
      });
      const target = new URL(content.url);
      let response;
      try {
        response = await request(target, {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'user-agent': options.userAgent ?? 'Ensuresec-Notices',
          },
          body: content.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (error) {
        // Only the origin: a URL's path or query may carry a token.
        throw new DeliveryError(`${target.origin} did not answer: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await response.body.dump();
      if (response.statusCode < 200 || response.statusCode > 299) {
        throw new DeliveryError(`${target.origin} answered HTTP ${response.statusCode}`);
      }
    },
  };
}
