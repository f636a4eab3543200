/**
 * The upstream behind the gateway in the CRS regression run, modelled on CRS's albedo:
 * `POST /reflect` answers with the status, headers and body its JSON request body asks for
 * (`status`, `headers`, `body`, `encodedBody` in base64), so response rules (95x) have a
 * response to judge; every other request is answered 200 with an empty body.
 *
 * @example
 * const backend = await startReflectBackend();
 * // POST http://127.0.0.1:<backend.port>/reflect  {"status": 500, "body": "<?php echo 1 ?>"}
 * await backend.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export interface ReflectBackend {
  port: number;
  close(): Promise<void>;
}

const MAX_SPEC_BYTES = 4 * 1024 * 1024;

const reflectionSpec = z.object({
  status: z.number().int().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  encodedBody: z.string().optional(),
  logMessage: z.string().optional(),
});

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_SPEC_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function reflect(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req);
  if (raw === null) return answer(res, 413, 'Reflection specification too large');
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return answer(res, 400, 'Invalid JSON in request body');
  }
  const parsed = reflectionSpec.safeParse(json);
  if (!parsed.success) return answer(res, 400, 'Invalid JSON in request body');
  const spec = parsed.data;
  const status = spec.status ?? 0;
  if ((status > 0 && status < 100) || status >= 600 || status < 0)
    return answer(res, 400, `Invalid status code: ${status}`);
  let body: Buffer;
  if (spec.body) body = Buffer.from(spec.body, 'utf8');
  else if (spec.encodedBody) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(spec.encodedBody))
      return answer(res, 400, 'invalid base64 encoding of response body');
    body = Buffer.from(spec.encodedBody, 'base64');
  } else body = Buffer.alloc(0);
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    try {
      res.setHeader(name, value);
    } catch {
      // albedo drops headers that are not valid HTTP; so do we.
    }
  }
  // albedo is written in Go, whose net/http sniffs a Content-Type when the handler sets none;
  // the response rules (95x) only see bodies of the inspected MIME types, so do the same.
  if (body.length > 0 && res.getHeader('content-type') === undefined)
    res.setHeader('content-type', sniffContentType(body));
  res.statusCode = status === 0 ? 200 : status;
  res.end(status >= 100 && status < 200 ? undefined : body);
}

const HTML_SIGNATURES = [
  '<!doctype html',
  '<html',
  '<head',
  '<script',
  '<iframe',
  '<h1',
  '<div',
  '<font',
  '<table',
  '<a',
  '<style',
  '<title',
  '<b',
  '<body',
  '<br',
  '<p',
  '<!--',
];

function isBinaryByte(code: number): boolean {
  return code <= 0x08 || code === 0x0b || (code >= 0x0e && code <= 0x1a) || (code >= 0x1c && code <= 0x1f);
}

/** The subset of Go's http.DetectContentType that matters for text bodies. */
export function sniffContentType(body: Buffer): string {
  const head = body
    .subarray(0, 512)
    .toString('latin1')
    .replace(/^[\t\n\f\r ]+/, '');
  const lower = head.toLowerCase();
  const html = HTML_SIGNATURES.find((signature) => lower.startsWith(signature));
  if (html !== undefined && /^[ >]/.test(lower.slice(html.length, html.length + 1) || ' '))
    return 'text/html; charset=utf-8';
  if (lower.startsWith('<?xml')) return 'text/xml; charset=utf-8';
  if (head.startsWith('%PDF-')) return 'application/pdf';
  // Bytes Go calls binary: control characters other than whitespace.
  if ([...head].some((char) => isBinaryByte(char.charCodeAt(0)))) return 'application/octet-stream';
  return 'text/plain; charset=utf-8';
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST' && (path === '/reflect' || path === '/reflect/')) {
    reflect(req, res).catch(() => {
      if (!res.headersSent) answer(res, 500, 'reflection failed');
      else res.destroy();
    });
    return;
  }
  // Drain whatever body came, then the empty 200 albedo gives any other request.
  req.resume();
  req.on('end', () => {
    res.statusCode = 200;
    res.end();
  });
  req.on('error', () => res.destroy());
}

export async function startReflectBackend(host = '127.0.0.1'): Promise<ReflectBackend> {
  const server = createServer({ keepAliveTimeout: 5_000 }, handle);
  // A client that sends garbage gets node's 400; the backend never crashes on it.
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
