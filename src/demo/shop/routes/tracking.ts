/**
 * Parcel tracking (demo shop): a page whose widget is rendered by a script (views/track-script.ts).
 * The widget's API route (`GET /api/tracking`) and help page (`/track/help`) are linked from
 * no server-rendered HTML, so they show what a browser crawl finds and a plain crawl cannot.
 * The reference is echoed as JSON and written with textContent: no flaw here.
 */
import type { FastifyInstance } from 'fastify';
import type { ShopContext } from '../context.js';
import { html } from '../html.js';
import { page } from '../views/layout.js';
import { TRACK_SCRIPT } from '../views/track-script.js';
import { sendPage, viewOf } from './common.js';

const REFERENCE = /^[A-Za-z0-9-]{1,32}$/;

export function registerTrackingRoutes(app: FastifyInstance, ctx: ShopContext): void {
  app.get('/track', async (req, reply) =>
    sendPage(
      reply,
      200,
      page(
        viewOf(ctx, req),
        'Track a parcel',
        html`<div class="card" id="tracker"></div>
          <script src="/static/track.js"></script>`,
      ),
    ),
  );

  app.get('/static/track.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(TRACK_SCRIPT),
  );

  app.get('/api/tracking', async (req, reply) => {
    const ref = (req.query as Record<string, unknown>)['ref'];
    if (typeof ref !== 'string' || !REFERENCE.test(ref))
      return reply.status(400).send({ error: 'invalid_reference' });
    return { ref, status: 'in transit' };
  });

  app.get('/track/help', async (req, reply) =>
    sendPage(
      reply,
      200,
      page(
        viewOf(ctx, req),
        'Your parcel reference',
        html`<p>The reference (DS-…) is in the email we sent when your order shipped.</p>`,
      ),
    ),
  );
}
