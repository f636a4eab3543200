/**
 * Standard Webhooks signatures (ingest, webhook sources; also used by `ensuresec/client`, so
 * it imports nothing but node:crypto): the secret format `whsec_<base64>` and the symmetric
 * `v1` scheme, HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<raw body>`.
 * Spec: https://github.com/standard-webhooks/standard-webhooks (spec/standard-webhooks.md).
 *
 * @example
 * const secret = parseWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
 * if (secret.ok) signWebhook(secret.key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
 * // 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 */
import { createHmac } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24 to 64 random bytes; shorter keys are refused as too weak. */
export const MIN_SECRET_BYTES = 24;
/** Upper bound on a webhook-id: the spec sets none; ours keeps headers and keys small. */
export const MAX_WEBHOOK_ID_CHARS = 256;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/**
 * Printable ASCII without spaces and without `.`: the spec warns that a `.` in the id would
 * let a sender move bytes between the id, the timestamp and the body under one signature.
 */
const WEBHOOK_ID = /^[\x21-\x2d\x2f-\x7e]+$/;

export type ParsedSecret = { ok: true; key: Buffer } | { ok: false; reason: string };

/** Reads `whsec_<base64>` (or the bare base64, as the upstream libraries accept). */
export function parseWebhookSecret(secret: string): ParsedSecret {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    return { ok: false, reason: 'a webhook secret must be whsec_ followed by base64' };
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES) {
    return { ok: false, reason: `a webhook secret must hold at least ${MIN_SECRET_BYTES} random bytes` };
  }
  return { ok: true, key };
}

export function isValidWebhookId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_WEBHOOK_ID_CHARS && WEBHOOK_ID.test(id);
}

/** The raw HMAC-SHA256 over the signed content; the body as bytes so nothing is re-encoded. */
export function webhookMac(key: Buffer, id: string, timestampSeconds: number, body: string | Buffer): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest();
}

const TIMESTAMP_SECONDS = /^[0-9]{1,15}$/;

/**
 * The `webhook-signature` entry for one secret: `v1,<base64>`. The timestamp is whole seconds
 * since the epoch, as a number or as the header's digits; anything else (`161426533.0`) and an
 * id the spec does not allow throw a RangeError.
 */
export function signWebhook(
  key: Buffer,
  id: string,
  timestamp: number | string,
  body: string | Buffer,
): string {
  const text =
    typeof timestamp === 'number' && Number.isSafeInteger(timestamp) ? String(timestamp) : timestamp;
  if (typeof text !== 'string' || !TIMESTAMP_SECONDS.test(text)) {
    throw new RangeError('webhook-timestamp must be a whole number of seconds since the epoch');
  }
  if (!isValidWebhookId(id))
    throw new RangeError('webhook-id must be 1-256 printable characters without "."');
  return `v1,${webhookMac(key, id, Number(text), body).toString('base64')}`;
}
