/** The mode feed: the modes in force for remote gateways, held (long poll) until a mode is switched. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../core/roles.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import type { ModeFeed } from './mode-feed.js';

interface Fixture {
  switchOn: { name: string; body: Record<string, unknown> };
  switchOnToo: { name: string; body: Record<string, unknown> };
  badQueries: string[];
  refusedRoles: Role[];
  allowedRoles: Role[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/mode-feed.json', import.meta.url), 'utf8'),
) as Fixture;

describe('mode feed API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  async function feed(query = ''): Promise<ModeFeed> {
    const res = await h.call('GET', `/api/v1/modes/feed${query}`, { token: h.tokens.gateway });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as ModeFeed;
  }
  async function switchMode(action: 'enable' | 'disable', name: string, body: Record<string, unknown>) {
    const res = await h.call('POST', `/api/v1/modes/${name}/${action}`, { token: h.tokens.analyst, body });
    expect(res.statusCode, res.body).toBe(200);
  }

  it('lets the gateway role (and readers of decisions) read it, and no one else', async () => {
    for (const role of fixture.allowedRoles) {
      const res = await h.call('GET', '/api/v1/modes/feed', { token: h.tokens[role] });
      expect(res.statusCode, role).toBe(200);
    }
    for (const role of fixture.refusedRoles) {
      const res = await h.call('GET', '/api/v1/modes/feed', { token: h.tokens[role] });
      expect(res.statusCode, role).toBe(403);
    }
    expect((await h.call('GET', '/api/v1/modes/feed')).statusCode).toBe(401);
    // The gateway role still reads nothing else about modes.
    expect((await h.call('GET', '/api/v1/modes', { token: h.tokens.gateway })).statusCode).toBe(403);
  });

  it('refuses malformed queries', async () => {
    for (const query of fixture.badQueries) {
      const res = await h.call('GET', `/api/v1/modes/feed${query}`, { token: h.tokens.gateway });
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });

  it('answers the modes in force with a cursor that names the state', async () => {
    const empty = await feed();
    expect(empty.modes).toEqual([]);
    await switchMode('enable', fixture.switchOn.name, fixture.switchOn.body);
    const one = await feed(`?since=${empty.cursor}&wait=5000`);
    expect(one.modes).toEqual([{ name: 'checkout-freeze', until: '2026-03-01T12:30:00.000Z' }]);
    expect(one.cursor).not.toBe(empty.cursor);
    // The same state, the same cursor; an unknown cursor answers at once.
    expect((await feed()).cursor).toBe(one.cursor);
    expect(await feed('?since=not-a-cursor-of-this-server&wait=30000')).toEqual(one);
    await switchMode('disable', fixture.switchOn.name, { reason: 'over' });
    expect((await feed()).cursor).toBe(empty.cursor);
  });

  it('holds a request with the current cursor until a mode is switched, then answers at once', async () => {
    const before = await feed();
    const startedMs = Date.now();
    const held = feed(`?since=${before.cursor}&wait=20000`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await switchMode('enable', fixture.switchOnToo.name, fixture.switchOnToo.body);
    const after = await held;
    const tookMs = Date.now() - startedMs;
    expect(after.modes).toEqual([{ name: 'read-only', until: null }]);
    expect(tookMs).toBeGreaterThanOrEqual(150);
    expect(tookMs).toBeLessThan(2_000);

    const lifted = feed(`?since=${after.cursor}&wait=20000`);
    await switchMode('disable', fixture.switchOnToo.name, { reason: 'failover done' });
    expect((await lifted).modes).toEqual([]);
  });

  it('answers the unchanged list when the wait runs out', async () => {
    const now = await feed();
    const startedMs = Date.now();
    expect(await feed(`?since=${now.cursor}&wait=200`)).toEqual(now);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(190);
  });

  it('answers held requests when the server closes', async () => {
    const own = await startHarness();
    const now = (
      await own.call('GET', '/api/v1/modes/feed', { token: own.tokens.gateway })
    ).json() as ModeFeed;
    const held = own.call('GET', `/api/v1/modes/feed?since=${now.cursor}&wait=30000`, {
      token: own.tokens.gateway,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedMs = Date.now();
    await own.close();
    const res = await held;
    expect(Date.now() - startedMs).toBeLessThan(5_000);
    expect(res.statusCode).toBeLessThan(600);
  });
});
