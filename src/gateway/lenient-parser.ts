/**
 * A tolerant HTTP/1 request parser for the lenient front (gateway, before inspection): reads
 * the bytes node's strict parser (llhttp) refused, so the WAF can still judge them. It accepts
 * what llhttp rejects (any method, raw non-ASCII bytes in the target, any or no version, bare LF
 * line ends, obs-fold, Transfer-Encoding with Content-Length) and never throws: every byte
 * sequence gives a request, possibly with `problems`. It only reads; it never forwards.
 *
 * @example
 * parseLenient(Buffer.from('TEST /a HTTP/1.1\r\nHost: x\r\n\r\n'), { maxHeadBytes: 16384, maxBodyBytes: 1 << 20 })
 * // { method: 'TEST', target: '/a', version: 'HTTP/1.1', rawHeaders: ['Host', 'x'], ... }
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface LenientLimits {
  maxHeadBytes: number;
  maxBodyBytes: number;
}

export interface LenientRequest {
  method: string;
  /** The request-target as sent, bytes as latin1 characters (like node's rawHeaders). */
  target: string;
  /** The version token as sent (`HTTP/1.1`); '' when the request line has none. */
  version: string;
  rawHeaders: string[];
  /** Lower-cased names; repeated fields joined with ', ' (set-cookie kept as a list), like node. */
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** False when the bytes end before the blank line (the head is what arrived). */
  headComplete: boolean;
  /** False when the bytes end before the body does (the body is what arrived). */
  bodyComplete: boolean;
  headTooLarge: boolean;
  bodyTooLarge: boolean;
  /** Bytes this request took, head and body, when complete (where a pipelined next one starts). */
  length: number;
  /** Framing problems node would refuse the request for (`content-length and transfer-encoding`...). */
  problems: string[];
}

const MAX_HEADER_LINES = 1000;

/** Splits `bytes` into lines ending in LF (a CR before it dropped); returns the lines and where the head ended. */
function headLines(
  bytes: Buffer,
  maxHeadBytes: number,
): { lines: string[]; end: number; complete: boolean; overflow: boolean } {
  const lines: string[] = [];
  let start = 0;
  // Leading blank lines before a request line are ignored (RFC 9112 §2.2).
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  const limit = Math.min(bytes.length, start + maxHeadBytes);
  while (start < limit && lines.length <= MAX_HEADER_LINES) {
    const lf = bytes.indexOf(0x0a, start);
    if (lf === -1 || lf >= limit) {
      lines.push(bytes.toString('latin1', start, limit));
      return { lines, end: limit, complete: false, overflow: limit < bytes.length };
    }
    const end = lf > start && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    const line = bytes.toString('latin1', start, end);
    start = lf + 1;
    if (line === '' && lines.length > 0) return { lines, end: start, complete: true, overflow: false };
    lines.push(line);
  }
  return { lines, end: start, complete: false, overflow: start < bytes.length };
}

