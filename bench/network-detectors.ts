/**
 * Micro-benchmark of the network detectors (detect): flow events per second through each of
 * port-scan, flood, slow-attack, unusual-egress, forbidden-paths and beaconing, and through
 * all six, on one core, printed as a ratio against a baseline pass in the same run (reading
 * each event's flow section and protocol, the least any flow detector does). The mix: web
 * clients (many distinct addresses) connecting to a few servers and getting answers, internal
 * hosts talking out, a few scans and probes. Events are built before the timed loops.
 * Run: `npm run bench:network-detectors [-- events]` (default 300,000).
 */
import type { SecurityEvent } from '../src/core/records/index.js';
import type { Detector } from '../src/detect/detector.js';
import { flowOf, protocolOf } from '../src/detect/detectors/kit/flows.js';
import { createDetectors, DETECTOR_NAMES, type DetectorName } from '../src/detect/detectors/registry.js';
import { Rng } from '../src/detect/detectors/testing/case-kit.js';

const EVENTS = Number(process.argv[2] ?? 300_000);
const START_MS = Date.parse('2026-11-26T09:00:00.000Z');
const NETWORK: DetectorName[] = [
  'port-scan',
  'flood',
  'slow-attack',
  'unusual-egress',
  'forbidden-paths',
  'beaconing',
];

const rng = new Rng(7);
const random = (): number => rng.next();
const int = (min: number, max: number): number => rng.int(min, max);
function idOf(n: number): string {
  return `evt_01JD${n.toString(32).toUpperCase().padStart(22, '0')}`.replace(/[ILOU]/g, 'X');
}
const publicIp = (n: number) => `${31 + (n % 150)}.${(n >>> 8) & 255}.${n & 255}.${1 + (n % 250)}`;

function flowEvent(
  n: number,
  timeMs: number,
  flow: Omit<NonNullable<SecurityEvent['flow']>, 'startMs' | 'endMs'>,
): SecurityEvent {
  return {
    id: idOf(n),
    time: new Date(timeMs).toISOString(),
    kind: 'flow',
    source: { type: 'flow', name: 'bench' },
    severity: 'info',
    flow: { ...flow, startMs: timeMs - 2000, endMs: timeMs },
    labels: {},
  };
}

function buildEvents(count: number): SecurityEvent[] {
  const events: SecurityEvent[] = [];
  for (let n = 0; n < count; n++) {
    const timeMs = START_MS + n * 2; // 500 flows a second of event time
    const kind = random();
    const server = `10.0.1.${1 + (n % 20)}`;
    if (kind < 0.45) {
      const port = int(32768, 60999);
      events.push(
        flowEvent(n, timeMs, {
          srcIp: publicIp(int(0, 200_000)),
          dstIp: server,
          srcPort: port,
          dstPort: random() < 0.8 ? 443 : 80,
          protocol: 'tcp',
          bytes: int(1000, 60_000),
          packets: int(6, 60),
          tcpFlags: 0x1b,
        }),
      );
    } else if (kind < 0.85) {
      events.push(
        flowEvent(n, timeMs, {
          srcIp: server,
          dstIp: publicIp(int(0, 200_000)),
          srcPort: 443,
          dstPort: int(32768, 60999),
          protocol: 'tcp',
          bytes: int(5000, 900_000),
          packets: int(6, 600),
          tcpFlags: 0x1b,
        }),
      );
    } else if (kind < 0.97) {
      events.push(
        flowEvent(n, timeMs, {
          srcIp: `10.0.${int(2, 5)}.${int(1, 250)}`,
          dstIp: publicIp(int(0, 5000)),
          srcPort: int(32768, 60999),
          dstPort: random() < 0.9 ? 443 : 53,
          protocol: random() < 0.9 ? 'tcp' : 'udp',
          bytes: int(300, 200_000),
          packets: int(2, 200),
          tcpFlags: 0x1b,
        }),
      );
    } else {
      events.push(
        flowEvent(n, timeMs, {
          srcIp: publicIp(int(0, 50)),
          dstIp: `10.0.${int(1, 2)}.${int(1, 250)}`,
          srcPort: 51_234,
          dstPort: int(1, 10_000),
          protocol: 'tcp',
          bytes: 44,
          packets: 1,
          tcpFlags: 0x02,
        }),
      );
    }
  }
  return events;
}

function timeRun(
  events: readonly SecurityEvent[],
  observe: (event: SecurityEvent) => number,
): { perSecond: number; detections: number } {
  const started = process.hrtime.bigint();
  let detections = 0;
  for (const event of events) detections += observe(event);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: events.length / seconds, detections };
}

function main(): void {
  const events = buildEvents(EVENTS);
  const disabled = Object.fromEntries(DETECTOR_NAMES.map((name) => [name, { enabled: false }]));
  const only = (names: DetectorName[]): Detector[] =>
    createDetectors({ ...disabled, ...Object.fromEntries(names.map((name) => [name, {}])) });

  // Warm up the JIT on every path once.
  for (const detector of only(NETWORK)) for (const event of events.slice(0, 20_000)) detector.observe(event);

  const baseline = timeRun(events, (event) => {
    const flow = flowOf(event);
    return flow !== undefined && protocolOf(flow) === 'none' ? 1 : 0;
  });
  console.log(`${EVENTS.toLocaleString('en')} flow events, one core`);
  console.log(
    `baseline (read flow + protocol): ${Math.round(baseline.perSecond).toLocaleString('en')} events/s`,
  );
  const rows: [string, Detector[]][] = [
    ...NETWORK.map((name): [string, Detector[]] => [name, only([name])]),
    ['all six', only(NETWORK)],
  ];
  for (const [label, detectors] of rows) {
    const result = timeRun(events, (event) => {
      let n = 0;
      for (const detector of detectors) n += detector.observe(event).length;
      return n;
    });
    const state = detectors.reduce((sum, d) => sum + d.stateSize(), 0);
    console.log(
      `${label.padEnd(16)} ${Math.round(result.perSecond).toLocaleString('en').padStart(11)} events/s  ` +
        `${(result.perSecond / baseline.perSecond).toFixed(3)} x baseline  ` +
        `${result.detections} detections, ${state.toLocaleString('en')} keys`,
    );
  }
}

main();
