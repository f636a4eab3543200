/**
 * Route definitions (api): every route is declared once with its zod schemas and its
 * access rule; the same declaration validates requests, gates access and feeds the
 * OpenAPI document, so the three cannot drift apart.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { EnsuresecError } from '../core/errors.js';
import type { Access, Principal, ResolvedApiDeps, Restriction } from './types.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteContext<P, Q, B> {
  request: FastifyRequest;
  reply: FastifyReply;
  params: P;
  query: Q;
  body: B;
  /** The caller; reading it on a public route throws `unauthenticated`. */
  readonly principal: Principal;
  deps: ResolvedApiDeps;
}

export interface RouteResponseDoc {
  /** Default 200. */
  status?: number;
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
  description?: string;
}

export interface RouteSpec<PS extends z.ZodType, QS extends z.ZodType, BS extends z.ZodType> {
  method: HttpMethod;
  /** Relative to `/api/v1`, Fastify syntax (`/decisions/:id`). */
  url: string;
  summary: string;
  access: Access;
  allowWhile?: Restriction[];
  params?: PS;
  query?: QS;
  body?: BS;
  response?: RouteResponseDoc;
  handler(ctx: RouteContext<z.output<PS>, z.output<QS>, z.output<BS>>): Promise<unknown>;
}

/** A route with its types erased, as the server and the OpenAPI builder hold it. */
export interface ApiRoute {
  method: HttpMethod;
  url: string;
  summary: string;
  tag: string;
  access: Access;
  allowWhile: Restriction[];
  params: z.ZodType | undefined;
  query: z.ZodType | undefined;
  body: z.ZodType | undefined;
  response: RouteResponseDoc;
  run(request: FastifyRequest, reply: FastifyReply, deps: ResolvedApiDeps): Promise<unknown>;
}

function parsePart(
  schema: z.ZodType | undefined,
  value: unknown,
  part: 'params' | 'query' | 'body',
): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new EnsuresecError('validation_failed', {
    detail: `The ${part === 'body' ? 'request body' : part === 'query' ? 'query string' : 'path'} is invalid.`,
    details: result.error.issues.map((issue) => ({
      in: part,
      path: issue.path.map(String).join('.'),
      code: issue.code,
      message: issue.message,
    })),
  });
}

/** Declares one route. @example defineRoute('decisions', { method: 'GET', url: '/decisions', ... }) */
export function defineRoute<
  PS extends z.ZodType = z.ZodUnknown,
  QS extends z.ZodType = z.ZodUnknown,
  BS extends z.ZodType = z.ZodUnknown,
>(tag: string, spec: RouteSpec<PS, QS, BS>): ApiRoute {
  return {
    method: spec.method,
    url: spec.url,
    summary: spec.summary,
    tag,
    access: spec.access,
    allowWhile: spec.allowWhile ?? [],
    params: spec.params,
    query: spec.query,
    body: spec.body,
    response: spec.response ?? {},
    async run(request, reply, deps) {
      const params = parsePart(spec.params, request.params, 'params') as z.output<PS>;
      const query = parsePart(spec.query, request.query, 'query') as z.output<QS>;
      const body = parsePart(spec.body, request.body, 'body') as z.output<BS>;
      return spec.handler({
        request,
        reply,
        params,
        query,
        body,
        deps,
        get principal() {
          if (!request.principal) throw new EnsuresecError('unauthenticated');
          return request.principal;
        },
      });
    },
  };
}