/** Leading whitespace stays in the method, so the WAF sees the request line as it was sent. */
function splitRequestLine(line: string): { method: string; target: string; version: string } {
  const match = /^([ \t]*[^ \t]*)(.*)$/s.exec(line);
  const method = match?.[1] ?? '';
  const parts = (match?.[2] ?? '').split(/[ \t]+/).filter((part) => part !== '');
  if (parts.length >= 2 && /^HTTP\//i.test(parts[parts.length - 1] as string))
    return { method, target: parts.slice(0, -1).join(' '), version: parts[parts.length - 1] as string };
  return { method, target: parts.join(' '), version: '' };
}

function addHeader(headers: IncomingHttpHeaders, name: string, value: string): void {
  const key = name.toLowerCase();
  if (key === 'set-cookie') {
    (headers['set-cookie'] ??= []).push(value);
    return;
  }
  const previous = headers[key];
  headers[key] = previous === undefined ? value : `${String(previous)}, ${value}`;
}

/** Chunked body decoding, tolerant of bad sizes (stops there). */
function dechunk(
  bytes: Buffer,
  from: number,
  max: number,
): { body: Buffer; end: number; complete: boolean; over: boolean } {
  const parts: Buffer[] = [];
  let size = 0;
  let at = from;
  for (;;) {
    const lf = bytes.indexOf(0x0a, at);
    if (lf === -1) break;
    const sizeText = bytes.toString('latin1', at, lf).split(';')[0]?.trim() ?? '';
    if (!/^[0-9A-Fa-f]{1,8}$/.test(sizeText)) break;
    const chunk = parseInt(sizeText, 16);
    at = lf + 1;
    if (chunk === 0) {
      // Trailer fields, up to the blank line.
      while (at < bytes.length) {
        const next = bytes.indexOf(0x0a, at);
        if (next === -1)
          return { body: Buffer.concat(parts), end: bytes.length, complete: false, over: false };
        const empty = next === at || (next === at + 1 && bytes[at] === 0x0d);
        at = next + 1;
        if (empty) return { body: Buffer.concat(parts), end: at, complete: true, over: false };
      }
      break;
    }
    const piece = bytes.subarray(at, Math.min(at + chunk, bytes.length));
    size += piece.length;
    if (size > max) return { body: Buffer.concat(parts), end: at, complete: false, over: true };
    parts.push(piece);
    if (piece.length < chunk) break;
    at += chunk;
    if (bytes[at] === 0x0d) at++;
    if (bytes[at] === 0x0a) at++;
  }
  return { body: Buffer.concat(parts), end: bytes.length, complete: false, over: false };
}

export function parseLenient(bytes: Buffer, limits: LenientLimits): LenientRequest {
  const head = headLines(bytes, limits.maxHeadBytes);
  const { method, target, version } = splitRequestLine(head.lines[0] ?? '');
  const rawHeaders: string[] = [];
  const headers: IncomingHttpHeaders = {};
  const problems: string[] = [];
  for (const line of head.lines.slice(1)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && rawHeaders.length > 0) {
      // obs-fold: the line continues the previous field's value (RFC 9112 §5.2).
      rawHeaders[rawHeaders.length - 1] = `${rawHeaders[rawHeaders.length - 1] ?? ''} ${line.trim()}`;
      problems.push('obsolete line folding');
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push('a header line without a name');
      continue;
    }
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ''));
  }
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    addHeader(headers, rawHeaders[i] as string, rawHeaders[i + 1] as string);

  const request: LenientRequest = {
    method,
    target,
    version,
    rawHeaders,
    headers,
    body: Buffer.alloc(0),
    headComplete: head.complete,
    bodyComplete: head.complete,
    headTooLarge: head.overflow,
    bodyTooLarge: false,
    length: head.end,
    problems,
  };
  if (!head.complete) return request;

  const transferEncoding = headers['transfer-encoding'];
  const contentLength = headers['content-length'];
  if (transferEncoding !== undefined) {
    if (contentLength !== undefined) problems.push('content-length and transfer-encoding');
    if (!/(?:^|,)\s*chunked\s*$/i.test(String(transferEncoding))) {
      problems.push('a transfer-encoding that does not end in chunked');
      return request;
    }
    // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length.
    const chunked = dechunk(bytes, head.end, limits.maxBodyBytes);
    Object.assign(request, {
      body: chunked.body,
      bodyComplete: chunked.complete,
      bodyTooLarge: chunked.over,
      length: chunked.end,
    });
    return request;
  }
  if (contentLength === undefined) return request;
  const values = String(contentLength)
    .split(',')
    .map((value) => value.trim());
  if (!values.every((value) => /^\d{1,15}$/.test(value) && value === values[0])) {
    problems.push('an invalid content-length');
    return request;
  }
  const declared = Number(values[0]);
  if (declared > limits.maxBodyBytes) {
    request.bodyTooLarge = true;
    return request;
  }
  const end = Math.min(bytes.length, head.end + declared);
  request.body = bytes.subarray(head.end, end);
  request.bodyComplete = end - head.end === declared;
  request.length = end;
  return request;
}
