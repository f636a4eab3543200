/**
 * The Common and Combined Log Formats that nginx and Apache write by default, and their
 * virtual-host variants (ingest, access-log source):
 *
 *   common          %h %l %u %t "%r" %>s %b
 *   combined        %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"
 *   vhost-common    %v %h %l %u %t "%r" %>s %b            (Apache `vhost_common`)
 *   vhost-combined  %v:%p %h %l %u %t "%r" %>s %O "…" "…" (Apache `vhost_combined`)
 *
 * Fields after the user agent (nginx configs often add `"$http_x_forwarded_for"` or
 * timings) are tolerated and ignored. `-` means absent. One function serves nginx and
 * Apache: they differ in escaping only, which quoted.ts handles.
 *
 * @example parseClfLine('203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2326')
 */
import { readQuoted } from './quoted.js';
import { malformed, type AccessRecord, type ParseOutcome } from './record.js';
import { parseRequestLine } from './request-line.js';
import { parseClfTime } from './time.js';

const SPACE = 32;
const QUOTE = 34;
const DIGITS = /^\d{1,15}$/;

function absent(value: string): string | undefined {
  return value === '-' || value === '' ? undefined : value;
}

/** `host:port` (Apache `%v:%p`), `[v6]:port`, or a bare host. */
function splitHostPort(text: string): { host: string; port?: number } {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return { host: text };
  const portText = text.slice(colon + 1);
  const host = text.slice(0, colon);
  // A bare IPv6 address has colons of its own and no port.
  if (!DIGITS.test(portText) || (host.includes(':') && !host.endsWith(']'))) return { host: text };
  const port = Number(portText);
  if (port > 65535) return { host: text };
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}

/** The next space-delimited token from `start`; `end` is the index of the space (or the line's end). */
function token(line: string, start: number): { value: string; end: number } {
  const space = line.indexOf(' ', start);
  const end = space === -1 ? line.length : space;
  return { value: line.slice(start, end), end };
}

export function parseClfLine(line: string): ParseOutcome<AccessRecord> {
  const timeOpen = line.indexOf(' [');
  if (timeOpen <= 0) return malformed('bad_prefix');
  const prefix = line.slice(0, timeOpen).split(' ');
  if (prefix.length !== 3 && prefix.length !== 4) return malformed('bad_prefix');
  const hasVhost = prefix.length === 4;
  const [clientText, , userText] = hasVhost ? prefix.slice(1) : prefix;
  if (!clientText || clientText === '-') return malformed('bad_prefix');

  const timeClose = line.indexOf(']', timeOpen + 2);
  if (timeClose === -1) return malformed('bad_time');
  const timeMs = parseClfTime(line.slice(timeOpen + 2, timeClose));
  if (timeMs === undefined) return malformed('bad_time');

  if (line.charCodeAt(timeClose + 1) !== SPACE || line.charCodeAt(timeClose + 2) !== QUOTE) {
    return malformed('bad_quoted_field');
  }
  const request = readQuoted(line, timeClose + 2);
  if (!request || line.charCodeAt(request.end) !== SPACE) return malformed('bad_quoted_field');

  const status = token(line, request.end + 1);
  if (status.value !== '-' && !/^\d{1,3}$/.test(status.value)) return malformed('bad_status');
  const bytes = token(line, status.end + 1);
  if (status.end === line.length || (bytes.value !== '-' && !DIGITS.test(bytes.value))) {
    return malformed('bad_bytes');
  }

  let referer: string | undefined;
  let userAgent: string | undefined;
  let combined = false;
  if (bytes.end < line.length) {
    if (line.charCodeAt(bytes.end + 1) !== QUOTE) return malformed('bad_quoted_field');
    const refererField = readQuoted(line, bytes.end + 1);
    if (!refererField) return malformed('bad_quoted_field');
    referer = absent(refererField.value);
    if (line.charCodeAt(refererField.end + 1) === QUOTE) {
      const agentField = readQuoted(line, refererField.end + 1);
      if (!agentField) return malformed('bad_quoted_field');
      userAgent = absent(agentField.value);
      combined = true;
    }
  }

  const requestLine = parseRequestLine(request.value);
  const client = splitHostPort(clientText);
  const record: AccessRecord = {
    timeMs,
    clientIp: client.host,
    method: requestLine.method,
    path: requestLine.path,
    status: status.value === '-' ? 0 : Number(status.value),
    responseBytes: bytes.value === '-' ? 0 : Number(bytes.value),
    layout: `${hasVhost ? 'vhost-' : ''}${combined ? 'combined' : 'common'}`,
  };
  if (client.port !== undefined) record.clientPort = client.port;
  if (requestLine.protocol !== undefined) record.protocol = requestLine.protocol;
  if (requestLine.invalidRequest !== undefined) record.invalidRequest = requestLine.invalidRequest;
  const user = absent(userText ?? '-');
  if (user !== undefined) record.user = user;
  if (referer !== undefined) record.referer = referer;
  if (userAgent !== undefined) record.userAgent = userAgent;
  if (hasVhost && prefix[0] !== '-') {
    const server = splitHostPort(prefix[0] as string);
    record.host = server.host;
    if (server.port !== undefined) record.serverPort = server.port;
  }
  return { ok: true, value: record };
}
