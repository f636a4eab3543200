/**
 * The outbox under failures, on every dialect, with real receivers: a webhook receiver that
 * fails then recovers, an SMTP server that is down then up, a channel that never recovers.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../ledger/service.js';
import { ledgerDialects } from '../../ledger/test-support.js';
import type { Store } from '../../store/store.js';
import type { PartnerFactsInput } from '../notices/partner-notice.js';
import { customerPseudonym } from '../notices/recipients.js';
import { createNotifier, type Notifier } from '../notices/notify.js';
import type { PartnerDirectoryEntry } from '../notices/partners.js';
import { createEmailSender } from './email-sender.js';
import { freePort, startMailServer, startWebhookReceiver, until } from './fixtures/receivers.js';
import type { RetryPolicy } from './retry-policy.js';
import type { NoticeSender } from './sender.js';
import { createWebhookSender } from './webhook-sender.js';
import { OutboxWorker } from './worker.js';
import { systemClock } from '../../core/clock.js';

const KEY = Buffer.from('outbox-test-pseudonymisation-key!!');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SMTP_PASSWORD = 'smtp-Secret-9f1c7e';
const SHOP = { name: 'Demo Shop', contact: { email: 'help@shop.example' } };
const REFERENCE = 'inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W';
const PARTNER_FACTS: PartnerFactsInput = {
  title: 'Credential stuffing against the login',
  summary: 'Thousands of sign-in attempts with leaked credentials.',
  severity: 'high',
  detectedAt: '2026-11-26T21:04:00Z',
  indicators: [{ type: 'ipv4', value: '203.0.113.7' }],
  recommendedActions: ['Challenge 203.0.113.7 for 24 hours.'],
};
const FAST: RetryPolicy = { baseDelayMs: 200, maxDelayMs: 1_000, maxAttempts: 5, maxAgeMs: 60_000 };

for (const harness of await ledgerDialects('notice outbox worker')) {
  describe(`notice outbox on ${harness.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    afterAll(() => harness.dispose());

    async function setup(options: {
      senders: Partial<Record<'email' | 'webhook', NoticeSender>>;
      partners?: PartnerDirectoryEntry[];
      policy?: RetryPolicy;
    }): Promise<{ store: Store; ledger: Ledger; notifier: Notifier; worker: OutboxWorker; logs: string[] }> {
      const { store, sql } = await harness.openFreshWithSql();
      await store.migrate();
      const ledger = await Ledger.open({ store, pseudonymisationKey: KEY });
      const logs: string[] = [];
      const log = (object: object, message: string) => logs.push(`${message} ${JSON.stringify(object)}`);
      const worker = new OutboxWorker({
        store,
        ledger,
        senders: options.senders,
        logger: { warn: log, error: log },
        policy: options.policy ?? FAST,
        pollIntervalMs: 20,
        recipientAfterDelivery: (message) =>
          message.channel === 'email' && message.partnerId === null
            ? customerPseudonym(message.recipient, KEY)
            : message.recipient,
      });
      const notifier = createNotifier({
        ledger,
        pseudonymisationKey: KEY,
        shop: SHOP,
        partners: options.partners ?? [],
        emailEnabled: options.senders.email !== undefined,
        onQueued: () => worker.wake(),
      });
      cleanups.push(async () => {
        await worker.close();
        await ledger.close();
        await sql.close();
        await store.close();
      });
      worker.start();
      return { store, ledger, notifier, worker, logs };
    }

    async function ledgerKinds(store: Store, id: string): Promise<string[]> {
      return (await store.ledger.entriesForRecord(id)).map((entry) => entry.kind);
    }

    it('retries a webhook the receiver refused with a backoff, and it is processed once under one webhook-id', async () => {
      const receiver = await startWebhookReceiver(SECRET, (n) => (n === 0 ? 500 : 200));
      cleanups.push(() => receiver.close());
      const { store, notifier } = await setup({
        senders: { webhook: createWebhookSender({ secretFor: () => SECRET, clock: systemClock }) },
        partners: [{ id: 'payments', name: 'PayCo', role: 'payment', webhookUrl: receiver.url }],
      });

      const result = await notifier.notify({
        audience: 'partners',
        reference: REFERENCE,
        recipients: ['payments'],
        facts: PARTNER_FACTS,
      });
      expect(result.queued).toHaveLength(1);
      const id = result.queued[0]?.id as string;
      await until(
        'the webhook to be delivered',
        async () => (await store.outbox.get(id))?.status === 'delivered',
      );

      expect(receiver.requests.map((request) => [request.id, request.signatureValid])).toEqual([
        [id, true],
        [id, true],
      ]);
      const [first, second] = receiver.requests;
      // Equal jitter: the first retry waits at least half the base delay.
      expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBeGreaterThanOrEqual(FAST.baseDelayMs / 2 - 20);
      expect(receiver.processed).toEqual([id]);
      const body = JSON.parse(second?.body ?? '{}') as { type: string; data: { stix: { type: string } } };
      expect(body.type).toBe('ensuresec.notice.partner');
      expect(body.data.stix.type).toBe('bundle');
      expect(first?.body).toBe(second?.body);
      expect(await store.outbox.get(id)).toMatchObject({
        status: 'delivered',
        attempts: 2,
        lastError: null,
        content: null,
      });
      expect(await ledgerKinds(store, id)).toEqual(['notice.queued', 'notice.failed', 'notice.delivered']);
    });

    it('delivers an email once the SMTP server, down at first, is up, with a stable Message-ID and no password logged', async () => {
      const port = await freePort();
      const { store, notifier, logs } = await setup({
        senders: {
          email: createEmailSender({
            host: '127.0.0.1',
            port,
            secure: false,
            user: 'notices',
            password: SMTP_PASSWORD,
            from: '"Demo Shop" <security@shop.example>',
            timeoutMs: 2_000,
          }),
        },
      });
      const result = await notifier.notify({
        audience: 'customers',
        reference: REFERENCE,
        recipients: [{ email: 'Ann.Example@example.com', language: 'de-CH', name: 'Ann' }],
        facts: { kind: 'credential_attack', detectedAt: '2026-11-26T21:04:00Z' },
      });
      const id = result.queued[0]?.id as string;
      await until('a failed attempt', async () => (await store.outbox.get(id))?.status === 'failed');
      expect((await store.outbox.get(id))?.lastError).toMatch(/ECONNREFUSED/);

      const mail = await startMailServer(port, 'notices', SMTP_PASSWORD);
      cleanups.push(() => mail.close());
      await until(
        'the email to be delivered',
        async () => (await store.outbox.get(id))?.status === 'delivered',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));

      expect(mail.mails).toHaveLength(1);
      expect(mail.mails[0]?.to).toEqual(['Ann.Example@example.com']);
      expect(mail.mails[0]?.raw).toContain(`Message-ID: <${id}@shop.example>`);
      expect(mail.mails[0]?.raw).toMatch(/Content-Type: text\/plain/);
      expect(mail.mails[0]?.raw).toMatch(/Content-Type: text\/html/);
      expect(mail.logins).toEqual([{ username: 'notices', password: SMTP_PASSWORD }]);
      expect(logs.join('\n')).not.toContain(SMTP_PASSWORD);
      expect(logs.join('\n')).not.toContain('Ann.Example@example.com');

      // Delivered: the outbox keeps the address only as its pseudonym, and no copy of the mail.
      expect(await store.outbox.get(id)).toMatchObject({
        recipient: customerPseudonym('ann.example@example.com', KEY),
        content: null,
      });
      const entries = await store.ledger.entriesForRecord(id);
      expect(entries.map((entry) => entry.kind)).toEqual([
        'notice.queued',
        'notice.failed',
        'notice.delivered',
      ]);
      for (const entry of entries) {
        // Salted per subject (erasable), so not the outbox's keyed pseudonym either.
        expect(entry.entry).not.toContain(customerPseudonym('ann.example@example.com', KEY));
        expect(entry.entry.toLowerCase()).not.toContain('ann.example@example.com');
        expect(entry.entry).not.toContain(SMTP_PASSWORD);
      }
    });

    it('sends the STIX bundle as an attachment of the partner email', async () => {
      const port = await freePort();
      const mail = await startMailServer(port, 'notices', SMTP_PASSWORD);
      cleanups.push(() => mail.close());
      const { store, notifier } = await setup({
        senders: {
          email: createEmailSender({
            host: '127.0.0.1',
            port,
            secure: false,
            user: 'notices',
            password: SMTP_PASSWORD,
            from: 'security@shop.example',
          }),
        },
        partners: [{ id: 'csirt', name: 'National CSIRT', role: 'csirt', email: 'incidents@csirt.example' }],
      });
      const result = await notifier.notify({
        audience: 'partners',
        reference: REFERENCE,
        recipients: 'all',
        facts: PARTNER_FACTS,
      });
      const id = result.queued[0]?.id as string;
      await until('the partner email', async () => (await store.outbox.get(id))?.status === 'delivered');
      const raw = mail.mails[0]?.raw ?? '';
      expect(raw).toContain('application/stix+json');
      expect(raw).toContain(`stix-bundle-${REFERENCE}.json`);
    });

    it('gives up after the last attempt: the notice is dead and logged so', async () => {
      const receiver = await startWebhookReceiver(SECRET, () => 503);
      cleanups.push(() => receiver.close());
      const { store, notifier } = await setup({
        senders: { webhook: createWebhookSender({ secretFor: () => SECRET, clock: systemClock }) },
        partners: [{ id: 'carrier', name: 'ParcelCo', role: 'carrier', webhookUrl: receiver.url }],
        policy: { ...FAST, baseDelayMs: 20, maxAttempts: 3 },
      });
      const result = await notifier.notify({
        audience: 'partners',
        reference: REFERENCE,
        recipients: ['carrier'],
        facts: PARTNER_FACTS,
      });
      const id = result.queued[0]?.id as string;
      await until('the notice to die', async () => (await store.outbox.get(id))?.status === 'dead');
      expect(receiver.requests).toHaveLength(3);
      expect((await store.outbox.get(id))?.lastError).toMatch(/HTTP 503/);
      expect(await ledgerKinds(store, id)).toEqual([
        'notice.queued',
        'notice.failed',
        'notice.failed',
        'notice.dead',
      ]);
    });

    it('queues the same notice once however often it is asked for; a new revision is a new notice', async () => {
      const port = await freePort();
      const { store, notifier } = await setup({
        senders: {
          email: createEmailSender({ host: '127.0.0.1', port, secure: false, from: 'security@shop.example' }),
        },
        policy: { ...FAST, baseDelayMs: 60_000 },
      });
      const request = {
        audience: 'customers' as const,
        reference: REFERENCE,
        recipients: [{ email: 'a@example.com' }, { email: 'B@example.com' }, { email: 'b@EXAMPLE.com' }],
        facts: { kind: 'data_exposure' as const, detectedAt: '2026-11-26T21:04:00Z' },
      };
      const first = await notifier.notify(request);
      expect([first.queued.length, first.alreadyQueued]).toEqual([2, 1]);
      const again = await notifier.notify(request);
      expect([again.queued.length, again.alreadyQueued]).toEqual([0, 3]);
      const update = await notifier.notify({ ...request, revision: 2 });
      expect(update.queued).toHaveLength(2);
      expect((await store.outbox.list({})).items).toHaveLength(4);
      for (const message of first.queued) expect(message.idempotencyKey).not.toMatch(/example/i);
    });

    it('refuses email notices while SMTP is not configured, and invalid requests, queuing nothing', async () => {
      const { store, notifier } = await setup({ senders: {} });
      const customers = {
        audience: 'customers' as const,
        reference: REFERENCE,
        recipients: [{ email: 'a@example.com' }],
        facts: { kind: 'data_exposure' as const, detectedAt: '2026-11-26T21:04:00Z' },
      };
      await expect(notifier.notify(customers)).rejects.toMatchObject({ code: 'notice_channel_unconfigured' });
      await expect(
        notifier.notify({ ...customers, recipients: [{ email: 'not-an-address' }] }),
      ).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(
        notifier.notify({
          audience: 'partners',
          reference: REFERENCE,
          recipients: ['nobody'],
          facts: PARTNER_FACTS,
        }),
      ).rejects.toMatchObject({ code: 'not_found' });
      expect((await store.outbox.list({})).items).toHaveLength(0);
    });
  });
}
