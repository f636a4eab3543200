import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory/memory-bus.js';
import { TOPICS } from '../../bus/bus.js';
import type { Alert } from '../../core/records/index.js';
import { ingestFile } from '../../ingest/sources/file-ingest.js';
import { Ledger } from '../../ledger/index.js';
import { ledgerDialects } from '../../ledger/test-support.js';
import type { Detector } from '../detector.js';
import type { Store } from '../../store/store.js';
import { createDetectionPipeline } from './pipeline.js';
import { runDetection } from './run.js';
import { createAlertWriter } from './writer.js';

const harnesses = await ledgerDialects('alert writer');
const ATTACK_LOG = join(import.meta.dirname, 'fixtures/attack-nginx.log');

async function attackEvents() {
  const events = [];
  for await (const batch of ingestFile(ATTACK_LOG, { format: 'nginx' }).batches()) events.push(...batch);
  return events;
}

/** Raises one detection per request of one address. */
function everyRequestFrom(ip: string): Detector {
  return {
    name: 'probe',
    observe: (event) =>
      event.client?.ip !== ip
        ? []
        : [
            {
              ruleId: 'test.probe',
              title: 'Request from a watched address',
              description: '',
              severity: 'low',
              eventIds: [event.id],
              entity: { type: 'ip', value: ip },
              attack: [],
              tags: [],
              time: event.time,
              evidence: {},
            },
          ],
    stateSize: () => 0,
  };
}

for (const harness of harnesses) {
  describe(`alert writer on ${harness.name}`, () => {
    afterAll(() => harness.dispose());

    async function open(): Promise<{ store: Store; ledger: Ledger }> {
      const store = await harness.openFresh();
      await store.migrate();
      return { store, ledger: await Ledger.open({ store, pseudonymisationKey: randomBytes(32) }) };
    }

    it('stores new alerts and folded detections through the ledger', async () => {
      const { store, ledger } = await open();
      try {
        const created: Alert[] = [];
        const writer = createAlertWriter({
          ledger,
          updateFlushMs: 60_000,
          onCreated: (a) => void created.push(a),
        });
        const pipeline = createDetectionPipeline({ anomaly: false });
        for (const event of await attackEvents()) writer.write(pipeline.observe(event));
        await writer.close();

        const stored = (await store.alerts.list({ detector: 'scraping' })).items;
        expect(stored).toHaveLength(1);
        const [alert] = stored;
        expect(alert).toMatchObject({
          ruleId: 'ecommerce.scraping.not-found',
          entity: { type: 'ip', value: '185.220.101.4' },
          status: 'open',
        });
        // The injector's payloads raise the other alert of the log (web-attacks).
        expect(created.map((a) => a.ruleId).sort()).toEqual([
          'ecommerce.scraping.not-found',
          'web.attack.payload',
        ]);
        expect(created.map((a) => a.id)).toContain(alert!.id);
        const kinds = (await store.ledger.entriesForRecord(alert!.id)).map((entry) => entry.kind);
        expect(kinds[0]).toBe('alert.created');
        expect(kinds.slice(1).every((kind) => kind === 'alert.updated')).toBe(true);
        // The ledger holds the address pseudonymised, never as it is.
        const entries = await store.ledger.entriesForRecord(alert!.id);
        expect(entries.every((entry) => !entry.entry.includes('185.220.101.4'))).toBe(true);
        expect(writer.stats()).toMatchObject({ created: 2, failed: 0, dropped: 0, pendingUpdates: 0 });
      } finally {
        await ledger.close();
        await store.close();
      }
    });

    it('keeps an acknowledged alert acknowledged when more detections fold into it', async () => {
      const { store, ledger } = await open();
      try {
        const writer = createAlertWriter({ ledger, updateFlushMs: 60_000 });
        const pipeline = createDetectionPipeline({
          detectors: false,
          anomaly: false,
          extraDetectors: [everyRequestFrom('185.220.101.4')],
        });
        const events = await attackEvents();
        let next = 0;
        // Up to the event that raises the scanner's alert.
        while (next < events.length) {
          const changes = pipeline.observe(events[next++]!);
          writer.write(changes);
          if (changes.some((change) => change.type === 'created')) break;
        }
        await writer.flush();
        const [first] = (await store.alerts.list({ detector: 'probe' })).items;
        expect(first).toMatchObject({ count: 1 });
        await store.alerts.setStatus(first!.id, 'acknowledged');
        for (const event of events.slice(next)) writer.write(pipeline.observe(event));
        await writer.close();
        const after = await store.alerts.get(first!.id);
        expect(after?.status).toBe('acknowledged');
        expect(after?.count).toBe(80);
      } finally {
        await ledger.close();
        await store.close();
      }
    });

    it('runs on the bus: events in, stored alerts published on the alerts topic', async () => {
      const { store, ledger } = await open();
      const bus = new MemoryBus();
      try {
        const published: Alert[] = [];
        bus.subscribe<Alert>(TOPICS.alerts, (message) => void published.push(message.data), {
          group: 'test',
        });
        const detection = runDetection({
          bus,
          ledger,
          pipeline: createDetectionPipeline({ anomaly: false }),
          logger: pino({ level: 'silent' }),
        });
        for (const event of await attackEvents()) await bus.publish(TOPICS.events, event, { id: event.id });
        await bus.drain();
        await detection.close();
        await bus.drain();
        const stored = (await store.alerts.list({})).items;
        expect(stored.map((a) => a.ruleId).sort()).toEqual([
          'ecommerce.scraping.not-found',
          'web.attack.payload',
        ]);
        expect(published.map((a) => a.id).sort()).toEqual(stored.map((a) => a.id).sort());
        expect(detection.stats().pipeline.events).toBe(206);
      } finally {
        await bus.close();
        await ledger.close();
        await store.close();
      }
    });
  });
}
