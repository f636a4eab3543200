/**
 * Micro-benchmark of the anomaly detector and the threat-intelligence detector (detect): events
 * per second on one core for each, and the heap the anomaly state takes for 1 M distinct
 * client keys with `maxClients` = 1 M. Events come from the seeded synthetic shop of the
 * anomaly tests (and, for intel, an index of 250 k indicators of every type), so runs compare.
 * Run: `node --expose-gc --import tsx bench/anomaly-intel.ts`.
 */
import { readFileSync } from 'node:fs';
import type { SecurityEvent } from '../src/core/records/security-event.js';
import { createAnomalyDetector } from '../src/detect/anomaly/index.js';
import { ShopTraffic, type ShopConfig } from '../src/detect/anomaly/testing/synthetic-shop.js';
import { createThreatIntelDetector, IndicatorIndex, type Indicator } from '../src/detect/intel/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
const shop = JSON.parse(
  readFileSync(new URL('../src/detect/anomaly/fixtures/benign-shop.json', import.meta.url), 'utf8'),
) as ShopConfig;

function rate(
  label: string,
  events: SecurityEvent[],
  observe: (e: SecurityEvent) => unknown,
  runs = 3,
): void {
  let best = 0;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < events.length; i++) observe(events[i] as SecurityEvent);
    best = Math.max(best, events.length / (Number(process.hrtime.bigint() - started) / 1e9));
  }
  console.log(`${label.padEnd(44)} ${Math.round(best).toLocaleString('en').padStart(12)} events/s`);
}

function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1e6;
}

// --- anomaly memory first, on a clean heap: 1 M distinct clients, maxClients = 1 M -----------
{
  const clients = 1_200_000;
  const detector = createAnomalyDetector({ maxClients: 1_000_000, learningMs: 0 });
  const template: SecurityEvent = {
    id: 'evt_01JD3Q7Z9X8K2M4N6P8R0T2V4W',
    time: '2026-03-03T00:00:00.000Z',
    kind: 'http',
    source: { type: 'gateway', name: 'bench' },
    severity: 'info',
    client: {
      ip: '10.0.0.1',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
    },
    http: {
      requestId: 'r',
      method: 'GET',
      host: 'shop.example',
      path: '/products/item-1',
      status: 200,
      requestBytes: 0,
      responseBytes: 24000,
      latencyMs: 20,
      outcome: 'forwarded',
    },
    labels: {},
  };
  const before = heapMb();
  const startMs = Date.parse('2026-03-03T00:00:00Z');
  const started = process.hrtime.bigint();
  for (let i = 0; i < clients; i++) {
    const ip =
      i % 5 === 0
        ? `2001:db8:${(i >> 16).toString(16)}::${(i & 0xffff).toString(16)}`
        : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    detector.observe({
      ...template,
      time: new Date(startMs + i * 0.25).toISOString(), // 4,000 clients/s: five 60 s windows
      client: { ip, userAgent: template.client?.userAgent ?? '' },
    });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = heapMb();
  console.log(
    `anomaly state: ${detector.stateSize().toLocaleString('en')} keys (${clients.toLocaleString('en')} clients fed, ` +
      `${detector.evictions().clients.toLocaleString('en')} evicted): ${Math.round(after - before)} MB heap` +
      ` (${Math.round(((after - before) * 1e6) / detector.stateSize())} B/key), ${Math.round(clients / seconds).toLocaleString('en')} new clients/s`,
  );
  if (!gc) console.log('(run with node --expose-gc for an exact heap figure)');
}

// --- anomaly: the synthetic shop, 24 hours at 4x the fixture's traffic -----------------------
const traffic = new ShopTraffic({
  ...shop,
  hours: 24,
  visitsPerMinute: { ...shop.visitsPerMinute, base: 24 },
}).generateBenign();
const shopEvents = traffic.events();
console.log(`synthetic shop: ${shopEvents.length.toLocaleString('en')} events over 24 h`);
rate(
  'anomaly (fresh detector each run)',
  shopEvents,
  (() => {
    let detector = createAnomalyDetector();
    let seen = 0;
    return (event: SecurityEvent) => {
      if (seen++ % shopEvents.length === 0) detector = createAnomalyDetector();
      return detector.observe(event);
    };
  })(),
);

// --- intel: 250 k indicators, events that mostly miss -------------------------------------------
const indicators: Indicator[] = [];
const base = { source: 'bench', confidence: 80, tags: [] as string[] };
for (let i = 0; i < 150_000; i++)
  indicators.push({ ...base, type: 'ip', value: `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
for (let i = 0; i < 20_000; i++)
  indicators.push({ ...base, type: 'cidr', value: `101.${(i >> 8) & 255}.${i & 255}.0/24` });
for (let i = 0; i < 2_000; i++)
  indicators.push({ ...base, type: 'cidr', value: `2001:db8:${i.toString(16)}::/48` });
for (let i = 0; i < 50_000; i++) indicators.push({ ...base, type: 'domain', value: `bad-${i}.example` });
for (let i = 0; i < 25_000; i++)
  indicators.push({ ...base, type: 'url', value: `cdn-${i}.example/x/${i}.js` });
for (let i = 0; i < 3_000; i++)
  indicators.push({
    ...base,
    type: 'ja4',
    value: `t13d1516h2_${i.toString(16).padStart(12, '0')}_e5627efa2ab1`,
  });
const index = new IndicatorIndex(indicators);
const intelEvents = shopEvents.slice(0, 300_000).map((event, i) => {
  const copy = structuredClone(event);
  if (copy.client && i % 50 === 0) copy.client.ip = `101.${i & 255}.${(i >> 8) & 255}.9`; // 2 % hit a CIDR
  if (copy.client && i % 7 === 0) copy.client.ip = `2001:db8:ffff::${(i & 0xffff).toString(16)}`;
  if (copy.http)
    copy.http.referer = i % 3 === 0 ? `https://www.search-${i % 100}.example/q?x=${i}` : undefined;
  return copy;
});
const intel = createThreatIntelDetector({ index });
rate(`threat-intel (${index.size.toLocaleString('en')} indicators)`, intelEvents, (e) => intel.observe(e));
