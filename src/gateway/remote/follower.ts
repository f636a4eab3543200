/**
 * A remote gateway's decision follower (gateway enforcement, cluster deployments): polls the
 * API's decision feed (`GET /api/v1/decisions/feed`) like a CrowdSec bouncer follows its
 * stream, keeps the decisions in force in memory and hands them to the gateway's
 * `DecisionSync` as a `DecisionProvider`. When the API is down it backs off and the gateway
 * keeps enforcing the last list it had; expired decisions stop applying at the gateway by
 * their own `expiresAt`, whether or not the feed has said so yet.
 *
 * @example
 * const follower = new DecisionFollower({ feed: (since) => api.decisions.feed(since), logger });
 * await follower.start();
 * const gateway = createGateway({ upstream, decisions: follower });
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import type { Decision } from '../../core/records/decision.js';
import type { DecisionProvider } from '../decisions.js';
import { backoffMs } from './backoff.js';

/** One answer of the feed (the shape of `GET /api/v1/decisions/feed`). */
export interface FeedAnswer {
  full: boolean;
  new: Decision[];
  deleted: string[];
  cursor: string;
}

export interface DecisionFollowerOptions {
  /** Reads the feed; `ApiClient.decisions.feed` in production. */
  feed(since?: string): Promise<FeedAnswer>;
  /** Poll interval. Default 1000. */
  intervalMs?: number;
  /** Longest wait between polls while the API fails. Default 30 000. */
  maxBackoffMs?: number;
  logger: Logger;
  clock?: Clock;
}

export class DecisionFollower implements DecisionProvider {
  private readonly known = new Map<string, Decision>();
  private cursor: string | undefined;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private readonly intervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly clock: Clock;
  /** Consecutive failed polls; the next wait doubles with each, up to maxBackoffMs. */
  failures = 0;
  polls = 0;

  constructor(private readonly options: DecisionFollowerOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.clock = options.clock ?? systemClock;
  }

  /** Polls once (a failure is logged, not thrown: the gateway may start before the API), then keeps polling. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.pollOnce();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  async listActive(): Promise<Decision[]> {
    const nowMs = this.clock.nowMs();
    return [...this.known.values()].filter((d) => d.expiresAt === null || Date.parse(d.expiresAt) > nowMs);
  }

  subscribe(onChange: () => void): () => void {
    this.listeners.add(onChange);
    return () => void this.listeners.delete(onChange);
  }

  /** The wait before the next poll: the interval, doubled per consecutive failure. */
  get nextDelayMs(): number {
    return this.failures === 0
      ? this.intervalMs
      : backoffMs(this.failures, 2 * this.intervalMs, this.maxBackoffMs);
  }

  /** One poll; true when it changed the decisions. Never throws. */
  async pollOnce(): Promise<boolean> {
    try {
      const answer = await this.read();
      this.failures = 0;
      this.polls++;
      const changed = this.apply(answer);
      if (changed) for (const listener of this.listeners) listener();
      return changed;
    } catch (err) {
      this.failures++;
      this.options.logger.warn(
        { err, retryInMs: this.nextDelayMs, decisions: this.known.size },
        'the decision feed is unreachable; the gateway keeps enforcing the last known decisions',
      );
      return false;
    }
  }

  private async read(): Promise<FeedAnswer> {
    try {
      return await this.options.feed(this.cursor);
    } catch (error) {
      if (!(error instanceof EnsuresecError && error.code === 'invalid_cursor')) throw error;
      // The API lost our place (restored, replaced): start over from its full list.
      this.options.logger.warn(
        { cursor: this.cursor },
        'the decision feed refused our cursor; reloading the full list',
      );
      this.cursor = undefined;
      return this.options.feed();
    }
  }

  private apply(answer: FeedAnswer): boolean {
    let changed = false;
    if (answer.full) {
      changed = this.known.size > 0 || answer.new.length > 0;
      this.known.clear();
    }
    for (const id of answer.deleted) changed = this.known.delete(id) || changed;
    for (const decision of answer.new) {
      this.known.set(decision.id, decision);
      changed = true;
    }
    this.cursor = answer.cursor;
    return changed;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.pollOnce().then(() => this.schedule());
    }, this.nextDelayMs);
    this.timer.unref();
  }
}
