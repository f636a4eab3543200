/**
 * A remote gateway's mode follower (gateway enforcement, cluster deployments): long-polls the
 * API's mode feed (`GET /api/v1/modes/feed`), keeps the fail-safe modes in force in memory and
 * hands them to the gateway's `ModeEnforcer` as a `ModeProvider`, as `storeModeProvider`
 * does in-process. The server holds each request until a mode is switched, so a switch is
 * pushed to the gateway in one round trip. When the API is down it backs off and the
 * gateway keeps enforcing the last modes it had: a mode in force stays in force until its
 * own `until` passes (fail safe: an outage never lifts a checkout freeze).
 *
 * @example
 * const modes = new ModeFollower({ feed: (q, signal) => api.modes.feed(q, signal), logger });
 * await modes.start();
 * const gateway = createGateway({ upstream, modes: { provider: modes } });
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../core/clock.js';
import type { ActiveModeState, ModeProvider } from '../modes/enforcer.js';
import { backoffMs } from './backoff.js';

/** One answer of the feed (the shape of `GET /api/v1/modes/feed`). */
export interface ModeFeedAnswer {
  modes: ActiveModeState[];
  cursor: string;
}

export interface ModeFollowerOptions {
  /** Reads the feed; `ApiClient.modes.feed` in production. `signal` aborts a held request on stop. */
  feed(query: { since?: string; wait?: number }, signal: AbortSignal): Promise<ModeFeedAnswer>;
  /** How long the server may hold a request; below the API client's timeout. Default 25 000. */
  waitMs?: number;
  /** First wait after a failed read, doubled per consecutive failure. Default 1000. */
  retryMs?: number;
  /** Longest wait between reads while the API fails. Default 30 000. */
  maxBackoffMs?: number;
  /** Least time between two reads, so a server that does not hold requests is not hammered. Default 200. */
  minGapMs?: number;
  logger: Logger;
  clock?: Clock;
}

export class ModeFollower implements ModeProvider {
  private known: ActiveModeState[] = [];
  private cursor: string | undefined;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private controller: AbortController | null = null;
  private stopped = true;
  private readonly waitMs: number;
  private readonly retryMs: number;
  private readonly maxBackoffMs: number;
  private readonly minGapMs: number;
  private readonly clock: Clock;
  /** Consecutive failed reads. */
  failures = 0;
  /** Successful reads. */
  polls = 0;

  constructor(private readonly options: ModeFollowerOptions) {
    this.waitMs = options.waitMs ?? 25_000;
    this.retryMs = options.retryMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.minGapMs = options.minGapMs ?? 200;
    this.clock = options.clock ?? systemClock;
  }

  /** Reads once without waiting (a failure is logged, not thrown), then keeps long-polling. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.pollOnce(0);
    this.schedule(false);
  }

  /** Stops following; a held request is aborted. The last known modes stay. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.controller?.abort();
    this.controller = null;
  }

  /** The modes in force as last heard, less those whose `until` has passed. */
  async listActive(): Promise<ActiveModeState[]> {
    const nowMs = this.clock.nowMs();
    return this.known.filter((mode) => mode.until === null || Date.parse(mode.until) > nowMs);
  }

  subscribe(onChange: () => void): () => void {
    this.listeners.add(onChange);
    return () => void this.listeners.delete(onChange);
  }

  /** The wait after a failure: retryMs, doubled per further consecutive failure, up to maxBackoffMs. */
  get nextDelayMs(): number {
    return backoffMs(this.failures, this.retryMs, this.maxBackoffMs);
  }

  /** One read (held by the server up to `waitMs` when we have a cursor); true when the modes changed. Never throws. */
  async pollOnce(waitMs = this.waitMs): Promise<boolean> {
    const controller = new AbortController();
    this.controller = controller;
    try {
      const query = this.cursor === undefined ? {} : { since: this.cursor, wait: waitMs };
      const answer = await this.options.feed(query, controller.signal);
      this.failures = 0;
      this.polls++;
      const changed = this.apply(answer);
      if (changed) for (const listener of this.listeners) listener();
      return changed;
    } catch (err) {
      if (controller.signal.aborted) return false;
      this.failures++;
      this.options.logger.warn(
        { err, retryInMs: this.nextDelayMs, modes: this.known.map((mode) => mode.name) },
        'the mode feed is unreachable; the gateway keeps enforcing the last known modes until their end',
      );
      return false;
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  private apply(answer: ModeFeedAnswer): boolean {
    this.cursor = answer.cursor;
    const next = [...answer.modes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const changed = JSON.stringify(next) !== JSON.stringify(this.known);
    this.known = next;
    if (changed) this.options.logger.info({ modes: next }, 'fail-safe modes in force changed');
    return changed;
  }

  /**
   * The next read: after the backoff after a failure; at once after a held answer or a
   * change; `minGapMs` after an unchanged answer that came back at once (a server that does
   * not hold requests, or one whose list keeps differing only in what we ignore).
   */
  private schedule(quickAndUnchanged: boolean): void {
    if (this.stopped) return;
    const delayMs = this.failures > 0 ? this.nextDelayMs : quickAndUnchanged ? this.minGapMs : 0;
    this.timer = setTimeout(() => {
      this.timer = null;
      const startedMs = Date.now();
      void this.pollOnce().then((changed) =>
        this.schedule(!changed && Date.now() - startedMs < this.minGapMs),
      );
    }, delayMs);
    this.timer.unref();
  }
}
