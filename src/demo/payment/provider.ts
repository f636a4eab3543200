/**
 * The fake payment provider, in process: it tokenises card data (Luhn, expiry and CVC
 * checks, a `tok_…` token that never carries the number) and authorises a token for an
 * amount, answering with Stripe-like outcomes from the test cards. The demo shop calls
 * it at checkout; `http.ts` puts the same provider behind HTTP.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import { isLuhnValid, normaliseCardNumber } from './luhn.js';
import { brandOf, outcomeOf, type DeclineCode } from './test-cards.js';

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export interface CardSummary {
  brand: string;
  last4: string;
  /** Stable per card number (HMAC), so the shop can report a card without holding it. */
  fingerprint: string;
}

export type TokeniseErrorCode = 'invalid_number' | 'invalid_expiry' | 'invalid_cvc';
export type TokeniseResult =
  ({ ok: true; token: string } & CardSummary) | { ok: false; code: TokeniseErrorCode; message: string };

export interface AuthoriseRequest {
  token: string;
  amountMinor: number;
  currency: string;
  reference?: string;
}

export type AuthoriseErrorCode = DeclineCode | 'token_invalid' | 'invalid_amount';
export type AuthoriseResult =
  | ({ ok: true; paymentId: string } & CardSummary)
  | ({ ok: false; code: AuthoriseErrorCode; message: string } & Partial<CardSummary>);

export interface PaymentProvider {
  tokenise(card: CardInput): Promise<TokeniseResult>;
  authorise(request: AuthoriseRequest): Promise<AuthoriseResult>;
}

export interface PaymentProviderOptions {
  /** Base URL of a provider served by `createPaymentProviderServer` (loopback only); in process when absent. */
  url?: string;
  /** Secret for card fingerprints; random per process when absent. */
  fingerprintSecret?: string;
  tokenTtlMs?: number;
  timeoutMs?: number;
  clock?: Clock;
}

interface StoredToken extends CardSummary {
  outcome: DeclineCode | null;
  expired: boolean;
  expiresAtMs: number;
}

const MAX_STORED_TOKENS = 10_000;
const DECLINE_MESSAGES: Record<AuthoriseErrorCode, string> = {
  card_declined: 'The card was declined.',
  insufficient_funds: 'The card has insufficient funds.',
  expired_card: 'The card has expired.',
  incorrect_cvc: 'The card security code is incorrect.',
  fraudulent: 'The payment was declined as suspected fraud.',
  token_invalid: 'The card token is unknown, expired or already used.',
  invalid_amount: 'The amount must be a positive whole number of minor units.',
};

export function createInProcessPaymentProvider(options: PaymentProviderOptions = {}): PaymentProvider {
  const clock = options.clock ?? systemClock;
  const tokenTtlMs = options.tokenTtlMs ?? 15 * 60_000;
  const secret = options.fingerprintSecret ?? randomBytes(32).toString('hex');
  const tokens = new Map<string, StoredToken>();

  function prune(nowMs: number): void {
    if (tokens.size < MAX_STORED_TOKENS) return;
    for (const [token, stored] of tokens) if (stored.expiresAtMs <= nowMs) tokens.delete(token);
    // Still full of live tokens: drop the oldest (Map keeps insertion order).
    while (tokens.size >= MAX_STORED_TOKENS) {
      const oldest = tokens.keys().next().value;
      if (oldest === undefined) break;
      tokens.delete(oldest);
    }
  }

  return {
    async tokenise(card) {
      const number = normaliseCardNumber(String(card.number ?? ''));
      if (!isLuhnValid(number))
        return { ok: false, code: 'invalid_number', message: 'The card number is invalid.' };
      const month = Number(card.expMonth);
      let year = Number(card.expYear);
      if (year >= 0 && year < 100) year += 2000;
      if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(year) || year > 2100) {
        return { ok: false, code: 'invalid_expiry', message: 'The expiry date is invalid.' };
      }
      if (!/^\d{3,4}$/.test(String(card.cvc ?? ''))) {
        return { ok: false, code: 'invalid_cvc', message: 'The security code must be 3 or 4 digits.' };
      }
      const nowMs = clock.nowMs();
      const now = new Date(nowMs);
      const expired =
        year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1);
      const summary: CardSummary = {
        brand: brandOf(number),
        last4: number.slice(-4),
        fingerprint: createHmac('sha256', secret).update(number).digest('hex').slice(0, 24),
      };
      prune(nowMs);
      const token = `tok_${randomBytes(12).toString('hex')}`;
      tokens.set(token, { ...summary, outcome: outcomeOf(number), expired, expiresAtMs: nowMs + tokenTtlMs });
      return { ok: true, token, ...summary };
    },

    async authorise(request) {
      if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor <= 0) {
        return { ok: false, code: 'invalid_amount', message: DECLINE_MESSAGES.invalid_amount };
      }
      const stored = tokens.get(String(request.token));
      if (!stored || stored.expiresAtMs <= clock.nowMs()) {
        return { ok: false, code: 'token_invalid', message: DECLINE_MESSAGES.token_invalid };
      }
      tokens.delete(String(request.token)); // single use, like a real card token
      const summary: CardSummary = {
        brand: stored.brand,
        last4: stored.last4,
        fingerprint: stored.fingerprint,
      };
      const code: DeclineCode | null = stored.expired ? 'expired_card' : stored.outcome;
      if (code) return { ok: false, code, message: DECLINE_MESSAGES[code], ...summary };
      return { ok: true, paymentId: `pay_${randomBytes(12).toString('hex')}`, ...summary };
    },
  };
}
