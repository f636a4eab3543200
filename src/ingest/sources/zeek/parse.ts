/**
 * The Zeek source (ingest): lines of Zeek's `conn.log` and `http.log` in, SecurityEvents out,
 * with the access-log parser's signature so `ensuresec ingest --format zeek-conn|zeek-http`
 * reads them like any log. Both of Zeek's writers are read:
 * - TSV (the default ASCII writer): `#separator`, `#set_separator`, `#empty_field`,
 *   `#unset_field`, `#path` and `#fields` header lines set how the next lines split; a data
 *   line before any `#fields` is `zeek_no_header`, one with the wrong number of columns
 *   `zeek_bad_fields`. A file may hold several logs one after the other (each with its header).
 * - JSON (`LogAscii::use_json=T`): one object per line, `ts` as epoch seconds or ISO 8601; the
 *   log is told by `_path` when a shipper added it, else by its fields.
 * `conn` → kind `flow`: both directions' packets and IP bytes summed, `conn_state` as
 * `flow.state`, TCP flags rebuilt from `history` (S/h SYN, A/a/h ACK, D/d PSH, F/f FIN, R/r
 * RST), start `ts`, end `ts + duration`, event time the end (when Zeek wrote it). `http` →
 * kind `http` (host, URI, method, status, user agent, referer, body lengths). Labels keep the
 * connection `uid` (`zeek.uid`), `zeek.service` and `zeek.history`.
 *
 * @example
 * const parse = createZeekLineParser({ name: 'zeek', expect: 'conn' });
 * for (const line of lines) parse(line, { file: 'conn.log', offset: n });
 */
import type { SecurityEvent } from '../../../core/records/index.js';
import { deterministicEventId } from '../access-log/event-id.js';
import type { AccessLineParser, LineResult } from '../access-log/source.js';
import type { MalformedReason } from '../dead-letter.js';

export const ZEEK_LOGS = ['conn', 'http'] as const;
export type ZeekLog = (typeof ZEEK_LOGS)[number];

export interface ZeekLineParserOptions {
  name: string;
  /** Only this log is accepted (another is `unknown_format`); default both. */
  expect?: ZeekLog;
  /** `source.type`; default `zeek`. */
  sourceType?: string;
}

type Fail = { ok: false; reason: MalformedReason };
type Fields = Record<string, unknown>;

function fail(reason: MalformedReason): Fail {
  return { ok: false, reason };
}

interface Header {
  separator: string;
  setSeparator: string;
  emptyField: string;
  unsetField: string;
  path: string | undefined;
  fields: string[] | undefined;
}

function freshHeader(): Header {
  return {
    separator: '\t',
    setSeparator: ',',
    emptyField: '(empty)',
    unsetField: '-',
    path: undefined,
    fields: undefined,
  };
}

