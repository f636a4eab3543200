/**
 * `ensuresec/client`: how a Node shop sends its business events to Ensuresec, signed per
 * Standard Webhooks. No dependency (global fetch, node:crypto). `send` never throws and never
 * rejects: a shop can call it in its request path, awaited or not, and read the result;
 * `sendOrThrow` is for callers who want an exception. Redeliveries after a network error, a
 * timeout, a 429 or a 5xx keep the same webhook-id, so Ensuresec stores the event once.
 *
 * @example
 * import { createShopEventsClient } from 'ensuresec/client';
 * const ensuresec = createShopEventsClient({ url: 'http://127.0.0.1:8700', secret: process.env.ENSURESEC_SHOP_WEBHOOK_SECRET! });
 * void ensuresec.send({ type: 'login', outcome: 'failure', accountId: 'cus_42', clientIp: req.ip, reason: 'bad_password' });
 */
import { randomBytes } from 'node:crypto';
import { isValidWebhookId, parseWebhookSecret, signWebhook } from '../ingest/sources/webhook/signature.js';

/** The business event types Ensuresec accepts (kept in step with the server by a test). */
export const SHOP_EVENT_TYPES = [
  'login',
  'logout',
  'registration',
  'password_reset',
  'password_change',
  'email_change',
  'address_change',
  'payment_method_added',
  'cart_add',
  'order',
  'payment',
  'coupon',
  'refund_requested',
  'delivery_status',
] as const;
export type ShopEventType = (typeof SHOP_EVENT_TYPES)[number];

export interface ShopEvent {
  type: ShopEventType;
  /** Required for `login` and `payment`. */
  outcome?: 'success' | 'failure';
  accountId?: string;
  email?: string;
  postalAddress?: string;
  /** A fingerprint of the card (never the number). */
  cardFingerprint?: string;
  /** Amount in the currency's minor unit (cents). */
  amountMinor?: number;
  /** ISO 4217, e.g. `EUR`. */
  currency?: string;
  /** A login failure reason (`unknown_account`) or a payment decline code (`05`). */
  reason?: string;
  /** Up to 32 flat values (string, number, boolean, null). */
  attributes?: Record<string, string | number | boolean | null>;
  /** The shopper's address as the shop saw it. */
  clientIp: string;
  /** When it happened; default now. */
  occurredAt?: Date | string;
}

export interface ShopEventsClientOptions {
  /** The Ensuresec API, e.g. `http://127.0.0.1:8700` (or the full `…/api/v1/shop-events` URL). */
  url: string;
  /** `whsec_<base64>`, one of the server's `ingest.shopWebhooks.secrets`. */
  secret: string;
  /** Per attempt; default 5000. */
  timeoutMs?: number;
  /** Redeliveries after a retryable failure; default 3. */
  retries?: number;
  /** First pause before a redelivery, doubled each time (with jitter); default 250. */
  backoffMs?: number;
  /** Longest pause, also for a Retry-After; default 10 000. */
  maxBackoffMs?: number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface SendOptions {
  /** Your own idempotency key (no "."); default a random `msg_…`. */
  webhookId?: string;
}

export type SendResult =
  | {
      ok: true;
      /** `duplicate`: Ensuresec already had this webhook-id. */
      status: 'accepted' | 'duplicate';
      webhookId: string;
      eventId: string;
      attempts: number;
    }
  | { ok: false; error: ShopEventsError; webhookId: string; attempts: number };

/** Why a send failed; `code` is Ensuresec's error code, or `network_error`, `timeout`, `invalid_event`. */
export class ShopEventsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ShopEventsError';
  }
}

export interface ShopEventsClient {
  send(event: ShopEvent, options?: SendOptions): Promise<SendResult>;
  /** As `send`, but rejects with a ShopEventsError instead of answering `ok: false`. */
  sendOrThrow(event: ShopEvent, options?: SendOptions): Promise<Extract<SendResult, { ok: true }>>;
}

