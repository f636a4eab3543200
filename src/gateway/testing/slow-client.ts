/**
 * Slow-attack tooling for tests and benchmarks: runs Debian's `slowhttptest` against a URL, and
 * a well-behaved client on another loopback address that measures every request's latency.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';

export const SLOWHTTPTEST = '/usr/bin/slowhttptest';

export interface SlowHttpTestRun {
  /** -H slowloris (slow headers), -B R-U-Dead-Yet (slow body), -X slow read. */
  mode: '-H' | '-B' | '-X';
  url: string;
  connections: number;
  ratePerSecond: number;
  seconds: number;
  intervalSeconds?: number;
}

/** Runs slowhttptest to its end; resolves with its output (it exits 0 whether or not the target held). */
export function runSlowHttpTest(run: SlowHttpTestRun): Promise<string> {
  const args = [
    run.mode,
    '-c',
    String(run.connections),
    '-r',
    String(run.ratePerSecond),
    '-l',
    String(run.seconds),
    '-i',
    String(run.intervalSeconds ?? 1),
    '-u',
    run.url,
    '-p',
    '3',
  ];
  if (run.mode === '-B') args.push('-s', '8192', '-x', '10');
  if (run.mode === '-X') args.push('-k', '20', '-n', '2', '-w', '1', '-y', '32', '-z', '4');
  return new Promise((resolve, reject) => {
    const child = spawn(SLOWHTTPTEST, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // slowhttptest can linger on connections it still holds: it gets its length plus a margin.
    const timer = setTimeout(() => child.kill('SIGKILL'), (run.seconds + 15) * 1_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

export interface ClientRun {
  statuses: number[];
  latenciesMs: number[];
  errors: string[];
}

/**
 * A customer: one request at a time over keep-alive connections from `localAddress`, every
 * `pauseMs`, until `stop()` is called. Errors are kept, not thrown.
 */
export function startCustomer(
  base: string,
  localAddress: string,
  pauseMs: number,
): { stop(): Promise<ClientRun> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 4, localAddress });
  const run: ClientRun = { statuses: [], latenciesMs: [], errors: [] };
  let stopped = false;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const startedAt = performance.now();
      const req = request(`${base}/customer`, { agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          run.statuses.push(res.statusCode ?? 0);
          run.latenciesMs.push(performance.now() - startedAt);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        run.errors.push(err.message);
        resolve();
      });
      req.end();
    });
  const loop = (async () => {
    while (!stopped) {
      await one();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      agent.destroy();
      return run;
    },
  };
}

/** The p-th percentile (0..100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
