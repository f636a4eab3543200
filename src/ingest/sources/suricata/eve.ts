/**
 * The Suricata source (ingest): one line of Suricata's EVE JSON log (`eve.json`) in, one
 * SecurityEvent or a malformed reason out, with the access-log parser's signature so
 * `ensuresec ingest --format suricata-eve` and the tailer read it the same way.
 * - `flow` (both directions in one record) and `netflow` (one direction) → kind `flow`, with
 *   the TCP flags as Suricata logged them (hex) and a Zeek-like state where the record says
 *   enough: `S0` (the other side never answered), `REJ` (it answered with a reset), else
 *   Suricata's own state (`established`, `closed`...);
 * - `http` → kind `http` (host, URL, method, status, user agent, referer, response length);
 * - `alert` → kind `log`, severity from the alert's (1 high, 2 medium, 3 low, else info),
 *   labels `suricata.signature`, `suricata.signature_id`, `suricata.category`,
 *   `suricata.action`;
 * - `tls` → kind `log` with the client's JA4 (when Suricata computed it) in `client.ja4`
 *   and labels `tls.sni`, `tls.version`, `tls.ja3`, `tls.ja3s`, `tls.ja4`;
 * - `dns` → kind `log` with labels `dns.rrname`, `dns.rrtype`, `dns.rcode`, `dns.type` (EVE
 *   DNS formats v2 and v3).
 * Other event types (`stats`, `fileinfo`, `anomaly`...) are skipped, not malformed. Every
 * event carries `net.*` labels for the five-tuple and `suricata.event_type`.
 *
 * @example
 * const parse = createEveLineParser({ name: 'suricata' });
 * const result = parse(line, { file: '/var/log/suricata/eve.json', offset: 0 });
 */
import type { Severity } from '../../../core/records/common.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import { deterministicEventId } from '../access-log/event-id.js';
import type { AccessLineParser, LineResult } from '../access-log/source.js';
import type { MalformedReason } from '../dead-letter.js';

export const EVE_EVENT_TYPES = ['flow', 'netflow', 'http', 'alert', 'tls', 'dns'] as const;

export interface EveLineParserOptions {
  /** `source.name` of the events. */
  name: string;
  /** `source.type`; default `suricata`. */
  sourceType?: string;
}

type Json = Record<string, unknown>;
type Fail = { ok: false; reason: MalformedReason };

const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

function fail(reason: MalformedReason): Fail {
  return { ok: false, reason };
}

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown, max: number): string | undefined {
  if (typeof value === 'string' && value !== '') return value.length > max ? value.slice(0, max) : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A non-negative integer, or undefined when absent; NaN when present but not one. */
function count(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  return Number.NaN;
}

function port(value: unknown): number | undefined | 'bad' {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535 ? value : 'bad';
}

function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** `"1e"` → 0x1e; undefined when absent or not hex. */
function hexFlags(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^[0-9a-f]{1,4}$/i.test(value)) return undefined;
  return parseInt(value, 16);
}

function severityOf(alertSeverity: unknown): Severity {
  return alertSeverity === 1 ? 'high' : alertSeverity === 2 ? 'medium' : alertSeverity === 3 ? 'low' : 'info';
}

interface FiveTuple {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  protocol: string;
}

function fiveTuple(record: Json): FiveTuple | Fail {
  const srcIp = text(record.src_ip, 64);
  const dstIp = text(record.dest_ip, 64);
  if (srcIp === undefined || dstIp === undefined) return fail('missing_client');
  const srcPort = port(record.src_port);
  const dstPort = port(record.dest_port);
  if (srcPort === 'bad' || dstPort === 'bad') return fail('bad_field');
  const protocol = (text(record.proto, 16) ?? 'unknown').toLowerCase();
  return {
    srcIp,
    dstIp,
    srcPort: srcPort ?? 0,
    dstPort: dstPort ?? 0,
    protocol: protocol === 'ipv6-icmp' ? 'icmp' : protocol,
  };
}

function netLabels(tuple: FiveTuple, eventType: string): Record<string, string> {
  return {
    'suricata.event_type': eventType,
    'net.src_ip': tuple.srcIp,
    'net.dst_ip': tuple.dstIp,
    'net.src_port': String(tuple.srcPort),
    'net.dst_port': String(tuple.dstPort),
    'net.proto': tuple.protocol,
  };
}

