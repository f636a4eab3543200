/**
 * Header hygiene for the proxy (hot path): drops hop-by-hop fields (RFC 9110 §7.6.1: the
 * fixed list plus every field named in Connection) in both directions, replaces the
 * X-Forwarded-* and X-Request-Id fields, and works on flat name/value arrays so no header
 * object is built per request.
 */
import type { IncomingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** Replaced by the gateway; taken from the client only when trustProxy is on. */
const FORWARDING = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'forwarded',
  'x-request-id',
]);

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function isValidRequestId(value: string | undefined): value is string {
  return value !== undefined && REQUEST_ID_PATTERN.test(value);
}

function connectionTokens(value: string | undefined): Set<string> | null {
  if (value === undefined || value === '') return null;
  // Nearly every message says only keep-alive or close, which name no field: skip the split.
  if (value.length <= 10 && /^(?:keep-alive|close)$/i.test(value)) return null;
  const tokens = new Set<string>();
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive') tokens.add(name);
  }
  return tokens.size > 0 ? tokens : null;
}

export interface ForwardedValues {
  clientIp: string;
  /** The direct peer, appended to X-Forwarded-For. */
  peerIp: string;
  proto: string;
  requestId: string;
  trustProxy: boolean;
  /** Keep the client's upgrade fields (WebSocket handshake). */
  keepUpgrade: boolean;
}

/**
 * The request headers to send upstream, as a flat [name, value, ...] array.
 * @example upstreamRequestHeaders(req.rawHeaders, req.headers, { clientIp, peerIp, proto: 'http', requestId, trustProxy: false, keepUpgrade: false })
 */
export function upstreamRequestHeaders(
  raw: readonly string[],
  headers: IncomingHttpHeaders,
  values: ForwardedValues,
): string[] {
  const listed = connectionTokens(headers.connection);
  const out: string[] = [];
  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (lower === 'host') host = raw[i + 1];
    if (HOP_BY_HOP.has(lower) || FORWARDING.has(lower) || (listed !== null && listed.has(lower))) continue;
    out.push(name, raw[i + 1] ?? '');
  }
  if (values.keepUpgrade) out.push('connection', 'Upgrade', 'upgrade', headers.upgrade ?? 'websocket');
  const trusted = values.trustProxy;
  const incomingFor = trusted ? headers['x-forwarded-for'] : undefined;
  out.push('x-forwarded-for', incomingFor ? `${incomingFor}, ${values.peerIp}` : values.peerIp);
  out.push('x-forwarded-proto', (trusted && firstValue(headers['x-forwarded-proto'])) || values.proto);
  const forwardedHost = (trusted && firstValue(headers['x-forwarded-host'])) || host;
  if (forwardedHost) out.push('x-forwarded-host', forwardedHost);
  if (trusted && headers.forwarded) out.push('forwarded', headers.forwarded);
  out.push('x-request-id', values.requestId);
  return out;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Response headers from the shop as a flat array for `res.writeHead`, hop-by-hop removed. */
export function clientResponseHeaders(
  headers: IncomingHttpHeaders,
  requestId: string,
  challenge: boolean,
): string[] {
  const connection = headers.connection;
  const listed = connectionTokens(Array.isArray(connection) ? connection.join(',') : connection);
  const out: string[] = [];
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || name === 'x-request-id' || (listed !== null && listed.has(name))) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
  out.push('x-request-id', requestId);
  if (challenge) out.push('x-ensuresec-challenge', '1');
  return out;
}

/**
 * The client ip: the peer address, or with trustProxy the left-most valid X-Forwarded-For entry.
 * `isIp` is injected so the hot path can reuse node's validator.
 */
export function clientIpFrom(
  peerIp: string,
  forwardedFor: string | undefined,
  trustProxy: boolean,
  isIp: (s: string) => boolean,
): string {
  if (!trustProxy || !forwardedFor) return peerIp;
  const comma = forwardedFor.indexOf(',');
  const first = (comma < 0 ? forwardedFor : forwardedFor.slice(0, comma)).trim();
  return isIp(first) ? first : peerIp;
}
