/**
 * The email channel (response / outbox): nodemailer over SMTP. The Message-ID is derived from
 * the outbox id, so a message sent again after a crash carries the same id and mail clients
 * and servers can recognise the copy. The password comes resolved from the secret store and
 * never appears in an error or a log line.
 */
import nodemailer from 'nodemailer';
import type { OutboxMessage } from '../../store/store.js';
import { DeliveryError } from './delivery-error.js';
import type { NoticeSender } from './sender.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
  /** e.g. `"Demo Shop security" <security@shop.example>`. */
  from: string;
  /** Connection, greeting and socket timeouts; default 15 000. */
  timeoutMs?: number;
}

/** `<ntc_…@shop.example>`: the domain of the From address, so the id is globally unique. */
export function messageIdFor(noticeId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'ensuresec.invalid';
  return `<${noticeId}@${domain}>`;
}

export function createEmailSender(settings: SmtpSettings): NoticeSender {
  const timeoutMs = settings.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // A notice goes out once per outbox attempt; a pool would hold connections for nothing.
    pool: false,
    logger: false,
    debug: false,
  });
  return {
    async send(message: OutboxMessage) {
      const content = message.content;
      if (content === null || content.kind !== 'email') {
        throw new DeliveryError(`notice ${message.id} has no email content to send`);
      }
      await transport.sendMail({
        from: settings.from,
        to: message.recipient,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId: messageIdFor(message.id, settings.from),
        headers: { 'X-Ensuresec-Notice': message.id },
        attachments: content.attachments.map((attachment) => ({
          filename: attachment.filename,
          contentType: attachment.contentType,
          content: attachment.content,
          ...(attachment.encoding === undefined ? {} : { encoding: attachment.encoding }),
        })),
      });
    },
    async close() {
      transport.close();
    },
  };
}
