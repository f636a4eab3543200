/**
 * Retention: raw events older than `retention.rawEventsDays` are purged on a timer
 * (data minimisation by default), and the dead letters (raw input sources refused) with them.
 * Alerts, decisions and incidents are kept.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';

export interface RetentionOptions {
  store: Store;
  logger: Logger;
  clock: Clock;
  rawEventsDays: number;
  intervalMs: number;
}

export async function purgeExpiredEvents(options: Omit<RetentionOptions, 'intervalMs'>): Promise<number> {
  const cutoff = new Date(options.clock.nowMs() - options.rawEventsDays * 86_400_000).toISOString();
  const purged = await options.store.events.purgeBefore(cutoff);
  if (purged > 0) options.logger.info({ purged, cutoff }, 'purged raw events past retention');
  const letters = await options.store.deadLetters.purgeBefore(cutoff);
  if (letters > 0) options.logger.info({ purged: letters, cutoff }, 'purged dead letters past retention');
  return purged;
}

/** Purges now and then every interval; returns the function that stops it. */
export function startRetention(options: RetentionOptions): () => void {
  const run = () =>
    void purgeExpiredEvents(options).catch((error) =>
      options.logger.error({ err: error }, 'retention purge failed'),
    );
  run();
  const timer = setInterval(run, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
