/**
 * The outbox worker (response / outbox): claims due notices, hands each to its channel's
 * sender, and settles it through the ledger — delivered, failed (tried again after a backoff)
 * or dead. Claims are leases: a worker that dies mid-send leaves its messages `sending` until
 * the lease runs out, then any worker (after a restart: the new process) sends them again with
 * the same Message-ID / webhook-id, so a receiver can drop the copy. Nothing queued is lost.
 *
 * @example
 * const worker = new OutboxWorker({ store, ledger, senders: { email, webhook }, logger });
 * worker.start(); … worker.wake(); … await worker.close();
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../core/clock.js';
import type { LedgerWriter } from '../../ledger/service.js';
import type { OutboxMessage, Store } from '../../store/store.js';
import { DeliveryError, describeDeliveryFailure } from './delivery-error.js';
import { DEFAULT_RETRY_POLICY, isExhausted, nextAttemptDelayMs, type RetryPolicy } from './retry-policy.js';
import type { NoticeSender } from './sender.js';

export interface OutboxLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface OutboxWorkerOptions {
  store: Store;
  ledger: LedgerWriter;
  /** A channel without a sender fails its messages (they retry, in case it is configured later). */
  senders: Partial<Record<OutboxMessage['channel'], NoticeSender>>;
  logger: OutboxLogger;
  clock?: Clock;
  policy?: RetryPolicy;
  /** How often to look for due messages when nobody wakes the worker; default 1 000. */
  pollIntervalMs?: number;
  /** How long a claim holds; longer than any send can take. Default 120 000. */
  leaseMs?: number;
  /** Messages claimed, and sent concurrently, per round; default 10. */
  batchSize?: number;
  random?: () => number;
  /**
   * What the outbox keeps of a recipient once the message is delivered (default: as it is).
   * The composition root keeps a customer's address only as its pseudonym.
   */
  recipientAfterDelivery?: (message: OutboxMessage) => string;
}

export class OutboxWorker {
  readonly #options: OutboxWorkerOptions;
  readonly #clock: Clock;
  readonly #policy: RetryPolicy;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #started = false;
  #closed = false;

  constructor(options: OutboxWorkerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#policy = options.policy ?? DEFAULT_RETRY_POLICY;
  }

  /** Starts polling; messages left by a previous process are picked up on the first round. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.wake();
  }

  /** Looks for due messages now (e.g. right after a notice was queued). */
  wake(): void {
    if (!this.#started || this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#rounds().finally(() => {
      this.#running = undefined;
      this.#schedule();
    });
  }

  /** Claims one batch of due messages and settles each; returns how many it handled. */
  async runOnce(): Promise<number> {
    const batchSize = this.#options.batchSize ?? 10;
    const leaseToken = `${process.pid}-${randomUUID()}`;
    const claimed = await this.#options.store.outbox.claimDue({
      nowMs: this.#clock.nowMs(),
      limit: batchSize,
      leaseMs: this.#options.leaseMs ?? 120_000,
      leaseToken,
    });
    await Promise.all(claimed.map((message) => this.#deliver(message, leaseToken)));
    return claimed.length;
  }

  /** Stops polling, waits for the round in progress, closes the senders. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    while (this.#running) await this.#running;
    for (const sender of Object.values(this.#options.senders)) await sender?.close?.();
  }

  async #rounds(): Promise<void> {
    const batchSize = this.#options.batchSize ?? 10;
    try {
      do {
        this.#again = false;
        // A full batch suggests more are due: go on at once.
        while (!this.#closed && (await this.runOnce()) >= batchSize);
      } while (this.#again && !this.#closed);
    } catch (error) {
      this.#options.logger.error({ err: error }, 'the notice outbox could not claim messages; retrying');
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => this.wake(), this.#options.pollIntervalMs ?? 1_000);
    this.#timer.unref();
  }

  async #deliver(message: OutboxMessage, leaseToken: string): Promise<void> {
    const { ledger, logger, senders } = this.#options;
    let failure: unknown;
    try {
      const sender = senders[message.channel];
      if (sender === undefined) throw new DeliveryError(`the ${message.channel} channel is not configured`);
      await sender.send(message);
    } catch (error) {
      failure = error ?? new DeliveryError('the sender failed without a reason');
    }
    const atMs = this.#clock.nowMs();
    try {
      if (failure === undefined) {
        const recipient = this.#options.recipientAfterDelivery?.(message);
        await ledger.commit({
          kind: 'notice.delivered',
          actor: 'system',
          write: async (tx) => {
            const settled = await tx.outbox.settle(message.id, leaseToken, {
              status: 'delivered',
              atMs,
              ...(recipient === undefined ? {} : { recipient }),
            });
            // The ledger salts the address itself (so that erasure works): it gets the original.
            return settled && { ...settled, recipient: message.recipient };
          },
        });
        return;
      }
      const error = describeDeliveryFailure(failure);
      const nextAttemptMs = atMs + nextAttemptDelayMs(message.attempts, this.#policy, this.#options.random);
      const dead = isExhausted(message, atMs, this.#policy, nextAttemptMs);
      await ledger.commit({
        kind: dead ? 'notice.dead' : 'notice.failed',
        actor: 'system',
        write: (tx) =>
          tx.outbox.settle(
            message.id,
            leaseToken,
            dead ? { status: 'dead', atMs, error } : { status: 'failed', atMs, error, nextAttemptMs },
          ),
      });
      logger.warn(
        { notice: message.id, channel: message.channel, attempts: message.attempts, error },
        dead ? 'notice delivery failed; giving up' : 'notice delivery failed; will retry',
      );
    } catch (error) {
      // The lease runs out and the message is tried again (same id, so receivers can drop the copy).
      logger.error({ err: error, notice: message.id }, 'settling a notice failed');
    }
  }
}
