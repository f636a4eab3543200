/**
 * The traffic simulator for `ensuresec demo`: realistic shoppers plus named, bounded
 * attack scenarios, all sent through undici to `baseUrl` (the gateway in front of the
 * demo shop). It refuses any base URL that is not loopback, paces itself and stops on
 * its own when `durationMs` is over.
 *
 * @example
 * const sim = createTrafficSimulator({ baseUrl: 'http://127.0.0.1:8780', scenarios: ['sql-injection'] });
 * sim.start();
 * await sim.done; console.log(sim.stats());
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { EnsuresecError } from '../../core/errors.js';
import { assertLoopbackUrl } from '../loopback.js';
import { attackerAddress, shopperAddress, SHOPPER_HOUSEHOLDS, SourceAddresses } from './addresses.js';
import { ShopClient } from './http-client.js';
import { Budget, Pacer, sleep, StopSimulation, pick } from './pacing.js';
import { emptyScenarioStats, runAttackScenario, type ScenarioStats } from './scenario-runner.js';
import { ATTACK_SCENARIOS, type AttackScenarioName } from './scenarios/index.js';
import { shopperVisit, type ShopperAccount, type ShopperTally } from './shopper.js';
import { BROWSER_USER_AGENTS } from './user-agents.js';

export { ATTACK_SCENARIOS, ATTACK_SCENARIO_NAMES, type AttackScenarioName } from './scenarios/index.js';
export { runAttackScenario, type ScenarioStats, type ScenarioStatus } from './scenario-runner.js';
export { ShopClient, type ShopResponse } from './http-client.js';

export interface TrafficSimulatorOptions {
  /** Where to send traffic: the gateway URL; must be loopback. */
  baseUrl: string;
  /** Concurrent shoppers (default 3; 0 = attacks only). */
  shoppers?: number;
  /** Shopper requests per second across all shoppers (default 5). Attacks have their own rates. */
  ratePerSecond?: number;
  scenarios?: AttackScenarioName[];
  /** Shoppers stop after this long (default 10 minutes; Infinity = until stop()). */
  durationMs?: number;
  /** Pause between a shopper's steps, up to this many ms (default 400). */
  thinkTimeMs?: number;
  /** Delay between the start of one attack scenario and the next (default 2000). */
  scenarioStaggerMs?: number;
  /** The flow collector network scenarios (port-scan) send NetFlow to; must be loopback. */
  flowCollector?: { host: string; port: number };
  logger?: Logger;
  signal?: AbortSignal;
}

export interface SimulatorStats extends ShopperTally {
  running: boolean;
  startedAtMs: number | null;
  requests: number;
  responsesByStatus: Record<string, number>;
  errors: number;
  scenarios: ScenarioStats[];
}

export interface TrafficSimulator {
  start(): void;
  /** Stops shoppers and scenarios and waits for in-flight requests. */
  stop(): Promise<void>;
  stats(): SimulatorStats;
  /** Resolves when everything has stopped, by itself or through stop(). */
  readonly done: Promise<void>;
}

const MAX_SHOPPERS = 50;
const MAX_RATE_PER_SECOND = 200;

