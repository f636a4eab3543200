/**
 * Notices through the whole embedded runtime: `runtime.notices.notify` (what playbooks call)
 * reaches a real SMTP server and a real webhook receiver, and `ensuresec notices list` shows
 * the delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startMailServer,
  startWebhookReceiver,
  until,
  type MailServer,
  type WebhookReceiver,
} from '../../src/response/outbox/fixtures/receivers.js';
import { runCli } from '../helpers/cli.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { startEchoUpstream } from '../helpers/upstream.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const REFERENCE = 'inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W';

describe('notices in the running server', { timeout: 60_000 }, () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let mail: MailServer;
  let receiver: WebhookReceiver;
  let env: TestRuntime;
  const cli = (...args: string[]) => runCli([...args, '--data-dir', env.dataDir]);

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    mail = await startMailServer(await freePort(), 'notices', 'smtp-e2e-password');
    receiver = await startWebhookReceiver(SECRET, () => 204);
    process.env['ENSURESEC_E2E_SMTP_PASSWORD'] = 'smtp-e2e-password';
    process.env['ENSURESEC_E2E_PAYCO_SECRET'] = SECRET;
    env = await startTestRuntime(
      upstream.url,
      [
        'notices:',
        '  smtp:',
        '    host: 127.0.0.1',
        `    port: ${mail.port}`,
        '    user: notices',
        '    password: env:ENSURESEC_E2E_SMTP_PASSWORD',
        '    from: security@shop.example',
        '  shop:',
        '    name: Demo Shop',
        '    email: help@shop.example',
        '  pollInterval: 50ms',
        'partners:',
        '  - id: payments',
        '    name: PayCo',
        '    role: payment',
        '    webhook:',
        `      url: ${receiver.url}`,
        '      secret: env:ENSURESEC_E2E_PAYCO_SECRET',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await env?.close();
    await receiver?.close();
    await mail?.close();
    await upstream?.close();
    delete process.env['ENSURESEC_E2E_SMTP_PASSWORD'];
    delete process.env['ENSURESEC_E2E_PAYCO_SECRET'];
  });

  it('delivers a customer notice and a partner webhook, and lists them with their status', async () => {
    await env.runtime.notices.notify({
      audience: 'customers',
      reference: REFERENCE,
      recipients: [{ email: 'ann@example.com', language: 'fr' }],
      facts: { kind: 'account_compromise', detectedAt: '2026-11-26T21:04:00Z' },
    });
    await env.runtime.notices.notify({
      audience: 'partners',
      reference: REFERENCE,
      recipients: ['payments'],
      facts: {
        title: 'Account takeover',
        summary: 'One account.',
        severity: 'medium',
        detectedAt: '2026-11-26T21:04:00Z',
      },
    });
    await until(
      'both notices delivered',
      async () => mail.mails.length === 1 && receiver.processed.length === 1,
    );
    expect(mail.mails[0]?.to).toEqual(['ann@example.com']);
    expect(mail.mails[0]?.raw).toContain('Bonjour,');

    await until('the outbox to record both', async () => {
      const page = await env.client.notices.list({ status: 'delivered' });
      return page.items.length === 2;
    });
    const listed = await cli('notices', 'list', '--json');
    expect(listed.code).toBe(0);
    const items = JSON.parse(listed.stdout) as Array<{ id: string; status: string; channel: string }>;
    expect(items.map((item) => [item.channel, item.status]).sort()).toEqual([
      ['email', 'delivered'],
      ['webhook', 'delivered'],
    ]);
    expect(listed.stdout).not.toContain('ann@example.com');

    const retried = await cli('notices', 'retry', items[0]?.id ?? 'ntc_missing');
    expect(retried.code).not.toBe(0);
    expect(retried.stderr).toContain('notice_not_retryable');
  });
});
