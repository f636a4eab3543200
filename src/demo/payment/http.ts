/**
 * The fake payment provider over HTTP: `createPaymentProviderServer` serves
 * `POST /v1/tokens` (card data in, `tok_…` out) and `POST /v1/authorisations`, and
 * `createHttpPaymentProvider` is the shop's client for it. Loopback only.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { assertLoopbackUrl } from '../loopback.js';
import {
  createInProcessPaymentProvider,
  type AuthoriseResult,
  type PaymentProvider,
  type PaymentProviderOptions,
  type TokeniseResult,
} from './provider.js';

function field(body: unknown, name: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

/** Registers the provider's two endpoints on a Fastify instance. */
export function registerPaymentRoutes(app: FastifyInstance, provider: PaymentProvider): void {
  app.post('/v1/tokens', async (req, reply) => {
    const card = field(req.body, 'card');
    const result = await provider.tokenise({
      number: String(field(card, 'number') ?? ''),
      expMonth: Number(field(card, 'expMonth')),
      expYear: Number(field(card, 'expYear')),
      cvc: String(field(card, 'cvc') ?? ''),
    });
    return reply.code(result.ok ? 201 : 402).send(result);
  });
  app.post('/v1/authorisations', async (req, reply) => {
    const result = await provider.authorise({
      token: String(field(req.body, 'token') ?? ''),
      amountMinor: Number(field(req.body, 'amountMinor')),
      currency: String(field(req.body, 'currency') ?? ''),
    });
    return reply.code(result.ok ? 201 : 402).send(result);
  });
}

export interface PaymentProviderServer {
  listen(): Promise<{ url: string }>;
  close(): Promise<void>;
}

export function createPaymentProviderServer(
  options: PaymentProviderOptions & { host?: string; port?: number } = {},
): PaymentProviderServer {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });
  registerPaymentRoutes(app, createInProcessPaymentProvider(options));
  return {
    async listen() {
      const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
      return { url };
    },
    close: () => app.close(),
  };
}

/** The shop's client for a provider served over HTTP; network failures come back as declines, never throws. */
export function createHttpPaymentProvider(baseUrl: string, timeoutMs = 5_000): PaymentProvider {
  const base = assertLoopbackUrl(baseUrl, 'payment provider URL').toString().replace(/\/$/, '');

  async function post<T>(path: string, body: unknown): Promise<T | null> {
    try {
      const res = await request(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const parsed = (await res.body.json()) as T;
      return res.statusCode === 201 || res.statusCode === 402 ? parsed : null;
    } catch {
      return null;
    }
  }

  return {
    async tokenise(card) {
      const result = await post<TokeniseResult>('/v1/tokens', { card });
      return result ?? { ok: false, code: 'invalid_number', message: 'The payment provider is unavailable.' };
    },
    async authorise(req) {
      const result = await post<AuthoriseResult>('/v1/authorisations', req);
      return result ?? { ok: false, code: 'card_declined', message: 'The payment provider is unavailable.' };
    },
  };
}

/** The provider the shop uses: HTTP when `options.url` is set, in process otherwise. */
export function createPaymentProvider(options: PaymentProviderOptions = {}): PaymentProvider {
  return options.url
    ? createHttpPaymentProvider(options.url, options.timeoutMs)
    : createInProcessPaymentProvider(options);
}
