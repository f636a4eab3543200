/** Notices as the composition root starts them from ensuresec.yaml: secrets resolved, never logged. */
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import { Ledger } from '../ledger/service.js';
import { freePort, startWebhookReceiver, until } from '../response/outbox/fixtures/receivers.js';
import { openStore } from '../store/index.js';
import { parseConfig } from './config/load.js';
import { startNotices } from './notices.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SMTP_PASSWORD = 'not-to-be-logged-7c1e';
const fixture = readFileSync(new URL('./fixtures/notices.yaml', import.meta.url), 'utf8');

describe('notices from the configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ensuresec-notices-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses two partners with one id, naming the line', () => {
    const twice = `${fixture}  - id: payments\n    name: Again\n    role: shop\n`;
    expect(() => parseConfig(twice)).toThrow(/partner id "payments" is used twice/);
  });

  it('refuses a secret written into the file', () => {
    expect(() => parseConfig(fixture.replace('env:ENSURESEC_TEST_SMTP_PASSWORD', 'hunter2'))).toThrow(
      /env:NAME or file:\/path/,
    );
  });

  it('signs partner webhooks with the configured secret and skips a partner without a channel', async () => {
    const receiver = await startWebhookReceiver(SECRET, () => 200);
    process.env['ENSURESEC_TEST_PAYCO_SECRET'] = SECRET;
    process.env['ENSURESEC_TEST_SMTP_PASSWORD'] = SMTP_PASSWORD;
    const config = parseConfig(
      fixture
        .replace('http://127.0.0.1:9/replaced-by-the-test', receiver.url)
        .replace('port: 1 #', `port: ${await freePort()} #`),
    );
    const store = await openStore({ dialect: 'sqlite', path: join(dir, 'ensuresec.db') });
    await store.migrate();
    const key = Buffer.from('notices-config-test-pseudonymisation');
    const ledger = await Ledger.open({ store, pseudonymisationKey: key });
    let logged = '';
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          logged += chunk.toString();
          callback();
        },
      }),
    );
    const notices = startNotices({
      config,
      store,
      ledger,
      pseudonymisationKey: key,
      clock: systemClock,
      logger,
    });
    try {
      const result = await notices.notify({
        audience: 'partners',
        reference: 'inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W',
        recipients: 'all',
        facts: {
          title: 'Scan',
          summary: 'A port scan.',
          severity: 'low',
          detectedAt: '2026-11-26T21:04:00Z',
        },
      });
      expect(result.skipped).toEqual([{ partnerId: 'csirt', reason: 'no email and no webhook configured' }]);
      expect(result.queued.map((message) => [message.channel, message.partnerId])).toEqual([
        ['webhook', 'payments'],
      ]);
      const id = result.queued[0]?.id as string;
      await until('the webhook', async () => (await store.outbox.get(id))?.status === 'delivered');
      expect(receiver.requests.map((request) => request.signatureValid)).toEqual([true]);

      // Email goes to a port where no SMTP server listens and fails: logged, without the password.
      await notices.notify({
        audience: 'customers',
        reference: 'inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W',
        recipients: [{ email: 'ann@example.com' }],
        facts: { kind: 'credential_attack', detectedAt: '2026-11-26T21:04:00Z' },
      });
      await until(
        'a failed email attempt',
        async () => (await store.outbox.list({ status: 'failed' })).items.length > 0,
      );
      expect(logged).toContain('notice delivery failed');
      expect(logged).not.toContain(SMTP_PASSWORD);
      expect(logged).not.toContain(SECRET.slice(6));
      expect(logged).not.toContain('ann@example.com');
    } finally {
      await notices.close();
      await ledger.close();
      await store.close();
      await receiver.close();
      delete process.env['ENSURESEC_TEST_PAYCO_SECRET'];
      delete process.env['ENSURESEC_TEST_SMTP_PASSWORD'];
    }
  });
});
