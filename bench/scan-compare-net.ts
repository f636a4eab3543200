/**
 * Network fences for bench/scan-compare.ts, so Wapiti only ever talks to 127.0.0.1:
 *
 * - a **loopback-only forward proxy** Wapiti is told to use (`-p`): requests for loopback
 *   hosts are forwarded and counted (that count is Wapiti's request total in the table);
 *   anything else (a crash report upload, the open-redirect module following a redirect to
 *   openbugbounty.org, an HTTPS `CONNECT`) is answered 403 here and counted as blocked;
 * - a stand-in for **Wapiti's SSRF endpoint** (wapiti3.ovh in Wapiti's defaults, given with
 *   `--endpoint`): the target's fetches of `/ssrf/<session>/<path id>/<hex parameter>/` are
 *   recorded and `GET /get_ssrf.php?id=<session>` answers them in the JSON shape
 *   `mod_ssrf.finish()` of Wapiti 3.0.4 reads, so Wapiti's SSRF module can work offline like
 *   ensuresec's own loopback canary does.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Whether a host name is this machine (127.0.0.0/8, ::1 or localhost). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export interface LoopbackProxy {
  url: string;
  /** Requests forwarded, per `host:port`. */
  forwarded: Map<string, number>;
  /** Requests refused because they were not for loopback (`METHOD url`). */
  blocked: string[];
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startLoopbackProxy(): Promise<LoopbackProxy> {
  const forwarded = new Map<string, number>();
  const blocked: string[] = [];
  const server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('scan-compare proxy: absolute URL expected');
      return;
    }
    if (target.protocol !== 'http:' || !isLoopback(target.hostname)) {
      blocked.push(`${req.method ?? '?'} ${target.href}`);
      req.resume();
      res.writeHead(403, { 'content-type': 'text/plain' }).end('scan-compare proxy: loopback only');
      return;
    }
    forwarded.set(target.host, (forwarded.get(target.host) ?? 0) + 1);
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = httpRequest(
      target,
      { method: req.method, headers, timeout: 30_000 },
      (answer: IncomingMessage) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end('scan-compare proxy: upstream error');
      else res.destroy();
    });
    req.pipe(upstream);
  });
  // HTTPS through a proxy starts with CONNECT: every target here is plain http on loopback.
  server.on('connect', (req: IncomingMessage, socket) => {
    blocked.push(`CONNECT ${req.url ?? ''}`);
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
  });
  const url = await listen(server);
  return { url, forwarded, blocked, close: () => close(server) };
}

export interface SsrfEndpoint {
  /** The base URL given to Wapiti's `--endpoint` (ends with `/`). */
  url: string;
  /** Hits recorded (any session). */
  hits(): number;
  close(): Promise<void>;
}

interface SsrfHit {
  url: string;
  date: string;
  ip: string;
  method: string;
}

export async function startSsrfEndpoint(): Promise<SsrfEndpoint> {
  // session → path id → hex parameter → hits
  const sessions = new Map<string, Record<string, Record<string, SsrfHit[]>>>();
  let hits = 0;
  let base = '';
  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'ssrf' && parts.length >= 4) {
      const [, session = '', pathId = '', hexParam = ''] = parts;
      const byPath = sessions.get(session) ?? {};
      const byParam = (byPath[pathId] ??= {});
      (byParam[hexParam] ??= []).push({
        url: `${base}${url.pathname.slice(1)}${url.search}`,
        date: new Date().toISOString(),
        ip: req.socket.remoteAddress ?? '',
        method: req.method ?? 'GET',
      });
      sessions.set(session, byPath);
      hits += 1;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname === '/get_ssrf.php') {
      const found = sessions.get(url.searchParams.get('id') ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found ?? {}));
      return;
    }
    // Wapiti's XXE module asks get_xxe.php the same way; nothing is recorded for it.
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  base = `${await listen(server)}/`;
  return { url: base, hits: () => hits, close: () => close(server) };
}
