/**
 * Benchmark of the dashboard's store queries (api/v1 traffic and alert counts) on SQLite: the
 * traffic chart's aggregate over 1 h and 24 h of HTTP events and the alert counts by status and
 * severity, each printed with its ratio to a baseline run in the same script — reading one page
 * of the newest events, the query the dashboard's lists make. 240,000 HTTP events over 24 h (one
 * in ten blocked) and 10,000 alerts, generated from the store's sample records; the insert rate
 * of the events (which count themselves into the per-minute rollup) is printed too.
 * Run: `npm run bench:dashboard` (about 20 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecurityEvent } from '../src/core/records/index.js';
import { sampleAlert, sampleEvent } from '../src/store/fixtures/sample-records.js';
import { openStore } from '../src/store/index.js';

const EVENTS = 240_000;
const ALERTS = 10_000;
const DAY_MS = 86_400_000;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

async function medianMs(run: () => Promise<unknown>, times = 7): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)] as number;
}

const dir = mkdtempSync(join(tmpdir(), 'ensuresec-bench-dashboard-'));
const store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
try {
  await store.migrate();
  const now = Date.now();
  const template = sampleEvent();
  const http = template.http as NonNullable<SecurityEvent['http']>;
  const insertStarted = process.hrtime.bigint();
  for (let start = 0; start < EVENTS; start += 5000) {
    const batch: SecurityEvent[] = [];
    for (let i = start; i < Math.min(EVENTS, start + 5000); i++) {
      batch.push(
        sampleEvent({
          time: new Date(now - DAY_MS + Math.floor((i / EVENTS) * DAY_MS)).toISOString(),
          http: { ...http, outcome: i % 10 === 0 ? 'blocked' : 'forwarded' },
        }),
      );
    }
    await store.events.insertMany(batch);
  }
  const insertSeconds = Number(process.hrtime.bigint() - insertStarted) / 1e9;
  await store.transaction(async (tx) => {
    for (let i = 0; i < ALERTS; i++)
      await tx.alerts.insert(
        sampleAlert({ severity: SEVERITIES[i % 5], status: i % 3 === 0 ? 'closed' : 'open' }),
      );
  });

  const baseline = await medianMs(() => store.events.list({ limit: 200 }));
  const rows: [string, number][] = [
    ['events.list, newest 200 (baseline)', baseline],
    [
      'traffic, 1 h in 1-min buckets',
      await medianMs(() => store.events.trafficBuckets(now - 3_600_000, now, 60_000)),
    ],
    [
      'traffic, 24 h in 15-min buckets',
      await medianMs(() => store.events.trafficBuckets(now - DAY_MS, now, 900_000)),
    ],
    ['alerts.countByStatusAndSeverity (10k)', await medianMs(() => store.alerts.countByStatusAndSeverity())],
    ['alerts.list, newest 200 open', await medianMs(() => store.alerts.list({ status: 'open', limit: 200 }))],
  ];
  console.log(
    `dashboard queries on SQLite, ${EVENTS.toLocaleString('en')} HTTP events over 24 h, ${ALERTS.toLocaleString('en')} alerts`,
  );
  console.log(
    `stored in batches of 5,000 (each counted into traffic_minutes): ${Math.round(EVENTS / insertSeconds).toLocaleString('en')} events/s`,
  );
  for (const [label, ms] of rows)
    console.log(
      `${label.padEnd(40)} ${ms.toFixed(2).padStart(9)} ms   ×${(ms / baseline).toFixed(1)} baseline`,
    );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
