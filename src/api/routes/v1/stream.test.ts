/** GET /api/v1/stream: server-sent events from the bus, for readers only, ended when the server closes. */
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../bus/bus.js';
import { startHarness, type Harness } from '../../testing/harness.js';

let h: Harness | undefined;
const http = new Agent();
afterAll(() => http.close());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function listen(harness: Harness): Promise<string> {
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(harness.app.server.address() as AddressInfo).port}`;
}

/** Reads the stream until `done` says the text so far is enough, or it ends (without closing it). */
async function readUntil(body: AsyncIterator<Buffer>, done: (text: string) => boolean): Promise<string> {
  let text = '';
  for (;;) {
    const next = await body.next();
    if (next.done) return text;
    text += next.value.toString('utf8');
    if (done(text)) return text;
  }
}

/** The data of every `incident` event in the text so far. */
function incidentEvents(text: string): unknown[] {
  return [...text.matchAll(/^event: incident\nid: [^\n]+\ndata: ([^\n]+)\n\n/gm)].map(
    (match) => JSON.parse(match[1] as string) as unknown,
  );
}

describe('GET /api/v1/stream', () => {
  it('sends new alerts, decision and mode changes as server-sent events', async () => {
    h = await startHarness();
    const base = await listen(h);
    const response = await request(`${base}/api/v1/stream`, {
      dispatcher: http,
      headers: { accept: 'text/event-stream', authorization: `Bearer ${h.tokens.viewer}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const stream: AsyncIterator<Buffer> = response.body[Symbol.asyncIterator]();
    expect(await readUntil(stream, (text) => text.includes('event: ready'))).toContain('event: ready');

    await h.bus.publish(TOPICS.alerts, { id: 'alr_1', title: 'Injection' }, { id: 'alr_1' });
    await h.bus.publish(TOPICS.decisions, { type: 'deleted', id: 'dec_1' });
    await h.bus.publish(TOPICS.modes, { type: 'enabled', name: 'checkout-freeze' });
    const text = await readUntil(stream, (so) => so.includes('event: mode'));
    expect(text).toContain('event: alert\nid: alr_1\ndata: {"id":"alr_1","title":"Injection"}\n\n');
    expect(text).toContain('event: decision\n');
    expect(text).toContain('data: {"type":"deleted","id":"dec_1"}');
    expect(text).toContain('data: {"type":"enabled","name":"checkout-freeze"}');

    // Closing the server ends the open stream instead of waiting for it.
    const closing = h.close();
    h = undefined;
    await closing;
    await readUntil(stream, () => false);
  });

  it('sends an `incident` event, without the case text, when an incident is opened or changed', async () => {
    h = await startHarness();
    const base = await listen(h);
    const response = await request(`${base}/api/v1/stream`, {
      dispatcher: http,
      headers: { accept: 'text/event-stream', authorization: `Bearer ${h.tokens.viewer}` },
    });
    const stream: AsyncIterator<Buffer> = response.body[Symbol.asyncIterator]();
    await readUntil(stream, (text) => text.includes('event: ready'));

    const opened = await h.call('POST', '/api/v1/incidents', {
      token: h.tokens.analyst,
      body: {
        title: 'Skimmer on checkout',
        severity: 'critical',
        summary: 'Card data of j.doe@example.com sent to a foreign domain.',
        awareAt: '2026-03-01T11:00:00Z',
      },
    });
    expect(opened.statusCode).toBe(201);
    const id = (opened.json() as { id: string }).id;
    const moved = await h.call('POST', `/api/v1/incidents/${id}/status`, {
      token: h.tokens.analyst,
      body: { status: 'triaged' },
    });
    expect(moved.statusCode).toBe(200);
    const patched = await h.call('PATCH', `/api/v1/incidents/${id}`, {
      token: h.tokens.analyst,
      body: { severity: 'high' },
    });
    expect(patched.statusCode).toBe(200);

    const text = await readUntil(stream, (so) => incidentEvents(so).length >= 4);
    expect(incidentEvents(text)).toEqual([
      { type: 'created', incidentId: id, status: 'new' },
      // The awareness time recorded with it, then the status move and the edit.
      { type: 'updated', incidentId: id, status: 'new' },
      { type: 'updated', incidentId: id, status: 'triaged' },
      { type: 'updated', incidentId: id, status: 'triaged' },
    ]);
    expect(text).not.toMatch(/Skimmer|example\.com/);
  });

  it('is for readers, and only for callers that ask for an event stream', async () => {
    h = await startHarness();
    const partner = await h.call('GET', '/api/v1/stream', {
      token: h.tokens.partner,
      headers: { accept: 'text/event-stream' },
    });
    expect(partner.statusCode).toBe(403);
    const plain = await h.call('GET', '/api/v1/stream', { token: h.tokens.viewer });
    expect(plain.statusCode).toBe(400);
    expect(plain.json().error.code).toBe('bad_request');
    const anonymous = await h.call('GET', '/api/v1/stream', { headers: { accept: 'text/event-stream' } });
    expect(anonymous.statusCode).toBe(401);
  });
});
