/**
 * Exposes an in-process gateway's counters on the API's Prometheus `/metrics`, read when
 * Prometheus scrapes (nothing is added to the gateway's hot path).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventSinkStats } from '../ingest/event-sink.js';
import type { Gateway } from '../gateway/index.js';

/** A counter that follows a monotonic value read at scrape time. */
function followingCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Record<string, number>,
): void {
  const last = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [label, value] of Object.entries(read())) {
        const delta = value - (last.get(label) ?? 0);
        if (delta > 0) this.inc(labelNames.length > 0 ? { [labelNames[0] as string]: label } : {}, delta);
        last.set(label, value);
      }
    },
  });
}

export function registerGatewayMetrics(
  registry: Registry,
  gateway: Gateway,
  sink: { stats(): EventSinkStats },
): void {
  followingCounter(
    registry,
    'ensuresec_gateway_requests_total',
    'Requests the gateway handled, by outcome (forwarded, banned, throttled, rate_limited, rejected, upstream_error, blocked).',
    ['outcome'],
    () => gateway.metrics.outcomes,
  );
  followingCounter(
    registry,
    'ensuresec_gateway_client_errors_total',
    'Malformed client requests.',
    [],
    () => ({
      all: gateway.metrics.clientErrors,
    }),
  );
  new Gauge({
    name: 'ensuresec_gateway_websockets_active',
    help: 'WebSocket connections open through the gateway.',
    registers: [registry],
    collect() {
      this.set(gateway.metrics.activeUpgrades);
    },
  });
  new Gauge({
    name: 'ensuresec_gateway_decisions_indexed',
    help: 'Decisions the gateway enforces now.',
    registers: [registry],
    collect() {
      this.set(gateway.metrics.decisions.indexed);
    },
  });
  followingCounter(
    registry,
    'ensuresec_events_total',
    'Security events through the event sink, by fate (accepted, written, dropped).',
    ['fate'],
    () => {
      const stats = sink.stats();
      return { accepted: stats.accepted, written: stats.written, dropped: stats.dropped };
    },
  );
}
