/**
 * Signing outgoing webhooks per the Standard Webhooks spec (response / outbox, no I/O):
 * HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}` with the base64-decoded
 * secret (`whsec_` prefix optional), sent as `v1,<base64>` in `webhook-signature`.
 *
 * @example signWebhook({ secret: 'whsec_MfKQ…', id: 'msg_p5j…', timestampSeconds: 1614265330, body: '{"test": 2432232314}' })
 * // 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 */
import { createHmac } from 'node:crypto';
import { EnsuresecError } from '../../core/errors.js';

const SECRET_PREFIX = 'whsec_';
/** The spec's bounds for a symmetric secret. */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export interface WebhookToSign {
  /** `whsec_<base64>` or the bare base64. */
  secret: string;
  /** The message id; it must not hold a `.`, which separates the signed parts. */
  id: string;
  timestampSeconds: number;
  /** The exact bytes sent. */
  body: string;
}

/** The secret's key bytes; `config_invalid` (never echoing the secret) when it is not a valid one. */
export function webhookSecretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new EnsuresecError('config_invalid', {
      detail: `A webhook secret must be whsec_ followed by ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes in base64.`,
    });
  }
  return key;
}

export function signWebhook(message: WebhookToSign): string {
  if (message.id.includes('.') || !Number.isSafeInteger(message.timestampSeconds)) {
    throw new EnsuresecError('validation_failed', {
      detail: 'A webhook id must not contain "." and its timestamp must be whole seconds.',
    });
  }
  const signature = createHmac('sha256', webhookSecretKey(message.secret))
    .update(`${message.id}.${message.timestampSeconds}.${message.body}`)
    .digest('base64');
  return `v1,${signature}`;
}

/** The three Standard Webhooks headers for one attempt. */
export function webhookHeaders(message: WebhookToSign): Record<string, string> {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestampSeconds),
    'webhook-signature': signWebhook(message),
  };
}
