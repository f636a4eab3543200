/**
 * The benchmarks' open-loop load generator (a library: bench/fixed-rate.ts and
 * bench/waf-open-loop.ts are its entry points, each run in its own child process). It sends
 * requests at a fixed rate, whatever the server's speed, and measures each latency from the
 * request's INTENDED send time, so a stall counts against every request scheduled during it
 * (no coordinated omission, as wrk2 does; Debian's wrk 4 has no fixed-rate mode).
 * Only 127.0.0.1 targets are accepted.
 */
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';

export interface FixedRateResult {
  rate: number;
  sent: number;
  completed: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** What to send; by default a bare GET of the URL's path. */
export interface FixedRateRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers?: Record<string, string>;
  body?: string | null;
}

export async function runFixedRate(
  url: string,
  ratePerSec: number,
  durationSec: number,
  connections = 64,
  warmupSec = 2,
  requestToSend?: FixedRateRequest,
): Promise<FixedRateResult> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new RangeError('fixed-rate only loads 127.0.0.1');
  // Timeouts bound the run: a hung server ends it with errors instead of waiting forever.
  const pool = new Pool(target.origin, {
    connections,
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

  const request = requestToSend ?? { path: target.pathname + target.search, method: 'GET' as const };
  const send = (index: number, intendedMs: number): void => {
    let failed = false;
    const handler: Dispatcher.DispatchHandler = {
      // undici recognises a new-style handler by this method, even when it has nothing to do.
      onRequestStart: () => undefined,
      onResponseStart: (_controller, status) => void (failed = status >= 400),
      onResponseData: () => undefined,
      onResponseEnd: () => finish(index, intendedMs, failed),
      onResponseError: () => finish(index, intendedMs, true),
    };
    pool.dispatch(request, handler);
  };

  const startMs = performance.now() + 10;
  // Timers fire late by up to a millisecond or so; every request that fell due meanwhile
  // goes out at once, and its latency still counts from when it was due.
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
