/**
 * One SecurityEvent per HTTP exchange (gateway -> publishEvent -> bus -> detect). Built as a
 * plain object literal, never parsed with zod on the hot path: the shape is kept honest by a
 * unit test that validates it with securityEventSchema. Sampling drops a share of ordinary
 * forwarded exchanges; anything the gateway answered itself, and 5xx, is always published.
 */
import type { Logger } from 'pino';
import type { SecurityEvent } from '../core/records/security-event.js';
import type { Severity } from '../core/records/common.js';
import { fastIdGenerator } from './fast-id.js';
import { isoTime } from './fast-time.js';
import type { InspectionFindings } from './inspection.js';
import type { GatewayMetrics } from './metrics.js';

export type Outcome = NonNullable<SecurityEvent['http']>['outcome'];

export interface ExchangeRecord {
  requestId: string;
  startedAtMs: number;
  latencyMs: number;
  clientIp: string;
  clientPort: number | undefined;
  userAgent: string | undefined;
  method: string;
  host: string | undefined;
  path: string;
  route: string;
  status: number;
  requestBytes: number;
  responseBytes: number;
  outcome: Outcome;
  upgrade?: boolean;
  labels?: Record<string, string> | undefined;
  inspection?: InspectionFindings | undefined;
  /** JA4 fingerprint of the client's TLS ClientHello. */
  ja4?: string | undefined;
}

const SEVERITY: Record<Outcome, Severity> = {
  forwarded: 'info',
  rejected: 'low',
  upstream_error: 'low',
  rate_limited: 'low',
  throttled: 'low',
  banned: 'medium',
  blocked: 'medium',
};

// One id per event: core's newId costs a crypto call per id, see fast-id.ts.
const nextEventId = fastIdGenerator('evt');

function cap(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}

export function buildSecurityEvent(record: ExchangeRecord, sourceName: string): SecurityEvent {
  const client: NonNullable<SecurityEvent['client']> = { ip: cap(record.clientIp, 64) };
  if (record.clientPort !== undefined) client.port = record.clientPort;
  if (record.userAgent !== undefined) client.userAgent = cap(record.userAgent, 2048);
  if (record.ja4 !== undefined) client.ja4 = cap(record.ja4, 64);
  const http: NonNullable<SecurityEvent['http']> = {
    requestId: cap(record.requestId, 128),
    method: cap(record.method, 32),
    path: cap(record.path, 8192),
    route: cap(record.route, 512),
    status: record.status,
    requestBytes: record.requestBytes,
    responseBytes: record.responseBytes,
    latencyMs: record.latencyMs,
    outcome: record.outcome,
  };
  if (record.host !== undefined) http.host = cap(record.host, 512);
  if (record.upgrade) http.upgrade = true;
  if (record.inspection !== undefined && record.inspection.ruleIds.length > 0) {
    const { ruleIds, blockedBy, detectionOnly } = record.inspection;
    http.inspection = { ruleIds: ruleIds.slice(0, 500).map((id) => cap(id, 32)) };
    if (blockedBy !== undefined) http.inspection.blockedBy = cap(blockedBy, 32);
    if (detectionOnly) http.inspection.detectionOnly = true;
  }
  return {
    id: nextEventId(record.startedAtMs),
    time: isoTime(record.startedAtMs),
    kind: 'http',
    source: { type: 'gateway', name: sourceName },
    severity: SEVERITY[record.outcome],
    client,
    http,
    labels: record.labels ?? {},
  };
}

/** Publishes (or samples out) one exchange; never throws and never waits. */
export class EventPublisher {
  constructor(
    private readonly publish: ((event: SecurityEvent) => void) | null,
    private readonly sampleRate: number,
    private readonly sourceName: string,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Whether an exchange with this outcome is to be published (false without a sink); counts
   * it as sampled out when not. Asked before the record is built, so a sampled-out exchange
   * costs no allocation.
   */
  wants(outcome: Outcome, status: number): boolean {
    if (this.publish === null) return false;
    const always = outcome !== 'forwarded' || status >= 500;
    if (!always && this.sampleRate < 1 && Math.random() >= this.sampleRate) {
      this.metrics.eventsSampledOut++;
      return false;
    }
    return true;
  }

  /** Samples, then publishes one exchange; never throws and never waits. */
  record(record: ExchangeRecord): void {
    if (this.wants(record.outcome, record.status)) this.publishRecord(record);
  }

  /** Publishes an exchange that `wants` let through. */
  publishRecord(record: ExchangeRecord): void {
    if (this.publish === null) return;
    try {
      const result: unknown = this.publish(buildSecurityEvent(record, this.sourceName));
      // The callback is typed void, but a bridge may still hand back a promise: never leave it unhandled.
      if (typeof (result as { catch?: unknown } | undefined)?.catch === 'function') {
        (result as Promise<unknown>).catch((err: unknown) => this.failed(err));
      }
      this.metrics.eventsPublished++;
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    this.metrics.eventPublishErrors++;
    this.logger.warn({ err }, 'gateway could not publish an event');
  }
}
