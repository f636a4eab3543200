/**
 * Notices' start (composition root): reads `notices:` and `partners:` from the configuration,
 * resolves the SMTP password and webhook secrets from the secret store (never logged, never
 * stored in the outbox), and starts the outbox worker; `notify` is what playbooks call.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { LedgerWriter } from '../ledger/service.js';
import { createEmailQueue, type EmailQueue } from '../response/notices/email-queue.js';
import { createNotifier, type Notifier } from '../response/notices/notify.js';
import type { PartnerDirectoryEntry } from '../response/notices/partners.js';
import { createEmailSender } from '../response/outbox/email-sender.js';
import type { NoticeSender } from '../response/outbox/sender.js';
import { createWebhookSender } from '../response/outbox/webhook-sender.js';
import { OutboxWorker } from '../response/outbox/worker.js';
import type { Store } from '../store/store.js';
import { customerPseudonym } from '../response/notices/recipients.js';
import type { EnsuresecConfig } from './config/schema.js';
import { resolveSecret } from './config/secrets.js';
import { VERSION } from './version.js';

export interface RunningNotices extends Notifier {
  worker: OutboxWorker;
  /** Composed emails (incident reports to a CSIRT, deadline reminders) through the same outbox. */
  mail: EmailQueue;
  /** The partners notices go to, as configured (no webhook secrets): the API lists them. */
  partners: readonly PartnerDirectoryEntry[];
  close(): Promise<void>;
}

export function startNotices(options: {
  config: EnsuresecConfig;
  store: Store;
  ledger: LedgerWriter;
  pseudonymisationKey: Buffer;
  clock: Clock;
  logger: Logger;
}): RunningNotices {
  const { config, clock } = options;
  const settings = config.notices;
  const senders: Partial<Record<'email' | 'webhook', NoticeSender>> = {};
  if (settings.smtp) {
    senders.email = createEmailSender({
      host: settings.smtp.host,
      port: settings.smtp.port,
      secure: settings.smtp.secure,
      user: settings.smtp.user,
      password: resolveSecret(settings.smtp.password),
      from: settings.smtp.from,
      timeoutMs: settings.smtp.timeout,
    });
  }
  const webhookSecrets = new Map<string, string | undefined>();
  for (const partner of config.partners) {
    if (partner.webhook) webhookSecrets.set(partner.id, resolveSecret(partner.webhook.secret));
  }
  if (webhookSecrets.size > 0) {
    senders.webhook = createWebhookSender({
      secretFor: (partnerId) => webhookSecrets.get(partnerId),
      clock,
      timeoutMs: settings.webhookTimeout,
      userAgent: `Ensuresec/${VERSION}`,
    });
  }
  const worker = new OutboxWorker({
    store: options.store,
    ledger: options.ledger,
    senders,
    logger: options.logger,
    clock,
    policy: {
      baseDelayMs: settings.retry.baseDelay,
      maxDelayMs: settings.retry.maxDelay,
      maxAttempts: settings.retry.maxAttempts,
      maxAgeMs: settings.retry.maxAge,
    },
    pollIntervalMs: settings.pollInterval,
    recipientAfterDelivery: (message) =>
      message.channel === 'email' && message.partnerId === null
        ? customerPseudonym(message.recipient, options.pseudonymisationKey)
        : message.recipient,
  });
  const partners: PartnerDirectoryEntry[] = config.partners.map((partner) => ({
    id: partner.id,
    name: partner.name,
    role: partner.role,
    email: partner.email,
    webhookUrl: partner.webhook?.url,
    language: partner.language,
  }));
  const notifier = createNotifier({
    ledger: options.ledger,
    pseudonymisationKey: options.pseudonymisationKey,
    shop: {
      name: settings.shop.name,
      contact: { email: settings.shop.email, url: settings.shop.url, phone: settings.shop.phone },
    },
    partners,
    emailEnabled: senders.email !== undefined,
    clock,
    onQueued: () => worker.wake(),
  });
  const mail = createEmailQueue({
    ledger: options.ledger,
    emailEnabled: senders.email !== undefined,
    clock,
    onQueued: () => worker.wake(),
  });
  worker.start();
  return {
    notify: (request) => notifier.notify(request),
    worker,
    mail,
    partners,
    close: () => worker.close(),
  };
}
