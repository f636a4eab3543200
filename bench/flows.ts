/**
 * Benchmark of the flow collector (ingest, flow source). Part A, on one core: NetFlow v9
 * records per second decoded into SecurityEvents, and decoded *and evaluated* by the network
 * detectors when they are registered (port-scan, flood, slow-attack, unusual-egress,
 * forbidden-paths, beaconing), printed as ratios against a baseline in the same run (copying
 * the same datagrams with Buffer.copy), with NetFlow v5 and IPFIX decoding beside them.
 * Part B: a sender process sends NetFlow v9 at a fixed rate over real UDP loopback to the
 * real listener (startFlowSource) for a few seconds; prints records received against sent
 * and the loss the sequence numbers show.
 * Run: `npm run bench:flows [-- records rate seconds]` (defaults 600000, 50000, 5).
 */
import { spawn } from 'node:child_process';
import type { SecurityEvent } from '../src/core/records/index.js';
import type { Detector } from '../src/detect/detector.js';
import { createDetectors, DETECTOR_NAMES } from '../src/detect/detectors/registry.js';
import type { EventWriter } from '../src/ingest/sources/event-writer.js';
import { parseFlowConfig } from '../src/ingest/sources/flow/config.js';
import { FlowDecoder } from '../src/ingest/sources/flow/decoder.js';
import { startFlowSource } from '../src/ingest/sources/flow/run.js';
import {
  encodeIpfix,
  encodeV5,
  encodeV9,
  V9_FLOW_FIELDS,
} from '../src/ingest/sources/flow/testing/encoder.js';

const RECORDS = Number(process.argv[2] ?? 600_000);
const RATE = Number(process.argv[3] ?? 50_000);
const SECONDS = Number(process.argv[4] ?? 5);
const PER_DATAGRAM = 30;
const NETWORK_DETECTORS = [
  'port-scan',
  'flood',
  'slow-attack',
  'unusual-egress',
  'forbidden-paths',
  'beaconing',
];

let seed = 11;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const client = (n: number) => `${31 + (n % 150)}.${(n >>> 8) & 255}.${n & 255}.${1 + (n % 250)}`;

/** A shop's mix: web clients to a few servers and their answers, internal hosts out, a few scans. */
function flowValues(i: number): (string | number)[] {
  const kind = i % 20;
  if (kind === 0)
    return [
      '198.51.100.66',
      `10.0.${int(0, 3)}.${int(1, 40)}`,
      40_000 + (i % 1000),
      int(1, 1024),
      6,
      0x02,
      1,
      60,
    ];
  if (kind < 3)
    return [
      `10.0.1.${int(1, 20)}`,
      client(int(0, 5000)),
      int(32_768, 60_999),
      443,
      6,
      0x1b,
      int(5, 40),
      int(800, 60_000),
    ];
  const server = `10.0.0.${int(1, 4)}`;
  return kind % 2 === 0
    ? [client(int(0, 50_000)), server, int(32_768, 60_999), 443, 6, 0x1b, int(4, 30), int(400, 20_000)]
    : [server, client(int(0, 50_000)), 443, int(32_768, 60_999), 6, 0x1b, int(4, 30), int(2_000, 900_000)];
}

const BASE_SECS = Math.floor(Date.now() / 1000);
const UPTIME_MS = 3_600_000;

function v9Datagrams(records: number): Buffer[] {
  const out: Buffer[] = [];
  for (let d = 0; d * PER_DATAGRAM < records; d++) {
    const values = Array.from({ length: PER_DATAGRAM }, (_, r) => {
      const v = flowValues(d * PER_DATAGRAM + r);
      return [...v, UPTIME_MS + d - 1500, UPTIME_MS + d - 20];
    });
    out.push(
      encodeV9({
        sysUptimeMs: UPTIME_MS + d,
        unixSecs: BASE_SECS + Math.floor(d / 1000),
        sequence: d + 1,
        sourceId: 0,
        sets: [
          ...(d % 50 === 0 ? [{ templates: [{ id: 256, fields: V9_FLOW_FIELDS }] }] : []),
          { data: { templateId: 256, fields: V9_FLOW_FIELDS, records: values } },
        ],
      }),
    );
  }
  return out;
}

