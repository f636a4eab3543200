/**
 * A deliberately flawed little shop for the scanner's tests (loopback only), with the flaws
 * the demo shop does not have: boolean-only SQL injection (errors hidden), an open
 * redirect, path traversal (over a virtual file system: no real file is ever read), CORS
 * reflecting any origin with credentials, a weak CSP, version headers, a cookie without
 * flags, a third-party script without SRI and a stale SRI hash on the checkout page, a
 * source map and a directory listing. Not used at run time.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { posix } from 'node:path';
import Database from 'better-sqlite3';

const VIRTUAL_FILES: Record<string, string> = {
  '/srv/shop/public/manual.pdf': '%PDF-1.4 fake manual',
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n',
};

const APP_JS = 'console.log("shop");\n//# sourceMappingURL=app.js.map\n';

function page(res: ServerResponse, body: string, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    server: 'Apache/2.4.41 (Ubuntu)',
    'x-powered-by': 'PHP/8.1.2',
    'content-security-policy': "script-src 'self' 'unsafe-inline' 'unsafe-eval' https:",
    'set-cookie': 'PHPSESSID=f00dcafe; path=/',
    ...headers,
  });
  res.end(`<!doctype html><html><head><title>Flawed shop</title></head><body>${body}</body></html>`);
}

export async function startFlawedServer(): Promise<{ url: string; close(): Promise<void> }> {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, published INTEGER);
    INSERT INTO products VALUES (1, 'Kettle', 1), (2, 'Teapot', 1), (3, 'Secret prototype', 0);`);
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://flawed.test');
    const q = url.searchParams;
    switch (url.pathname) {
      case '/':
        return page(
          res,
          '<a href="/products?id=1">kettle</a> <a href="/go?next=/">home</a> <a href="/download?file=manual.pdf">manual</a> <a href="/api/me">me</a> <a href="/checkout">checkout</a> <a href="/files/">files</a> <a href="/login">login</a>',
        );
      case '/products': {
        let rows: { name: string }[] = [];
        try {
          rows = db
            .prepare(`SELECT name FROM products WHERE id = ${q.get('id') ?? ''} AND published = 1 OR 0`)
            .all() as { name: string }[];
        } catch {
          rows = []; // errors hidden: only boolean-based detection can find it
        }
        return page(res, `<ul>${rows.map((r) => `<li>${r.name}</li>`).join('')}</ul>`);
      }
      case '/go': {
        const next = q.get('next') ?? '/';
        // Node refuses a header value with a line break: answer 400, as a framework would.
        if (/[\r\n]/.test(next)) return res.writeHead(400).end();
        res.writeHead(302, { location: next });
        return res.end();
      }
      case '/download': {
        const path = posix.normalize(`/srv/shop/public/${q.get('file') ?? ''}`);
        const file = VIRTUAL_FILES[path];
        if (file === undefined) return page(res, 'no such file', 404);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(file);
      }
      case '/api/me': {
        const origin = req.headers.origin;
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(origin
            ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' }
            : {}),
        });
        return res.end('{"email":"customer@example.test"}');
      }
      case '/checkout':
        return page(
          res,
          '<script src="https://cdn.payments-widget.example/widget.js"></script>' +
            '<script src="/static/app.js" integrity="sha384-AAAAstaleAAAA" crossorigin="anonymous"></script>' +
            '<script>window.dataLayer = [];</script><form method="post" action="/pay"><input name="card"></form>',
        );
      case '/static/app.js':
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end(APP_JS);
      case '/static/app.js.map':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          '{"version":3,"sources":["app.ts"],"sourcesContent":["console.log(1)"],"mappings":"AAAA"}',
        );
      case '/files/':
        return page(
          res,
          '<h1>Index of /files/</h1><a href="backup.tar">backup.tar</a>'.replace(
            '<h1>',
            '<title>Index of /files/</title><h1>',
          ),
        );
      case '/robots.txt':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(
          `User-agent: *\nDisallow: /hidden-admin/\nSitemap: http://${req.headers.host}/sitemap.xml\n`,
        );
      case '/sitemap.xml':
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(
          `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://${req.headers.host}/only-in-sitemap</loc></url></urlset>`,
        );
      case '/hidden-admin/':
      case '/only-in-sitemap':
        return page(res, 'not linked from anywhere');
      case '/login':
        if (req.method === 'POST') return page(res, 'wrong password', 401);
        return page(
          res,
          '<form method="post" action="/login"><input name="email"><input type="password" name="password"></form>',
        );
      default:
        return page(res, 'not found', 404);
    }
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          db.close();
          resolve();
        });
      }),
  };
}