/** `\x09` → a tab, as Zeek writes the separator in its first header line. */
function unescape(value: string): string {
  return value.replace(/\\x([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function str(value: unknown, max: number): string | undefined {
  if (typeof value === 'string' && value !== '') return value.length > max ? value.slice(0, max) : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A non-negative number from text or JSON; undefined when absent; NaN when not one. */
function num(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : Number.NaN;
}

/** `ts` as epoch seconds (`1732611600.123456`) or ISO 8601. */
function timeMsOf(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string' || value.length > 64) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function portOf(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && Number.isInteger(n) && n <= 65535 ? n : undefined;
}

/** TCP flags seen over the connection, from Zeek's `history` letters. */
export function flagsFromHistory(history: string): number {
  let flags = 0;
  for (const c of history) {
    if (c === 'S' || c === 's') flags |= 0x02;
    if (c === 'H' || c === 'h') flags |= 0x12;
    if (c === 'A' || c === 'a') flags |= 0x10;
    if (c === 'D' || c === 'd') flags |= 0x08;
    if (c === 'F' || c === 'f') flags |= 0x01;
    if (c === 'R' || c === 'r') flags |= 0x04;
  }
  return flags;
}

function which(fields: Fields, path: string | undefined): ZeekLog | undefined {
  if (path === 'conn' || path === 'http') return path;
  if (path !== undefined) return undefined;
  if ('conn_state' in fields || ('proto' in fields && 'duration' in fields)) return 'conn';
  if ('method' in fields || 'status_code' in fields || 'uri' in fields) return 'http';
  return undefined;
}

function connEvent(
  fields: Fields,
  timeMs: number,
): { flow: NonNullable<SecurityEvent['flow']>; labels: Record<string, string> } | Fail {
  const srcIp = str(fields['id.orig_h'], 64);
  const dstIp = str(fields['id.resp_h'], 64);
  if (srcIp === undefined || dstIp === undefined) return fail('missing_client');
  const srcPort = portOf(fields['id.orig_p']);
  const dstPort = portOf(fields['id.resp_p']);
  if (srcPort === undefined || dstPort === undefined) return fail('bad_field');
  const duration = num(fields.duration);
  const figures = [
    'orig_pkts',
    'resp_pkts',
    'orig_ip_bytes',
    'resp_ip_bytes',
    'orig_bytes',
    'resp_bytes',
  ].map((k) => num(fields[k]));
  if (
    (duration !== undefined && Number.isNaN(duration)) ||
    figures.some((n) => n !== undefined && Number.isNaN(n))
  )
    return fail('bad_bytes');
  const [origPkts = 0, respPkts = 0, origIp, respIp, origBytes, respBytes] = figures;
  const ipBytes = origIp !== undefined || respIp !== undefined;
  const bytes = ipBytes ? (origIp ?? 0) + (respIp ?? 0) : (origBytes ?? 0) + (respBytes ?? 0);
  const protocol = (str(fields.proto, 16) ?? 'unknown').toLowerCase();
  const endMs = timeMs + Math.round((duration ?? 0) * 1000);
  const flow: NonNullable<SecurityEvent['flow']> = {
    srcIp,
    dstIp,
    srcPort,
    dstPort,
    protocol,
    bytes: Math.min(Math.round(bytes), Number.MAX_SAFE_INTEGER),
    packets: Math.min(Math.round(origPkts + respPkts), Number.MAX_SAFE_INTEGER),
    startMs: timeMs,
    endMs,
  };
  const state = str(fields.conn_state, 32);
  if (state !== undefined) flow.state = state;
  const history = str(fields.history, 256);
  if (history !== undefined && protocol === 'tcp') flow.tcpFlags = flagsFromHistory(history);
  const labels: Record<string, string> = { 'zeek.log': 'conn' };
  const uid = str(fields.uid, 64);
  if (uid !== undefined) labels['zeek.uid'] = uid;
  const service = str(fields.service, 128);
  if (service !== undefined) labels['zeek.service'] = service;
  if (history !== undefined) labels['zeek.history'] = history;
  return { flow, labels };
}

function httpEvent(fields: Fields):
  | {
      client: NonNullable<SecurityEvent['client']>;
      http: NonNullable<SecurityEvent['http']>;
      labels: Record<string, string>;
    }
  | Fail {
  const ip = str(fields['id.orig_h'], 64);
  if (ip === undefined) return fail('missing_client');
  const method = str(fields.method, 32);
  const uri = str(fields.uri, 8192);
  if (method === undefined || uri === undefined) return fail('missing_request');
  const statusValue = num(fields.status_code);
  const status = statusValue ?? 0;
  if (Number.isNaN(status) || !Number.isInteger(status) || status > 999) return fail('bad_status');
  const requestBytes = num(fields.request_body_len);
  const responseBytes = num(fields.response_body_len);
  if ([requestBytes, responseBytes].some((n) => n !== undefined && Number.isNaN(n))) return fail('bad_bytes');
  const uid = str(fields.uid, 64) ?? 'zeek';
  const depth = str(fields.trans_depth, 12) ?? '1';
  const client: NonNullable<SecurityEvent['client']> = { ip };
  const port = portOf(fields['id.orig_p']);
  if (port !== undefined) client.port = port;
  const userAgent = str(fields.user_agent, 2048);
  if (userAgent !== undefined) client.userAgent = userAgent;
  const http: NonNullable<SecurityEvent['http']> = {
    requestId: `${uid}-${depth}`.slice(0, 128),
    method,
    path: uri,
    status,
    requestBytes: Math.round(requestBytes ?? 0),
    responseBytes: Math.round(responseBytes ?? 0),
    latencyMs: 0,
    outcome: 'forwarded',
  };
  const host = str(fields.host, 512);
  if (host !== undefined) http.host = host;
  const version = str(fields.version, 16);
  if (version !== undefined) http.protocol = `HTTP/${version}`;
  const referer = str(fields.referrer, 8192);
  if (referer !== undefined) http.referer = referer;
  const labels: Record<string, string> = { 'zeek.log': 'http', 'zeek.uid': uid };
  const server = str(fields['id.resp_h'], 64);
  if (server !== undefined) labels['net.dst_ip'] = server;
  const serverPort = portOf(fields['id.resp_p']);
  if (serverPort !== undefined) labels['server.port'] = String(serverPort);
  return { client, http, labels };
}

/** A TSV data line's columns as a record, with Zeek's unset and empty markers resolved. */
function tsvFields(line: string, header: Header & { fields: string[] }): Fields | undefined {
  const values = line.split(header.separator);
  if (values.length !== header.fields.length) return undefined;
  const out: Fields = {};
  header.fields.forEach((name, i) => {
    const value = values[i] as string;
    if (value === header.unsetField) return;
    out[name] = value === header.emptyField ? '' : value;
  });
  return out;
}

export function createZeekLineParser(options: ZeekLineParserOptions): AccessLineParser {
  const source = { type: options.sourceType ?? 'zeek', name: options.name };
  let header = freshHeader();

  function readHeader(line: string): void {
    const space = line.search(/[\t ]/);
    const key = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (key === '#separator') {
      header = freshHeader();
      header.separator = unescape(rest.trim()) || '\t';
      return;
    }
    const value = rest.split(header.separator);
    if (key === '#set_separator') header.setSeparator = value[0] ?? ',';
    else if (key === '#empty_field') header.emptyField = value[0] ?? '(empty)';
    else if (key === '#unset_field') header.unsetField = value[0] ?? '-';
    else if (key === '#path') header.path = value[0];
    else if (key === '#fields') header.fields = value.slice(0, 1000);
  }

  return (line, origin): LineResult => {
    const body = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
    if (!/\S/.test(body)) return null;
    let fields: Fields;
    let path: string | undefined;
    if (body.startsWith('#')) {
      readHeader(body);
      return null;
    }
    if (body.trimStart().startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return fail('not_json');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return fail('json_not_object');
      fields = parsed as Fields;
      path = str(fields._path, 32);
    } else {
      const columns = header.fields;
      if (columns === undefined) return fail('zeek_no_header');
      const parsed = tsvFields(body, { ...header, fields: columns });
      if (parsed === undefined) return fail('zeek_bad_fields');
      fields = parsed;
      path = header.path;
    }
    const log = which(fields, path);
    if (log === undefined || (options.expect !== undefined && log !== options.expect))
      return fail('unknown_format');
    const timeMs = timeMsOf(fields.ts);
    if (timeMs === undefined) return fail('bad_time');
    // Both logs' events are named after the line's place, so reading it again writes the same event.
    const envelope = (atMs: number, kind: 'flow' | 'http') => ({
      id: deterministicEventId(atMs, [options.name, origin.file, String(origin.offset), line]),
      time: new Date(atMs).toISOString(),
      kind,
      source,
      severity: 'info' as const,
    });
    if (log === 'conn') {
      const conn = connEvent(fields, timeMs);
      if ('ok' in conn) return conn;
      conn.flow.exporter = options.name.slice(0, 256);
      return {
        ok: true,
        event: { ...envelope(conn.flow.endMs, 'flow'), flow: conn.flow, labels: conn.labels },
      };
    }
    const http = httpEvent(fields);
    if ('ok' in http) return http;
    return {
      ok: true,
      event: {
        ...envelope(timeMs, 'http'),
        client: http.client,
        http: http.http,
        labels: http.labels,
        log: { line: body.length > 65_536 ? body.slice(0, 65_536) : body, format: 'zeek-http' },
      },
    };
  };
}
