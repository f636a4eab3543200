/**
 * A tiny guestbook for the stored-XSS check's tests (loopback only): `/sign` has a POST form
 * (a name, an email, a message, and a hidden CSRF token bound to the session cookie
 * when `csrf` is on) that answers with a redirect to `/thanks`; the entries are shown on `/`
 * (the home page, linked to `/sign`). Options choose how entries are written: escaped (the
 * safe store), raw into the text, or raw into a quoted attribute (`title="…"`, with `<` and
 * `>` escaped); `refuse` answers every post with 403, `login` sends it to `/login`; `csp` forbids scripts. Not used at run time.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeHtml, htmlPage } from './html-page.js';

export interface GuestbookOptions {
  /** How stored entries are written into the home page. */
  write: 'escaped' | 'raw-text' | 'raw-attribute';
  /** The form carries a per-session token; posts without the right one are refused (403). */
  csrf?: boolean;
  /** Every post is refused (403): nothing can be stored. */
  refuse?: boolean;
  /** Every post is sent to `/login` (303) and nothing is stored, as a shop that needs an account does. */
  login?: boolean;
  /** Pages carry `Content-Security-Policy: script-src 'none'`: injected markup cannot run scripts. */
  csp?: boolean;
}

const escapeAngles = (text: string) => text.replace(/</g, '&lt;').replace(/>/g, '&gt;');

function page(res: ServerResponse, body: string, status = 200, headers: Record<string, string> = {}): void {
  htmlPage(res, 'Guestbook', body, status, headers);
}

export async function startGuestbookServer(
  options: GuestbookOptions,
): Promise<{ url: string; entries(): { name: string; message: string }[]; close(): Promise<void> }> {
  const entries: { name: string; message: string }[] = [];
  const tokens = new Map<string, string>();

  const policy: Record<string, string> = options.csp
    ? { 'content-security-policy': "script-src 'none'" }
    : {};
  const entryHtml = (entry: { name: string; message: string }) => {
    if (options.write === 'escaped')
      return `<li><b>${escapeHtml(entry.name)}</b>: ${escapeHtml(entry.message)}</li>`;
    if (options.write === 'raw-text') return `<li><b>${entry.name}</b>: ${entry.message}</li>`;
    return `<li title="${escapeAngles(entry.name)}">${escapeHtml(entry.message)}</li>`;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://guestbook.test');
      const sid = /(?:^|;\s*)sid=([a-f0-9]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (req.method === 'GET' && url.pathname === '/') {
        page(
          res,
          `<h1>Guestbook</h1><a href="/sign">Sign it</a><ul>${entries.map(entryHtml).join('')}</ul>`,
          200,
          policy,
        );
        return;
      }
      if (req.method === 'GET' && url.pathname === '/sign') {
        let headers: Record<string, string> = {};
        let session = sid && tokens.has(sid) ? sid : null;
        if (!session) {
          session = randomBytes(12).toString('hex');
          tokens.set(session, randomBytes(16).toString('hex'));
          headers = { 'set-cookie': `sid=${session}; Path=/; HttpOnly; SameSite=Lax` };
        }
        const token = options.csrf
          ? `<input type="hidden" name="csrf_token" value="${tokens.get(session)}">`
          : '';
        page(
          res,
          `<form method="post" action="/sign">${token}<input name="name"><input type="email" name="email"><textarea name="message"></textarea><button>Sign</button></form>`,
          200,
          { ...policy, ...headers },
        );
        return;
      }
      if (req.method === 'POST' && url.pathname === '/sign') {
        let text = '';
        for await (const chunk of req) text += String(chunk);
        const form = new URLSearchParams(text);
        const expected = sid ? tokens.get(sid) : undefined;
        if (options.login) {
          res.writeHead(303, { location: '/login?next=/sign' }).end();
          return;
        }
        if (options.refuse || (options.csrf && (!expected || form.get('csrf_token') !== expected))) {
          page(res, '<p>Refused.</p>', 403);
          return;
        }
        const name = form.get('name') ?? '';
        const message = form.get('message') ?? '';
        if (!name || !message || !/^[^@\s]+@[^@\s]+$/.test(form.get('email') ?? '')) {
          page(res, '<p>Give your name, email and a message.</p>', 400);
          return;
        }
        entries.push({ name: name.slice(0, 80), message: message.slice(0, 500) });
        res.writeHead(303, { location: '/thanks' }).end();
        return;
      }
      if (req.method === 'GET' && url.pathname === '/thanks') {
        page(res, '<p>Thank you. <a href="/">Back to the guestbook</a></p>');
        return;
      }
      page(res, '<p>Not found.</p>', 404);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    entries: () => [...entries],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
