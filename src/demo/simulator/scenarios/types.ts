/**
 * The shape of an attack scenario: a name, what it does, its bounds (requests and time)
 * and a `run` that drives clients the runner hands it. The runner enforces the bounds;
 * a scenario only describes the attack.
 */
import type { ShopClient } from '../http-client.js';

export interface ScenarioContext {
  readonly baseUrl: string;
  readonly signal: AbortSignal;
  /** A fresh client (own cookie jar) whose requests count against the scenario's budget. */
  client(userAgent?: string): ShopClient;
  /** Counts a named outcome in the scenario's stats (e.g. 'login_rate_limited'). */
  note(outcome: string): void;
  /** The flow collector (NetFlow/IPFIX, UDP) network scenarios report to; absent when it is off. */
  readonly flowCollector?: { host: string; port: number };
}

export interface AttackScenario {
  readonly name: string;
  readonly description: string;
  readonly maxRequests: number;
  readonly maxDurationMs: number;
  /** Requests per second this attack runs at. */
  readonly ratePerSecond: number;
  run(ctx: ScenarioContext): Promise<void>;
}
