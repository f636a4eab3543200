/**
 * Test harness for the gateway suites (tests only): a small node:http upstream with a few
 * behaviours (echo, slow download, streamed upload, hang, hop-by-hop headers, WebSocket
 * echo), a gateway started on an ephemeral port with its events collected, and a raw
 * socket client for requests a well-behaved client library refuses to send.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { newId } from '../../core/ids.js';
import { decisionSchema, type Decision, type DecisionInput } from '../../core/records/decision.js';
import type { SecurityEvent } from '../../core/records/security-event.js';
import { createGateway, type Gateway, type GatewayOptions } from '../index.js';

export interface Upstream {
  url: string;
  port: number;
  /** Requests seen by the upstream, in order. */
  seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  /** Resolves when the upload route has received its first body chunk. */
  firstUploadChunk: Promise<void>;
  close(): Promise<void>;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export async function startUpstream(): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const firstChunk = deferred();
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/slow-download') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first-chunk;');
      setTimeout(() => res.end('second-chunk'), 400);
      return;
    }
    if (path === '/upload') {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        if (bytes === 0) firstChunk.resolve();
        bytes += chunk.length;
      });
      req.on('end', () => res.end(JSON.stringify({ bytes })));
      return;
    }
    if (path === '/hang') return;
    if (path === '/hop') {
      res.setHeader('connection', 'x-secret-hop');
      res.setHeader('x-secret-hop', 'must-not-pass');
      res.setHeader('proxy-authenticate', 'Basic');
      res.setHeader('x-end-to-end', 'kept');
      res.setHeader('x-request-id', 'upstream-should-not-win');
      res.end('hop');
      return;
    }
    if (path === '/page') {
      res.setHeader('content-type', 'text/html');
      res.end('<html>card number 4111111111111111 leaked</html>');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.setHeader('content-type', 'application/json');
      if (req.method === 'HEAD') return res.end();
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.on('message', (data, isBinary) =>
      ws.send(isBinary ? data : `echo:${String(data)}|${req.headers['x-request-id']}`),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    firstUploadChunk: firstChunk.promise,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TestGateway {
  gateway: Gateway;
  base: string;
  port: number;
  events: SecurityEvent[];
}

export async function startGateway(
  upstream: string,
  options: Partial<GatewayOptions> = {},
): Promise<TestGateway> {
  const events: SecurityEvent[] = [];
  const gateway = createGateway({
    upstream,
    host: '127.0.0.1',
    port: 0,
    publishEvent: (event) => events.push(event),
    ...options,
  });
  const { port } = await gateway.listen();
  return { gateway, base: `http://127.0.0.1:${port}`, port, events };
}

/** Sends raw bytes and returns everything the server answers until it closes. */
export async function rawRequest(port: number, payload: string | Buffer, timeoutMs = 5_000): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(payload);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  await Promise.race([once(socket, 'close'), once(socket, 'end')]);
  clearTimeout(timer);
  socket.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

export function makeDecision(
  input: Partial<DecisionInput> & Pick<DecisionInput, 'action' | 'scope' | 'value'>,
): Decision {
  return decisionSchema.parse({
    id: newId('dec'),
    createdAt: new Date().toISOString(),
    expiresAt: null,
    origin: 'cli',
    ...input,
  });
}

/** A provider the test changes by hand; `notify` plays the push channel. */
export function mutableProvider(initial: Decision[] = []): {
  decisions: Decision[];
  provider: { listActive(): Promise<Decision[]>; subscribe(onChange: () => void): () => void };
  notify(): void;
} {
  const listeners = new Set<() => void>();
  const state = {
    decisions: initial,
    provider: {
      listActive: async () => [...state.decisions],
      subscribe(onChange: () => void) {
        listeners.add(onChange);
        return () => listeners.delete(onChange);
      },
    },
    notify: () => listeners.forEach((listener) => listener()),
  };
  return state;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `check` holds: a forwarded exchange's event lands just after the client has the last byte. */
export async function eventually(check: () => boolean, withinMs = 2_000): Promise<void> {
  const startedMs = Date.now();
  while (!check()) {
    if (Date.now() - startedMs > withinMs) throw new Error(`condition not met within ${withinMs} ms`);
    await sleep(5);
  }
}
