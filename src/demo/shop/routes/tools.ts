/**
 * Customer tools: the carrier status of a parcel and the carrier-logo image proxy. Home of two flaws in
 * vulnerable mode: `command-injection-carrier-status` (the parcel number goes into a shell
 * command line: the command itself is a harmless `echo`) and `ssrf-image-proxy` (any URL on
 * this machine is fetched and returned). Both stay on loopback: the proxy refuses other
 * hosts even in vulnerable mode, so the demo never sends traffic elsewhere. Safe mode has no
 * shell and no outgoing request: parcel numbers are validated and logos come from memory.
 */
import { execFile } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import type { ShopContext } from '../context.js';
import { isLoopbackHost } from '../../loopback.js';
import { html } from '../html.js';
import { page } from '../views/layout.js';
import { sendMessage, sendPage, viewOf } from './common.js';

export const CARRIER_LOGO_PATH = '/static/carrier-logo.svg';
const CARRIER_LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="24"><text x="0" y="18">Demo Carrier</text></svg>';
const PARCEL_PATTERN = /^[A-Z0-9]{4,20}$/i;
const SHELL_TIMEOUT_MS = 5_000;
const PROXY_TIMEOUT_MS = 3_000;
const PROXY_MAX_BYTES = 64 * 1024;
/** Safe mode's proxy serves only these, from memory. */
const LOCAL_IMAGES: Record<string, string> = { [CARRIER_LOGO_PATH]: CARRIER_LOGO_SVG };

/** The shell's output; null when the shell could not be started with this value (a NUL byte in it). */
function trackingShell(parcel: string): Promise<string | null> {
  // Deliberate flaw `command-injection-carrier-status` (CWE-78): the value is pasted into a shell line.
  return new Promise((resolve) => {
    try {
      execFile(
        '/bin/sh',
        ['-c', `echo Parcel ${parcel}: handed over to the demo carrier`],
        { timeout: SHELL_TIMEOUT_MS, maxBuffer: 64 * 1024 },
        (_error, stdout, stderr) => resolve(`${stdout}${stderr}`.slice(0, 4000)),
      );
    } catch {
      // execFile throws before spawning for arguments a process cannot take (ERR_INVALID_ARG_VALUE).
      resolve(null);
    }
  });
}

async function fetchOnThisMachine(url: URL): Promise<{ type: string; body: Buffer } | null> {
  // Deliberate flaw `ssrf-image-proxy` (CWE-918), fenced to loopback so the demo never leaves the machine.
  if (!/^https?:$/.test(url.protocol) || !isLoopbackHost(url.hostname)) return null;
  try {
    const res = await request(url, {
      headersTimeout: PROXY_TIMEOUT_MS,
      bodyTimeout: PROXY_TIMEOUT_MS,
      headers: { 'user-agent': 'DemoShopImageProxy/1.0' },
    });
    const body = Buffer.from(await res.body.arrayBuffer()).subarray(0, PROXY_MAX_BYTES);
    const type = res.headers['content-type'];
    return { type: typeof type === 'string' ? type : 'application/octet-stream', body };
  } catch {
    return { type: 'text/plain; charset=utf-8', body: Buffer.from('The image could not be fetched.') };
  }
}

export function registerToolRoutes(app: FastifyInstance, ctx: ShopContext): void {
  app.get(CARRIER_LOGO_PATH, async (_req, reply) => reply.type('image/svg+xml').send(CARRIER_LOGO_SVG));

  app.get('/carrier-status', async (req, reply) => {
    const raw = (req.query as Record<string, unknown>).parcel;
    const parcel = typeof raw === 'string' ? raw.trim().slice(0, 200) : '';
    if (!ctx.vulnerable && !PARCEL_PATTERN.test(parcel))
      return sendMessage(
        ctx,
        req,
        reply,
        400,
        'Parcel not found',
        'Parcel numbers are 4 to 20 letters and digits.',
      );
    const status = ctx.vulnerable
      ? await trackingShell(parcel)
      : `Parcel ${parcel}: handed over to the demo carrier\n`;
    if (status === null)
      return sendMessage(ctx, req, reply, 400, 'Parcel not found', 'This parcel number cannot be looked up.');
    return sendPage(
      reply,
      200,
      page(viewOf(ctx, req), 'Carrier status', html`<pre class="tracking">${status}</pre>`),
    );
  });

  app.get('/image-proxy', async (req, reply) => {
    const raw = (req.query as Record<string, unknown>).url;
    const wanted = typeof raw === 'string' ? raw.slice(0, 500) : '';
    if (!ctx.vulnerable) {
      const local = LOCAL_IMAGES[wanted];
      if (!local) return sendMessage(ctx, req, reply, 404, 'Not found', 'No such image.');
      return reply.type('image/svg+xml').send(local);
    }
    let url: URL;
    try {
      url = new URL(wanted, `http://127.0.0.1:${req.socket.localPort ?? 80}`);
    } catch {
      return sendMessage(ctx, req, reply, 400, 'Bad image', 'That is not an image address.');
    }
    const fetched = await fetchOnThisMachine(url);
    if (!fetched)
      return sendMessage(
        ctx,
        req,
        reply,
        400,
        'Bad image',
        'The demo proxy only fetches images from this machine.',
      );
    return reply.type(fetched.type).send(fetched.body);
  });
}
