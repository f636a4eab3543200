/**
 * The baseline of the gateway benchmark: the least a node:http + undici Pool reverse proxy
 * can do (no limits, events, decisions or inspection), using undici's dispatch API so the
 * baseline is as fast as the gateway's own transport. bench/gateway.ts compares against it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

const DROP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
]);

export function createMinimalProxy(upstream: string): Server {
  const pool = new Pool(upstream, { connections: 256, pipelining: 1 });
  const server = createServer((req, res) => {
    const headers = req.rawHeaders.filter((_, i, raw) => !DROP.has((raw[i - (i % 2)] ?? '').toLowerCase()));
    const hasBody =
      req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart: () => undefined,
      onResponseStart(_c, status: number, upstreamHeaders: IncomingHttpHeaders) {
        for (const name of DROP) delete upstreamHeaders[name];
        res.writeHead(status, upstreamHeaders);
      },
      onResponseData: (c, chunk: Buffer) =>
        void (res.write(chunk) || (c.pause(), res.once('drain', () => c.resume()))),
      onResponseEnd: () => void res.end(),
      onResponseError: () => void (res.headersSent ? res.destroy() : res.writeHead(502).end()),
    };
    pool.dispatch(
      {
        path: req.url ?? '/',
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body: hasBody ? req : null,
      },
      handler,
    );
  });
  server.on('close', () => void pool.close());
  return server;
}
