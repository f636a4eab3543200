import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEnsuresecError } from '../../core/errors.js';
import { isLoopbackHost } from '../loopback.js';
import { startTestShop, type TestShop } from '../shop/test-kit.js';
import {
  ATTACK_SCENARIO_NAMES,
  ATTACK_SCENARIOS,
  createTrafficSimulator,
  runAttackScenario,
} from './index.js';
import type { ScenarioStats } from './scenario-runner.js';
import type { AttackScenarioName } from './scenarios/index.js';
import { logIn } from './shop-flows.js';

describe('traffic simulator target guard', () => {
  it.each([
    'http://example.com',
    'http://10.0.0.1:8780',
    'http://[::2]/',
    'http://128.0.0.1',
    'ftp://127.0.0.1',
  ])('refuses %s with a clear bad_request error', (baseUrl) => {
    let caught: unknown;
    try {
      createTrafficSimulator({ baseUrl });
    } catch (err) {
      caught = err;
    }
    expect(isEnsuresecError(caught) && caught.code).toBe('bad_request');
    expect(String((caught as Error).message)).toMatch(/loopback|http and https/);
  });

  it('accepts loopback hosts only', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(true);
    }
    for (const host of ['127.0.0.1.nip.io', '192.168.1.1', 'example.com', '::'])
      expect(isLoopbackHost(host)).toBe(false);
  });

  it('refuses unknown scenario names', () => {
    expect(() =>
      createTrafficSimulator({ baseUrl: 'http://127.0.0.1:1', scenarios: ['nope' as AttackScenarioName] }),
    ).toThrow(/unknown attack scenario/);
  });
});

describe('traffic simulator shoppers', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await startTestShop({ deliveryStepMs: 0 });
  });
  afterAll(async () => t.stop());

  it('browses, registers and places orders for a bounded time, then stops by itself', async () => {
    const sim = createTrafficSimulator({
      baseUrl: t.url,
      shoppers: 3,
      ratePerSecond: 80,
      durationMs: 3_000,
      thinkTimeMs: 10,
    });
    const startedMs = Date.now();
    sim.start();
    await sim.done;
    expect(Date.now() - startedMs).toBeLessThan(8_000);
    const stats = sim.stats();
    expect(stats.running).toBe(false);
    expect(stats.visits).toBeGreaterThan(1);
    expect(stats.ordersPlaced).toBeGreaterThan(0);
    expect(stats.responsesByStatus['200']).toBeGreaterThan(0);
    expect(t.events.filter((e) => e.type === 'order' && e.outcome === 'success').length).toBe(
      stats.ordersPlaced,
    );
    const admin = t.client();
    await logIn(admin, t.shop.admin.email, t.shop.admin.password);
    expect((await admin.get('/admin')).body.match(/data-order-id=/g)?.length ?? 0).toBeGreaterThanOrEqual(
      stats.ordersPlaced,
    );
  });

  it('stops promptly when stop() is called', async () => {
    const sim = createTrafficSimulator({
      baseUrl: t.url,
      shoppers: 2,
      ratePerSecond: 20,
      durationMs: 60_000,
    });
    sim.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stoppingMs = Date.now();
    await sim.stop();
    expect(Date.now() - stoppingMs).toBeLessThan(3_000);
    expect(sim.stats().running).toBe(false);
  });
});

