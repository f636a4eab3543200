import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { request } from 'undici';
import { ManualClock } from '../core/clock.js';
import type { DecisionInput } from '../core/records/decision.js';
import { DecisionIndex, DecisionSync } from './decisions.js';
import { parseIp, scratchWords } from './ip.js';
import {
  makeDecision,
  mutableProvider,
  sleep,
  startGateway,
  startUpstream,
  type Upstream,
} from './testing/harness.js';

interface IndexFixture {
  decisions: Array<Pick<DecisionInput, 'action' | 'scope' | 'value' | 'ratePerMinute'>>;
  cases: Array<{ ip: string; action: string | null }>;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/decisions-index.json', import.meta.url), 'utf8'),
) as IndexFixture;

async function status(
  url: string,
): Promise<{ status: number; headers: Record<string, unknown>; code?: string }> {
  const res = await request(url);
  const text = await res.body.text();
  const code =
    res.statusCode >= 400 ? (JSON.parse(text) as { error: { code: string } }).error.code : undefined;
  return { status: res.statusCode, headers: res.headers, ...(code ? { code } : {}) };
}

async function waitForStatus(url: string, expected: number, withinMs: number): Promise<number> {
  const startedMs = Date.now();
  while (Date.now() - startedMs < withinMs) {
    if ((await status(url)).status === expected) return Date.now() - startedMs;
    await sleep(25);
  }
  throw new Error(`status ${expected} not seen within ${withinMs} ms`);
}

describe('decision index', () => {
  const index = DecisionIndex.build(
    fixture.decisions.map((d) => makeDecision(d)),
    Date.now(),
  );

  it.each(fixture.cases)('matches $ip -> $action', ({ ip, action }) => {
    expect(index.match(ip, Date.now())?.action ?? null).toBe(action === null ? null : action);
  });

  it('matches a ja4 decision by the TLS fingerprint, not by the address', () => {
    const ja4 = 't13d1516h2_8daaf6152771_b186095e22b6';
    expect(index.ja4.size).toBe(1);
    expect(index.match('203.0.113.9', Date.now(), ja4)?.action).toBe('ban');
    expect(index.match('203.0.113.9', Date.now(), 't13d1516h2_8daaf6152771_000000000000')).toBeUndefined();
    expect(index.match('203.0.113.9', Date.now())).toBeUndefined();
  });

  it('ignores decisions that have expired', () => {
    const expired = makeDecision({
      action: 'ban',
      scope: 'ip',
      value: '192.0.2.1',
      expiresAt: new Date(Date.now() + 100).toISOString(),
    });
    const built = DecisionIndex.build([expired], Date.now());
    expect(built.match('192.0.2.1', Date.now())?.action).toBe('ban');
    expect(built.match('192.0.2.1', Date.now() + 200)).toBeUndefined();
  });

  it('parses IPv4, IPv6 and v4-in-v6 addresses into words', () => {
    expect(parseIp('10.1.2.3')).toBe(32);
    expect(scratchWords[0]).toBe(0x0a010203);
    expect(parseIp('::ffff:10.1.2.3')).toBe(128);
    expect([...scratchWords]).toEqual([0, 0, 0xffff, 0x0a010203]);
    expect(parseIp('300.1.1.1')).toBe(0);
    expect(parseIp('1::2::3')).toBe(0);
    expect(parseIp('not an ip')).toBe(0);
  });
});

describe('decision sync', () => {
  it('keeps the index when a refresh returns the same decisions, rebuilds it on any change', async () => {
    const ban = makeDecision({ action: 'ban', scope: 'ip', value: '192.0.2.7' });
    const state = mutableProvider([ban]);
    const clock = new ManualClock(Date.now());
    const sync = new DecisionSync(state.provider, 60_000, clock, pino({ level: 'silent' }));
    await sync.refresh();
    const first = sync.index;
    expect(first.match('192.0.2.7', clock.nowMs())?.action).toBe('ban');

    await sync.refresh();
    expect(sync.index).toBe(first);
    expect(sync.refreshes).toBe(2);

    // Changed in place: the provider hands back the very same object.
    ban.action = 'allow';
    await sync.refresh();
    expect(sync.index).not.toBe(first);
    expect(sync.index.match('192.0.2.7', clock.nowMs())?.action).toBe('allow');

    state.decisions = [];
    await sync.refresh();
    expect(sync.index.match('192.0.2.7', clock.nowMs())).toBeUndefined();
  });
});

