/**
 * WAF engine micro-benchmark: `node --import tsx bench/waf-engine.ts` (or bundle it with esbuild
 * and run the bundle, which is also what to profile with --cpu-prof). Loads CRS from
 * WAF_CRS_DIR (default ../shared/crs: crs-setup.conf.example + rules/*.conf) at PL1 and times,
 * in interleaved rounds, N transactions (phases 1-5) of a benign GET with ~10 headers and of a
 * 2 KB urlencoded form POST with 40 fields. Prints compile time, CPU µs per transaction (best
 * round and median), transactions/s and RSS.
 * Env: WAF_BENCH_N (transactions per round, default 2000), WAF_BENCH_ROUNDS (default 5),
 * WAF_BENCH_ONLY (get, post40 or postWaf: time that workload alone, e.g. for a CPU profile).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createWafEngine, loadRuleFiles, type WafEngine } from '../src/gateway/waf/index.js';
import { WORKLOADS } from './waf-load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const crsDir = process.env['WAF_CRS_DIR'] ?? path.resolve(here, '../../shared/crs');
const N = Number(process.env['WAF_BENCH_N'] ?? 2000);
const ROUNDS = Number(process.env['WAF_BENCH_ROUNDS'] ?? 5);
const ONLY = process.env['WAF_BENCH_ONLY'];

const commonHeaders: Array<[string, string]> = [
  ['Host', 'shop.example'],
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ['Accept-Language', 'en-GB,en;q=0.5'],
  ['Accept-Encoding', 'gzip, deflate, br'],
  ['Connection', 'keep-alive'],
  ['Referer', 'https://shop.example/catalog/shoes?page=2'],
  ['Cookie', 'session=3f1c2a9b8e7d6c5b4a39281706f5e4d3; theme=dark; cart=17'],
  ['Upgrade-Insecure-Requests', '1'],
  ['Sec-Fetch-Mode', 'navigate'],
];

const formFields: string[] = [];
for (let i = 0; formFields.length < 40; i++) {
  formFields.push(`field_${i}=${encodeURIComponent(`value number ${i} for the order form, plain text`)}`);
}
const shortFieldsBody = formFields.join('&').slice(0, 2048);
/** The 2 KB form bench:waf sends (fewer, longer values). */
const benchWafBody = WORKLOADS.find((w) => w.method === 'POST')?.body ?? '';

let seq = 0;
function runGet(engine: WafEngine): void {
  const tx = engine.newTransaction({
    remoteAddr: '198.51.100.7',
    method: 'GET',
    uri: `/catalog/product/1234?colour=blue&size=42&ref=home${seq++ % 8}`,
    protocol: 'HTTP/1.1',
    headers: commonHeaders,
    uniqueId: 'bench',
  });
  tx.processRequestHeaders();
  tx.processRequestBody();
  tx.processResponseHeaders({ status: 200, headers: [['Content-Type', 'application/json']] });
  tx.processResponseBody();
  tx.processLogging();
}

function runPost(engine: WafEngine, formBody: string): void {
  const tx = engine.newTransaction({
    remoteAddr: '198.51.100.7',
    method: 'POST',
    uri: '/checkout/address',
    protocol: 'HTTP/1.1',
    headers: [
      ...commonHeaders,
      ['Content-Type', 'application/x-www-form-urlencoded'],
      ['Content-Length', String(formBody.length)],
    ],
    uniqueId: 'bench',
  });
  tx.processRequestHeaders();
  tx.processRequestBody(formBody);
  tx.processResponseHeaders({ status: 200, headers: [['Content-Type', 'application/json']] });
  tx.processResponseBody();
  tx.processLogging();
}

/** CPU µs per transaction (user + system): steadier than wall time on a shared machine. */
function timeRound(engine: WafEngine, run: (engine: WafEngine) => void): number {
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) run(engine);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / N;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const workloads: Record<string, (engine: WafEngine) => void> = {
  get: runGet,
  post40: (e) => runPost(e, shortFieldsBody),
  postWaf: (e) => runPost(e, benchWafBody),
};
if (ONLY !== undefined && !(ONLY in workloads)) {
  console.error(`WAF_BENCH_ONLY must be one of ${Object.keys(workloads).join(', ')}`);
  process.exit(2);
}
const compileStart = performance.now();
const engine = createWafEngine(
  loadRuleFiles([path.join(crsDir, 'crs-setup.conf.example'), path.join(crsDir, 'rules', '*.conf')]),
);
const compileMs = performance.now() - compileStart;

// Sanity: a benign request must not match anything that logs.
{
  const tx = engine.newTransaction({
    remoteAddr: '198.51.100.7',
    method: 'GET',
    uri: '/?a=1',
    protocol: 'HTTP/1.1',
    headers: commonHeaders,
  });
  tx.processRequestHeaders();
  const matched = tx.processLogging().matchedRules.map((m) => m.id);
  if (matched.length > 0) console.log(`warning: benign GET matched ${matched.join(',')}`);
}

const selected = Object.entries(workloads).filter(([name]) => ONLY === undefined || ONLY === name);
for (let i = 0; i < 200; i++) for (const [, run] of selected) run(engine);
const results: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of selected) (results[name] ??= []).push(timeRound(engine, run));
}
const rssMb = process.memoryUsage().rss / 1_048_576;
console.log(`rules ${engine.ruleCount}, compile ${compileMs.toFixed(0)} ms, RSS ${rssMb.toFixed(0)} MB`);
for (const [name, us] of Object.entries(results)) {
  const best = Math.min(...us);
  console.log(
    `${name.padEnd(7)} best ${best.toFixed(1)} µs/tx (${Math.round(1e6 / best)} tx/s), median ${median(us).toFixed(1)} µs/tx, rounds ${us.map((u) => u.toFixed(0)).join(' ')}`,
  );
}
