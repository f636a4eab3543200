/**
 * Durable writes for the delivery source (ingest): an accepted event goes into the journal
 * (when there is one), then into the store in batches, then on the bus for the detect stage.
 * Nothing is dropped: a failed batch stays queued and is tried again, and when the queue is
 * full `room()` makes the source wait (the MQTT client stops reading, the broker keeps the
 * messages). Without a journal a message counts as written only once its batch is stored.
 *
 * @example
 * const writer = new DeliveryEventWriter({ store, bus, journal, logger });
 * await writer.room();
 * await writer.write(event); // resolves when the event is journaled (or stored, without a journal)
 */
import type { Logger } from 'pino';
import { TOPICS, type Bus } from '../../../bus/bus.js';
import type { SecurityEvent } from '../../../core/records/index.js';
import type { Store } from '../../../store/store.js';
import type { EventJournal, JournalTicket } from './journal.js';

export interface DeliveryEventWriterOptions {
  store: Pick<Store, 'events'>;
  bus: Bus;
  /** Null: acknowledge after the store has the event (slower: one store write per MQTT message). */
  journal: EventJournal | null;
  logger?: Logger;
  /** Events per store write; default 1000. */
  batchSize?: number;
  /**
   * With a journal: how long a batch smaller than `batchSize` waits for more events before it
   * is stored; default 20 (ms). Acknowledgements do not wait for it (they follow the journal),
   * only storage and detection do; fewer, larger store transactions (each one an fsync with
   * SQLite's `synchronous = FULL`) are what keep up with a fleet. (Longer waits make larger
   * batches, and SQLite's CPU per row falls with the batch, but the events held meanwhile cost
   * the garbage collector about as much: 100 ms measured no better than 20.) Without a journal
   * a message is acknowledged after its batch is stored, so batches are stored at once.
   */
  lingerMs?: number;
  /** Queued events beyond which `room()` waits; default 20 000. */
  maxQueued?: number;
  /** Wait before a failed batch is tried again; default 1000. */
  retryMs?: number;
}

export interface DeliveryWriterStats {
  queued: number;
  stored: number;
  /** Events the store already had (a redelivery, a journal replay). */
  alreadyStored: number;
  failedBatches: number;
  published: number;
  unpublished: number;
}

interface Queued {
  event: SecurityEvent;
  /** The event's JSON text: the journal's line and the store's record (serialised once). */
  record: string;
  ticket: JournalTicket | null;
  onStored: (() => void) | null;
}

export class DeliveryEventWriter {
  private queue: Queued[] = [];
  private flushing: Promise<void> | null = null;
  private waitingForRoom: (() => void)[] = [];
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private readonly retryMs: number;
  private readonly lingerMs: number;
  private closed = false;
  /** Closing while the store keeps failing: what is left stays in the journal for the next start. */
  private gaveUp = false;
  private readonly stats = { stored: 0, alreadyStored: 0, failedBatches: 0, published: 0, unpublished: 0 };

  constructor(private readonly options: DeliveryEventWriterOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.lingerMs = options.journal ? (options.lingerMs ?? 20) : 0;
    this.maxQueued = options.maxQueued ?? 20_000;
    this.retryMs = options.retryMs ?? 1000;
  }

  get durableOnAppend(): boolean {
    return this.options.journal !== null;
  }

  /** Store again what a crashed run journaled and did not store. */
  recover(): number {
    const left = this.options.journal?.recover() ?? [];
    for (const { event, ticket } of left) {
      this.queue.push({ event, record: JSON.stringify(event), ticket, onStored: null });
    }
    if (left.length > 0) this.kick();
    return left.length;
  }

  /** Resolves at once while the queue has room, else when it has drained below half. */
  room(): Promise<void> | null {
    if (this.queue.length < this.maxQueued) return null;
    return new Promise((resolve) => this.waitingForRoom.push(resolve));
  }

