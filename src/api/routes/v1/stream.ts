/**
 * The live stream (api/v1): server-sent events for the dashboard. One bus subscription per
 * API server (lazily, in consumer groups of its own so it sees every message) fans out new
 * alerts, decision changes, mode changes and incident changes to every open stream as `alert`,
 * `decision`, `mode` and `incident` events. A comment line every 15 s keeps proxies from closing an idle stream;
 * a session's stream ends when the session expires, and every stream ends when the server
 * closes (`closeLiveStreams`), so an open dashboard never holds the server up.
 *
 * Only callers that ask for `text/event-stream` (as `EventSource` does) get a stream;
 * anything else answers 400 at once.
 */
import type { ServerResponse } from 'node:http';
import { TOPICS, type Bus, type Subscription } from '../../../bus/bus.js';
import { EnsuresecError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';

const HEARTBEAT_MS = 15_000;
/** The SSE event name each bus topic is sent as. */
const STREAMED_TOPICS: ReadonlyArray<readonly [topic: string, event: string]> = [
  [TOPICS.alerts, 'alert'],
  [TOPICS.decisions, 'decision'],
  [TOPICS.modes, 'mode'],
  [TOPICS.incidents, 'incident'],
];

class LiveStreams {
  private readonly clients = new Set<ServerResponse>();
  private subscriptions: Subscription[] | null = null;
  private closed = false;

  constructor(private readonly bus: Bus) {}

  get open(): number {
    return this.clients.size;
  }

  add(response: ServerResponse): boolean {
    if (this.closed) return false;
    this.subscriptions ??= STREAMED_TOPICS.map(([topic, event]) =>
      this.bus.subscribe<unknown>(topic, (message) => this.broadcast(event, message.id, message.data), {
        group: `api-stream-${newId('msg')}`,
      }),
    );
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
    return true;
  }

  private broadcast(event: string, id: string, data: unknown): void {
    const frame = `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of this.clients) client.write(frame);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const client of this.clients) client.end();
    this.clients.clear();
    const subscriptions = this.subscriptions ?? [];
    this.subscriptions = null;
    await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
  }
}

const hubs = new WeakMap<ResolvedApiDeps, LiveStreams>();

function hubOf(deps: ResolvedApiDeps): LiveStreams {
  let hub = hubs.get(deps);
  if (hub === undefined) {
    hub = new LiveStreams(deps.bus);
    hubs.set(deps, hub);
  }
  return hub;
}

/** Ends every open stream and the bus subscriptions (the API server is closing). */
export async function closeLiveStreams(deps: ResolvedApiDeps): Promise<void> {
  await hubs.get(deps)?.close();
}

const stream = defineRoute('stream', {
  method: 'GET',
  url: '/stream',
  summary:
    'Server-sent events: `alert` (a new alert), `decision` (a DecisionChange), `mode` (a ModeChange), `incident` (an IncidentChange), as they happen',
  access: 'read',
  response: { contentType: 'text/event-stream', description: 'An endless text/event-stream' },
  async handler({ request, reply, principal, deps }) {
    if (!(request.headers.accept ?? '').includes('text/event-stream')) {
      throw new EnsuresecError('bad_request', { detail: 'Ask for it with Accept: text/event-stream.' });
    }
    const hub = hubOf(deps);
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-request-id': request.id,
      // Tell nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    if (!hub.add(response)) {
      response.end();
      return reply;
    }
    response.write(`retry: 3000\nevent: ready\ndata: {}\n\n`);
    const heartbeat = setInterval(() => response.write(`: keep-alive\n\n`), HEARTBEAT_MS);
    heartbeat.unref();
    const expiresAt = principal.session ? Date.parse(principal.session.expiresAt) : Number.NaN;
    const expiry = Number.isFinite(expiresAt)
      ? setTimeout(() => response.end(), Math.max(0, Math.min(expiresAt - deps.clock.nowMs(), 2 ** 31 - 1)))
      : undefined;
    expiry?.unref();
    response.on('close', () => {
      clearInterval(heartbeat);
      if (expiry) clearTimeout(expiry);
    });
    return reply;
  },
});

export const streamRoutes = [stream];