describe('gateway decisions', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('enforces a new ip ban and cidr ban within 1 s from polling alone', async () => {
    const state = mutableProvider();
    const gw = await startGateway(upstream.url, { decisions: { listActive: state.provider.listActive } });
    try {
      expect((await status(`${gw.base}/echo`)).status).toBe(200);
      state.decisions = [makeDecision({ action: 'ban', scope: 'ip', value: '127.0.0.1' })];
      expect(await waitForStatus(`${gw.base}/echo`, 403, 1_000)).toBeLessThan(1_000);
      expect((await status(`${gw.base}/echo`)).code).toBe('banned');
      expect(gw.events.at(-1)?.http?.outcome).toBe('banned');

      state.decisions = [];
      await waitForStatus(`${gw.base}/echo`, 200, 1_000);
      state.decisions = [makeDecision({ action: 'ban', scope: 'cidr', value: '127.0.0.0/8' })];
      expect(await waitForStatus(`${gw.base}/echo`, 403, 1_000)).toBeLessThan(1_000);
    } finally {
      await gw.gateway.close();
    }
  });

  it('applies a decision at once when the provider notifies', async () => {
    const state = mutableProvider();
    const gw = await startGateway(upstream.url, { decisions: state.provider, decisionRefreshMs: 60_000 });
    try {
      state.decisions = [makeDecision({ action: 'ban', scope: 'ip', value: '127.0.0.1' })];
      state.notify();
      expect(await waitForStatus(`${gw.base}/echo`, 403, 300)).toBeLessThan(300);
    } finally {
      await gw.gateway.close();
    }
  });

  it('throttles to the decision rate with 429 and Retry-After', async () => {
    const state = mutableProvider([
      makeDecision({ action: 'throttle', scope: 'ip', value: '127.0.0.1', ratePerMinute: 3 }),
    ]);
    const gw = await startGateway(upstream.url, { decisions: state.provider });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push(await status(`${gw.base}/echo`));
      expect(statuses.map((s) => s.status)).toEqual([200, 200, 200, 429]);
      expect(statuses[3]?.code).toBe('rate_limited');
      expect(Number(statuses[3]?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(gw.events.at(-1)?.http?.outcome).toBe('throttled');
    } finally {
      await gw.gateway.close();
    }
  });

  it('stops applying a decision once it expires', async () => {
    const expiresAt = new Date(Date.now() + 400).toISOString();
    const state = mutableProvider([
      makeDecision({ action: 'ban', scope: 'ip', value: '127.0.0.1', expiresAt }),
    ]);
    const gw = await startGateway(upstream.url, { decisions: state.provider, decisionRefreshMs: 60_000 });
    try {
      expect((await status(`${gw.base}/echo`)).status).toBe(403);
      await sleep(450);
      expect((await status(`${gw.base}/echo`)).status).toBe(200);
    } finally {
      await gw.gateway.close();
    }
  });

  it('exempts allowed clients from rate limits and marks challenged ones', async () => {
    const state = mutableProvider([makeDecision({ action: 'allow', scope: 'ip', value: '127.0.0.1' })]);
    const gw = await startGateway(upstream.url, {
      decisions: state.provider,
      rateLimits: { perClient: { requestsPerWindow: 1, windowMs: 60_000 } },
    });
    try {
      for (let i = 0; i < 3; i++) expect((await status(`${gw.base}/echo`)).status).toBe(200);
      state.decisions = [makeDecision({ action: 'challenge', scope: 'cidr', value: '127.0.0.0/24' })];
      await gw.gateway.refreshDecisions();
      const challenged = await status(`${gw.base}/echo`);
      expect(challenged.status).toBe(200);
      expect(challenged.headers['x-ensuresec-challenge']).toBe('1');
    } finally {
      await gw.gateway.close();
    }
  });

  it('keeps the last decisions when the provider fails', async () => {
    let fail = false;
    const ban = makeDecision({ action: 'ban', scope: 'ip', value: '127.0.0.1' });
    const gw = await startGateway(upstream.url, {
      decisions: {
        listActive: async () => {
          if (fail) throw new Error('store down');
          return [ban];
        },
      },
    });
    try {
      fail = true;
      await gw.gateway.refreshDecisions();
      expect(gw.gateway.metrics.decisions.refreshErrors).toBeGreaterThanOrEqual(1);
      expect((await status(`${gw.base}/echo`)).status).toBe(403);
    } finally {
      await gw.gateway.close();
    }
  });
});
