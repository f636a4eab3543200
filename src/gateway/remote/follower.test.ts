import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type NewDecision } from '../../api/client.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { sleep, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.js';
import { DecisionFollower } from './follower.js';

interface Fixture {
  ban: NewDecision;
  expiringBan: NewDecision;
  otherBans: NewDecision[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/follow-bans.json', import.meta.url), 'utf8'),
) as Fixture;

async function statusOf(url: string): Promise<number> {
  const res = await request(url);
  await res.body.dump();
  return res.statusCode;
}

/** Milliseconds until the gateway answers `expected`; throws after `withinMs`. */
async function waitForStatus(url: string, expected: number, withinMs: number): Promise<number> {
  const startedMs = Date.now();
  while (Date.now() - startedMs < withinMs) {
    if ((await statusOf(url)) === expected) return Date.now() - startedMs;
    await sleep(25);
  }
  throw new Error(`status ${expected} not seen within ${withinMs} ms`);
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('a remote gateway following the decision feed over HTTP', () => {
  let api: Harness;
  let apiUrl: string;
  let upstream: Upstream;
  let analyst: ApiClient;
  /** The follower reads through whichever client this points to (the real API, or a dead port). */
  let feedClient: ApiClient;
  let follower: DecisionFollower;
  let gw: TestGateway;

  beforeAll(async () => {
    api = await startHarness();
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    apiUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    analyst = new ApiClient({ baseUrl: apiUrl, token: api.tokens.analyst });
    feedClient = new ApiClient({ baseUrl: apiUrl, token: api.tokens.gateway });
    for (const body of fixture.otherBans) await analyst.decisions.add(body);
    upstream = await startUpstream();
    // Decisions carry the API's (manual) time, so the gateway reads the same clock.
    follower = new DecisionFollower({
      feed: (since) => feedClient.decisions.feed(since),
      logger: pino({ level: 'silent' }),
      clock: api.clock,
    });
    await follower.start();
    gw = await startGateway(upstream.url, { decisions: follower, clock: api.clock });
  });
  afterAll(async () => {
    follower.stop();
    await gw.gateway.close();
    await upstream.close();
    await api.close();
  });

  it('loads the full list at start, then enforces a ban created through the API within 2 s', async () => {
    expect((await follower.listActive()).map((d) => d.scope).sort()).toEqual(['cidr', 'ja4', 'user']);
    expect(await statusOf(`${gw.base}/echo`)).toBe(200);
    const ban = await analyst.decisions.add(fixture.ban);
    expect(await waitForStatus(`${gw.base}/echo`, 403, 2_000)).toBeLessThan(2_000);

    await analyst.decisions.delete(ban.id);
    expect(await waitForStatus(`${gw.base}/echo`, 200, 2_000)).toBeLessThan(2_000);
    expect((await follower.listActive()).some((d) => d.id === ban.id)).toBe(false);
  });

  it('lifts a ban when it expires', async () => {
    const ban = await analyst.decisions.add(fixture.expiringBan);
    await waitForStatus(`${gw.base}/echo`, 403, 2_000);
    api.clock.advance(10 * 60_000 + 1);
    // The gateway stops applying it by its expiresAt alone ...
    expect(await statusOf(`${gw.base}/echo`)).toBe(200);
    // ... and the next poll drops it from the follower's list, as the feed reports it deleted.
    const polls = follower.polls;
    while (follower.polls <= polls) await sleep(50);
    expect((await follower.listActive()).some((d) => d.id === ban.id)).toBe(false);
  });

  it('keeps enforcing the last known list while the API is unreachable, backs off, and catches up', async () => {
    const ban = await analyst.decisions.add(fixture.ban);
    await waitForStatus(`${gw.base}/echo`, 403, 2_000);
    const reachable = feedClient;
    feedClient = new ApiClient({ baseUrl: await closedPortUrl(), token: api.tokens.gateway });
    expect(await follower.pollOnce()).toBe(false);
    expect(await follower.pollOnce()).toBe(false);
    expect(follower.failures).toBeGreaterThanOrEqual(2);
    expect(follower.nextDelayMs).toBeGreaterThanOrEqual(4_000);
    expect(await statusOf(`${gw.base}/echo`)).toBe(403);

    await analyst.decisions.delete(ban.id);
    feedClient = reachable;
    expect(await follower.pollOnce()).toBe(true);
    expect(follower.failures).toBe(0);
    expect(await waitForStatus(`${gw.base}/echo`, 200, 2_000)).toBeLessThan(2_000);
  });

  it('starts over from the full list when the API refuses its cursor', async () => {
    const ban = await analyst.decisions.add(fixture.ban);
    const seen: Array<string | undefined> = [];
    const restarting = new DecisionFollower({
      feed: (since) => {
        seen.push(since);
        // A cursor from a store this API never had: far beyond its last change.
        return feedClient.decisions.feed(seen.length === 1 ? '999999.1' : since);
      },
      logger: pino({ level: 'silent' }),
      clock: api.clock,
    });
    expect(await restarting.pollOnce()).toBe(true);
    expect(seen).toEqual([undefined, undefined]);
    expect((await restarting.listActive()).map((d) => d.id)).toContain(ban.id);
    await analyst.decisions.delete(ban.id);
  });
});
