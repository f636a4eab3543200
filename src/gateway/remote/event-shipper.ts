/**
 * A remote gateway's event shipper (gateway, cluster deployments): the events the gateway
 * publishes (requests, blocks, WAF matches) are queued and sent to the server in batches
 * (`POST /api/v1/events`), so the server's detection sees the traffic of every gateway. The
 * queue is bounded (the oldest are dropped and counted: events are telemetry); a failed
 * batch goes back to the front of the queue and is sent again after a backoff of 1, 2, 4 …
 * s (at most `maxBackoffMs`). Every event carries its id, and the server keeps one copy per
 * id, so a batch sent twice (an answer lost) stores nothing twice.
 *
 * @example
 * const shipper = new EventShipper({ send: (events) => api.events.send(events), logger });
 * shipper.start();
 * const gateway = createGateway({ upstream, publishEvent: (event) => shipper.push(event) });
 */
import type { Logger } from 'pino';
import type { SecurityEvent } from '../../core/records/index.js';
import { backoffMs } from './backoff.js';

export interface EventShipperOptions {
  /** Sends one batch; throws when the server did not take it. */
  send(events: SecurityEvent[]): Promise<void>;
  logger: Logger;
  /** Events per request; default 500 (the API takes up to 1000). */
  batchSize?: number;
  /** How often the queue is sent; default 1000 ms. */
  intervalMs?: number;
  /** Queue bound; default 20 000. */
  maxQueued?: number;
  /** Longest wait between attempts while the server fails; default 30 000 ms. */
  maxBackoffMs?: number;
}

export interface EventShipperStats {
  queued: number;
  sent: number;
  dropped: number;
  failures: number;
}

export class EventShipper {
  private queue: SecurityEvent[] = [];
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly maxQueued: number;
  private readonly maxBackoffMs: number;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private consecutiveFailures = 0;
  private nextAttemptMs = 0;
  private closed = false;
  private readonly counts = { sent: 0, dropped: 0, failures: 0 };

  constructor(private readonly options: EventShipperOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxQueued = options.maxQueued ?? 20_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  start(): void {
    this.timer = setInterval(() => void this.ship(), this.intervalMs);
    this.timer.unref();
  }

  /** Never blocks the gateway: queues, dropping the oldest beyond the bound. */
  push(event: SecurityEvent): void {
    if (this.closed) return;
    this.queue.push(event);
    if (this.queue.length > this.maxQueued) {
      const excess = this.queue.length - this.maxQueued;
      this.queue.splice(0, excess);
      this.counts.dropped += excess;
    }
  }

  stats(): EventShipperStats {
    return { queued: this.queue.length, ...this.counts };
  }

  /** Sends what is queued now (one batch after another), unless the server is in backoff. */
  ship(): Promise<void> {
    this.sending ??= this.drain().finally(() => {
      this.sending = null;
    });
    return this.sending;
  }

  /** Stops the timer and makes one last attempt to send what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.nextAttemptMs = 0;
    await this.ship();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && Date.now() >= this.nextAttemptMs) {
      const batch = this.queue.splice(0, this.batchSize);
      try {
        await this.options.send(batch);
        this.counts.sent += batch.length;
        this.consecutiveFailures = 0;
      } catch (error) {
        // Back to the front, in order; the server drops the copies it already has by id.
        this.queue.unshift(...batch);
        if (this.queue.length > this.maxQueued) {
          const excess = this.queue.length - this.maxQueued;
          this.queue.splice(0, excess);
          this.counts.dropped += excess;
        }
        this.counts.failures++;
        this.consecutiveFailures++;
        const waitMs = backoffMs(this.consecutiveFailures, 1000, this.maxBackoffMs);
        this.nextAttemptMs = Date.now() + waitMs;
        this.options.logger.warn(
          { err: error, events: batch.length, retryInMs: waitMs },
          'could not send events to the server; keeping them for the next attempt',
        );
        return;
      }
    }
  }
}