function flowSection(
  record: Json,
  tuple: FiveTuple,
  eventType: 'flow' | 'netflow',
  timeMs: number,
): NonNullable<SecurityEvent['flow']> | Fail {
  const stats = object(record[eventType]);
  if (stats === undefined) return fail('missing_request');
  const toServer = eventType === 'flow' ? count(stats.pkts_toserver) : count(stats.pkts);
  const toClient = eventType === 'flow' ? count(stats.pkts_toclient) : 0;
  const bytesServer = eventType === 'flow' ? count(stats.bytes_toserver) : count(stats.bytes);
  const bytesClient = eventType === 'flow' ? count(stats.bytes_toclient) : 0;
  const figures = [toServer, toClient, bytesServer, bytesClient];
  if (figures.some((n) => n !== undefined && Number.isNaN(n))) return fail('bad_bytes');
  const startMs = timeOf(stats.start) ?? timeMs;
  const endMs = timeOf(stats.end) ?? timeMs;
  const flow: NonNullable<SecurityEvent['flow']> = {
    ...tuple,
    bytes: (bytesServer ?? 0) + (bytesClient ?? 0),
    packets: (toServer ?? 0) + (toClient ?? 0),
    startMs: Math.min(startMs, endMs),
    endMs,
  };
  const tcp = object(record.tcp);
  const flags = hexFlags(tcp?.tcp_flags);
  if (tuple.protocol === 'tcp' && flags !== undefined) flow.tcpFlags = flags;
  if (eventType === 'flow') {
    const state = stateOf(tuple.protocol, toClient ?? 0, tcp, text(stats.state, 32));
    if (state !== undefined) flow.state = state;
  }
  return flow;
}

/** Zeek's words where the record is clear (unanswered: S0; refused: REJ), else Suricata's state. */
function stateOf(
  protocol: string,
  toClient: number,
  tcp: Json | undefined,
  suricataState: string | undefined,
): string | undefined {
  if ((protocol === 'tcp' || protocol === 'udp') && toClient === 0) return 'S0';
  const fromServer = hexFlags(tcp?.tcp_flags_tc);
  if (protocol === 'tcp' && fromServer !== undefined && (fromServer & RST) !== 0 && (fromServer & SYN) === 0)
    return (fromServer & ACK) !== 0 || toClient <= 2 ? 'REJ' : suricataState;
  return suricataState;
}

function httpSection(record: Json): NonNullable<SecurityEvent['http']> | Fail {
  const http = object(record.http);
  if (http === undefined) return fail('missing_request');
  const method = text(http.http_method, 32);
  const url = text(http.url, 8192);
  if (method === undefined || url === undefined) return fail('missing_request');
  const status = http.status === undefined ? 0 : Number(http.status);
  if (!Number.isInteger(status) || status < 0 || status > 999) return fail('bad_status');
  const length = count(http.length);
  if (length !== undefined && Number.isNaN(length)) return fail('bad_bytes');
  const section: NonNullable<SecurityEvent['http']> = {
    requestId: `suricata-${text(record.flow_id, 40) ?? '0'}-${text(record.tx_id, 12) ?? '0'}`,
    method,
    path: url,
    status,
    requestBytes: 0,
    responseBytes: length ?? 0,
    latencyMs: 0,
    outcome: 'forwarded',
  };
  const host = text(http.hostname, 512);
  if (host !== undefined) section.host = host;
  const protocol = text(http.protocol, 32);
  if (protocol !== undefined) section.protocol = protocol;
  const referer = text(http.http_refer, 8192);
  if (referer !== undefined) section.referer = referer;
  return section;
}

function setLabel(labels: Record<string, string>, name: string, value: unknown): void {
  const v = text(value, 512);
  if (v !== undefined) labels[name] = v;
}

function alertLabels(record: Json, labels: Record<string, string>): Severity | Fail {
  const alert = object(record.alert);
  if (alert === undefined) return fail('missing_request');
  setLabel(labels, 'suricata.signature', alert.signature);
  setLabel(labels, 'suricata.signature_id', alert.signature_id);
  setLabel(labels, 'suricata.category', alert.category);
  setLabel(labels, 'suricata.action', alert.action);
  setLabel(labels, 'suricata.gid', alert.gid);
  setLabel(labels, 'suricata.rev', alert.rev);
  return severityOf(alert.severity);
}

