/**
 * The store-backed DeadLetterSink (ingest): what the samplers pass on is queued and written to
 * the store's `dead_letters` table in batches, off the source's path (`put` never waits and
 * never throws). Dead letters are samples, not acknowledged input: when the store falls behind,
 * the queue keeps its newest `maxQueued` letters and counts the rest as dropped.
 *
 * @example
 * const sink = createStoreDeadLetterSink({ store, logger });
 * const sampler = createDeadLetterSampler(sink);
 * // … on shutdown
 * await sink.close();
 */
import type { Logger } from 'pino';
import { ulid } from '../../core/ids.js';
import type { DeadLetterRecord, Store } from '../../store/store.js';
import type { DeadLetter, DeadLetterSink } from './dead-letter.js';

export interface StoreDeadLetterSinkOptions {
  store: Pick<Store, 'deadLetters'>;
  logger: Logger;
  /** Letters per write; default 100. */
  batchSize?: number;
  /** Longest a letter waits before its batch is written; default 1000. */
  flushIntervalMs?: number;
  /** Queue bound; default 1000. */
  maxQueued?: number;
}

export interface StoreDeadLetterSinkStats {
  written: number;
  dropped: number;
  failedBatches: number;
  queued: number;
}

export interface StoreDeadLetterSink extends DeadLetterSink {
  /** Resolves when every letter put so far is written (or counted as dropped). */
  flush(): Promise<void>;
  /** Writes what is queued and takes no more. */
  close(): Promise<void>;
  stats(): StoreDeadLetterSinkStats;
}

function toRecord(letter: DeadLetter): DeadLetterRecord {
  const timeMs = Date.parse(letter.time);
  const record: DeadLetterRecord = {
    id: `dlt_${ulid(Number.isFinite(timeMs) ? timeMs : Date.now())}`,
    source: letter.source,
    reason: letter.reason,
    input: letter.input,
    time: letter.time,
  };
  if (letter.location !== undefined) record.location = letter.location;
  return record;
}

export function createStoreDeadLetterSink(options: StoreDeadLetterSinkOptions): StoreDeadLetterSink {
  const batchSize = options.batchSize ?? 100;
  const maxQueued = options.maxQueued ?? 1000;
  const stats = { written: 0, dropped: 0, failedBatches: 0 };
  let queue: DeadLetterRecord[] = [];
  let writing: Promise<void> | null = null;
  let closed = false;

  const timer = setInterval(() => void drain(), options.flushIntervalMs ?? 1000);
  timer.unref();

  async function writeQueued(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      queue = queue.slice(batch.length);
      try {
        await options.store.deadLetters.insertMany(batch);
        stats.written += batch.length;
      } catch (error) {
        stats.failedBatches++;
        stats.dropped += batch.length;
        options.logger.error(
          { err: error, letters: batch.length },
          'could not store a batch of dead letters',
        );
      }
    }
  }

  function drain(): Promise<void> {
    writing ??= writeQueued().finally(() => {
      writing = null;
    });
    return writing;
  }

  return {
    put(letter) {
      if (closed) return;
      queue.push(toRecord(letter));
      if (queue.length > maxQueued) {
        const excess = queue.length - maxQueued;
        queue.splice(0, excess);
        stats.dropped += excess;
      }
      if (queue.length >= batchSize) void drain();
    },
    async flush() {
      await drain();
      // Letters put while the last batch was being written.
      if (queue.length > 0) await drain();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await drain();
      if (queue.length > 0) await drain();
    },
    stats: () => ({ ...stats, queued: queue.length }),
  };
}
