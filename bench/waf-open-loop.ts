/**
 * Open-loop load generator of the WAF benchmark (bench/waf.ts runs it in its own child
 * process): bench/fixed-rate.ts's method (latency counted from each request's INTENDED send
 * time, so stalls are not hidden), but sending a whole workload (method, path, headers such as
 * `Host: localhost` and a browser User-Agent, and a body), which the WAF must see as the
 * benign traffic it is: fixed-rate.ts's bare GET to a numeric Host fires CRS rules.
 *
 *   node waf-open-loop.mjs <port> <workloadJsonFile> <ratePerSec> <durationSec> [warmupSec]
 *
 * Prints one JSON line in fixed-rate.ts's FixedRateResult shape. Only loads 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import type { FixedRateResult } from './fixed-rate.js';
import type { Workload } from './waf-load.js';

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function run(
  port: number,
  workload: Workload,
  ratePerSec: number,
  durationSec: number,
  warmupSec: number,
): Promise<FixedRateResult> {
  const pool = new Pool(`http://127.0.0.1:${port}`, {
    connections: 64,
    pipelining: 1,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const intervalMs = 1000 / ratePerSec;
  const warmupCount = Math.round(warmupSec * ratePerSec);
  const total = warmupCount + Math.round(durationSec * ratePerSec);
  const latenciesMs = new Float64Array(total - warmupCount);
  let recorded = 0;
  let completed = 0;
  let errors = 0;
  let sent = 0;
  let settle: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (settle = resolve));
  const finish = (index: number, intendedMs: number, failed: boolean): void => {
    const latencyMs = performance.now() - intendedMs;
    if (failed) errors++;
    else if (index >= warmupCount) latenciesMs[recorded++] = latencyMs;
    if (++completed === total) settle();
  };
  const request = {
    path: workload.path,
    method: workload.method as Dispatcher.HttpMethod,
    headers: workload.headers,
    body: workload.body ?? null,
  };
  const send = (index: number, intendedMs: number): void => {
    let failed = false;
    pool.dispatch(request, {
      onRequestStart: () => undefined,
      onResponseStart: (_controller, status) => void (failed = status >= 400),
      onResponseData: () => undefined,
      onResponseEnd: () => finish(index, intendedMs, failed),
      onResponseError: () => finish(index, intendedMs, true),
    });
  };
  const startMs = performance.now() + 10;
  const tick = (): void => {
    const nowMs = performance.now();
    while (sent < total && startMs + sent * intervalMs <= nowMs) {
      send(sent, startMs + sent * intervalMs);
      sent++;
    }
    if (sent < total) setTimeout(tick, Math.max(0, startMs + sent * intervalMs - performance.now()));
  };
  tick();
  await allDone;
  await pool.close();
  const sorted = latenciesMs.slice(0, recorded).sort();
  return {
    rate: ratePerSec,
    sent,
    completed,
    errors,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    p999Ms: percentile(sorted, 99.9),
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
  };
}

const [port, workloadFile, rate, duration, warmup] = process.argv.slice(2);
if (port !== undefined && workloadFile !== undefined) {
  const workload = JSON.parse(readFileSync(workloadFile, 'utf8')) as Workload;
  run(Number(port), workload, Number(rate ?? 400), Number(duration ?? 8), Number(warmup ?? 2)).then(
    (result) => console.log(JSON.stringify(result)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
