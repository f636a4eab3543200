/**
 * A hostile target for the scanner's tests (loopback only): endless and huge bodies, slow
 * drip, redirect loops, binary junk, a server that never answers. Not used at run time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const ROUTES: Record<string, Handler> = {
  '/': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      '<html><body><a href="/endless">e</a><a href="/huge">h</a><a href="/slow">s</a>' +
        '<a href="/loop">l</a><a href="/junk">j</a><a href="/hang">n</a></body></html>',
    );
  },
  '/endless': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    const chunk = Buffer.alloc(64 * 1024, '<a href="/x">x</a>');
    const write = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', write);
    };
    write();
  },
  '/huge': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(50 * 1024 * 1024) });
    res.write(Buffer.alloc(2 * 1024 * 1024, 'a'));
    // Promised 50 MiB, sends 2 MiB and then nothing: the cap must cut it before the timeout.
  },
  '/slow': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 100);
    res.on('close', () => clearInterval(timer));
  },
  '/loop': (_req, res) => {
    res.writeHead(302, { location: '/loop2' });
    res.end();
  },
  '/loop2': (_req, res) => {
    res.writeHead(302, { location: '/loop' });
    res.end();
  },
  '/junk': (_req, res) => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256;
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(junk);
  },
  '/hang': () => {
    // Never answers.
  },
};

export async function startHostileServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const route = ROUTES[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) return route(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