  /**
   * Takes one event. With a journal it is durable when this returns (`deferred`: after the
   * next `syncJournal()`); without, the promise resolves when its batch is stored.
   */
  write(event: SecurityEvent, options: { deferred?: boolean } = {}): Promise<void> | null {
    if (this.closed) throw new Error('the delivery event writer is closed');
    const journal = this.options.journal;
    const record = JSON.stringify(event);
    if (journal) {
      const ticket = journal.append(event, { deferred: options.deferred === true, record });
      this.queue.push({ event, record, ticket, onStored: null });
      this.kick();
      return null;
    }
    return new Promise((resolve) => {
      this.queue.push({ event, record, ticket: null, onStored: resolve });
      this.kick();
    });
  }

  /**
   * Makes the events written with `deferred` durable (the journal's group commit); without a
   * journal there is nothing to do (such writes resolve when stored).
   */
  syncJournal(): void {
    this.options.journal?.sync();
  }

  /** Resolves when everything written so far is stored and published. */
  async flush(): Promise<void> {
    while ((this.queue.length > 0 && !this.gaveUp) || this.flushing) await (this.flushing ?? this.run());
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    this.options.journal?.close();
  }

  get queued(): number {
    return this.queue.length;
  }

  getStats(): DeliveryWriterStats {
    return { ...this.stats, queued: this.queue.length };
  }

  private kick(): void {
    if (this.flushing) return;
    // A batch gathers what arrives within this turn of the event loop, or (with a journal)
    // within `lingerMs` unless a full batch is already waiting.
    const linger = this.lingerMs > 0 && this.queue.length < this.batchSize && !this.closed;
    this.flushing = new Promise<void>((resolve) =>
      linger ? setTimeout(resolve, this.lingerMs) : setImmediate(resolve),
    ).then(() => this.run());
  }

  private run(): Promise<void> {
    const running = this.writeBatches().finally(() => {
      if (this.flushing === running) this.flushing = null;
      if (this.queue.length > 0 && !this.closed) this.kick();
    });
    this.flushing = running;
    return running;
  }

  private async writeBatches(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.batchSize);
      let storedIds: Set<string> | null;
      try {
        const stored = await this.options.store.events.insertNew(
          batch.map((item) => item.event),
          { records: batch.map((item) => item.record) },
        );
        // Every event of the batch stored (the usual case): no set to look them up in.
        storedIds = stored.length === batch.length ? null : new Set(stored);
      } catch (error) {
        this.stats.failedBatches++;
        this.options.logger?.error(
          { err: error, events: batch.length },
          'delivery events could not be stored; trying again',
        );
        await new Promise((resolve) => setTimeout(resolve, this.retryMs));
        if (this.closed) {
          this.gaveUp = true;
          return;
        }
        continue;
      }
      this.queue = this.queue.slice(batch.length);
      const storedCount = storedIds === null ? batch.length : storedIds.size;
      this.stats.stored += storedCount;
      this.stats.alreadyStored += batch.length - storedCount;
      this.releaseRoom();
      await this.publish(batch, storedIds);
    }
  }

  /** Publishes the batch's events that `storedIds` names (null: all of them). */
  private async publish(batch: Queued[], storedIds: Set<string> | null): Promise<void> {
    const journal = this.options.journal;
    for (const item of batch) {
      if (storedIds === null || storedIds.has(item.event.id)) {
        try {
          await this.options.bus.publish(TOPICS.events, item.event, { id: item.event.id });
          this.stats.published++;
        } catch (error) {
          this.stats.unpublished++;
          this.options.logger?.error({ err: error, eventId: item.event.id }, 'could not publish an event');
        }
      }
      if (item.ticket !== null) journal?.committed(item.ticket);
      item.onStored?.();
    }
  }

  private releaseRoom(): void {
    if (this.waitingForRoom.length === 0 || this.queue.length >= this.maxQueued / 2) return;
    const waiting = this.waitingForRoom;
    this.waitingForRoom = [];
    for (const resolve of waiting) resolve();
  }
}
