/**
 * A Prometheus counter for the log and flow sources' metrics: the sources keep plain numbers on
 * their hot path, and this counter adds what each number grew by since the last scrape.
 */
import { Counter, type Registry } from 'prom-client';

/** The current value of each labelled series, read at scrape time. */
export type CounterReading = { labels: Record<string, string>; value: number }[];

export interface FollowingCounterOptions {
  /** Show a series at 0 from its first scrape, so "nothing lost" reads as 0 rather than missing. */
  zeroFromFirstScrape?: boolean;
}

/**
 * Registers a counter that follows `read()`.
 *
 * @example
 * followingCounter(registry, 'x_total', 'Things', ['source'], () => [{ labels: { source: 'a' }, value: n }]);
 */
export function followingCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => CounterReading,
  options: FollowingCounterOptions = {},
): void {
  const last = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const { labels, value } of read()) {
        const key = JSON.stringify(labels);
        const delta = value - (last.get(key) ?? 0);
        if (delta > 0) this.inc(labels, delta);
        else if (options.zeroFromFirstScrape === true && !last.has(key)) this.inc(labels, 0);
        last.set(key, value);
      }
    },
  });
}
