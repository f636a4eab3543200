/**
 * Keeps the raw bytes of JSON request bodies (api): a signed webhook's signature covers the
 * body exactly as sent, which the parsed JSON cannot give back. Parsing itself stays
 * Fastify's own (prototype-poisoning checks, the same errors), so nothing else changes.
 */
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as received; set for application/json requests only. */
    rawBody?: Buffer;
  }
}

export function keepRawJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    parseJson(request, raw.toString('utf8'), done);
  });
}
