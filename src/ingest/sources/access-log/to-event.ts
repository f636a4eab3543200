/**
 * AccessRecord → SecurityEvent of kind `http` (ingest, access-log source). Strings are cut
 * to the schema's limits; the raw line goes into the `log` section as evidence (and for
 * Sigma `keywords` rules). Access logs do not say what a gateway did, so `outcome` is
 * `forwarded` (the server answered the request itself); latency and request size are 0
 * when the log does not carry them. A request line that was not HTTP gets label
 * `request.invalid` (`empty` or `unparsable`) and severity `low`.
 */
import type { SecurityEvent } from '../../../core/records/index.js';
import type { AccessRecord } from './record.js';

function cap(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}

/** Access logs stamp whole seconds, so consecutive lines share their time: one formatting per second. */
let lastTimeMs = Number.NaN;
let lastTime = '';
function isoTime(timeMs: number): string {
  if (timeMs !== lastTimeMs) {
    lastTime = new Date(timeMs).toISOString();
    lastTimeMs = timeMs;
  }
  return lastTime;
}

export interface AccessEventContext {
  id: string;
  source: { type: string; name: string };
  /** The line as read; omitted from the event when undefined. */
  line?: string;
  /** `log.format`, e.g. `nginx-combined`. */
  format: string;
  labels?: Record<string, string>;
}

export function accessRecordToEvent(record: AccessRecord, context: AccessEventContext): SecurityEvent {
  const client: NonNullable<SecurityEvent['client']> = { ip: cap(record.clientIp, 64) };
  if (record.clientPort !== undefined) client.port = record.clientPort;
  if (record.userAgent !== undefined) client.userAgent = cap(record.userAgent, 2048);
  const http: NonNullable<SecurityEvent['http']> = {
    requestId: cap(record.requestId ?? `req_${context.id.slice(4)}`, 128),
    method: cap(record.method, 32),
    path: cap(record.path, 8192),
    status: record.status,
    requestBytes: record.requestBytes ?? 0,
    responseBytes: record.responseBytes,
    latencyMs: record.latencyMs ?? 0,
    outcome: 'forwarded',
  };
  if (record.host !== undefined) http.host = cap(record.host, 512);
  if (record.protocol !== undefined) http.protocol = cap(record.protocol, 32);
  if (record.referer !== undefined) http.referer = cap(record.referer, 8192);
  if (record.user !== undefined) http.user = cap(record.user, 256);
  const labels: Record<string, string> = { ...context.labels };
  if (record.invalidRequest !== undefined) labels['request.invalid'] = record.invalidRequest;
  if (record.serverPort !== undefined) labels['server.port'] = String(record.serverPort);
  const event: SecurityEvent = {
    id: context.id,
    time: isoTime(record.timeMs),
    kind: 'http',
    source: context.source,
    severity: record.invalidRequest === undefined ? 'info' : 'low',
    client,
    http,
    labels,
  };
  if (context.line !== undefined) event.log = { line: cap(context.line, 65536), format: context.format };
  return event;
}
