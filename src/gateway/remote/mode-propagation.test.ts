/**
 * Mode propagation to a remote gateway (issue 6: "in force at every gateway within 1 s"): a
 * server runtime and a following gateway over HTTP; a mode switched through the API is
 * answered at the remote gateway within 1 s, lifted as fast, and stays in force while the
 * API is down.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../api/client.js';
import type { SecurityEvent } from '../../core/records/index.js';
import type { Role } from '../../core/roles.js';
import { parseConfig } from '../../server/config/load.js';
import { readCliToken } from '../../server/data-dir.js';
import { startFollowingGateway, type FollowingGateway } from '../../server/following-gateway.js';
import { startRuntime, type Runtime } from '../../server/runtime.js';
import { PASS_COOKIE } from '../challenge/gate.js';
import { CHALLENGE_PATH } from '../challenge/page.js';
import { ChallengeTokens } from '../challenge/tokens.js';
import { sleep, startUpstream, type Upstream } from '../testing/harness.js';

interface Fixture {
  serverConfig: string;
  gatewayConfig: string;
  gatewayUser: { name: string; role: Role };
  freeze: { name: string; ttl: string; reason: string };
  frozenPath: string;
  browsingPath: string;
  boundMs: number;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/mode-propagation.json', import.meta.url), 'utf8'),
) as Fixture;

async function answer(
  url: string,
): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  const res = await request(url, { headers: { accept: 'text/html' } });
  const retryAfter = res.headers['retry-after'];
  return {
    status: res.statusCode,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    body: await res.body.text(),
  };
}

/** Milliseconds from `sinceMs` until the gateway answers `expected`; throws after `withinMs`. */
async function msUntilStatus(
  url: string,
  expected: number,
  sinceMs: number,
  withinMs: number,
): Promise<number> {
  while (Date.now() - sinceMs < withinMs) {
    if ((await answer(url)).status === expected) return Date.now() - sinceMs;
    await sleep(5);
  }
  throw new Error(`status ${expected} not seen within ${withinMs} ms`);
}

