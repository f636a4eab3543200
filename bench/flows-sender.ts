/**
 * The sender of bench/flows.ts part B, in its own process: encodes NetFlow v9 datagrams of
 * 30 records ahead of time, then sends them to 127.0.0.1:<port> at <rate> flows per second
 * for <seconds>, paced every 5 ms. Prints one JSON line: flows and datagrams sent, seconds taken.
 * Run: `node --import tsx bench/flows-sender.ts <port> <rate> <seconds>`.
 */
import { createSocket } from 'node:dgram';
import { encodeV9, V9_FLOW_FIELDS } from '../src/ingest/sources/flow/testing/encoder.js';

const port = Number(process.argv[2]);
const rate = Number(process.argv[3] ?? 50_000);
const seconds = Number(process.argv[4] ?? 5);
const PER_DATAGRAM = 30;
const total = Math.ceil((rate * seconds) / PER_DATAGRAM);
const nowSecs = Math.floor(Date.now() / 1000);

const datagrams: Buffer[] = [];
for (let d = 0; d < total; d++) {
  const records = Array.from({ length: PER_DATAGRAM }, (_, r) => {
    const n = d * PER_DATAGRAM + r;
    return [
      `203.0.${(n >>> 8) & 255}.${n & 255}`,
      `10.0.0.${1 + (n % 4)}`,
      32_768 + (n % 28_000),
      443,
      6,
      0x1b,
      6,
      1_800,
      3_599_000,
      3_599_900,
    ];
  });
  datagrams.push(
    encodeV9({
      sysUptimeMs: 3_600_000,
      unixSecs: nowSecs,
      sequence: d + 1,
      sourceId: 0,
      sets: [
        ...(d % 100 === 0 ? [{ templates: [{ id: 256, fields: V9_FLOW_FIELDS }] }] : []),
        { data: { templateId: 256, fields: V9_FLOW_FIELDS, records } },
      ],
    }),
  );
}

const socket = createSocket('udp4');
const start = performance.now();
let next = 0;
let inFlight = 0;
await new Promise<void>((resolve) => {
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * (rate / PER_DATAGRAM)));
    while (next < due) {
      inFlight++;
      socket.send(datagrams[next++]!, port, '127.0.0.1', () => {
        inFlight--;
        if (next >= total && inFlight === 0) resolve();
      });
    }
    if (next < total) setTimeout(tick, 5);
  };
  tick();
});
const elapsed = (performance.now() - start) / 1000;
socket.close();
console.log(JSON.stringify({ flows: total * PER_DATAGRAM, datagrams: total, seconds: elapsed }));
