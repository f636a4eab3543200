/**
 * JSON-lines access logs (ingest, access-log source): one JSON object per line, as nginx
 * writes with `log_format … escape=json '{…}'`, and as Caddy, Traefik and ECS-shaped
 * loggers write. Each record field is looked up in a list of candidate field names (the
 * first present wins); a name with dots is a path into nested objects (`request.method`)
 * unless the flat key exists. Numbers may come as strings (`"status":"200"`), as nginx
 * writes them. A header given as a list (Caddy's `"User-Agent":["…"]`) yields its first value.
 *
 * @example parseJsonAccessLine('{"remote_addr":"203.0.113.7","request":"GET / HTTP/1.1","status":"200"}', fields, now)
 */
import { malformed, type AccessRecord, type ParseOutcome } from './record.js';
import { parseRequestLine } from './request-line.js';
import { parseTimeValue } from './time.js';

/** Candidate field names for each part of an access record; the first present wins. */
export interface JsonFieldNames {
  time: string[];
  clientIp: string[];
  clientPort: string[];
  /** The whole request line (`$request`); used when method and path fields are absent. */
  request: string[];
  method: string[];
  path: string[];
  protocol: string[];
  status: string[];
  responseBytes: string[];
  requestBytes: string[];
  referer: string[];
  userAgent: string[];
  host: string[];
  user: string[];
  requestId: string[];
  latencySeconds: string[];
  latencyMs: string[];
  latencyNs: string[];
}

/** nginx variable names first, then Caddy, Traefik and ECS names. */
export const DEFAULT_JSON_FIELDS: JsonFieldNames = {
  time: ['time_iso8601', 'time_local', 'time', 'timestamp', '@timestamp', 'msec', 'ts', 'StartUTC'],
  clientIp: [
    'remote_addr',
    'client_ip',
    'clientip',
    'remote_ip',
    'request.client_ip',
    'request.remote_ip',
    'ClientHost',
    'client.ip',
    'source.ip',
  ],
  clientPort: ['remote_port', 'request.remote_port', 'ClientPort', 'client.port', 'source.port'],
  request: ['request'],
  method: ['request_method', 'method', 'request.method', 'RequestMethod', 'http.request.method'],
  path: ['request_uri', 'uri', 'path', 'request.uri', 'RequestPath', 'url.original', 'url.path'],
  protocol: ['server_protocol', 'protocol', 'request.proto', 'RequestProtocol', 'http.version'],
  status: ['status', 'status_code', 'DownstreamStatus', 'http.response.status_code'],
  responseBytes: [
    'body_bytes_sent',
    'bytes_sent',
    'size',
    'DownstreamContentSize',
    'http.response.body.bytes',
  ],
  requestBytes: ['request_length', 'RequestContentSize', 'http.request.bytes'],
  referer: ['http_referer', 'referer', 'referrer', 'request.headers.Referer', 'request_Referer'],
  userAgent: [
    'http_user_agent',
    'user_agent',
    'useragent',
    'request.headers.User-Agent',
    'request_User-Agent',
    'user_agent.original',
  ],
  host: ['host', 'http_host', 'server_name', 'request.host', 'RequestHost', 'url.domain'],
  user: ['remote_user', 'user', 'user_id', 'ClientUsername', 'user.name'],
  requestId: ['request_id', 'requestid', 'RequestId', 'http.request.id'],
  latencySeconds: ['request_time', 'duration', 'upstream_response_time'],
  latencyMs: ['duration_ms', 'latency_ms', 'response_time_ms'],
  latencyNs: ['Duration'],
};

type JsonObject = Record<string, unknown>;

function lookup(object: JsonObject, name: string): unknown {
  if (name in object) return object[name];
  if (!name.includes('.')) return undefined;
  let current: unknown = object;
  for (const part of name.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as JsonObject)[part];
  }
  return current;
}

/** The first candidate with a usable value; `-` and empty strings count as absent. */
function first(object: JsonObject, names: string[]): unknown {
  for (const name of names) {
    let value = lookup(object, name);
    if (Array.isArray(value)) value = value[0];
    if (value === undefined || value === null || value === '' || value === '-') continue;
    return value;
  }
  return undefined;
}

function text(object: JsonObject, names: string[]): string | undefined {
  const value = first(object, names);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function number(object: JsonObject, names: string[]): number | undefined {
  const value = first(object, names);
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

function latencyMsOf(object: JsonObject, fields: JsonFieldNames): number | undefined {
  const seconds = number(object, fields.latencySeconds);
  if (seconds !== undefined) return seconds * 1000;
  const ms = number(object, fields.latencyMs);
  if (ms !== undefined) return ms;
  const ns = number(object, fields.latencyNs);
  return ns === undefined ? undefined : ns / 1e6;
}

/** `receivedAtMs` stands in for the time when the line has none. */
export function parseJsonAccessLine(
  line: string,
  fields: JsonFieldNames,
  receivedAtMs: number,
): ParseOutcome<AccessRecord> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return malformed('not_json');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return malformed('json_not_object');
  const object = parsed as JsonObject;

  const clientIp = text(object, fields.clientIp);
  if (clientIp === undefined) return malformed('missing_client');
  const rawTime = first(object, fields.time);
  const timeMs = rawTime === undefined ? receivedAtMs : parseTimeValue(rawTime);
  if (timeMs === undefined) return malformed('bad_time');

  const method = text(object, fields.method);
  const path = text(object, fields.path);
  let requestLine;
  if (method !== undefined && path !== undefined) {
    requestLine = parseRequestLine(`${method} ${path}`);
  } else {
    const request = first(object, fields.request);
    if (typeof request !== 'string') return malformed('missing_request');
    requestLine = parseRequestLine(request);
  }

  const record: AccessRecord = {
    timeMs,
    clientIp,
    method: requestLine.method,
    path: requestLine.path,
    status: Math.min(999, Math.trunc(number(object, fields.status) ?? 0)),
    responseBytes: Math.trunc(number(object, fields.responseBytes) ?? 0),
    layout: 'json',
  };
  const protocol = text(object, fields.protocol) ?? requestLine.protocol;
  if (protocol !== undefined) record.protocol = protocol;
  if (requestLine.invalidRequest !== undefined) record.invalidRequest = requestLine.invalidRequest;
  const port = number(object, fields.clientPort);
  if (port !== undefined && Number.isInteger(port) && port <= 65535) record.clientPort = port;
  const requestBytes = number(object, fields.requestBytes);
  if (requestBytes !== undefined) record.requestBytes = Math.trunc(requestBytes);
  const latencyMs = latencyMsOf(object, fields);
  if (latencyMs !== undefined) record.latencyMs = latencyMs;
  const optional = {
    referer: fields.referer,
    userAgent: fields.userAgent,
    host: fields.host,
    user: fields.user,
  };
  for (const [key, names] of Object.entries(optional) as [keyof typeof optional, string[]][]) {
    const value = text(object, names);
    if (value !== undefined) record[key] = value;
  }
  const requestId = text(object, fields.requestId);
  if (requestId !== undefined) record.requestId = requestId;
  return { ok: true, value: record };
}
