/**
 * The gateway's counters (plain numbers bumped on the hot path; a Prometheus exporter or the
 * API reads a snapshot through `gateway.metrics`).
 */
import type { Outcome } from './events.js';
import type { ClientSummary } from './connections/client-table.js';
import type { ConnectionCounters } from './connections/front.js';
import type { CertificateStatus } from './tls/certificates.js';

export interface GatewayMetrics {
  requests: number;
  outcomes: Record<Outcome, number>;
  clientErrors: number;
  upgrades: number;
  activeUpgrades: number;
  eventsPublished: number;
  eventsSampledOut: number;
  eventPublishErrors: number;
}

export interface GatewayMetricsSnapshot extends GatewayMetrics {
  decisions: { indexed: number; refreshes: number; refreshErrors: number };
  rateLimitBuckets: number;
  /** The connection front: caps, slow-attack closes, TLS, and the clients with the most open connections. */
  connections: ConnectionCounters & { topClients: ClientSummary[]; certificates?: CertificateStatus };
}

export function emptyMetrics(): GatewayMetrics {
  return {
    requests: 0,
    outcomes: {
      forwarded: 0,
      banned: 0,
      throttled: 0,
      rate_limited: 0,
      rejected: 0,
      upstream_error: 0,
      blocked: 0,
    },
    clientErrors: 0,
    upgrades: 0,
    activeUpgrades: 0,
    eventsPublished: 0,
    eventsSampledOut: 0,
    eventPublishErrors: 0,
  };
}
