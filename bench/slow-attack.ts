/**
 * Slow-attack benchmark: `node --import tsx bench/slow-attack.ts` (npm run bench:slow).
 * Starts the upstream and the gateway (default connection settings: 256 connections per
 * client, 10 s headers timeout, 512 B/s least body rate) each in its own process (bench/server.ts),
 * then measures a customer on 127.0.0.2 (one request at a time over keep-alive, every
 * BENCH_SLOW_PAUSE_MS) three times in the same run: unloaded, under slowhttptest's slowloris
 * (-H) and under its slow body attack (-B), both from 127.0.0.1. Prints p50/p99 of each phase,
 * what the gateway cut and refused, and the ratio of each attacked p99 to the unloaded one
 * (issue 10's target: within 2x). Requires /usr/bin/slowhttptest.
 * Env: BENCH_SLOW_SECONDS (phase length, 20), BENCH_SLOW_CONNECTIONS (slowhttptest -c, 1000),
 * BENCH_SLOW_RATE (-r, 200), BENCH_SLOW_PAUSE_MS (5).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  percentile,
  runSlowHttpTest,
  SLOWHTTPTEST,
  startCustomer,
  type ClientRun,
} from '../src/gateway/testing/slow-client.js';
import type { GatewayMetricsSnapshot } from '../src/gateway/index.js';

const SECONDS = Number(process.env['BENCH_SLOW_SECONDS'] ?? 20);
const CONNECTIONS = Number(process.env['BENCH_SLOW_CONNECTIONS'] ?? 1000);
const RATE = Number(process.env['BENCH_SLOW_RATE'] ?? 200);
const PAUSE_MS = Number(process.env['BENCH_SLOW_PAUSE_MS'] ?? 5);
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));

interface Child {
  process: ChildProcess;
  port: number;
}

async function startServer(args: string[]): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const parsed = JSON.parse(line) as { port?: number };
    if (parsed.port !== undefined) return { process: child, port: parsed.port };
  }
  throw new Error(`server ${args.join(' ')} exited before listening`);
}

function gatewayMetrics(child: ChildProcess): Promise<GatewayMetricsSnapshot> {
  return new Promise((resolve) => {
    child.once('message', (message: { stats: { metrics: GatewayMetricsSnapshot } }) =>
      resolve(message.stats.metrics),
    );
    child.send({ type: 'stats' });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function phase(base: string, attack: (() => Promise<string>) | null): Promise<ClientRun> {
  const customer = startCustomer(base, '127.0.0.2', PAUSE_MS);
  if (attack === null) await sleep(SECONDS * 1_000);
  else await attack();
  return customer.stop();
}

function row(name: string, run: ClientRun): string {
  const ok = run.statuses.filter((status) => status === 200).length;
  return [
    name.padEnd(28),
    String(run.statuses.length).padStart(8),
    String(ok).padStart(8),
    String(run.errors.length).padStart(7),
    percentile(run.latenciesMs, 50).toFixed(2).padStart(9),
    percentile(run.latenciesMs, 99).toFixed(2).padStart(9),
    Math.max(...run.latenciesMs)
      .toFixed(2)
      .padStart(9),
  ].join(' ');
}

async function main(): Promise<void> {
  if (!existsSync(SLOWHTTPTEST)) throw new Error('slowhttptest is required: apt-get install slowhttptest');
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const upstream = await startServer(['upstream']);
  const gateway = await startServer(['gateway', `http://127.0.0.1:${upstream.port}`]);
  const base = `http://127.0.0.1:${gateway.port}`;
  try {
    await phase(base, null).catch(() => undefined); // warm-up is the unloaded phase's first second
    const unloaded = await phase(base, null);
    const attack = (mode: '-H' | '-B') => () =>
      runSlowHttpTest({
        mode,
        url: mode === '-B' ? `${base}/upload` : `${base}/`,
        connections: CONNECTIONS,
        ratePerSecond: RATE,
        seconds: SECONDS,
      });
    const slowloris = await phase(base, attack('-H'));
    const slowBody = await phase(base, attack('-B'));
    const metrics = await gatewayMetrics(gateway.process);

    console.log(
      `\ncustomer on 127.0.0.2, attacker on 127.0.0.1: slowhttptest -c ${CONNECTIONS} -r ${RATE} -l ${SECONDS}`,
    );
    console.log(`${'phase'.padEnd(28)} requests      200  errors   p50 ms    p99 ms    max ms`);
    console.log(row('unloaded', unloaded));
    console.log(row('under slowloris (-H)', slowloris));
    console.log(row('under slow body (-B)', slowBody));
    const c = metrics.connections;
    console.log(
      `\ngateway: refused ${c.refused.concurrent} (per-client cap) + ${c.refused.newRate} (new-connection rate), ` +
        `closed ${c.closed.slow_headers} slow headers, ${c.closed.slow_body} slow bodies; ` +
        `${c.flowEvents.published} flow events published, ${c.flowEvents.suppressed} folded into them`,
    );
    const base99 = percentile(unloaded.latenciesMs, 99);
    for (const [name, run] of [
      ['slowloris', slowloris],
      ['slow body', slowBody],
    ] as const) {
      const ratio = percentile(run.latenciesMs, 99) / base99;
      console.log(
        `p99 under ${name} / unloaded: ${ratio.toFixed(2)}x (target <= 2x) ${ratio <= 2 ? 'OK' : 'ABOVE TARGET'}`,
      );
    }
  } finally {
    gateway.process.kill('SIGTERM');
    upstream.process.kill('SIGTERM');
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