function tlsLabels(record: Json, labels: Record<string, string>): string | undefined {
  const tls = object(record.tls);
  if (tls === undefined) return undefined;
  setLabel(labels, 'tls.sni', tls.sni);
  setLabel(labels, 'tls.version', tls.version);
  setLabel(labels, 'tls.subject', tls.subject);
  setLabel(labels, 'tls.issuer', tls.issuerdn);
  setLabel(labels, 'tls.ja3', object(tls.ja3)?.hash);
  setLabel(labels, 'tls.ja3s', object(tls.ja3s)?.hash);
  const ja4 = text(tls.ja4, 64);
  if (ja4 !== undefined) labels['tls.ja4'] = ja4;
  return ja4;
}

function dnsLabels(record: Json, labels: Record<string, string>): void {
  const dns = object(record.dns);
  if (dns === undefined) return;
  // EVE DNS v3 (Suricata 8) puts the question in `queries`; v2 has it at the top.
  const queries = Array.isArray(dns.queries) ? object(dns.queries[0]) : undefined;
  setLabel(labels, 'dns.type', dns.type);
  setLabel(labels, 'dns.rrname', dns.rrname ?? queries?.rrname);
  setLabel(labels, 'dns.rrtype', dns.rrtype ?? queries?.rrtype);
  setLabel(labels, 'dns.rcode', dns.rcode);
}

const SUPPORTED: ReadonlySet<string> = new Set(EVE_EVENT_TYPES);

export function createEveLineParser(options: EveLineParserOptions): AccessLineParser {
  const source = { type: options.sourceType ?? 'suricata', name: options.name };
  return (line, origin): LineResult => {
    const body = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
    if (!/\S/.test(body)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return fail('not_json');
    }
    const record = object(parsed);
    if (record === undefined) return fail('json_not_object');
    const eventType = text(record.event_type, 32);
    if (eventType === undefined) return fail('unknown_format');
    if (!SUPPORTED.has(eventType)) return null;
    const timeMs = timeOf(record.timestamp);
    if (timeMs === undefined) return fail('bad_time');
    const tuple = fiveTuple(record);
    if ('ok' in tuple) return tuple;
    const id = deterministicEventId(timeMs, [options.name, origin.file, String(origin.offset), line]);
    const labels = netLabels(tuple, eventType);
    setLabel(labels, 'suricata.flow_id', record.flow_id);
    setLabel(labels, 'suricata.app_proto', record.app_proto);
    setLabel(labels, 'suricata.in_iface', record.in_iface);
    const base = { id, time: new Date(timeMs).toISOString(), source };
    const client: NonNullable<SecurityEvent['client']> = { ip: tuple.srcIp, port: tuple.srcPort };

    if (eventType === 'flow' || eventType === 'netflow') {
      const flow = flowSection(record, tuple, eventType, timeMs);
      if ('ok' in flow) return flow;
      if (text(record.host, 256) !== undefined) flow.exporter = text(record.host, 256);
      else flow.exporter = options.name.slice(0, 256);
      return { ok: true, event: { ...base, kind: 'flow', severity: 'info', flow, labels } };
    }
    if (eventType === 'http') {
      const http = httpSection(record);
      if ('ok' in http) return http;
      const userAgent = text(object(record.http)?.http_user_agent, 2048);
      if (userAgent !== undefined) client.userAgent = userAgent;
      return { ok: true, event: { ...base, kind: 'http', severity: 'info', client, http, labels } };
    }
    let severity: Severity = 'info';
    if (eventType === 'alert') {
      const found = alertLabels(record, labels);
      if (typeof found !== 'string') return found;
      severity = found;
    } else if (eventType === 'tls') {
      const ja4 = tlsLabels(record, labels);
      if (ja4 !== undefined) client.ja4 = ja4;
    } else {
      dnsLabels(record, labels);
    }
    return {
      ok: true,
      event: {
        ...base,
        kind: 'log',
        severity,
        client,
        log: {
          line: body.length > 65_536 ? body.slice(0, 65_536) : body,
          format: `suricata-eve-${eventType}`,
        },
        labels,
      },
    };
  };
}