const ENDPOINT = '/api/v1/shop-events';

function endpointOf(url: string): string {
  const parsed = new URL(url);
  if (!parsed.pathname.endsWith(ENDPOINT)) parsed.pathname = parsed.pathname.replace(/\/+$/, '') + ENDPOINT;
  return parsed.toString();
}

function bodyOf(event: ShopEvent): string {
  const { type, occurredAt, ...data } = event;
  const time = occurredAt === undefined ? new Date() : new Date(occurredAt);
  if (Number.isNaN(time.getTime())) throw new ShopEventsError('invalid_event', 'occurredAt is not a time');
  return JSON.stringify({ type, timestamp: time.toISOString(), data });
}

type Attempt =
  { done: true; result: SendResult } | { done: false; error: ShopEventsError; retryAfterMs?: number };

/** Creates a client; throws a TypeError at once for a URL or secret that cannot work. */
export function createShopEventsClient(options: ShopEventsClientOptions): ShopEventsClient {
  const endpoint = endpointOf(options.url);
  const secret = parseWebhookSecret(options.secret);
  if (!secret.ok) throw new TypeError(`ensuresec/client: ${secret.reason}`);
  const key = secret.key;
  const timeoutMs = options.timeoutMs ?? 5000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const fetchFn = options.fetch ?? globalThis.fetch;

  async function attempt(webhookId: string, body: string, attempts: number): Promise<Attempt> {
    // A fresh attempt timestamp each time (the spec's replay window); the body stays the same.
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetchFn(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(key, webhookId, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return {
        done: false,
        error: timedOut
          ? new ShopEventsError('timeout', `Ensuresec did not answer within ${timeoutMs} ms`)
          : new ShopEventsError('network_error', error instanceof Error ? error.message : String(error)),
      };
    }
    const answer = (await response.json().catch(() => undefined)) as
      | { status?: 'accepted' | 'duplicate'; eventId?: string; error?: { code?: string; message?: string } }
      | undefined;
    if (response.ok && answer?.eventId !== undefined && answer.status !== undefined) {
      return {
        done: true,
        result: { ok: true, status: answer.status, webhookId, eventId: answer.eventId, attempts },
      };
    }
    const error = new ShopEventsError(
      answer?.error?.code ?? `http_${response.status}`,
      answer?.error?.message ?? `Ensuresec answered ${response.status}`,
      response.status,
    );
    if (response.status === 429 || response.status >= 500) {
      const retryAfterSeconds = Number(response.headers.get('retry-after'));
      return Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0
        ? { done: false, error, retryAfterMs: retryAfterSeconds * 1000 }
        : { done: false, error };
    }
    return { done: true, result: { ok: false, error, webhookId, attempts } };
  }

  async function send(event: ShopEvent, sendOptions: SendOptions = {}): Promise<SendResult> {
    const webhookId = sendOptions.webhookId ?? `msg_${randomBytes(16).toString('base64url')}`;
    let body: string;
    try {
      body = bodyOf(event);
      if (!isValidWebhookId(webhookId))
        throw new Error('webhookId must be 1-256 printable characters without "."');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, error: new ShopEventsError('invalid_event', reason), webhookId, attempts: 0 };
    }
    for (let attempts = 1; ; attempts++) {
      const outcome = await attempt(webhookId, body, attempts);
      if (outcome.done) return outcome.result;
      if (attempts > retries) return { ok: false, error: outcome.error, webhookId, attempts };
      const exponential = backoffMs * 2 ** (attempts - 1);
      const pauseMs = Math.min(maxBackoffMs, outcome.retryAfterMs ?? exponential * (0.5 + Math.random() / 2));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  return {
    send,
    async sendOrThrow(event, sendOptions) {
      const result = await send(event, sendOptions);
      if (!result.ok) throw result.error;
      return result;
    },
  };
}
