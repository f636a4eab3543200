/**
 * Open-loop load generator of the WAF benchmark (bench/waf.ts runs it in its own child
 * process): bench/fixed-rate.ts's generator (latency counted from each request's INTENDED send
 * time, so stalls are not hidden), but sending a whole workload (method, path, headers such as
 * `Host: localhost` and a browser User-Agent, and a body), which the WAF must see as the
 * benign traffic it is: fixed-rate.ts's bare GET to a numeric Host fires CRS rules.
 *
 *   node waf-open-loop.mjs <port> <workloadJsonFile> <ratePerSec> <durationSec> [warmupSec]
 *
 * Prints one JSON line in fixed-rate.ts's FixedRateResult shape. Only loads 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { runFixedRate } from './open-loop.js';
import type { Workload } from './waf-load.js';

const [port, workloadFile, rate, duration, warmup] = process.argv.slice(2);
if (port !== undefined && workloadFile !== undefined) {
  const workload = JSON.parse(readFileSync(workloadFile, 'utf8')) as Workload;
  const { method, path, headers, body } = workload;
  runFixedRate(
    `http://127.0.0.1:${port}/`,
    Number(rate ?? 400),
    Number(duration ?? 8),
    64,
    Number(warmup ?? 2),
    {
      method,
      path,
      headers,
      body: body ?? null,
    },
  ).then(
    (result) => console.log(JSON.stringify(result)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
