/**
 * Serves the dashboard (api): the React single-page application that `npm run build` puts in
 * `dist/dashboard/`, at `/`. `index.html` is never cached (it names the current bundle);
 * the content-hashed files under `/assets/` are cached for a year, immutable. Routing is in
 * the page's hash (`/#/alerts`), so the server only knows `/`, `/assets/*` and the few
 * top-level files. Without a build, `/` answers a short page saying how to build it.
 *
 * A handful of files with known names does not need @fastify/static: this reads them with
 * `fs` and refuses any path that would leave the build folder.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

/** `dist/dashboard` seen from `dist/src/api/` (built) or from `src/api/` (tsx, vitest). */
export function defaultDashboardDir(): string {
  // From src/api/, `../../dashboard/` is the dashboard's source, not its build: skip it.
  const candidates = [
    fileURLToPath(new URL('../../dashboard/', import.meta.url)),
    fileURLToPath(new URL('../../dist/dashboard/', import.meta.url)),
  ].filter((dir) => dir.endsWith(`${sep}dist${sep}dashboard${sep}`));
  return candidates.find((dir) => existsSync(resolve(dir, 'index.html'))) ?? (candidates[0] as string);
}

const MISSING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ensuresec dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>This server found no <code>dist/dashboard/index.html</code>. Build it with <code>npm run build</code>
(or <code>npm run build:dashboard</code>) and reload. The API under <code>/api/v1</code> works without it.</p>
</body></html>
`;

async function sendFile(reply: FastifyReply, root: string, relative: string, cache: string) {
  const path = resolve(root, relative);
  if (!path.startsWith(root + sep)) return null;
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    return null;
  }
  return reply
    .headers(SECURITY_HEADERS)
    .header('content-type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream')
    .header('cache-control', cache)
    .send(body);
}

/** Mounts the dashboard at `/` (`dir` defaults to `dist/dashboard`). */
export function installDashboard(app: FastifyInstance, dir: string = defaultDashboardDir()): void {
  const root = resolve(dir);
  app.get('/', async (_request, reply) => {
    const sent = await sendFile(reply, root, 'index.html', 'no-cache');
    if (sent) return sent;
    return reply
      .code(503)
      .headers(SECURITY_HEADERS)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(MISSING_PAGE);
  });
  app.get('/assets/*', async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    if (!/^[\w.-]+$/.test(name)) return reply.callNotFound();
    return (await sendFile(reply, root, `assets/${name}`, IMMUTABLE)) ?? reply.callNotFound();
  });
  app.get('/favicon.svg', async (_request, reply) => {
    return (await sendFile(reply, root, 'favicon.svg', 'public, max-age=3600')) ?? reply.callNotFound();
  });
}
