/**
 * HTTP metrics (api): a request counter and a latency histogram in Prometheus format,
 * labelled by route pattern (never the raw URL, which would explode cardinality).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';

function counterIn(registry: Registry): Counter<'method' | 'route' | 'status'> {
  const name = 'ensuresec_http_requests_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'method' | 'route' | 'status'>;
  return new Counter({
    name,
    help: 'HTTP requests answered by the API, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
}

function histogramIn(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  const name = 'ensuresec_http_request_duration_seconds';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<'method' | 'route' | 'status'>;
  return new Histogram({
    name,
    help: 'API request latency in seconds, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

export function installMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = counterIn(registry);
  const latency = histogramIn(registry);
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });
  app.get(
    '/metrics',
    { config: { ensuresec: { access: 'public', allowWhile: [] } } },
    async (_request, reply) => {
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
}
