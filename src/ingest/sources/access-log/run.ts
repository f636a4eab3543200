/**
 * Runs the access-log source (ingest): one FileTailer per configured path, each line parsed
 * into a SecurityEvent and written to the EventWriter (awaited: backpressure), malformed
 * lines counted and sampled into the dead letters, offsets saved once the writer flushed.
 * `once` reads each file from its remembered offset (or its start) to its end and returns.
 * The composition root starts it with the runtime's event sink and `kvOffsetStore(store.kv)`.
 *
 * @example
 * const source = await startAccessLogSource(parseAccessLogConfig(yaml.accessLog), {
 *   writer: eventSinkWriter(runtime.events), offsets: kvOffsetStore(store.kv), deadLetters, logger,
 * });
 * … await source.stop();
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import { createDeadLetterSampler, type DeadLetterSink } from '../dead-letter.js';
import type { EventWriter } from '../event-writer.js';
import type { AccessLogConfig } from './config.js';
import { newSourceCounters, type SourceCounters } from './metrics.js';
import type { OffsetStore } from './offset-store.js';
import { createAccessLineParser, linesToEvents } from './source.js';
import { FileTailer } from './tail.js';

export interface SourceDependencies {
  writer: EventWriter;
  offsets: OffsetStore;
  deadLetters: DeadLetterSink;
  logger?: Logger;
  clock?: Clock;
}

export interface RunningSource {
  readonly counters: SourceCounters;
  /** Reads what is new in every file now (tests; the timer and fs.watch do it otherwise). */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAccessLogSource(
  config: AccessLogConfig,
  deps: SourceDependencies,
  options: { once?: boolean } = {},
): Promise<RunningSource> {
  const counters = newSourceCounters(config.name, 'access-log');
  const deadLetters = createDeadLetterSampler(deps.deadLetters, {
    maxPerMinute: config.deadLetters.maxPerMinute,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const parse = createAccessLineParser({
    name: config.name,
    format: config.format,
    jsonFields: config.jsonFields,
    keepRawLine: config.keepRawLine,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const tailers = config.paths.map(
    (path) =>
      new FileTailer({
        path,
        key: `${config.name}:${path}`,
        offsets: deps.offsets,
        onLines: (lines) => deps.writer.write(linesToEvents(lines, parse, path, counters, deadLetters)),
        onFlush: () => deps.writer.flush(),
        startAt: config.startAt,
        maxLineBytes: config.maxLineBytes,
        pollIntervalMs: config.pollInterval,
        watch: config.watch,
        commitIntervalMs: config.commitInterval,
        counters,
        ...(deps.logger ? { logger: deps.logger } : {}),
      }),
  );
  if (options.once) {
    for (const tailer of tailers) await tailer.readOnce();
  } else {
    for (const tailer of tailers) await tailer.start();
  }
  return {
    counters,
    poll: async () => {
      for (const tailer of tailers) await tailer.poll();
    },
    stop: async () => {
      if (options.once) return;
      for (const tailer of tailers) await tailer.stop();
    },
  };
}