function v5Datagrams(records: number): Buffer[] {
  const out: Buffer[] = [];
  for (let d = 0; d * PER_DATAGRAM < records; d++) {
    const list = Array.from({ length: PER_DATAGRAM }, (_, r) => {
      const [srcIp, dstIp, srcPort, dstPort, protocol, tcpFlags, packets, bytes] = flowValues(
        d * PER_DATAGRAM + r,
      ) as [string, string, number, number, number, number, number, number];
      return {
        srcIp,
        dstIp,
        srcPort,
        dstPort,
        protocol,
        tcpFlags,
        packets,
        bytes,
        firstMs: UPTIME_MS - 1500,
        lastMs: UPTIME_MS - 20,
      };
    });
    out.push(
      encodeV5({ sysUptimeMs: UPTIME_MS, unixSecs: BASE_SECS, sequence: d * PER_DATAGRAM, records: list }),
    );
  }
  return out;
}

const IPFIX_FIELDS = [...V9_FLOW_FIELDS.slice(0, 8), { id: 152, length: 8 }, { id: 153, length: 8 }];
function ipfixDatagrams(records: number): Buffer[] {
  const out: Buffer[] = [];
  const nowMs = BASE_SECS * 1000;
  for (let d = 0; d * PER_DATAGRAM < records; d++) {
    const values = Array.from({ length: PER_DATAGRAM }, (_, r) => [
      ...flowValues(d * PER_DATAGRAM + r),
      nowMs - 1500,
      nowMs - 20,
    ]);
    out.push(
      encodeIpfix({
        exportSecs: BASE_SECS,
        sequence: d * PER_DATAGRAM,
        domainId: 1,
        sets: [
          ...(d % 50 === 0 ? [{ templates: [{ id: 256, fields: IPFIX_FIELDS }] }] : []),
          { data: { templateId: 256, fields: IPFIX_FIELDS, records: values } },
        ],
      }),
    );
  }
  return out;
}

function networkDetectors(only?: string): Detector[] {
  const present = NETWORK_DETECTORS.filter(
    (name) => (DETECTOR_NAMES as string[]).includes(name) && (only === undefined || name === only),
  );
  const settings = Object.fromEntries(
    DETECTOR_NAMES.map((name) => [name, { enabled: present.includes(name) }]),
  );
  return createDetectors(settings);
}

/** Best of three passes, records per second. */
function measure(label: string, datagrams: Buffer[], pass: (datagrams: Buffer[]) => number): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const start = process.hrtime.bigint();
    const records = pass(datagrams);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, records / seconds);
  }
  console.log(`  ${label.padEnd(46)} ${Math.round(best).toLocaleString('en').padStart(12)} records/s`);
  return best;
}

