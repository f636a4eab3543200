import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../../bus/memory/memory-bus.js';
import { ManualClock } from '../../../core/clock.js';
import { alertSchema, type Alert } from '../../../core/records/index.js';
import { compileModes } from '../../../gateway/modes/definitions.js';
import { IncidentCases } from '../../../incidents/service.js';
import { Ledger } from '../../../ledger/service.js';
import { ledgerDialects } from '../../../ledger/test-support.js';
import { ModeService } from '../../modes/service.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../outbox/fixtures/receivers.js';
import { createWebhookSender } from '../../outbox/webhook-sender.js';
import { OutboxWorker } from '../../outbox/worker.js';
import { loadPlaybooks } from '../load.js';
import { PlaybookService } from '../service.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/delivery/', import.meta.url));
const KEY = Buffer.from('call-carrier-test-pseudonymisation-key');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const alertOf = (name: string): Alert =>
  alertSchema.parse(JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')));

interface CarrierCall {
  type: string;
  data: Record<string, string>;
}

for (const harness of await ledgerDialects('call_carrier')) {
  describe(`call-carrier on ${harness.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(() => harness.dispose());

    async function setup(options: { carriers: 'one' | 'none' }) {
      const clock = new ManualClock(Date.parse('2026-11-27T10:00:05Z'));
      const store = await harness.openFresh();
      await store.migrate();
      const ledger = await Ledger.open({ store, pseudonymisationKey: KEY });
      const bus = new MemoryBus();
      const carrier: WebhookReceiver = await startWebhookReceiver(SECRET, () => 200);
      const shop: WebhookReceiver = await startWebhookReceiver(SECRET, () => 200);
      const worker = new OutboxWorker({
        store,
        ledger,
        senders: { webhook: createWebhookSender({ secretFor: () => SECRET, clock }) },
        logger: pino({ level: 'silent' }),
        clock,
        recipientAfterDelivery: (message) => message.recipient,
      });
      const builtins = loadPlaybooks({ builtins: true, dirs: [] });
      const playbooks = new PlaybookService(
        {
          store,
          ledger,
          bus,
          clock,
          logger: pino({ level: 'silent' }),
          modes: new ModeService({ store, ledger, bus, clock, catalogue: compileModes() }),
          incidents: new IncidentCases({ store, ledger, clock, profile: undefined }),
          shop: { url: shop.url, secret: SECRET, timeoutMs: 5_000 },
          carriers: options.carriers === 'one' ? [{ id: 'postnord', webhookUrl: carrier.url }] : [],
        },
        {
          ...builtins,
          playbooks: builtins.playbooks.filter((entry) => entry.playbook.name !== 'web-attacks'),
        },
      );
      cleanups.push(async () => {
        await playbooks.close();
        await worker.close();
        await carrier.close();
        await shop.close();
        await bus.close();
        await ledger.close();
        await store.close();
      });
      return { store, worker, carrier, shop, playbooks };
    }

    it('blocks the compartment and holds its parcels through signed carrier webhooks, once each', async () => {
      const { store, worker, carrier, playbooks } = await setup({ carriers: 'one' });
      const alert = alertOf('locker-forced-open');
      await store.alerts.insert(alert);
      const [run] = (await playbooks.handleAlert(alert)).filter((r) => r.playbook === 'locker-security');
      expect(run?.steps.map((step) => [step.name, step.status])).toEqual([
        ['block-compartment', 'succeeded'],
        ['hold-parcels', 'succeeded'],
        ['open-incident', 'succeeded'],
      ]);
      expect(await worker.runOnce()).toBe(2);
      expect(await worker.runOnce()).toBe(0);
      expect(carrier.requests.every((request) => request.signatureValid)).toBe(true);
      const calls = carrier.requests.map((request) => JSON.parse(request.body) as CarrierCall);
      expect(calls.map((call) => call.type).sort()).toEqual([
        'ensuresec.carrier.block-compartment',
        'ensuresec.carrier.hold-parcel',
      ]);
      for (const call of calls)
        expect(call.data).toMatchObject({ lockerId: 'LK-12', compartment: 'C11', alertId: alert.id });
      const kinds = (await store.ledger.entriesForRecord(run?.id as string)).map((entry) => entry.kind);
      expect(kinds).toContain('playbook.step');
      expect((await store.outbox.list({ reference: alert.id })).items.map((m) => m.status)).toEqual([
        'delivered',
        'delivered',
      ]);
    });

    it("holds a warm parcel at the alert's carrier and flags the order at the shop", async () => {
      const { store, worker, carrier, shop, playbooks } = await setup({ carriers: 'one' });
      const alert = alertOf('cold-chain');
      await store.alerts.insert(alert);
      const [run] = (await playbooks.handleAlert(alert)).filter((r) => r.playbook === 'cold-chain');
      expect(run?.status).toBe('completed');
      await worker.runOnce();
      const call = JSON.parse(carrier.requests[0]?.body ?? '{}') as CarrierCall;
      expect(call.type).toBe('ensuresec.carrier.hold-parcel');
      expect(call.data).toMatchObject({
        orderId: 'ord_cc1',
        parcelId: 'cc-1',
        reason: expect.stringContaining('35 min'),
      });
      const flag = JSON.parse(shop.requests[0]?.body ?? '{}') as CarrierCall;
      expect(flag.type).toBe('ensuresec.playbook.flag-order-for-review');
    });

    it('fails the step with a clear reason when no carrier is configured, and goes on', async () => {
      const { store, worker, playbooks } = await setup({ carriers: 'none' });
      const alert = alertOf('locker-forced-open');
      await store.alerts.insert(alert);
      const [run] = (await playbooks.handleAlert(alert)).filter((r) => r.playbook === 'locker-security');
      expect(run?.steps.map((step) => step.status)).toEqual(['failed', 'failed', 'succeeded']);
      expect(run?.steps[0]?.error).toMatchObject({
        code: 'playbook_step_failed',
        message: expect.stringMatching(/No carrier is configured/),
      });
      expect(await worker.runOnce()).toBe(0);
    });

    it('in a dry run says what it would ask and queues nothing', async () => {
      const { store, playbooks } = await setup({ carriers: 'one' });
      const run = await playbooks.dryRun('locker-security', alertOf('locker-forced-open'));
      expect(run.steps[0]?.detail).toMatch(
        /block-compartment \(deviceId LK-12, compartment C11, lockerId LK-12\)/,
      );
      expect((await store.outbox.list({})).items).toEqual([]);
    });
  });
}
