/**
 * Where a source writes its events, with backpressure (ingest). A reading source (a file
 * tail, a syslog connection) awaits `write` before it reads more, so it never reads faster
 * than the pipeline takes events; `flush` resolves once what was written is durable, which
 * is when a source may remember its position (file offsets), so a restart loses nothing a
 * source acknowledged.
 *
 * @example
 * const writer = eventSinkWriter(runtime.events);
 * await writer.write(events); // waits while the sink's queue is over the high-water mark
 */
import type { SecurityEvent } from '../../core/records/index.js';
import type { EventSink } from '../event-sink.js';

export interface EventWriter {
  /** Resolves when the writer can take more. */
  write(events: SecurityEvent[]): Promise<void>;
  /** Resolves when every event written so far is stored. */
  flush(): Promise<void>;
}

/**
 * An EventWriter over the runtime's EventSink. The sink itself never blocks (the gateway
 * pushes on its hot path) and drops its oldest events when full; this writer waits for the
 * sink to drain below `highWaterMark` queued events, so a source never makes it drop.
 */
export function eventSinkWriter(sink: EventSink, options: { highWaterMark?: number } = {}): EventWriter {
  const highWaterMark = options.highWaterMark ?? 5_000;
  return {
    async write(events) {
      for (const event of events) sink.push(event);
      while (sink.stats().queued > highWaterMark) await sink.flush();
    },
    flush: () => sink.flush(),
  };
}

/** Keeps what it is given (tests, `ensuresec ingest`); `delayMs` makes a slow consumer. */
export class CollectingWriter implements EventWriter {
  readonly events: SecurityEvent[] = [];

  constructor(private readonly delayMs = 0) {}

  async write(events: SecurityEvent[]): Promise<void> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.events.push(...events);
  }

  async flush(): Promise<void> {}
}
