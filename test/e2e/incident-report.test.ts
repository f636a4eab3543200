/**
 * Issue 7's "done when", end to end: `ensuresec demo` with the vulnerable shop and the
 * data-exfiltration scenario ─► the gateway sees a thief read other customers' orders ─► the
 * data-exfiltration detector raises an alert ─► an analyst opens an incident from it ─► the case
 * shows its significance, its deadline clocks and its four report drafts, and the frozen PDF opens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import type { Alert } from '../../src/core/records/index.js';
import { parsePdf } from '../../src/incidents/reports/test-support.js';
import { parseConfig } from '../../src/server/config/load.js';
import { readCliToken } from '../../src/server/data-dir.js';
import { startDemo, type Demo } from '../../src/server/demo.js';

const CONFIG = `
demo:
  vulnerable: true
  simulator:
    shoppers: 0
    scenarios: [data-exfiltration]
entity:
  name: Demo Marketplace GmbH
  type: online_marketplace
  memberStates: [DE, AT]
  timeZone: Europe/Berlin
  annualTurnoverEur: 8000000
  euUsers: 400000
  contacts: [{ memberState: DE, authority: BSI, email: meldestelle@example.invalid }]
  dataProtectionContact: { name: Data Protection Officer, email: dpo@example.invalid }
`;

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('an incident from a simulated data exfiltration in the demo', { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ensuresec-incident-demo-'));
  let demo: Demo;
  let client: ApiClient;
  let alert: Alert;

  beforeAll(async () => {
    demo = await startDemo({
      config: parseConfig(CONFIG),
      dataDir,
      logger: pino({ level: 'silent' }),
      ports: { api: 0, gateway: 0, shop: 0 },
      simulatorDurationMs: 60_000,
    });
    client = new ApiClient({ baseUrl: demo.runtime.apiUrl, token: readCliToken(dataDir) as string });
    alert = await waitFor(async () => {
      const page = await client.alerts.list({ detector: 'data-exfiltration', limit: 10 });
      return page.items.find((candidate) => candidate.ruleId === 'ecommerce.data-exfiltration.records');
    }, 60_000);
  });

  afterAll(async () => {
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('raises a data-exfiltration alert on the thief', () => {
    expect(alert).toMatchObject({ severity: 'high', entity: { type: 'ip' } });
    expect(alert.entity?.value).toMatch(/^127\./);
  });

  it('bans the thief and opens an incident with no human, through the built-in playbook', async () => {
    const run = await waitFor(async () => {
      const page = await client.playbooks.runs({ alertId: alert.id });
      return page.items.find(
        (candidate) => candidate.playbook === 'data-exfiltration' && candidate.finishedAt,
      );
    }, 20_000);
    expect(run.status).toBe('completed');
    expect(run.steps.map((step) => `${step.name}:${step.status}`)).toEqual([
      'ban-reader:succeeded',
      'open-incident:succeeded',
    ]);
    const incidentId = run.steps[1]?.output['incidentId'];
    expect(incidentId).toMatch(/^inc_/);
    const view = await client.incidents.show(incidentId as string);
    expect(view.incident.title).toBe('Customer records read by one client');
    const decisions = await client.decisions.list({ value: alert.entity?.value });
    expect(
      decisions.items.some(
        (decision) => decision.action === 'ban' && decision.originRef === 'playbook:data-exfiltration',
      ),
    ).toBe(true);
  });

  it('opens an incident from the alert with significance, clocks, four drafts and a PDF that opens', async () => {
    const token = readCliToken(dataDir) as string;
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${demo.runtime.apiUrl}/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, `${path}: ${await response.clone().text()}`).toBeLessThan(300);
      return (await response.json()) as Record<string, unknown>;
    };
    const opened = await post('/incidents', {
      title: 'Customer orders read through the order API',
      severity: 'high',
      alertIds: [alert.id],
      detectedAt: alert.firstSeen ?? alert.time,
      awareAt: new Date().toISOString(),
    });
    const id = opened['id'] as string;
    await post(`/incidents/${id}/timeline`, {
      kind: 'evidence',
      data: {
        title: 'The client that read the orders',
        indicators: [{ type: 'ipv4', value: alert.entity?.value }],
      },
    });
    await post(`/incidents/${id}/impact`, {
      impact: {
        usersAffected: 3,
        euUsersAffected: 3,
        availability: 'none',
        dataCompromised: true,
        dataCompromisedKinds: ['confidentiality'],
        dataCategories: ['names', 'delivery addresses', 'card digits'],
        unauthorisedAccess: true,
        suspectedMalicious: 'yes',
        crossBorderImpact: 'no',
      },
      personalData: {
        involved: true,
        dataSubjectsAffected: 3,
        recordsAffected: 27,
        categories: ['names', 'delivery addresses', 'last card digits'],
        risk: 'high',
        riskRationale: 'Names with addresses and card digits enable targeted phishing.',
      },
    });

    const view = await client.incidents.show(id);
    expect(view.incident.alertIds).toEqual([alert.id]);
    expect(view.significant).toBe('yes');
    expect(view.assessment?.criteria.find((criterion) => criterion.id === 'cir-11-c')?.outcome).toBe('met');
    const clock = (stage: string) => view.clocks.find((candidate) => candidate.stage === stage);
    for (const stage of ['early_warning', 'notification', 'gdpr_notification']) {
      expect(clock(stage)?.state, stage).toBe('running');
      expect(clock(stage)?.dueLocal, stage).toMatch(/Europe\/Berlin/);
    }

    for (const stage of ['early_warning', 'notification', 'final', 'gdpr_notification'] as const) {
      const draft = await client.incidents.report(id, stage);
      expect(draft.stage).toBe(stage);
      expect(draft.markdown).toContain('— DRAFT');
    }
    const frozen = await client.incidents.freeze(id, 'notification');
    expect(frozen.stix?.objects.length).toBeGreaterThan(0);
    const pdf = await parsePdf(await client.incidents.exportReport(frozen.id, 'pdf'));
    expect(pdf.pages).toBeGreaterThanOrEqual(1);
    expect(pdf.text.join('\n')).toContain('Customer orders read through the order API');
  });
});
