/**
 * The outbox across a crash (SQLite, the embedded deployment's one process): a worker process
 * is killed with SIGKILL after the receiver took a webhook but before the outbox marked it;
 * a new process delivers the rest and sends that one again under the same webhook-id, which
 * the receiver recognises. Nothing is lost, nothing is processed twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { Ledger } from '../../ledger/service.js';
import { openStore } from '../../store/index.js';
import type { PartnerFactsInput } from '../notices/partner-notice.js';
import { createNotifier } from '../notices/notify.js';
import { startWebhookReceiver, until } from './fixtures/receivers.js';
import { createWebhookSender } from './webhook-sender.js';
import { OutboxWorker } from './worker.js';

const KEY = 'outbox-restart-pseudonymisation-key';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const REFERENCE = 'inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W';
const FACTS: PartnerFactsInput = {
  title: 'Card testing',
  summary: 'Many small authorisations from one address.',
  severity: 'medium',
  detectedAt: '2026-11-26T21:04:00Z',
  indicators: [{ type: 'ipv4', value: '198.51.100.23' }],
  recommendedActions: [],
};

describe('notice outbox across a process restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ensuresec-outbox-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses nothing and processes nothing twice when the worker is killed between send and mark', async () => {
    const path = join(dir, 'ensuresec.db');
    let child: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    const receiver = await startWebhookReceiver(SECRET, async (n) => {
      if (n === 0 && child) {
        // The receiver has the webhook; the sender dies before it can hear the answer.
        child.kill('SIGKILL');
        await exited;
      }
      return 200;
    });
    try {
      const partners = ['payments', 'carrier', 'lockers', 'csirt'].map((id) => ({
        id,
        name: id,
        role: 'shop' as const,
        webhookUrl: receiver.url,
      }));
      // Queue with the first process, then leave: SQLite has one writer process at a time.
      const ids = await (async () => {
        const store = await openStore({ dialect: 'sqlite', path });
        await store.migrate();
        const ledger = await Ledger.open({ store, pseudonymisationKey: Buffer.from(KEY) });
        const notifier = createNotifier({
          ledger,
          pseudonymisationKey: Buffer.from(KEY),
          shop: { name: 'Demo Shop', contact: {} },
          partners,
          emailEnabled: false,
        });
        const result = await notifier.notify({
          audience: 'partners',
          reference: REFERENCE,
          recipients: 'all',
          facts: FACTS,
        });
        await ledger.close();
        await store.close();
        return result.queued.map((message) => message.id);
      })();
      expect(ids).toHaveLength(4);

      const script = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
      child = spawn(process.execPath, ['--import', 'tsx', script, path], {
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
        env: {
          ...process.env,
          ENSURESEC_TEST_WEBHOOK_SECRET: SECRET,
          ENSURESEC_TEST_PSEUDONYMISATION_KEY: KEY,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const started = child;
      let stderr = '';
      started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      exited = new Promise<void>((resolve) => started.on('exit', () => resolve()));
      await until('the worker process to be killed', () => started.signalCode === 'SIGKILL', 30_000).catch(
        (error: unknown) => {
          throw new Error(`${String(error)}; worker stderr: ${stderr}`);
        },
      );
      expect(receiver.processed).toHaveLength(1);

      // The restarted process.
      const store = await openStore({ dialect: 'sqlite', path });
      await store.migrate();
      const ledger = await Ledger.open({ store, pseudonymisationKey: Buffer.from(KEY) });
      const worker = new OutboxWorker({
        store,
        ledger,
        senders: { webhook: createWebhookSender({ secretFor: () => SECRET, clock: systemClock }) },
        logger: { warn: () => undefined, error: () => undefined },
        pollIntervalMs: 20,
        leaseMs: 400,
      });
      try {
        worker.start();
        await until('every notice to be delivered', async () =>
          (await store.outbox.list({})).items.every((message) => message.status === 'delivered'),
        );
        const interrupted = receiver.processed[0] as string;
        expect(new Set(receiver.processed)).toEqual(new Set(ids));
        expect(receiver.processed).toHaveLength(4);
        expect(
          receiver.requests.map((request) => request.id).filter((id) => id === interrupted),
        ).toHaveLength(2);
        expect(receiver.requests).toHaveLength(5);
        expect(await store.outbox.get(interrupted)).toMatchObject({ status: 'delivered', attempts: 2 });
        expect((await store.ledger.entriesForRecord(interrupted)).map((entry) => entry.kind)).toEqual([
          'notice.queued',
          'notice.delivered',
        ]);
      } finally {
        await worker.close();
        await ledger.close();
        await store.close();
      }
    } finally {
      child?.kill('SIGKILL');
      await receiver.close();
    }
  }, 60_000);
});