export function createTrafficSimulator(options: TrafficSimulatorOptions): TrafficSimulator {
  const baseUrl = assertLoopbackUrl(options.baseUrl, 'traffic simulator baseUrl').origin;
  const shoppers = options.shoppers ?? 3;
  const ratePerSecond = options.ratePerSecond ?? 5;
  if (!Number.isInteger(shoppers) || shoppers < 0 || shoppers > MAX_SHOPPERS) {
    throw new EnsuresecError('bad_request', {
      detail: `shoppers must be an integer from 0 to ${MAX_SHOPPERS}.`,
    });
  }
  if (!(ratePerSecond > 0 && ratePerSecond <= MAX_RATE_PER_SECOND)) {
    throw new EnsuresecError('bad_request', {
      detail: `ratePerSecond must be above 0 and at most ${MAX_RATE_PER_SECOND}.`,
    });
  }
  const scenarioNames = options.scenarios ?? [];
  for (const name of scenarioNames) {
    if (!(name in ATTACK_SCENARIOS)) {
      throw new EnsuresecError('bad_request', {
        detail: `unknown attack scenario "${name}"; known: ${Object.keys(ATTACK_SCENARIOS).join(', ')}.`,
      });
    }
  }
  const durationMs = options.durationMs ?? 10 * 60_000;
  const controller = new AbortController();
  // Every shopper and scenario waits on this one signal at once, a request and a pause each
  // (each removes its listener when done), so the default warning at 10 is too low.
  setMaxListeners(10 + 2 * ((options.shoppers ?? 3) + (options.scenarios?.length ?? 0)), controller.signal);
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });

  const tally: ShopperTally = {
    visits: 0,
    registrations: 0,
    logins: 0,
    ordersPlaced: 0,
    paymentsDeclined: 0,
  };
  const responsesByStatus: Record<string, number> = {};
  const scenarioStats = scenarioNames.map(emptyScenarioStats);
  const accounts: ShopperAccount[] = [];
  /** Each household and attacker connects from its own loopback address (addresses.ts). */
  let addresses: SourceAddresses | null = null;
  const pacer = new Pacer(ratePerSecond);
  let requests = 0;
  let errors = 0;
  let startedAtMs: number | null = null;
  let running = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  async function shopperLoop(budget: Budget): Promise<void> {
    while (!controller.signal.aborted) {
      const client = new ShopClient(baseUrl, {
        userAgent: pick(BROWSER_USER_AGENTS),
        dispatcher: addresses?.dispatcherFor(shopperAddress(Math.floor(Math.random() * SHOPPER_HOUSEHOLDS))),
        signal: controller.signal,
        beforeRequest: async () => {
          budget.check();
          await pacer.wait(controller.signal);
          budget.check();
          requests++;
        },
        afterResponse: (status) => {
          responsesByStatus[status] = (responsesByStatus[status] ?? 0) + 1;
        },
      });
      try {
        await shopperVisit({
          client,
          accounts,
          tally,
          thinkTimeMs: options.thinkTimeMs ?? 400,
          signal: controller.signal,
        });
      } catch (err) {
        if (err instanceof StopSimulation || controller.signal.aborted) return;
        errors++;
        options.logger?.debug({ err }, 'traffic simulator: shopper request failed');
        await sleep(500, controller.signal);
      }
    }
  }

  async function runScenarios(): Promise<void> {
    await Promise.all(
      scenarioStats.map(async (stats, i) => {
        await sleep(i * (options.scenarioStaggerMs ?? 2_000), controller.signal);
        if (controller.signal.aborted) {
          stats.status = 'aborted';
          return;
        }
        await runAttackScenario(stats.name, {
          baseUrl,
          signal: controller.signal,
          logger: options.logger,
          stats,
          dispatcherFor: (client) => addresses?.dispatcherFor(attackerAddress(i, client)),
          ...(options.flowCollector ? { flowCollector: options.flowCollector } : {}),
        });
      }),
    );
  }

  async function runAll(): Promise<void> {
    addresses = await SourceAddresses.probe();
    if (!addresses.enabled)
      options.logger?.info('traffic simulator: only 127.0.0.1 can be bound here; every client shares it');
    const budget = new Budget(Number.MAX_SAFE_INTEGER, durationMs, controller.signal);
    const stopTimer = Number.isFinite(durationMs) ? setTimeout(() => controller.abort(), durationMs) : null;
    try {
      await Promise.all([...Array.from({ length: shoppers }, () => shopperLoop(budget)), runScenarios()]);
    } finally {
      if (stopTimer) clearTimeout(stopTimer);
      controller.abort();
      running = false;
      options.logger?.info({ requests, ...tally }, 'traffic simulator stopped');
      await addresses?.close();
      resolveDone();
    }
  }

  return {
    start() {
      if (startedAtMs !== null) return;
      startedAtMs = Date.now();
      running = true;
      options.logger?.info(
        { baseUrl, shoppers, ratePerSecond, scenarios: scenarioNames },
        'traffic simulator started',
      );
      void runAll();
    },
    async stop() {
      controller.abort();
      if (startedAtMs === null) resolveDone();
      await done;
    },
    stats() {
      const scenarioRequests = scenarioStats.reduce((sum, s) => sum + s.requests, 0);
      const merged = { ...responsesByStatus };
      for (const s of scenarioStats) {
        for (const [status, n] of Object.entries(s.responsesByStatus))
          merged[status] = (merged[status] ?? 0) + n;
      }
      return {
        running,
        startedAtMs,
        requests: requests + scenarioRequests,
        responsesByStatus: merged,
        errors,
        ...tally,
        scenarios: scenarioStats.map((s) => ({
          ...s,
          responsesByStatus: { ...s.responsesByStatus },
          outcomes: { ...s.outcomes },
        })),
      };
    },
    done,
  };
}
