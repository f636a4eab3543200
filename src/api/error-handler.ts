/**
 * The one error handler (api): maps EnsuresecError, Fastify's own errors (body parsing,
 * limits, content type) and anything unexpected to `{ error: { code, message, detail?,
 * details?, requestId } }` with the catalogue's status. Client mistakes never become a
 * 500; a real fault is logged with its request id and answered without internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EnsuresecError, isEnsuresecError, type ErrorCode } from '../core/errors.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
};

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

/** The EnsuresecError a thrown value stands for. */
export function toEnsuresecError(error: unknown): EnsuresecError {
  if (isEnsuresecError(error)) return error;
  if (isFastifyError(error)) {
    const mapped = FASTIFY_CODES[error.code];
    if (mapped) return new EnsuresecError(mapped, { detail: error.message, cause: error });
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = error instanceof Error ? error.message : undefined;
    return new EnsuresecError(STATUS_CODES[statusCode] ?? 'bad_request', {
      ...(message ? { detail: message } : {}),
      cause: error,
    });
  }
  return new EnsuresecError('internal', { cause: error });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toEnsuresecError(error);
    if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
    if (reply.sent) return;
    if (mapped.code === 'rate_limited' && mapped.details && typeof mapped.details === 'object') {
      const retryAfterSeconds = (mapped.details as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retryAfterSeconds === 'number') reply.header('retry-after', String(retryAfterSeconds));
    }
    return reply.code(mapped.status).type('application/json').send(mapped.toBody(request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    const detail = `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`;
    return reply.code(404).send(new EnsuresecError('not_found', { detail }).toBody(request.id));
  });
}
