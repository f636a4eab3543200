/**
 * Incident report routes over real HTTP (the API on a loopback port, through the typed client):
 * a data-exfiltration case's draft edited, frozen into versions and exported as JSON, Markdown,
 * PDF and STIX; emailed to the CSIRT through the outbox and recorded once; the customer
 * communication; overdue deadlines across cases; the Art. 21 self-assessment; and who may do what.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../../../core/errors.js';
import { parsePdf, stixProblems } from '../../../incidents/reports/test-support.js';
import { entityProfileSchema } from '../../../regulation/profile.js';
import { ApiClient } from '../../client.js';
import { startHarness, type Harness } from '../../testing/harness.js';

const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../..', path), 'utf8'));
const profile = entityProfileSchema.parse(fixture('regulation/fixtures/profiles/marketplace.json'));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof EnsuresecError ? error.code : String(error)),
  );
}

describe('incident report routes', { timeout: 30_000 }, () => {
  let h: Harness;
  let base: string;
  let analyst: ApiClient;
  let viewer: ApiClient;
  let incidentId: string;

  beforeAll(async () => {
    h = await startHarness({}, { entity: profile }, { email: true });
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    analyst = new ApiClient({ baseUrl: base, token: h.tokens.analyst });
    viewer = new ApiClient({ baseUrl: base, token: h.tokens.viewer });
    const opened = await fetch(`${base}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.analyst}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Customer records exfiltrated',
        severity: 'critical',
        detectedAt: '2026-03-01T10:30:00Z',
        awareAt: '2026-03-01T11:00:00Z',
      }),
    });
    incidentId = ((await opened.json()) as { id: string }).id;
    await fetch(`${base}/api/v1/incidents/${incidentId}/impact`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.analyst}`, 'content-type': 'application/json' },
      body: readFileSync(
        join(import.meta.dirname, '../../../incidents/fixtures/formjacking-impact.json'),
        'utf8',
      ),
    });
    await fetch(`${base}/api/v1/incidents/${incidentId}/timeline`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.analyst}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'evidence',
        data: {
          title: 'Exfiltrating client',
          indicators: [{ type: 'ipv4', value: '203.0.113.50', count: 2400 }],
        },
      }),
    });
  });
  afterAll(async () => h.close());

  it('edits, freezes and exports a report in every format', async () => {
    const edited = await analyst.incidents.override(incidentId, 'notification', {
      field: 'severity',
      value: 'high',
      reason: 'downgraded after review',
    });
    expect(edited.fields.find((field) => field.key === 'severity')?.value).toBe('high');
    expect(edited.markdown).toContain('edited by');
    const report = await analyst.incidents.freeze(incidentId, 'notification');
    expect(report).toMatchObject({ version: 1, stage: 'notification', incidentId });
    expect((await viewer.incidents.reports(incidentId)).items).toEqual([
      expect.objectContaining({ id: report.id, version: 1, indicators: 1, sha256: report.sha256 }),
    ]);
    expect(await viewer.incidents.frozenReport(report.id)).toEqual(report);
    const markdown = (await viewer.incidents.exportReport(report.id, 'md')).toString('utf8');
    expect(markdown).toContain('# Incident notification — v1');
    const pdf = await parsePdf(await viewer.incidents.exportReport(report.id, 'pdf'));
    expect(pdf.text.join('\n')).toContain('Customer records exfiltrated');
    const stix = JSON.parse(
      (await viewer.incidents.exportReport(report.id, 'stix')).toString('utf8'),
    ) as never;
    expect(stixProblems(stix)).toEqual([]);
    const raw = await fetch(`${base}/api/v1/incident-reports/${report.id}?format=pdf`, {
      headers: { authorization: `Bearer ${h.tokens.viewer}` },
    });
    expect(raw.headers.get('content-type')).toBe('application/pdf');
    expect(raw.headers.get('content-disposition')).toBe(
      `attachment; filename="${incidentId}-notification-v1.pdf"`,
    );
    const draftPdf = await parsePdf(await viewer.incidents.draftPdf(incidentId, 'early_warning'));
    expect(draftPdf.text.join('\n')).toContain('Early warning — DRAFT');
  });

  it('lets readers read and only security writers edit, freeze and submit', async () => {
    expect(await codeOf(viewer.incidents.freeze(incidentId, 'final'))).toBe('forbidden');
    expect(
      await codeOf(viewer.incidents.override(incidentId, 'final', { field: 'rootCause', value: 'x' })),
    ).toBe('forbidden');
    const partner = new ApiClient({ baseUrl: base, token: h.tokens.partner });
    expect(await codeOf(partner.incidents.reports(incidentId))).toBe('forbidden');
    const report = await analyst.incidents.freeze(incidentId, 'early_warning');
    expect(await codeOf(viewer.incidents.submit(report.id, { channel: 'download' }))).toBe('forbidden');
  });

  it('emails a frozen report to the CSIRT once and records when', async () => {
    const report = await analyst.incidents.freeze(incidentId, 'gdpr_notification');
    const submitted = await analyst.incidents.submit(report.id, { channel: 'email' });
    expect(submitted.sentTo).toBe('meldestelle@example.invalid');
    expect(submitted.entry.data).toMatchObject({
      stage: 'gdpr_notification',
      channel: 'email',
      reportId: report.id,
    });
    const notices = await viewer.notices.list({ audience: 'authorities' });
    expect(notices.items.map((notice) => notice.id)).toEqual(submitted.entry.data['noticeIds']);
    expect(await codeOf(analyst.incidents.submit(report.id, { channel: 'email' }))).toBe(
      'report_already_submitted',
    );
    const view = await viewer.incidents.show(incidentId);
    expect(view.clocks.find((clock) => clock.stage === 'gdpr_notification')?.state).toBe('submitted');
  });

  it('drafts the customer communication from the case', async () => {
    const drafted = await viewer.incidents.customerCommunication(incidentId, 'fr');
    expect(drafted.recommended).toBe(true);
    expect(drafted.language).toBe('fr');
    expect(drafted.email.text).toContain(incidentId);
  });

  it('lists overdue deadlines across open cases', async () => {
    h.clock.set(Date.parse('2026-03-02T12:00:00Z'));
    const { items } = await viewer.incidents.deadlines();
    expect(items).toContainEqual(
      expect.objectContaining({ incidentId, stage: 'early_warning', state: 'overdue' }),
    );
  });

  it('answers the Art. 21(2) self-assessment as JSON and Markdown', async () => {
    const assessment = await viewer.nis2.measures();
    const j = assessment.measures.find((measure) => measure.id === 'j');
    // The harness seeds one admin without TOTP and does not require it.
    expect(j).toMatchObject({ status: 'missing', basis: 'ensuresec' });
    expect(assessment.evidence.incidents.total).toBe(1);
    expect(assessment.measures.find((measure) => measure.id === 'b')?.status).toBe('partial');
    const markdown = await fetch(`${base}/api/v1/nis2/measures?format=md`, {
      headers: { authorization: `Bearer ${h.tokens.viewer}` },
    });
    expect(markdown.headers.get('content-type')).toContain('text/markdown');
    expect(await markdown.text()).toContain('## (j) Multi-factor');
  });
});
