/**
 * Exposes an in-process gateway's counters and connection histograms on the API's Prometheus
 * `/metrics`, read when Prometheus scrapes (nothing is added to the gateway's hot path).
 */
import { Gauge, type Metric, type Registry } from 'prom-client';
import { followingCounter as followingCounterOf } from '../ingest/sources/following-counter.js';
import type { EventSinkStats } from '../ingest/event-sink.js';
import type { ConnectionTelemetry, Gateway } from '../gateway/index.js';
import type { HistogramSnapshot } from '../gateway/connections/histogram.js';

/** A counter that follows monotonic values read at scrape time, one per value of its label. */
function followingCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Record<string, number>,
): void {
  const labelName = labelNames[0];
  followingCounterOf(registry, name, help, labelNames, () =>
    Object.entries(read()).map(([label, value]) => ({
      labels: labelName === undefined ? {} : { [labelName]: label },
      value,
    })),
  );
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

/**
 * A histogram read from the gateway's own bucket counts at scrape time. prom-client's Histogram
 * only takes observations, so this registers the minimal metric object its registry reads
 * (`name`, `get()`), in the text format's histogram shape (`_bucket` with `le`, `_sum`, `_count`).
 */
function snapshotHistogram(
  registry: Registry,
  name: string,
  help: string,
  read: () => HistogramSnapshot,
): void {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const snapshot = read();
      const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> =
        [];
      let cumulative = 0;
      snapshot.bounds.forEach((bound, i) => {
        cumulative += snapshot.counts[i] ?? 0;
        values.push({ metricName: `${name}_bucket`, labels: { le: bound }, value: cumulative });
      });
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: snapshot.count });
      values.push({ metricName: `${name}_sum`, labels: {}, value: snapshot.sum });
      values.push({ metricName: `${name}_count`, labels: {}, value: snapshot.count });
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  // The registry only calls get() and reads name; the Metric union lists prom-client's own classes.
  registry.registerMetric(metric as unknown as Metric);
}

const CONNECTION_HISTOGRAMS: Array<[keyof ConnectionTelemetry, string, string]> = [
  [
    'firstByteSeconds',
    'ensuresec_gateway_connection_first_byte_seconds',
    'Time from a connection being accepted to its first byte.',
  ],
  [
    'headersSeconds',
    'ensuresec_gateway_connection_headers_seconds',
    "Time from a connection being accepted to its first request's complete headers.",
  ],
  [
    'bodyFirstByteSeconds',
    'ensuresec_gateway_request_body_first_byte_seconds',
    'Time from complete headers to the first body byte, for bodies still arriving at a sweep (every 250 ms).',
  ],
  [
    'bodySeconds',
    'ensuresec_gateway_request_body_seconds',
    'Time from complete headers to the end of the request body.',
  ],
  [
    'durationSeconds',
    'ensuresec_gateway_connection_duration_seconds',
    'How long client connections stay open.',
  ],
  [
    'bytesPerSecond',
    'ensuresec_gateway_connection_bytes_per_second',
    'Average bytes per second (both directions) of each closed connection.',
  ],
  [
    'tlsHandshakeSeconds',
    'ensuresec_gateway_tls_handshake_seconds',
    'Time from a complete ClientHello to the end of the TLS handshake.',
  ],
];

/** The connection front: caps, slow-attack closes, TLS, and the timing histograms (no per-client labels). */
export function registerGatewayConnectionMetrics(registry: Registry, gateway: Gateway): void {
  new Gauge({
    name: 'ensuresec_gateway_connections_active',
    help: 'Client connections open at the gateway.',
    registers: [registry],
    collect() {
      this.set(gateway.metrics.connections.active);
    },
  });
  followingCounter(
    registry,
    'ensuresec_gateway_connections_accepted_total',
    'Client connections accepted.',
    [],
    () => ({
      all: gateway.metrics.connections.accepted,
    }),
  );
  followingCounter(
    registry,
    'ensuresec_gateway_connections_refused_total',
    'Client connections refused by a per-client cap (concurrent, new_rate).',
    ['cap'],
    () => ({
      concurrent: gateway.metrics.connections.refused.concurrent,
      new_rate: gateway.metrics.connections.refused.newRate,
    }),
  );
  followingCounter(
    registry,
    'ensuresec_gateway_connections_closed_total',
    'Client connections the gateway closed to protect itself, by reason (slow_headers, slow_body, slow_read).',
    ['reason'],
    () => gateway.metrics.connections.closed,
  );
  followingCounter(
    registry,
    'ensuresec_gateway_tls_total',
    'TLS connections by result (handshake, failure, invalid_hello).',
    ['result'],
    () => {
      const tls = gateway.metrics.connections.tls;
      return { handshake: tls.handshakes, failure: tls.failures, invalid_hello: tls.invalidHellos };
    },
  );
  for (const [key, name, help] of CONNECTION_HISTOGRAMS) {
    snapshotHistogram(registry, name, help, () => gateway.connectionTelemetry()[key]);
  }
}

/** Per WAF worker thread: what it holds and what waits for it (src/gateway/waf/pool). */
export function registerWafWorkerMetrics(
  registry: Registry,
  load: () => Array<{ exchanges: number; queued: number }>,
): void {
  new Gauge({
    name: 'ensuresec_waf_worker_exchanges',
    help: 'Exchanges a WAF worker thread holds: request seen, not yet logged (most wait for the shop).',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      load().forEach((worker, index) => this.set({ worker: String(index) }, worker.exchanges));
    },
  });
  new Gauge({
    name: 'ensuresec_waf_worker_queued',
    help: 'Inspection phases waiting for a WAF worker thread to answer (its queue; new exchanges go to the shortest).',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      load().forEach((worker, index) => this.set({ worker: String(index) }, worker.queued));
    },
  });
}
