/**
 * Verifying a Standard Webhooks delivery (ingest, webhook sources): the three headers, the
 * timestamp within a tolerance (replays), and one `v1` signature made with any of the
 * configured secrets (rotation), compared in constant time. Pure: the caller passes the
 * clock's time and the raw body exactly as received.
 *
 * @example
 * const result = verifyWebhook({ headers: request.headers, body: rawBody, keys, nowMs: Date.now() });
 * if (!result.ok) throw errorFor(result.failure);
 */
import { timingSafeEqual } from 'node:crypto';
import { isValidWebhookId, webhookMac } from './signature.js';

export const DEFAULT_TOLERANCE_MS = 5 * 60_000;
/** More entries than rotation ever needs; bounds the work one request can ask for. */
const MAX_SIGNATURE_ENTRIES = 16;
const TIMESTAMP = /^[0-9]{1,15}$/;

/**
 * Why a delivery was refused: no webhook header at all (not a webhook), headers present but
 * incomplete or malformed, a timestamp outside the tolerance, or no signature that verifies.
 */
export type WebhookFailure =
  'missing_headers' | 'malformed_headers' | 'timestamp_out_of_tolerance' | 'signature_mismatch';

export type WebhookVerification =
  { ok: true; id: string; timestampSeconds: number } | { ok: false; failure: WebhookFailure; detail: string };

export interface VerifyWebhookInput {
  /** Request headers, names in lower case (as Node gives them). */
  headers: Record<string, string | string[] | undefined>;
  body: string | Buffer;
  /** Decoded secrets (parseWebhookSecret); several while a secret is being rotated. */
  keys: readonly Buffer[];
  nowMs: number;
  toleranceMs?: number;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

function fail(failure: WebhookFailure, detail: string): WebhookVerification {
  return { ok: false, failure, detail };
}

export function verifyWebhook(input: VerifyWebhookInput): WebhookVerification {
  const id = single(input.headers['webhook-id']);
  const timestamp = single(input.headers['webhook-timestamp']);
  const signature = single(input.headers['webhook-signature']);
  if (id === undefined && timestamp === undefined && signature === undefined) {
    return fail('missing_headers', 'Send webhook-id, webhook-timestamp and webhook-signature.');
  }
  if (id === undefined || !isValidWebhookId(id)) {
    return fail(
      'malformed_headers',
      'webhook-id must be one value of 1-256 printable characters without ".".',
    );
  }
  if (timestamp === undefined || !TIMESTAMP.test(timestamp)) {
    return fail('malformed_headers', 'webhook-timestamp must be one value: whole seconds since the epoch.');
  }
  if (signature === undefined) return fail('malformed_headers', 'webhook-signature is missing.');
  const timestampSeconds = Number(timestamp);
  const toleranceSeconds = (input.toleranceMs ?? DEFAULT_TOLERANCE_MS) / 1000;
  const nowSeconds = Math.floor(input.nowMs / 1000);
  if (nowSeconds - timestampSeconds > toleranceSeconds) {
    return fail('timestamp_out_of_tolerance', `webhook-timestamp is more than ${toleranceSeconds}s old.`);
  }
  if (timestampSeconds - nowSeconds > toleranceSeconds) {
    return fail('timestamp_out_of_tolerance', `webhook-timestamp is more than ${toleranceSeconds}s ahead.`);
  }
  const candidates = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .slice(0, MAX_SIGNATURE_ENTRIES)
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  for (const key of input.keys) {
    const expected = webhookMac(key, id, timestampSeconds, input.body);
    // Every candidate is compared, whatever matched first, so timing says nothing about which.
    let matched = false;
    for (const candidate of candidates) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
    if (matched) return { ok: true, id, timestampSeconds };
  }
  return fail(
    'signature_mismatch',
    'No v1 signature in webhook-signature verifies with a configured secret.',
  );
}