describe('fail-safe modes at a remote gateway', { timeout: 30_000 }, () => {
  const serverDir = mkdtempSync(join(tmpdir(), 'ensuresec-modes-server-'));
  const gatewayDir = mkdtempSync(join(tmpdir(), 'ensuresec-modes-gateway-'));
  let runtime: Runtime;
  let runtimeClosed = false;
  let upstream: Upstream;
  let remote: FollowingGateway;
  let analyst: ApiClient;
  const measured: Record<string, number> = {};

  beforeAll(async () => {
    runtime = await startRuntime({
      config: parseConfig(fixture.serverConfig),
      dataDir: serverDir,
      logger: pino({ level: 'silent' }),
    });
    analyst = new ApiClient({ baseUrl: runtime.apiUrl, token: readCliToken(serverDir) ?? '' });
    const { user } = await analyst.users.add(fixture.gatewayUser);
    const { token } = await analyst.tokens.create({ name: fixture.gatewayUser.name, userId: user.id });
    const tokenFile = join(gatewayDir, 'gateway.token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    upstream = await startUpstream();
    remote = await startFollowingGateway({
      config: parseConfig(fixture.gatewayConfig),
      follow: { url: runtime.apiUrl, tokenFile, interval: 1_000 },
      dataDir: gatewayDir,
      upstream: upstream.url,
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await remote?.close();
    if (!runtimeClosed) await runtime?.close();
    await upstream?.close();
    rmSync(serverDir, { recursive: true, force: true });
    rmSync(gatewayDir, { recursive: true, force: true });
    // Printed so a run shows the propagation times, not only that they were under the bound.
    console.info(`mode propagation to a remote gateway: ${JSON.stringify(measured)}`);
  });

  it('sends its events to the server, where they are stored', async () => {
    const path = `/echo/shipped-${Date.now()}`;
    const res = await request(`${remote.gatewayUrl}${path}`);
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    const since = Date.now();
    let stored: SecurityEvent | undefined;
    while (stored === undefined && Date.now() - since < 5_000) {
      const page = await analyst.events.list({ clientIp: '127.0.0.1', kind: 'http', limit: 100 });
      stored = page.items.find((item) => item.http?.path === path);
      if (stored === undefined) await sleep(100);
    }
    expect(stored).toMatchObject({ kind: 'http', source: { type: 'gateway' }, http: { status: 200 } });
    expect(remote.events.stats()).toMatchObject({ dropped: 0 });
  });

  it(`answers the mode's 503 on checkout within ${fixture.boundMs} ms of a switch through the API, and lifts it as fast`, async () => {
    const frozen = `${remote.gatewayUrl}${fixture.frozenPath}`;
    const browsing = `${remote.gatewayUrl}${fixture.browsingPath}`;
    expect((await answer(frozen)).status).toBe(200);

    const enabledAt = Date.now();
    await analyst.modes.enable(fixture.freeze.name, {
      ttl: fixture.freeze.ttl,
      reason: fixture.freeze.reason,
    });
    measured.enableCallMs = Date.now() - enabledAt;
    measured.enableMs = await msUntilStatus(frozen, 503, enabledAt, fixture.boundMs);
    expect(measured.enableMs).toBeLessThan(fixture.boundMs);
    const refused = await answer(frozen);
    expect(refused.retryAfter).toMatch(/^\d+$/);
    expect(refused.body).toContain('<html');
    expect((await answer(browsing)).status).toBe(200);
    expect(remote.gateway.activeModes).toEqual([fixture.freeze.name]);

    const disabledAt = Date.now();
    await analyst.modes.disable(fixture.freeze.name, { reason: 'wave over' });
    measured.disableMs = await msUntilStatus(frozen, 200, disabledAt, fixture.boundMs);
    expect(measured.disableMs).toBeLessThan(fixture.boundMs);
    expect(remote.gateway.activeModes).toEqual([]);
  });

  it("serves the challenge page for a challenge decision and accepts another gateway's pass", async () => {
    const page = `${remote.gatewayUrl}${fixture.browsingPath}`;
    const decision = await analyst.decisions.add({
      action: 'challenge',
      scope: 'ip',
      value: '127.0.0.1',
      duration: '10m',
      reason: 'challenge at the remote gateway',
    });
    try {
      const since = Date.now();
      await msUntilStatus(page, 403, since, 3_000);
      const challenged = await request(page, {
        headers: { accept: 'text/html', 'user-agent': 'test-browser' },
      });
      expect(challenged.headers['x-ensuresec-challenge']).toBe('1');
      // The proof-of-work page itself, not the bare marker a gateway without the key sends.
      expect(await challenged.body.text()).toContain(CHALLENGE_PATH);

      // A pass signed with the deployment's key (as the server's own gateway issues them) passes here.
      const { key } = await analyst.gateway.challengeKey();
      const tokens = new ChallengeTokens(Buffer.from(key, 'base64url'), {
        difficultyBits: 16,
        passTtlMs: 60_000,
      });
      const pass = tokens.issuePass('127.0.0.1', 'test-browser', Date.now());
      const passed = await request(page, {
        headers: { accept: 'text/html', 'user-agent': 'test-browser', cookie: `${PASS_COOKIE}=${pass}` },
      });
      await passed.body.dump();
      expect(passed.statusCode).toBe(200);
      // A pass signed with another key does not.
      const forged = new ChallengeTokens(Buffer.alloc(32, 7), { difficultyBits: 16, passTtlMs: 60_000 });
      const refused = await request(page, {
        headers: {
          accept: 'text/html',
          'user-agent': 'test-browser',
          cookie: `${PASS_COOKIE}=${forged.issuePass('127.0.0.1', 'test-browser', Date.now())}`,
        },
      });
      await refused.body.dump();
      expect(refused.statusCode).toBe(403);
    } finally {
      await analyst.decisions.delete(decision.id);
      await msUntilStatus(page, 200, Date.now(), 3_000);
    }
  });

  it('keeps enforcing the mode while the API is stopped', async () => {
    const frozen = `${remote.gatewayUrl}${fixture.frozenPath}`;
    const enabledAt = Date.now();
    await analyst.modes.enable(fixture.freeze.name, {
      ttl: fixture.freeze.ttl,
      reason: fixture.freeze.reason,
    });
    measured.reEnableMs = await msUntilStatus(frozen, 503, enabledAt, fixture.boundMs);

    await runtime.close();
    runtimeClosed = true;
    // The held request ends with the server; the follower fails, backs off and keeps the mode.
    const stoppedAt = Date.now();
    while (remote.modes.failures < 2 && Date.now() - stoppedAt < 10_000) await sleep(50);
    expect(remote.modes.failures).toBeGreaterThanOrEqual(2);
    expect((await answer(frozen)).status).toBe(503);
    expect((await answer(`${remote.gatewayUrl}${fixture.browsingPath}`)).status).toBe(200);
    expect(remote.gateway.activeModes).toEqual([fixture.freeze.name]);
  });
});
