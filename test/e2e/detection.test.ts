/**
 * Detection in the embedded deployment, end to end over real HTTP: requests through the
 * gateway ─► events on the bus ─► Sigma rules and detectors ─► alerts stored through the
 * ledger ─► listed by the API (filtered by detector and rule) and published on the bus.
 */
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../src/bus/bus.js';
import type { Alert } from '../../src/core/records/index.js';
import { startEchoUpstream } from '../helpers/upstream.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { REPO_ROOT } from '../helpers/cli.js';

/** Tests only: the SigmaHQ web rules live outside the repository. */
const SIGMA_WEB_RULES = join(REPO_ROOT, '../shared/reference/sigma-web-rules');
const SQLMAP = 'sqlmap/1.7.2#stable (https://sqlmap.org)';

describe('detection in the embedded runtime', { timeout: 60_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let env: TestRuntime;
  const published: Alert[] = [];

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    env = await startTestRuntime(
      upstream.url,
      `detection:\n  sigma:\n    rules: ['${SIGMA_WEB_RULES}']\n  grouping:\n    window: 10m\n`,
    );
    env.runtime.bus.subscribe<Alert>(TOPICS.alerts, (message) => void published.push(message.data), {
      group: 'e2e-test',
    });
  });

  afterAll(async () => {
    await env?.close();
    await upstream?.close();
  });

  it('turns an attack through the gateway into one grouped alert, listed by the API', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await request(`${env.runtime.gatewayUrl}/products?id=${i}`, {
        headers: { 'user-agent': SQLMAP },
      });
      await response.body.dump();
    }
    await env.runtime.events.flush();
    await env.runtime.bus.drain();
    await env.runtime.detection!.flush();
    await env.runtime.bus.drain();

    const page = await env.client.alerts.list({ detector: 'sigma' });
    const hackTool = page.items.filter((alert) => alert.title === 'Hack Tool User Agent');
    expect(hackTool).toHaveLength(1);
    expect(hackTool[0]).toMatchObject({
      severity: 'high',
      status: 'open',
      count: 5,
      entity: { type: 'ip', value: '127.0.0.1' },
      attack: expect.arrayContaining(['T1190']),
    });
    expect(hackTool[0]!.eventIds.length).toBeGreaterThanOrEqual(1);
    const byRule = await env.client.alerts.list({ ruleId: hackTool[0]!.ruleId });
    expect(byRule.items.map((alert) => alert.id)).toEqual([hackTool[0]!.id]);
    expect(published.map((alert) => alert.id)).toContain(hackTool[0]!.id);
    expect((await env.client.alerts.list({ detector: 'no-such-detector' })).items).toEqual([]);
  });

  it('raises nothing for an ordinary visitor', async () => {
    const before = (await env.client.alerts.list({})).items.length;
    for (const path of ['/', '/products/shoes', '/cart']) {
      const response = await request(`${env.runtime.gatewayUrl}${path}`, {
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0' },
      });
      await response.body.dump();
    }
    await env.runtime.events.flush();
    await env.runtime.bus.drain();
    await env.runtime.detection!.flush();
    expect((await env.client.alerts.list({})).items).toHaveLength(before);
  });
});