function partA(): void {
  const v9 = v9Datagrams(RECORDS);
  const v5 = v5Datagrams(RECORDS);
  const ipfix = ipfixDatagrams(RECORDS);
  const receivedMs = BASE_SECS * 1000;
  const records = v9.length * PER_DATAGRAM;
  console.log(
    `Part A: ${records.toLocaleString('en')} records in ${v9.length} datagrams, one core, best of 3`,
  );
  const scratch = Buffer.alloc(2048);
  const baseline = measure('baseline: Buffer.copy of each datagram', v9, (list) => {
    for (const datagram of list) datagram.copy(scratch);
    return records;
  });
  const decodeOnly = (list: Buffer[]) => {
    const decoder = new FlowDecoder({
      name: 'bench',
      maxExporters: 16,
      maxTemplatesPerExporter: 16,
      maxSequenceGap: 1e6,
    });
    let n = 0;
    for (const datagram of list) {
      const events: SecurityEvent[] = [];
      decoder.decode(datagram, '192.0.2.1', receivedMs, events);
      n += events.length;
    }
    return n;
  };
  const v5Rate = measure('NetFlow v5 decode', v5, decodeOnly);
  const ipfixRate = measure('IPFIX decode', ipfix, decodeOnly);
  const v9Rate = measure('NetFlow v9 decode', v9, decodeOnly);
  const evaluate = (only?: string) => (list: Buffer[]) => {
    const decoder = new FlowDecoder({
      name: 'bench',
      maxExporters: 16,
      maxTemplatesPerExporter: 16,
      maxSequenceGap: 1e6,
    });
    const fresh = networkDetectors(only);
    let n = 0;
    let alerts = 0;
    for (const datagram of list) {
      const events: SecurityEvent[] = [];
      decoder.decode(datagram, '192.0.2.1', receivedMs, events);
      for (const event of events) for (const detector of fresh) alerts += detector.observe(event).length;
      n += events.length;
    }
    if (alerts === 0) console.log('  (no detection fired: check the mix)');
    return n;
  };
  const detectors = networkDetectors();
  const scans = measure('NetFlow v9 decode + port-scan detector', v9, evaluate('port-scan'));
  const evaluated = measure(`NetFlow v9 decode + ${detectors.length} network detectors`, v9, evaluate());
  console.log(`  detectors: ${detectors.map((d) => d.name).join(', ') || 'none registered'}`);
  const ratio = (value: number, base: number) => `${(value / base).toFixed(3)}x`;
  console.log(
    `  ratios to the Buffer.copy baseline: v5 ${ratio(v5Rate, baseline)}, IPFIX ${ratio(ipfixRate, baseline)}, v9 ${ratio(v9Rate, baseline)}`,
  );
  console.log(
    `  ratios to v9 decoding alone: + port-scan ${ratio(scans, v9Rate)}, + all network detectors ${ratio(evaluated, v9Rate)}`,
  );
  console.log(
    `  target >= 200,000 records/s on one core (v9): decoded ${v9Rate >= 200_000 ? 'met' : 'NOT met'}, with port-scan ${scans >= 200_000 ? 'met' : 'NOT met'}, with all ${evaluated >= 200_000 ? 'met' : 'NOT met'}`,
  );
}

/** Part B: the sender runs in its own process (bench/flows-sender.ts) so it does not share our event loop. */
async function partB(): Promise<void> {
  // The collector's own capacity: the writer only counts (detection runs behind the bus in the server).
  let written = 0;
  const writer: EventWriter = {
    async write(events) {
      written += events.length;
    },
    async flush() {},
  };
  const config = parseFlowConfig({ listen: '127.0.0.1:0', receiveBufferBytes: 32 * 1_048_576 });
  const source = await startFlowSource(config, { writer });
  console.log(
    `\nPart B: ${RATE.toLocaleString('en')} flows/s for ${SECONDS}s over UDP loopback to the listener (receive buffer granted: ${source.receiveBufferBytes.toLocaleString('en')} bytes)`,
  );
  const sender = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL('./flows-sender.ts', import.meta.url).pathname,
      String(source.address.port),
      String(RATE),
      String(SECONDS),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  sender.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve) => sender.once('exit', () => resolve()));
  // What is still in the socket buffer is read after the sender stops: wait until nothing more comes.
  for (let last = -1; source.counters.datagrams !== last;) {
    last = source.counters.datagrams;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await source.drain();
  const sent = JSON.parse(output.trim().split('\n').pop() ?? '{}') as {
    flows: number;
    datagrams: number;
    seconds: number;
  };
  const counters = source.counters;
  console.log(
    `  sent ${sent.flows.toLocaleString('en')} flows in ${sent.datagrams} datagrams over ${sent.seconds.toFixed(2)}s (${Math.round(sent.flows / sent.seconds).toLocaleString('en')}/s)`,
  );
  console.log(
    `  received ${counters.records.toLocaleString('en')} records (${((100 * counters.records) / sent.flows).toFixed(2)}%), written ${written.toLocaleString('en')}`,
  );
  console.log(
    `  sequence loss counted: ${counters.lostDatagrams} datagrams; dropped queue_full ${counters.dropped.queue_full}`,
  );
  await source.stop();
}

partA();
await partB();
