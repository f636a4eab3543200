/**
 * Sigma engine micro-benchmark: `node --expose-gc --import tsx bench/sigma.ts`.
 * 1. Events per second on one core through every SigmaHQ web and proxy rule
 *    (SIGMA_RULES_DIR, default ../shared/reference/sigma-web-rules) on a benign shop mix:
 *    catalogue pages, static assets, JSON API calls, searches, checkout POSTs, some 404s,
 *    a dozen real browser user agents. Best and median of SIGMA_BENCH_ROUNDS rounds.
 * 2. Memory of correlation state for SIGMA_BENCH_KEYS distinct client addresses (default
 *    1,000,000) in one event_count rule grouped by c-ip: heap used after a full GC, per key.
 * Env: SIGMA_BENCH_N (events per round, default 200000), SIGMA_BENCH_ROUNDS (default 5).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { SecurityEvent } from '../src/core/records/security-event.js';
import { CorrelationEngine } from '../src/detect/correlation/index.js';
import { createSigmaEngine, loadSigmaRules, parseSigmaText } from '../src/detect/sigma/index.js';
import type { SigmaMatch } from '../src/detect/sigma/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rulesDir =
  process.env['SIGMA_RULES_DIR'] ?? path.resolve(here, '../../shared/reference/sigma-web-rules');
const N = Number(process.env['SIGMA_BENCH_N'] ?? 200_000);
const ROUNDS = Number(process.env['SIGMA_BENCH_ROUNDS'] ?? 5);
const KEYS = Number(process.env['SIGMA_BENCH_KEYS'] ?? 1_000_000);

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
];

const PATHS = [
  (i: number) => `/catalog/shoes?page=${i % 9}&sort=price`,
  (i: number) => `/product/${1000 + (i % 500)}`,
  (i: number) => `/static/app.${i % 7}.js`,
  (i: number) => `/static/img/product-${i % 300}.webp`,
  (i: number) => `/api/v1/cart/items?session=${(i * 7919) % 100000}`,
  (i: number) =>
    `/search?q=${['red dress', 'running shoes', 'gift card', 'winter coat'][i % 4]!.replace(' ', '+')}`,
  () => '/checkout/address',
  () => '/',
  (i: number) => `/account/orders/${i % 50}`,
  () => '/favicon.ico',
];

function benignEvents(count: number): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  for (let i = 0; i < count; i++) {
    const post = i % 17 === 0;
    const status = i % 53 === 0 ? 404 : i % 29 === 0 ? 304 : post ? 303 : 200;
    events.push({
      id: `evt_01KG${String(i).padStart(22, '0')}`,
      time: new Date(Date.UTC(2026, 0, 1) + i * 10).toISOString(),
      kind: 'http',
      source: { type: 'gateway', name: 'bench' },
      severity: 'info',
      client: { ip: `198.51.${(i >> 8) & 255}.${i & 255}`, userAgent: AGENTS[i % AGENTS.length]! },
      http: {
        requestId: `r${i}`,
        method: post ? 'POST' : 'GET',
        host: 'shop.example',
        path: post ? '/checkout/address' : PATHS[i % PATHS.length]!(i),
        status,
        requestBytes: post ? 2048 : 420,
        responseBytes: 8000 + (i % 5000),
        latencyMs: 4 + (i % 30),
        outcome: 'forwarded',
      },
      labels: {},
    });
  }
  return events;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function throughput(): Promise<void> {
  const started = performance.now();
  const loaded = await loadSigmaRules(rulesDir);
  const engine = createSigmaEngine(loaded.rules);
  const loadMs = performance.now() - started;
  console.log(
    `rules: ${loaded.rules.length} loaded, ${engine.activeCount} active, ${loaded.problems.length} problems; load + compile ${loadMs.toFixed(0)} ms`,
  );
  const events = benignEvents(10_000);
  let matches = 0;
  for (let i = 0; i < 20_000; i++) matches += engine.evaluate(events[i % events.length]!).length; // warm-up
  // CPU time, not wall time: the rate one core sustains even on a shared machine
  const rates: number[] = [];
  const wallRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    matches = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < N; i++) matches += engine.evaluate(events[i % events.length]!).length;
    const cpu = process.cpuUsage(cpu0);
    wallRates.push(N / ((performance.now() - t0) / 1000));
    rates.push(N / ((cpu.user + cpu.system) / 1e6));
  }
  console.log(
    `throughput (benign mix, ${N} events x ${ROUNDS} rounds, per CPU second): best ${Math.round(Math.max(...rates))} events/s, median ${Math.round(median(rates))} events/s, ${(1e6 / median(rates)).toFixed(2)} CPU µs/event (wall-clock median ${Math.round(median(wallRates))} events/s); matches in the last round: ${matches}`,
  );
}

function correlationMemory(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('correlation memory: run with node --expose-gc to measure');
    return;
  }
  const base = parseSigmaText(
    'title: Any Request\nid: any\nname: any\nlogsource: {category: webserver}\ndetection:\n  sel:\n    cs-method: GET\n  condition: sel\n',
    'bench.yml',
  ).rules;
  const [rule] = parseSigmaText(
    'title: Many Requests\nid: many\ncorrelation:\n  type: event_count\n  rules: [any]\n  group-by: [c-ip]\n  timespan: 1h\n  condition: {gte: 10}\n',
    'bench.yml',
  ).correlations;
  const engine = new CorrelationEngine([rule!], base, { maxKeysPerRule: KEYS });
  const event: SecurityEvent = benignEvents(1)[0]!;
  const match: SigmaMatch[] = [
    {
      ruleId: 'any',
      title: 'Any Request',
      level: 'medium',
      tags: [],
      eventId: '',
      eventTime: '',
      logsource: 'webserver',
      fields: {},
    },
  ];
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < KEYS; i++) {
    // a fresh id string per event, as real events have
    event.id = `evt_01KH${String(i).padStart(22, '0')}`;
    event.client!.ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    event.time = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 1000)).toISOString();
    engine.observe(event, match);
  }
  const seconds = (performance.now() - t0) / 1000;
  gc();
  const used = process.memoryUsage().heapUsed - before;
  const [stats] = engine.stats();
  console.log(
    `correlation state: ${stats!.keys} keys (evicted ${stats!.evicted}) in ${(used / 1048576).toFixed(0)} MB heap, ${Math.round(used / stats!.keys)} bytes/key; ${Math.round(KEYS / seconds)} observations/s`,
  );
}

await throughput();
correlationMemory();
console.log(`node ${process.version}, rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
