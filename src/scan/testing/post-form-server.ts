/**
 * A tiny shop whose flaws sit behind POST forms only, for the injection checks' tests (loopback
 * only). `/login` posts `username` and `password` urlencoded with a hidden `csrf_token` that is
 * single-use and bound to the session cookie (a post without the token its page just gave is
 * refused with 403); `/search` posts `q` and a hidden `lang`. Vulnerable: the login builds its
 * SQLite query from the strings (and shows the database error), the search writes `q` into the
 * page raw. Safe: a parameterised query and an escaped echo. Nothing is reachable by GET
 * parameters. Not used at run time.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { escapeHtml, htmlPage } from './html-page.js';

function page(res: ServerResponse, body: string, status = 200, headers: Record<string, string> = {}): void {
  htmlPage(res, 'Post shop', body, status, headers);
}

export async function startPostFormServer(options: {
  vulnerable: boolean;
}): Promise<{ url: string; posts(): number; close(): Promise<void> }> {
  const db = new Database(':memory:');
  db.exec(
    "CREATE TABLE users (name TEXT, password TEXT); INSERT INTO users VALUES ('alice', 'wonderland'), ('bob', 'builder');",
  );
  const tokens = new Map<string, string>();
  let posts = 0;

  const login = (username: string, password: string): { name: string } | undefined =>
    options.vulnerable
      ? (db
          .prepare(`SELECT name FROM users WHERE name = '${username}' AND password = '${password}'`)
          .get() as { name: string } | undefined)
      : (db.prepare('SELECT name FROM users WHERE name = ? AND password = ?').get(username, password) as
          { name: string } | undefined);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://post-shop.test');
      const sid = /(?:^|;\s*)sid=([a-f0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (req.method === 'GET' && url.pathname === '/') {
        page(res, '<h1>Post shop</h1><a href="/login">Log in</a> <a href="/search">Search</a>');
        return;
      }
      if (req.method === 'GET' && url.pathname === '/login') {
        const session = sid ?? randomBytes(12).toString('hex');
        const token = randomBytes(16).toString('hex');
        tokens.set(session, token);
        page(
          res,
          `<form method="post" action="/login"><input type="hidden" name="csrf_token" value="${token}"><input name="username"><input type="password" name="password"><button>Log in</button></form>`,
          200,
          sid ? {} : { 'set-cookie': `sid=${session}; Path=/; HttpOnly; SameSite=Lax` },
        );
        return;
      }
      if (req.method === 'GET' && url.pathname === '/search') {
        page(
          res,
          '<form method="post" action="/search"><input type="hidden" name="lang" value="en"><input type="search" name="q"><button>Search</button></form>',
        );
        return;
      }
      if (req.method === 'POST' && (url.pathname === '/login' || url.pathname === '/search')) {
        posts++;
        let text = '';
        for await (const chunk of req) text += String(chunk);
        const form = new URLSearchParams(text);
        if (url.pathname === '/search') {
          const q = form.get('q') ?? '';
          page(res, `<p>No product matches ${options.vulnerable ? q : escapeHtml(q)}.</p>`);
          return;
        }
        const expected = sid ? tokens.get(sid) : undefined;
        if (!expected || form.get('csrf_token') !== expected) {
          page(res, '<p>Your session expired: reload the form.</p>', 403);
          return;
        }
        if (sid) tokens.delete(sid);
        try {
          const user = login(form.get('username') ?? '', form.get('password') ?? '');
          page(
            res,
            user ? `<p>Welcome back, ${escapeHtml(user.name)}.</p>` : '<p>Wrong name or password.</p>',
          );
        } catch (error) {
          page(res, `<p>Database error: ${escapeHtml(String(error))}</p>`);
        }
        return;
      }
      page(res, '<p>Not found</p>', 404);
    })().catch(() => {
      if (!res.headersSent) page(res, '<p>Bad request</p>', 400);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts: () => posts,
    close: () =>
      new Promise<void>((resolve) => {
        db.close();
        server.close(() => resolve());
      }),
  };
}
