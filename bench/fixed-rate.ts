/**
 * Entry point of the gateway benchmark's open-loop generator (bench/open-loop.ts), run by
 * bench/gateway.ts in its own child process: GET requests at a fixed rate.
 *
 *   node fixed-rate.mjs <url> <ratePerSec> <durationSec> [connections] [warmupSec]
 *
 * Prints one JSON line: { rate, sent, completed, errors, p50Ms, p90Ms, p99Ms, p999Ms, maxMs }.
 */
import { runFixedRate } from './open-loop.js';

export type { FixedRateResult } from './open-loop.js';

const [url, rate, duration, connections, warmup] = process.argv.slice(2);
if (url !== undefined) {
  runFixedRate(
    url,
    Number(rate ?? 2000),
    Number(duration ?? 10),
    Number(connections ?? 64),
    Number(warmup ?? 2),
  ).then(
    (result) => console.log(JSON.stringify(result)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
