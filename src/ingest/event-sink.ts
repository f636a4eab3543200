/**
 * The event sink: where sources hand their SecurityEvents. It never blocks a source (the
 * gateway calls `push` on its hot path): events are published on the bus for the detect
 * stage right after the current turn of the event loop (detection does not wait for
 * storage), and queued to be written to the Store in batches. Both queues are bounded; when
 * the store or the bus cannot keep up, the oldest events are dropped and counted (they are
 * sampled telemetry, not acknowledged writes).
 */
import type { Logger } from 'pino';
import type { SecurityEvent } from '../core/records/index.js';
import { TOPICS, type Bus } from '../bus/bus.js';
import type { Store } from '../store/store.js';

export interface EventSinkOptions {
  store: Store;
  bus: Bus;
  logger: Logger;
  /** Events written per batch; default 500. */
  batchSize?: number;
  /** Longest an event waits before its batch is written; default 250. */
  flushIntervalMs?: number;
  /** Queue bound; default 50 000. */
  maxQueued?: number;
}

export interface EventSinkStats {
  accepted: number;
  written: number;
  /** Events not stored: the queue overflowed, or their batch failed. */
  dropped: number;
  failedBatches: number;
  queued: number;
  published: number;
  /** Events not published: the publish queue overflowed, or the bus refused them. */
  unpublished: number;
}

export interface EventSink {
  push(event: SecurityEvent): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): EventSinkStats;
}

export function createEventSink(options: EventSinkOptions): EventSink {
  const batchSize = options.batchSize ?? 500;
  const maxQueued = options.maxQueued ?? 50_000;
  const stats = { accepted: 0, written: 0, dropped: 0, failedBatches: 0, published: 0, unpublished: 0 };
  let queue: SecurityEvent[] = [];
  let flushing: Promise<void> | null = null;
  let closed = false;
  let toPublish: SecurityEvent[] = [];
  let publishing: Promise<void> | null = null;

  /** Publishes what was pushed, in order, after the pushing code has returned. */
  async function publishPending(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (toPublish.length > 0) {
      const batch = toPublish;
      toPublish = [];
      for (const event of batch) {
        try {
          await options.bus.publish(TOPICS.events, event, { id: event.id });
          stats.published++;
        } catch (error) {
          stats.unpublished++;
          options.logger.error({ err: error, eventId: event.id }, 'could not publish an event');
        }
      }
    }
  }

  function schedulePublish(): Promise<void> {
    if (!publishing) {
      publishing = publishPending().finally(() => {
        publishing = null;
      });
    }
    return publishing;
  }

  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 250);
  timer.unref();

  async function writeBatches(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      queue = queue.slice(batch.length);
      try {
        await options.store.events.insertMany(batch);
        stats.written += batch.length;
      } catch (error) {
        stats.failedBatches++;
        stats.dropped += batch.length;
        options.logger.error({ err: error, events: batch.length }, 'could not store a batch of events');
      }
    }
  }

  function flush(): Promise<void> {
    if (!flushing) {
      flushing = writeBatches().finally(() => {
        flushing = null;
      });
    }
    return flushing;
  }

  return {
    push(event) {
      if (closed) return;
      stats.accepted++;
      queue.push(event);
      if (queue.length > maxQueued) {
        const excess = queue.length - maxQueued;
        queue.splice(0, excess);
        stats.dropped += excess;
      }
      toPublish.push(event);
      if (toPublish.length > maxQueued) {
        const excess = toPublish.length - maxQueued;
        toPublish.splice(0, excess);
        stats.unpublished += excess;
      }
      void schedulePublish();
      if (queue.length >= batchSize) void flush();
    },
    async flush() {
      await flush();
      if (queue.length > 0) await flush();
      while (publishing || toPublish.length > 0) await schedulePublish();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
      if (queue.length > 0) await flush();
      while (publishing || toPublish.length > 0) await schedulePublish();
    },
    stats: () => ({ ...stats, queued: queue.length }),
  };
}
