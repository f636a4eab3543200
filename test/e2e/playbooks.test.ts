/**
 * Done when (issue 6): in `ensuresec demo`, the simulator's credential-stuffing scenario leads,
 * with no human, to a ban and `login-shield`, an incident, and a customer notice to the
 * accounts touched, received by a real SMTP server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import type { Alert, Decision, PlaybookRun } from '../../src/core/records/index.js';
import { freePort, startMailServer, type MailServer } from '../../src/response/outbox/fixtures/receivers.js';
import { parseConfig } from '../../src/server/config/load.js';
import { readCliToken } from '../../src/server/data-dir.js';
import { startDemo, type Demo } from '../../src/server/demo.js';

const SMTP_USER = 'ensuresec';
const SMTP_PASSWORD = 'playbooks-e2e-smtp-password';
const CONFIG = readFileSync(new URL('./fixtures/playbooks-demo.yaml', import.meta.url), 'utf8');

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 45_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('playbooks in ensuresec demo', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-playbooks-e2e-'));
  let mail: MailServer;
  let demo: Demo;
  let client: ApiClient;

  beforeAll(async () => {
    const smtpPort = await freePort();
    mail = await startMailServer(smtpPort, SMTP_USER, SMTP_PASSWORD);
    process.env['ENSURESEC_TEST_PLAYBOOKS_SMTP_PASSWORD'] = SMTP_PASSWORD;
    const config = parseConfig(CONFIG.replace(/port: 2525 .*$/m, `port: ${smtpPort}`));
    demo = await startDemo({
      config,
      dataDir,
      logger: pino({ level: 'silent' }),
      ports: { api: 0, gateway: 0, shop: 0 },
      simulatorDurationMs: 60_000,
    });
    client = new ApiClient({ baseUrl: demo.runtime.apiUrl, token: readCliToken(dataDir) as string });
  });

  afterAll(async () => {
    await demo?.close();
    await mail?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('bans the attacker, shields the login, opens an incident and mails the touched customers', async () => {
    const alert = await eventually('a credential-stuffing alert', async () => {
      const page = await client.alerts.list({ ruleId: 'ecommerce.credential-stuffing' });
      return page.items[0] as Alert | undefined;
    });
    expect(alert.entity?.type).toBe('ip');

    const run = await eventually('the finished playbook run', async () => {
      const page = await client.playbooks.runs({ playbook: 'credential-stuffing', alertId: alert.id });
      const found = page.items[0];
      return found && found.finishedAt !== null ? (found as PlaybookRun) : undefined;
    });
    expect(run.steps.map((step) => [step.name, step.status])).toEqual([
      ['ban-address', 'succeeded'],
      ['shield-login', 'succeeded'],
      ['open-incident', 'succeeded'],
      ['tell-customers', 'succeeded'],
    ]);

    const bans = await client.decisions.list({ active: true, origin: 'playbook', action: 'ban' });
    const ban = bans.items.find((decision: Decision) => decision.alertId === alert.id);
    expect(ban).toMatchObject({
      scope: 'ip',
      value: alert.entity?.value,
      originRef: 'playbook:credential-stuffing',
    });

    const modes = await client.modes.list();
    expect(modes.find((mode) => mode.name === 'login-shield')?.active?.enabledBy).toBe(
      'playbook:credential-stuffing',
    );

    const incidentId = String(run.steps[2]?.output['incidentId']);
    const incident = (await client.incidents.list({})).items.find((item) => item.id === incidentId);
    expect(incident).toMatchObject({ alertIds: [alert.id], labels: { playbook: 'credential-stuffing' } });

    // The alert as the run saw it may have grown since (grouping folds later detections in), so
    // the accounts it touched are a subset of the attacker's accounts in the alert as it is now.
    const current = await client.alerts.get(alert.id);
    const attacked = new Set<string>();
    for (const id of current.eventIds) {
      const email = (await demo.runtime.store.events.get(id))?.business?.email;
      if (email) attacked.add(email.toLowerCase());
    }
    const notified = Number(run.steps[3]?.output['recipients']);
    expect(notified).toBeGreaterThanOrEqual(8);
    const customerMails = () => mail.mails.filter((message) => message.raw.includes(incidentId));
    await eventually('a notice to every touched account', async () =>
      customerMails().length >= notified ? true : undefined,
    );
    const recipients = customerMails().flatMap((message) => message.to.map((to) => to.toLowerCase()));
    expect(new Set(recipients).size).toBe(notified);
    expect(recipients).toHaveLength(notified);
    for (const recipient of recipients) expect(attacked.has(recipient)).toBe(true);
  });
});
