/**
 * Incident case routes over real HTTP (the API listening on a loopback port): a simulated
 * data-exfiltration case from opening to assessment, the workflow's refusals, legal timestamps
 * that cannot be overwritten, and the entity profile being required.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityProfileSchema } from '../../../regulation/profile.js';
import { ApiClient } from '../../client.js';
import { startHarness, type Harness } from '../../testing/harness.js';

const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../..', path), 'utf8'));
const profile = entityProfileSchema.parse(fixture('regulation/fixtures/profiles/marketplace.json'));

interface Http {
  h: Harness;
  base: string;
  send(
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads free-form JSON answers
}

async function serve(entity: boolean): Promise<Http> {
  const h = await startHarness({}, entity ? { entity: profile } : {});
  const base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    h,
    base,
    async send(method, path, token, body) {
      const response = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- see above
    },
  };
}

describe('incident case routes', () => {
  let api: Http;
  let analyst: string;
  let incidentId: string;

  beforeAll(async () => {
    api = await serve(true);
    analyst = api.h.tokens.analyst;
    const opened = await api.send('POST', '/incidents', analyst, {
      title: 'Card data exfiltrated from checkout',
      severity: 'critical',
      detectedAt: '2026-03-01T10:30:00Z',
      awareAt: '2026-03-01T11:00:00Z',
    });
    expect(opened.status).toBe(201);
    expect(opened.json['status']).toBe('new');
    incidentId = opened.json['id'];
  });
  afterAll(async () => api.h.close());

  it('assesses a data-exfiltration case criterion by criterion and shows its clocks', async () => {
    const recorded = await api.send(
      'POST',
      `/incidents/${incidentId}/impact`,
      analyst,
      fixture('incidents/fixtures/formjacking-impact.json'),
    );
    expect(recorded.status).toBe(200);
    expect(recorded.json['significant']).toBe('yes');
    const criteria = recorded.json['assessment']['criteria'] as {
      id: string;
      outcome: string;
      reference: string;
    }[];
    expect(criteria.find((criterion) => criterion.id === 'cir-11-c')).toMatchObject({
      outcome: 'met',
      reference: 'Regulation (EU) 2024/2690 Art. 11(c)',
    });
    const clocks = recorded.json['clocks'] as { stage: string; dueAt: string | null; state: string }[];
    expect(clocks.find((clock) => clock.stage === 'early_warning')).toMatchObject({
      dueAt: '2026-03-02T11:00:00.000Z',
      state: 'running',
    });
    expect(clocks.find((clock) => clock.stage === 'notification')?.dueAt).toBe('2026-03-04T11:00:00.000Z');
    expect(clocks.find((clock) => clock.stage === 'gdpr_notification')?.dueAt).toBe(
      '2026-03-04T11:00:00.000Z',
    );
  });

  it('appends notes and tasks, and refuses to overwrite a legal timestamp', async () => {
    const note = await api.send('POST', `/incidents/${incidentId}/timeline`, analyst, {
      kind: 'note',
      data: { text: 'Skimmer found in a tag-manager script.' },
    });
    expect(note.status).toBe(201);
    expect(note.json['id']).toMatch(/^ine_/);
    const task = await api.send('POST', `/incidents/${incidentId}/timeline`, analyst, {
      kind: 'task',
      data: { title: 'Remove the script and rotate the tag-manager credentials', owner: 'web-team' },
    });
    expect(task.json['data']).toMatchObject({ state: 'open', taskId: expect.stringMatching(/^tsk_/) });
    const again = await api.send('POST', `/incidents/${incidentId}/timeline`, analyst, {
      kind: 'legal_time',
      data: { clock: 'aware', time: '2026-03-01T09:00:00Z' },
    });
    expect(again.status).toBe(409);
    expect(again.json['error']['code']).toBe('incident_time_already_recorded');
    const shown = await api.send('GET', `/incidents/${incidentId}/case`, api.h.tokens.viewer);
    expect(shown.json['legalTimes']['aware']['time']).toBe('2026-03-01T11:00:00Z');
    expect(shown.json['tasks']).toHaveLength(1);
  });

  it('moves through the workflow and refuses an invalid transition with a stable code', async () => {
    const skipped = await api.send('POST', `/incidents/${incidentId}/status`, analyst, {
      status: 'recovered',
    });
    expect(skipped.status).toBe(409);
    expect(skipped.json['error']['code']).toBe('incident_transition_invalid');
    const triaged = await api.send('POST', `/incidents/${incidentId}/status`, analyst, { status: 'triaged' });
    expect(triaged.json['incident']['status']).toBe('triaged');
    const patched = await api.send('PATCH', `/incidents/${incidentId}`, analyst, { status: 'eradicated' });
    expect(patched.json['error']['code']).toBe('incident_transition_invalid');
  });

  it('keeps a confirmation with its reason and the time it was classified significant', async () => {
    const confirmed = await api.send('POST', `/incidents/${incidentId}/assess`, analyst, {
      decision: { significant: 'yes', reason: 'Art. 11(c): malicious skimming' },
    });
    expect(confirmed.json['decision']).toMatchObject({
      significant: 'yes',
      confirms: true,
      reason: 'Art. 11(c): malicious skimming',
    });
    expect(confirmed.json['legalTimes']['classified_significant']).toBeDefined();
  });

  it('drafts the reports as JSON and Markdown, and the typed client reads the case', async () => {
    const draft = await api.send('GET', `/incidents/${incidentId}/reports/notification`, api.h.tokens.viewer);
    expect(draft.status).toBe(200);
    expect(draft.json['fields'].map((field: { key: string }) => field.key)).toEqual([
      'suspectedMalicious',
      'crossBorderImpact',
      'severity',
      'impact',
      'indicatorsOfCompromise',
    ]);
    expect(draft.json['markdown']).toContain('# Incident notification — DRAFT');
    const final = await api.send('GET', `/incidents/${incidentId}/reports/final`, api.h.tokens.viewer);
    expect(final.json['missing']).toContain('rootCause');
    const client = new ApiClient({ baseUrl: api.base, token: api.h.tokens.viewer });
    const view = await client.incidents.show(incidentId);
    expect(view.incident.id).toBe(incidentId);
    expect((await client.incidents.list({ status: 'triaged' })).items.map((item) => item.id)).toContain(
      incidentId,
    );
  });

  it('names the field of an invalid value and lets viewers only read', async () => {
    const invalid = await api.send('POST', `/incidents/${incidentId}/impact`, analyst, {
      impact: { euUsersAffected: -5 },
      personalData: {},
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json['error']['details'][0]).toMatchObject({ in: 'body', path: 'impact.euUsersAffected' });
    const forbidden = await api.send('POST', `/incidents/${incidentId}/timeline`, api.h.tokens.viewer, {
      kind: 'note',
      data: { text: 'x' },
    });
    expect(forbidden.status).toBe(403);
    const missing = await api.send(
      'GET',
      '/incidents/inc_01JD3Q7Z9X8K2M4N6P8R0T2V4W/case',
      api.h.tokens.viewer,
    );
    expect(missing.json['error']['code']).toBe('not_found');
  });
});

describe('incident assessment without an entity profile', () => {
  it('answers entity_profile_missing', async () => {
    const api = await serve(false);
    try {
      const opened = await api.send('POST', '/incidents', api.h.tokens.analyst, {
        title: 'x',
        severity: 'low',
      });
      const assessed = await api.send(
        'POST',
        `/incidents/${opened.json['id']}/assess`,
        api.h.tokens.analyst,
        {},
      );
      expect(assessed.status).toBe(409);
      expect(assessed.json['error']['code']).toBe('entity_profile_missing');
    } finally {
      await api.h.close();
    }
  });
});
