/**
 * Sends request bytes over a plain TCP socket and reads one HTTP/1.x response (CRS regression
 * runner: bytes -> gateway -> response). No HTTP client library: the tests send requests no
 * client would build, and go-ftw writes them verbatim too. The response is framed by
 * Content-Length, chunked encoding or the connection's end; interim 1xx answers are skipped.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names lower-cased, in order. */
  headers: Array<[string, string]>;
  body: Buffer;
  /** Status line, headers and body as received (go-ftw's response_contains searches this). */
  raw: Buffer;
}

export type SendOutcome =
  { ok: true; response: RawResponse } | { ok: false; error: string; received: Buffer };

export interface SendOptions {
  host: string;
  port: number;
  timeoutMs: number;
}

interface Framing {
  headEnd: number;
  bodyStart: number;
  status: number;
  headers: Array<[string, string]>;
}

function parseHead(buffer: Buffer, from: number): Framing | null | 'invalid' {
  const text = buffer.toString('latin1', from);
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return null;
  const useCrlf = crlf !== -1 && (lf === -1 || crlf < lf);
  const headLength = useCrlf ? crlf : lf;
  const lines = text.slice(0, headLength).split(/\r?\n/);
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!match) return 'invalid';
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const bodyStart = from + headLength + (useCrlf ? 4 : 2);
  return { headEnd: from + headLength, bodyStart, status: Number(match[1]), headers };
}

/** Length of a complete chunked body starting at `start`, or null while incomplete. */
function chunkedLength(buffer: Buffer, start: number): { consumed: number; body: Buffer } | null | 'invalid' {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at, 'latin1');
    if (lineEnd === -1) return null;
    const size = Number.parseInt(buffer.toString('latin1', at, lineEnd).split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) return 'invalid';
    at = lineEnd + 2;
    if (size === 0) {
      // The size line's CRLF plus a blank line (after any trailers) ends the message.
      const end = buffer.indexOf('\r\n\r\n', at - 2, 'latin1');
      if (end === -1) return null;
      return { consumed: end + 4 - start, body: Buffer.concat(parts) };
    }
    if (buffer.length < at + size + 2) return null;
    parts.push(buffer.subarray(at, at + size));
    at += size + 2;
  }
}

/** Tries to cut one complete final response out of what arrived; `ended`: the peer closed. */
export function extractResponse(
  buffer: Buffer,
  isHead: boolean,
  ended: boolean,
): RawResponse | null | 'invalid' {
  let from = 0;
  for (;;) {
    const head = parseHead(buffer, from);
    if (head === null || head === 'invalid') return head;
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      from = head.bodyStart;
      continue;
    }
    const get = (name: string): string | undefined => head.headers.find(([key]) => key === name)?.[1];
    const finish = (body: Buffer, end: number): RawResponse => ({
      status: head.status,
      headers: head.headers,
      body,
      raw: buffer.subarray(from, end),
    });
    if (isHead || head.status === 204 || head.status === 304) return finish(Buffer.alloc(0), head.bodyStart);
    if ((get('transfer-encoding') ?? '').toLowerCase().includes('chunked')) {
      const chunked = chunkedLength(buffer, head.bodyStart);
      if (chunked === null) return ended ? 'invalid' : null;
      if (chunked === 'invalid') return 'invalid';
      return finish(chunked.body, head.bodyStart + chunked.consumed);
    }
    const declared = get('content-length');
    if (declared !== undefined) {
      const length = Number(declared);
      if (!Number.isInteger(length) || length < 0) return 'invalid';
      if (buffer.length < head.bodyStart + length) return ended ? 'invalid' : null;
      return finish(buffer.subarray(head.bodyStart, head.bodyStart + length), head.bodyStart + length);
    }
    return ended ? finish(buffer.subarray(head.bodyStart), buffer.length) : null;
  }
}

/**
 * Writes `request` as is and resolves with the first final response, or with an error (refused,
 * reset, closed early, unparseable, timed out): go-ftw's `expect_error` cases. Never rejects.
 */
export function sendRawRequest(request: Buffer, options: SendOptions): Promise<SendOutcome> {
  const isHead = request.subarray(0, 5).toString('latin1') === 'HEAD ';
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host: options.host, port: options.port });
    const timer = setTimeout(
      () => settle(false, `no complete response within ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
    function received(): Buffer {
      return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    }
    function settle(ended: boolean, error: string): void {
      if (settled) return;
      const data = received();
      const response = data.length > 0 ? extractResponse(data, isHead, true) : null;
      if (ended && response !== null && response !== 'invalid') return done({ ok: true, response });
      done({ ok: false, error, received: data });
    }
    function done(outcome: SendOutcome): void {
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    }
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const response = extractResponse(received(), isHead, false);
      if (response === 'invalid')
        return done({ ok: false, error: 'unparseable response', received: received() });
      if (response !== null && !settled) done({ ok: true, response });
    });
    socket.on('end', () => settle(true, 'connection closed before a complete response'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server that answers and closes while the request is still being written resets the
      // write side; what it already answered still counts.
      settle(true, `socket error ${error.code ?? error.message}`);
    });
    socket.on('close', () => settle(true, 'connection closed before a complete response'));
  });
}
