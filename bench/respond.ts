/**
 * `npm run bench:respond`: from an alert to a decision in force at the gateway, in the embedded
 * deployment (SQLite, in-process bus, gateway in the same process). Alerts are published on
 * the bus (`TOPICS.alerts`) at a fixed rate, each about its own client address; a playbook bans
 * that address. For each alert the clock stops when the gateway answers that client 403 (it
 * is polled every ~2 ms through the gateway, the address given by X-Forwarded-For with
 * trustProxy on), so the figure includes the playbook run, the ledger commit, the bus and the
 * gateway's decision refresh. Target: p99 <= 250 ms.
 *
 * RESPOND_RATE (alerts/s, default 20) and RESPOND_ALERTS (default 300) change the load.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { TOPICS } from '../src/bus/bus.js';
import { newId } from '../src/core/ids.js';
import { alertSchema, type Alert } from '../src/core/records/index.js';
import { parseConfig } from '../src/server/config/load.js';
import { startRuntime } from '../src/server/runtime.js';

const RATE = Number(process.env['RESPOND_RATE'] ?? 20);
const ALERTS = Number(process.env['RESPOND_ALERTS'] ?? 300);
const POLL_MS = 2;
const GIVE_UP_MS = 5_000;
const TARGET_P99_MS = 250;

const PLAYBOOK = `name: bench-ban
cooldown: 0s
trigger:
  ruleId: bench.respond
steps:
  - type: decide
    action: ban
    scope: ip
    duration: 1h
`;

function addressOf(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function alertFor(ip: string): Alert {
  const now = new Date().toISOString();
  return alertSchema.parse({
    id: newId('alr'),
    time: now,
    ruleId: 'bench.respond',
    title: 'bench alert',
    severity: 'high',
    detector: 'bench',
    entity: { type: 'ip', value: ip },
    firstSeen: now,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-bench-respond-'));
  const playbookDir = join(dataDir, 'playbooks');
  mkdirSync(playbookDir);
  writeFileSync(join(playbookDir, 'bench.yaml'), PLAYBOOK);
  const upstream = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const config = parseConfig(
    [
      'api: { port: 0 }',
      'gateway: { port: 0, trustProxy: true }',
      'detection: { enabled: false }',
      `playbooks: { enabled: true, builtins: false, dirs: ['${playbookDir}'] }`,
      'logging: { level: silent }',
    ].join('\n'),
  );
  const runtime = await startRuntime({
    config,
    dataDir,
    logger: pino({ level: 'silent' }),
    upstream: upstreamUrl,
  });
  const gateway = runtime.gatewayUrl as string;
  const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });

  async function bannedAt(ip: string, startedMs: number): Promise<number> {
    for (;;) {
      const response = await request(`${gateway}/`, {
        dispatcher: agent,
        headers: { 'x-forwarded-for': ip },
      });
      await response.body.dump();
      const now = performance.now();
      if (response.statusCode === 403) return now;
      if (now - startedMs > GIVE_UP_MS) throw new Error(`${ip} was not banned within ${GIVE_UP_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  const latencies: number[] = [];
  const waits: Promise<void>[] = [];
  const intervalMs = 1000 / RATE;
  const benchStarted = performance.now();
  for (let i = 0; i < ALERTS; i++) {
    const due = benchStarted + i * intervalMs;
    const delay = due - performance.now();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const ip = addressOf(i + 1);
    const alert = alertFor(ip);
    const startedMs = performance.now();
    await runtime.bus.publish(TOPICS.alerts, alert, { id: alert.id });
    waits.push(bannedAt(ip, startedMs).then((at) => void latencies.push(at - startedMs)));
  }
  await Promise.all(waits);
  const elapsedS = (performance.now() - benchStarted) / 1000;

  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  console.log('alert -> decision in force at the gateway (embedded: SQLite, in-process bus)');
  console.log(`alerts: ${ALERTS} at ${RATE}/s (achieved ${(ALERTS / elapsedS).toFixed(1)}/s)`);
  console.log(
    `p50 ${percentile(sorted, 50).toFixed(1)} ms   p99 ${p99.toFixed(1)} ms   max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms`,
  );
  console.log(`target p99 <= ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}`);

  await agent.close();
  await runtime.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
  if (p99 > TARGET_P99_MS) process.exitCode = 1;
}

await main();
