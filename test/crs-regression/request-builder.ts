/**
 * Builds the exact bytes go-ftw would put on the wire for a stage (CRS regression runner:
 * test -> bytes -> raw socket). Follows go-ftw's ftwhttp/request.go: `encoded_request` is sent
 * verbatim; otherwise the request line as written (no validation: the tests mean to break
 * HTTP), the headers as written, and with `autocomplete_headers` (default on) a form
 * Content-Type for data, form-encoding of plain `key=value` data, `Connection: close` and
 * `Content-Length`. Multipart bodies get CRLF line ends, as go-ftw does unconditionally.
 */
import type { StageInput } from './ftw-schema.js';

// go-ftw's own expression, kept with its precedence: ^POST, PUT, PATCH or DELETE$ anywhere.
const METHODS_WITH_BODY = /^POST|PUT|PATCH|DELETE$/;

/** Go's url.QueryEscape: unreserved bytes stay, space becomes '+', every other byte %XX. */
export function goQueryEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * go-ftw's encodeDataParameters: data that URL-unescaping would not change (no '%', no '+')
 * is taken as raw `key=value&...` pairs and each key and value is escaped.
 */
export function encodeFormData(data: string): string {
  if (data === '' || /[%+]/.test(data)) return data;
  const parts: string[] = [];
  let remaining = data;
  while (remaining.length > 0) {
    const amp = remaining.indexOf('&');
    const token = amp === -1 ? remaining : remaining.slice(0, amp);
    remaining = amp === -1 ? '' : remaining.slice(amp + 1);
    const eq = token.indexOf('=');
    parts.push(
      eq === -1
        ? goQueryEscape(token)
        : `${goQueryEscape(token.slice(0, eq))}=${goQueryEscape(token.slice(eq + 1))}`,
    );
  }
  return parts.join('&');
}

/**
 * The `data` field may hold Go templates; CRS uses only `{{ "x" | repeat N }}`. Other
 * templates are left as written (reported by the caller through `templateProblem`).
 */
export function expandDataTemplates(data: string): string {
  return data.replace(
    /\{\{-?\s*"((?:[^"\\]|\\.)*)"\s*\|\s*repeat\s+(\d+)\s*-?\}\}/g,
    (_all, text: string, count: string) => (JSON.parse(`"${text}"`) as string).repeat(Number(count)),
  );
}

function findHeader(headers: Array<[string, string]>, name: string): number {
  const lower = name.toLowerCase();
  return headers.findIndex(([key]) => key.toLowerCase() === lower);
}

export function autocompleteEnabled(input: StageInput): boolean {
  if (input.autocomplete_headers !== undefined) return input.autocomplete_headers;
  if (input.stop_magic !== undefined) return !input.stop_magic;
  return true;
}

function decodeBase64(value: string, field: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1)
    throw new RangeError(`${field} is not valid base64`);
  return Buffer.from(compact, 'base64');
}

/** The request bytes of a stage; `extraCookie` carries cookies saved by an earlier stage. */
export function buildRequestBytes(input: StageInput, extraCookie?: string): Buffer {
  if (input.encoded_request) return decodeBase64(input.encoded_request, 'encoded_request');
  if (input.raw_request) return Buffer.from(input.raw_request, 'utf8');

  const method = input.method ?? 'GET';
  const uri = input.uri ?? '/';
  const version = input.version ?? 'HTTP/1.1';
  const headers: Array<[string, string]> = (input.headers ?? []).map(([k, v]) => [k, v]);
  const autocomplete = autocompleteEnabled(input);
  let body: Buffer =
    input.data !== undefined
      ? Buffer.from(expandDataTemplates(input.data), 'utf8')
      : input.encoded_data !== undefined
        ? decodeBase64(input.encoded_data, 'encoded_data')
        : Buffer.alloc(0);

  if (extraCookie) {
    const at = findHeader(headers, 'Cookie');
    if (at === -1) headers.push(['Cookie', extraCookie]);
    else headers[at] = [headers[at]![0], `${headers[at]![1]}; ${extraCookie}`];
  }
  if (body.length > 0 && autocomplete) {
    if (findHeader(headers, 'Content-Type') === -1)
      headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    const contentType = headers[findHeader(headers, 'Content-Type')]![1];
    if (contentType === 'application/x-www-form-urlencoded' && input.data !== undefined)
      body = Buffer.from(encodeFormData(body.toString('utf8')), 'utf8');
  }
  const contentTypeAt = findHeader(headers, 'Content-Type');
  if (contentTypeAt !== -1 && headers[contentTypeAt]![1].startsWith('multipart/form-data;')) {
    body = Buffer.from(body.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
  }
  if (autocomplete) {
    if (findHeader(headers, 'Connection') === -1) headers.push(['Connection', 'close']);
    if ((body.length > 0 || METHODS_WITH_BODY.test(method)) && findHeader(headers, 'Content-Length') === -1)
      headers.push(['Content-Length', String(body.length)]);
  }
  const head =
    `${method} ${uri} ${version}\r\n` +
    headers.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
    '\r\n';
  return Buffer.concat([Buffer.from(head, 'utf8'), body]);
}

/** The marker request go-ftw sends before and after each stage (`X-CRS-Test: <uuid>`). */
export function buildMarkerRequest(uuid: string, host = 'localhost'): Buffer {
  return Buffer.from(
    'GET /status/200 HTTP/1.1\r\n' +
      'Accept: */*\r\n' +
      'User-Agent: go-ftw test agent\r\n' +
      `Host: ${host}\r\n` +
      `X-CRS-Test: ${uuid}\r\n` +
      'Connection: close\r\n\r\n',
    'latin1',
  );
}
