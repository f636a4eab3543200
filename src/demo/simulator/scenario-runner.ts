/**
 * Runs one attack scenario inside its bounds: every request of the scenario's clients is
 * paced to its rate and counted against its request and time budget; the run ends when
 * the scenario finishes, the budget runs out, the deadline passes or the caller aborts.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { assertLoopbackUrl } from '../loopback.js';
import { ShopClient } from './http-client.js';
import { Budget, Pacer, StopSimulation } from './pacing.js';
import { ATTACK_SCENARIOS, type AttackScenarioName } from './scenarios/index.js';

export type ScenarioStatus =
  'pending' | 'running' | 'completed' | 'budget_exhausted' | 'timed_out' | 'aborted' | 'failed';

export interface ScenarioStats {
  name: AttackScenarioName;
  status: ScenarioStatus;
  requests: number;
  maxRequests: number;
  responsesByStatus: Record<string, number>;
  /** Scenario-specific outcomes, e.g. { login_rate_limited: 12 }. */
  outcomes: Record<string, number>;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  error?: string;
}

export interface RunScenarioOptions {
  baseUrl: string;
  signal?: AbortSignal;
  logger?: Logger;
  /** Overrides the scenario's own rate (requests per second). */
  ratePerSecond?: number;
  /** Updated in place while the scenario runs, so callers can watch progress. */
  stats?: ScenarioStats;
  /** The connection pool for the scenario's n-th client (its source address); default: undici's. */
  dispatcherFor?: (client: number) => Dispatcher | undefined;
  /** Where network scenarios send their flow records (loopback only). */
  flowCollector?: { host: string; port: number };
}

export function emptyScenarioStats(name: AttackScenarioName): ScenarioStats {
  return {
    name,
    status: 'pending',
    requests: 0,
    maxRequests: ATTACK_SCENARIOS[name].maxRequests,
    responsesByStatus: {},
    outcomes: {},
    startedAtMs: null,
    finishedAtMs: null,
  };
}

/** Runs the named scenario once against `baseUrl` (loopback only) and resolves with its stats; never rejects. */
export async function runAttackScenario(
  name: AttackScenarioName,
  options: RunScenarioOptions,
): Promise<ScenarioStats> {
  const scenario = ATTACK_SCENARIOS[name];
  const baseUrl = assertLoopbackUrl(options.baseUrl, 'traffic simulator baseUrl').origin;
  const stats = options.stats ?? emptyScenarioStats(name);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(), scenario.maxDurationMs);
  const budget = new Budget(scenario.maxRequests, scenario.maxDurationMs, controller.signal);
  const pacer = new Pacer(options.ratePerSecond ?? scenario.ratePerSecond);
  let clients = 0;
  stats.status = 'running';
  stats.startedAtMs = Date.now();
  try {
    await scenario.run({
      baseUrl,
      signal: controller.signal,
      client: (userAgent) =>
        new ShopClient(baseUrl, {
          userAgent,
          dispatcher: options.dispatcherFor?.(clients++),
          signal: controller.signal,
          beforeRequest: async () => {
            budget.check();
            await pacer.wait(controller.signal);
            budget.take();
            stats.requests = budget.used;
          },
          afterResponse: (status) => {
            stats.responsesByStatus[status] = (stats.responsesByStatus[status] ?? 0) + 1;
          },
        }),
      note: (outcome) => {
        stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
      },
      ...(options.flowCollector ? { flowCollector: options.flowCollector } : {}),
    });
    stats.status = 'completed';
  } catch (err) {
    if (err instanceof StopSimulation) stats.status = err.reason;
    else if (controller.signal.aborted) stats.status = options.signal?.aborted ? 'aborted' : 'timed_out';
    else {
      stats.status = 'failed';
      stats.error = err instanceof Error ? err.message : String(err);
      options.logger?.warn({ err, scenario: name }, 'traffic simulator: scenario failed');
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    stats.finishedAtMs = Date.now();
  }
  options.logger?.info(
    { scenario: name, status: stats.status, requests: stats.requests },
    'attack scenario finished',
  );
  return stats;
}
