/**
 * Micro-benchmark of the built-in e-commerce detectors (detect): events per second through
 * all eight detectors on one core, on a realistic mix (mostly shoppers browsing, their
 * logins, carts, coupons and payments, with a few bots), and the memory their state takes
 * for 1 M distinct client addresses, once with the bound lifted (every key held) and once
 * with the default bounds (eviction). Events are built before the timed loop, so only the
 * detectors are measured. Run: `node --expose-gc --import tsx bench/detectors.ts [events]`.
 */
import type { SecurityEvent } from '../src/core/records/index.js';
import type { Detector } from '../src/detect/detector.js';
import { createDetectors, DETECTOR_NAMES, type DetectorsConfig } from '../src/detect/detectors/registry.js';

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const CLIENT_KEYS = 1_000_000;
const START_MS = Date.parse('2026-11-26T09:00:00.000Z');
const PRODUCTS = Array.from({ length: 400 }, (_, i) => `/products/item-${i}`);
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'python-requests/2.32.3',
];

let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
function pick<T>(list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}
function idOf(n: number): string {
  return `evt_01JD${n.toString(32).toUpperCase().padStart(22, '0')}`.replace(/[ILOU]/g, 'X');
}
function ipOf(n: number): string {
  return `${10 + ((n >>> 16) & 127)}.${(n >>> 8) & 255}.${n & 255}.${1 + (n % 250)}`;
}

function httpEvent(n: number, timeMs: number, client: number, path: string, status: number): SecurityEvent {
  return {
    id: idOf(n),
    time: new Date(timeMs).toISOString(),
    kind: 'http',
    source: { type: 'gateway', name: 'gateway' },
    severity: 'info',
    client: { ip: ipOf(client), userAgent: AGENTS[client % AGENTS.length] as string },
    http: {
      requestId: `r${n}`,
      method: 'GET',
      path,
      status,
      requestBytes: 0,
      responseBytes: 5000,
      latencyMs: 3,
      outcome: 'forwarded',
    },
    labels: {},
  };
}

function businessEvent(
  n: number,
  timeMs: number,
  client: number,
  type: string,
  failed: boolean,
): SecurityEvent {
  const accountId = `cus_${client % 200_000}`;
  const attributes: Record<string, unknown> =
    type === 'payment'
      ? { stage: 'authorise', ...(failed ? { code: 'card_declined' } : {}) }
      : type === 'coupon'
        ? {
            code: pick(['SPRING5', 'WELCOME10', 'SAVE20']),
            stage: 'apply',
            ...(failed ? { reason: 'unknown' } : {}),
          }
        : type === 'cart_add'
          ? { productId: `item-${client % 400}`, quantity: 1, stockRemaining: client % 50 }
          : failed
            ? { reason: 'wrong_password' }
            : {};
  return {
    id: idOf(n),
    time: new Date(timeMs).toISOString(),
    kind: 'business',
    source: { type: 'shop', name: 'bench' },
    severity: 'info',
    client: { ip: ipOf(client) },
    business: {
      type,
      outcome: failed ? 'failure' : 'success',
      accountId,
      email: `${accountId}@mail.example`,
      amountMinor: 500 + (client % 20_000),
      currency: 'EUR',
      cardFingerprint: `fp_${client % 300_000}`,
      attributes,
    },
    labels: {},
  };
}

/** 80 % page views by 50,000 shoppers (some 404s), 20 % shop events; one bot in 50 events. */
function realisticMix(count: number): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  const types = [
    'login',
    'login',
    'cart_add',
    'cart_add',
    'coupon',
    'payment',
    'order',
    'registration',
    'address_change',
  ];
  for (let n = 0; n < count; n++) {
    const timeMs = START_MS + n * 2; // 500 events/s of event time
    const bot = n % 50 === 0;
    const client = bot ? 7 : Math.floor(random() * 50_000);
    if (random() < 0.8) {
      const path = bot ? `/api/orders/${n}` : random() < 0.03 ? `/missing/${n % 997}` : pick(PRODUCTS);
      events.push(httpEvent(n, timeMs, client, path, path.startsWith('/missing') ? 404 : 200));
    } else {
      events.push(businessEvent(n, timeMs, client, pick(types), random() < 0.1));
    }
  }
  return events;
}

function throughput(
  detectors: Detector[],
  events: SecurityEvent[],
): { perSecond: number; detections: number } {
  let detections = 0;
  const started = process.cpuUsage();
  for (const event of events) for (const detector of detectors) detections += detector.observe(event).length;
  const used = process.cpuUsage(started);
  return { perSecond: Math.round(events.length / ((used.user + used.system) / 1e6)), detections };
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1_048_576;
}

/** 1 M distinct addresses, half with one page view, half with one failed login, in 200 s. */
function memoryFor(config: DetectorsConfig): { mb: number; keys: number; detectors: Detector[] } {
  const detectors = createDetectors(config);
  const before = heapMb();
  for (let client = 0; client < CLIENT_KEYS; client++) {
    const timeMs = START_MS + client / 5;
    const built =
      client % 2 === 0
        ? httpEvent(client, timeMs, client, PRODUCTS[client % PRODUCTS.length] as string, 200)
        : businessEvent(client, timeMs, client, 'login', true);
    // Through JSON, as events arrive from a source: flat strings, as the state would hold
    // them (the strings built by concatenation above are cons strings, twice the size).
    const event = JSON.parse(JSON.stringify(built)) as SecurityEvent;
    for (const detector of detectors) detector.observe(event);
  }
  const mb = heapMb() - before;
  const keys = detectors.reduce((sum, d) => sum + d.stateSize(), 0);
  return { mb: Math.round(mb), keys, detectors };
}

if (!(globalThis as { gc?: unknown }).gc) console.warn('run with node --expose-gc for exact memory figures');
const events = realisticMix(EVENTS);
const detectors = createDetectors();
throughput(detectors, events.slice(0, 50_000)); // warm-up
const all = throughput(createDetectors(), events);
console.log(
  `all ${DETECTOR_NAMES.length} detectors: ${all.perSecond.toLocaleString('en')} events/s on one core (${EVENTS.toLocaleString('en')} events, ${all.detections} detections)`,
);
for (const name of DETECTOR_NAMES) {
  const only = createDetectors(
    Object.fromEntries(DETECTOR_NAMES.filter((n) => n !== name).map((n) => [n, { enabled: false }])),
  );
  console.log(`  ${name.padEnd(20)} ${throughput(only, events).perSecond.toLocaleString('en')} events/s`);
}
events.length = 0;
const unbounded = Object.fromEntries(DETECTOR_NAMES.map((n) => [n, { maxKeys: 2_000_000 }]));
const lifted = memoryFor(unbounded);
const perDetector = lifted.detectors.map((d) => `${d.name} ${d.stateSize().toLocaleString('en')}`).join(', ');
console.log(
  `1 M distinct client addresses, bound lifted: ${lifted.mb} MB of heap for ${lifted.keys.toLocaleString('en')} keys (${Math.round((lifted.mb * 1_048_576) / lifted.keys)} B/key; ${perDetector})`,
);
lifted.detectors.length = 0;
const bounded = memoryFor({});
console.log(
  `1 M distinct client addresses, default bounds: ${bounded.mb} MB of heap for ${bounded.keys.toLocaleString('en')} keys`,
);
