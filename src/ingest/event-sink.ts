/**
 * The event sink: where sources hand their SecurityEvents. It never blocks a source (the
 * gateway calls `push` on its hot path): events are queued, written to the Store in
 * batches and published on the bus for the detect stage. The queue is bounded; when the
 * store cannot keep up, the oldest events are dropped and counted (they are sampled
 * telemetry, not acknowledged writes).
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
  dropped: number;
  failedBatches: number;
  queued: number;
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
  const stats = { accepted: 0, written: 0, dropped: 0, failedBatches: 0 };
  let queue: SecurityEvent[] = [];
  let flushing: Promise<void> | null = null;
  let closed = false;

  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 250);
  timer.unref();

  async function writeBatches(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      queue = queue.slice(batch.length);
      try {
        await options.store.events.insertMany(batch);
        stats.written += batch.length;
        for (const event of batch) await options.bus.publish(TOPICS.events, event, { id: event.id });
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
      if (queue.length >= batchSize) void flush();
    },
    async flush() {
      await flush();
      if (queue.length > 0) await flush();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
      if (queue.length > 0) await flush();
    },
    stats: () => ({ ...stats, queued: queue.length }),
  };
}
