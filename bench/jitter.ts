/**
 * The machine's own latency jitter, measured in the benchmark's run (bench/waf.ts runs this in
 * its own child process before and after the load): a pure compute task calibrated to about
 * 1 ms (integer arithmetic, no allocation, so no garbage collection and no I/O) runs at a fixed
 * period on an otherwise idle event loop, and each run's wall time is kept. On a quiet machine
 * every run takes about the calibrated time; on a shared virtual machine the host's other guests
 * and hypervisor preempt the vCPU, and a run now and then takes 5 to 20 times longer. A p99
 * target in milliseconds for a server that spends about a millisecond of CPU per request can
 * only be read against this number: a request in flight during such a stall waits it out.
 *
 *   node jitter.mjs [runs=500] [periodMs=10] [taskMs=1]
 *
 * Prints one JSON line (JitterResult).
 */
import { performance } from 'node:perf_hooks';

export interface JitterResult {
  /** The task's calibrated duration: the fastest of the calibration runs. */
  taskMs: number;
  runs: number;
  periodMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Integer work the optimiser cannot drop (its result is returned and used). */
function spin(iterations: number): number {
  let x = 0;
  for (let i = 0; i < iterations; i++) x = (x * 31 + i) | 0;
  return x;
}

/** Every spin() result folds into this, printed at the end, so no run can be optimised away. */
let sink = 0;

function timed(iterations: number): number {
  const start = performance.now();
  sink ^= spin(iterations);
  return performance.now() - start;
}

/** Iterations that take about `taskMs` at this machine's best speed (the minimum of 20 tries). */
function calibrate(taskMs: number): number {
  const probe = 1_000_000;
  for (let i = 0; i < 20; i++) timed(probe); // optimise spin() first
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 20; i++) best = Math.min(best, timed(probe));
  return Math.max(1, Math.round((probe * taskMs) / Math.max(best, 1e-3)));
}

export function measureJitter(runs = 500, periodMs = 10, taskMs = 1): Promise<JitterResult> {
  const iterations = calibrate(taskMs);
  let calibrated = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) calibrated = Math.min(calibrated, timed(iterations));
  const durations = new Float64Array(runs);
  return new Promise((resolve) => {
    let done = 0;
    const tick = (): void => {
      durations[done++] = timed(iterations);
      if (done < runs) {
        setTimeout(tick, periodMs);
        return;
      }
      const sorted = durations.sort();
      const at = (p: number): number => sorted[Math.min(runs - 1, Math.ceil(p * runs) - 1)] ?? Number.NaN;
      resolve({
        taskMs: calibrated,
        runs,
        periodMs,
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        maxMs: sorted[runs - 1] ?? Number.NaN,
      });
    };
    setTimeout(tick, periodMs);
  });
}

/** One line for the benchmark's output. */
export function describeJitter(result: JitterResult): string {
  return (
    `a ${result.taskMs.toFixed(2)} ms compute task every ${result.periodMs} ms (${result.runs} runs): ` +
    `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(2)} ms`
  );
}

if (process.argv[1] !== undefined && /jitter\.(ts|mjs|js)$/.test(process.argv[1])) {
  const [runs, periodMs, taskMs] = process.argv.slice(2).map(Number);
  measureJitter(runs || 500, periodMs || 10, taskMs || 1).then(
    (result) => console.log(JSON.stringify({ ...result, sink: sink & 1 })),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
