/**
 * The API server (api): Fastify with cookies, the authentication gate, the one error
 * handler, metrics, health, and every `/api/v1` route from the one list. The composition
 * root calls `createApiServer(deps)` and listens (127.0.0.1:8700 by default).
 *
 * @example const app = await createApiServer(deps); await app.listen({ host: '127.0.0.1', port: 8700 });
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { systemClock } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { authorize } from './auth/authenticate.js';
import { installDashboard } from './dashboard.js';
import { LoginRateLimiter } from './auth/rate-limit.js';
import { installErrorHandling } from './error-handler.js';
import { installMetrics } from './metrics.js';
import { ModeChangeWatch } from './mode-watch.js';
import { keepRawJsonBodies } from './raw-body.js';
import { API_PREFIX, buildOpenApiDocument } from './openapi.js';
import { defineRoute, type ApiRoute } from './route.js';
import { V1_ROUTES } from './routes/v1/index.js';
import { certificateJwks } from './routes/v1/certificates.js';
import { closeLiveStreams } from './routes/v1/stream.js';
import type { ApiDeps, ResolvedApiDeps } from './types.js';

export type { ApiDeps, ApiConfig, StatusProvider } from './types.js';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function openApiRoute(routes: () => ApiRoute[], version: string): ApiRoute {
  let document: Record<string, unknown> | undefined;
  return defineRoute('meta', {
    method: 'GET',
    url: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    access: 'authenticated',
    response: { description: 'The OpenAPI document' },
    handler: async () => (document ??= buildOpenApiDocument(routes(), version)),
  });
}

/** Every `/api/v1` route, the OpenAPI document's own included. */
export function apiRoutes(version: string): ApiRoute[] {
  const routes: ApiRoute[] = [...V1_ROUTES];
  routes.push(openApiRoute(() => routes, version));
  return routes;
}

function installHealth(app: FastifyInstance, deps: ResolvedApiDeps): void {
  const publicAccess = { config: { ensuresec: { access: 'public' as const, allowWhile: [] } } };
  app.get('/healthz', publicAccess, async () => ({ status: 'ok', version: deps.version }));
  // The scan certificates' issuer keys where verifiers look for them (same as /api/v1/public/jwks.json).
  app.get('/.well-known/ensuresec/jwks.json', publicAccess, async () => certificateJwks(deps));
  app.get('/readyz', publicAccess, async (request, reply) => {
    let checks: Record<string, boolean>;
    try {
      checks = deps.readiness
        ? await deps.readiness()
        : {
            store: await deps.store.ping().then(
              () => true,
              () => false,
            ),
          };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      checks = { readiness: false };
    }
    if (Object.values(checks).every(Boolean)) return { ready: true, checks };
    const failing = Object.keys(checks).filter((name) => !checks[name]);
    const error = new EnsuresecError('not_ready', {
      detail: `Failing: ${failing.join(', ')}.`,
      details: checks,
    });
    return reply.code(503).send(error.toBody(request.id));
  });
}

function installRoutes(app: FastifyInstance, routes: ApiRoute[], deps: ResolvedApiDeps): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: API_PREFIX + route.url,
      config: { ensuresec: { access: route.access, allowWhile: route.allowWhile } },
      handler: async (request, reply) => {
        const result = await route.run(request, reply, deps);
        if (result === reply || reply.sent) return reply;
        if (result === undefined) return reply.code(route.response.status ?? 204).send();
        return reply.code(route.response.status ?? 200).send(result);
      },
    });
  }
}

export async function createApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const { maxAttempts, windowMs } = deps.config.loginRateLimit;
  const resolved: ResolvedApiDeps = {
    ...deps,
    clock,
    startedAtMs: clock.nowMs(),
    loginLimiter: new LoginRateLimiter(maxAttempts, windowMs, clock),
    modeWatch: new ModeChangeWatch(deps.bus),
  };
  const app = Fastify({
    loggerInstance: deps.logger,
    trustProxy: deps.config.trustProxy,
    bodyLimit: deps.config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    genReqId: () => newId('req'),
    // A caller-chosen request id would let a client forge log correlation.
    requestIdHeader: false,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    // Fastify types the instance by the logger it was given; callers only need the base type.
  }) as unknown as FastifyInstance;
  await app.register(cookie);
  // JSON only: a text/plain body would reach the schemas as a string; answer 415 instead.
  app.removeContentTypeParser('text/plain');
  keepRawJsonBodies(app);
  app.decorateRequest('principal', null);
  installErrorHandling(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const access = request.routeOptions.config.ensuresec;
    if (access) await authorize(request, access, resolved);
  });
  installMetrics(app, deps.metricsRegistry ?? new Registry());
  installHealth(app, resolved);
  installRoutes(app, apiRoutes(deps.version), resolved);
  installDashboard(app);
  // Open dashboard streams (GET /api/v1/stream) end first, or closing would wait for them.
  app.addHook('preClose', async () => closeLiveStreams(resolved));
  // Held mode-feed requests answer before the server waits for in-flight requests to end.
  app.addHook('preClose', async () => {
    await resolved.modeWatch.close();
  });
  return app;
}