describe('attack scenarios', () => {
  let safe: TestShop;
  let vulnerable: TestShop;
  beforeAll(async () => {
    [safe, vulnerable] = await Promise.all([
      startTestShop({ deliveryStepMs: 0 }),
      startTestShop({ vulnerable: true }),
    ]);
  });
  afterAll(async () => Promise.all([safe.stop(), vulnerable.stop()]));

  const expectations: Record<AttackScenarioName, (stats: ScenarioStats, shop: TestShop) => void> = {
    'card-testing': (stats, shop) => {
      expect(stats.outcomes.card_declined).toBeGreaterThan(20);
      expect(
        shop.events.filter((e) => e.type === 'payment' && e.outcome === 'failure').length,
      ).toBeGreaterThan(20);
    },
    'coupon-abuse': (stats, shop) => {
      expect(stats.outcomes.coupon_rejected).toBeGreaterThanOrEqual(9);
      expect(stats.outcomes.coupon_accepted).toBe(4);
      expect(shop.events.filter((e) => e.type === 'coupon').length).toBe(13);
    },
    // The safe shop refuses every foreign order id: nothing leaves.
    'data-exfiltration': (stats) => {
      expect(stats.outcomes.victim_order).toBe(27);
      expect(stats.outcomes.record_exfiltrated ?? 0).toBe(0);
      expect(stats.outcomes.record_refused).toBe(5);
    },
    'path-probing': (stats) => expect(stats.outcomes.path_missing).toBe(20),
    // No flow collector here (src/demo/simulator/port-scan.test.ts sends the flows): only the banner grab.
    'port-scan': (stats) => expect(stats.outcomes).toEqual({ no_flow_collector: 1, banner_200: 1 }),
    scraping: (stats) => expect(stats.outcomes.product_copied).toBe(30),
    'sql-injection': (stats) => expect(stats.outcomes.password_hashes_leaked ?? 0).toBe(0),
    xss: (stats) => expect(stats.outcomes.reflected_unescaped ?? 0).toBe(0),
    // Last, because it trips the per-address login limit of the shared shop.
    'credential-stuffing': (stats, shop) => {
      expect(stats.outcomes.login_rate_limited).toBeGreaterThan(0);
      expect(shop.events.filter((e) => e.type === 'login' && e.outcome === 'failure').length).toBe(40);
    },
  };

  it.each(Object.keys(expectations) as AttackScenarioName[])(
    '%s sends its requests within its bounds and stops',
    async (name) => {
      const stats = await runAttackScenario(name, { baseUrl: safe.url, ratePerSecond: 500 });
      expect(stats.status).toBe('completed');
      expect(stats.requests).toBeGreaterThan(0);
      expect(stats.requests).toBeLessThanOrEqual(ATTACK_SCENARIOS[name].maxRequests);
      expect(stats.finishedAtMs).not.toBeNull();
      expectations[name](stats, safe);
    },
  );

  it('covers every registered scenario', () => {
    expect(Object.keys(expectations).sort()).toEqual([...ATTACK_SCENARIO_NAMES].sort());
  });

  it('finds the flaws of a vulnerable shop', async () => {
    const [sqli, probe, xss] = await Promise.all([
      runAttackScenario('sql-injection', { baseUrl: vulnerable.url, ratePerSecond: 500 }),
      runAttackScenario('path-probing', { baseUrl: vulnerable.url, ratePerSecond: 500 }),
      runAttackScenario('xss', { baseUrl: vulnerable.url, ratePerSecond: 500 }),
    ]);
    expect(sqli.outcomes.password_hashes_leaked).toBeGreaterThan(0);
    expect(probe.outcomes.path_exposed).toBeGreaterThanOrEqual(3);
    expect(xss.outcomes.reflected_unescaped).toBeGreaterThan(0);
  });

  it("reads other customers' orders through the IDOR flaw of a vulnerable shop", async () => {
    const stats = await runAttackScenario('data-exfiltration', {
      baseUrl: vulnerable.url,
      ratePerSecond: 500,
    });
    expect(stats.status).toBe('completed');
    expect(stats.outcomes.victim_order).toBe(27);
    expect(stats.outcomes.record_exfiltrated).toBeGreaterThanOrEqual(27);
  });

  it('runs scenarios from the simulator and ends when they are done', async () => {
    const sim = createTrafficSimulator({
      baseUrl: vulnerable.url,
      shoppers: 0,
      scenarios: ['path-probing', 'scraping'],
      scenarioStaggerMs: 0,
      durationMs: 20_000,
    });
    sim.start();
    await sim.done;
    const stats = sim.stats();
    expect(stats.scenarios.map((s) => s.status)).toEqual(['completed', 'completed']);
    expect(stats.requests).toBe(stats.scenarios[0]!.requests + stats.scenarios[1]!.requests);
  });
});
