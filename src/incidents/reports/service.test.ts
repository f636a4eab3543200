/**
 * Incident reports on every store dialect (SQLite always, PostgreSQL when reachable), with the
 * real Ledger and the real outbox: drafts edited field by field, frozen into immutable versions
 * logged as `report.frozen` with the digest of their export, and submitted once per channel —
 * by download, or by email to the CSIRT with the PDF, the JSON and the STIX bundle attached.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { Ledger } from '../../ledger/index.js';
import { ledgerDialects } from '../../ledger/test-support.js';
import { entityProfileSchema } from '../../regulation/profile.js';
import { createEmailQueue } from '../../response/notices/email-queue.js';
import type { Store } from '../../store/store.js';
import { IncidentCases } from '../service.js';
import { impactData } from '../timeline.js';
import { IncidentReports } from './service.js';
import { parsePdf, stixProblems } from './test-support.js';

const read = (path: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, path), 'utf8'));
const profile = entityProfileSchema.parse(read('../../regulation/fixtures/profiles/marketplace.json'));
const formjacking = impactData.parse(read('../fixtures/formjacking-impact.json'));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof EnsuresecError ? error.code : String(error)),
  );
}

for (const harness of await ledgerDialects('incident reports')) {
  describe(`incident reports on ${harness.name}`, () => {
    let store: Store;
    let ledger: Ledger;
    let cases: IncidentCases;
    let incidentId: string;
    const clock = new ManualClock(Date.parse('2026-11-20T09:00:00.000Z'));
    const reports = (withMail: boolean) =>
      new IncidentReports({
        store,
        ledger,
        clock,
        profile,
        ...(withMail ? { mail: createEmailQueue({ ledger, clock, emailEnabled: true }) } : {}),
      });

    beforeEach(async () => {
      clock.set(Date.parse('2026-11-20T09:00:00.000Z'));
      store = await harness.openFresh();
      await store.migrate();
      ledger = await Ledger.open({ store, pseudonymisationKey: Buffer.alloc(32, 7), clock });
      cases = new IncidentCases({ store, ledger, clock, profile });
      const view = await cases.open(
        { title: 'Card data skimmed', severity: 'high', awareAt: '2026-11-20T08:00:00Z' },
        'usr_analyst',
      );
      incidentId = view.incident.id;
      await cases.recordImpact(incidentId, formjacking, 'usr_analyst');
      await cases.append(
        incidentId,
        {
          kind: 'evidence',
          data: { title: 'Skimmer host', indicators: [{ type: 'domain', value: 'skim.example.net' }] },
        },
        'usr_analyst',
      );
    });
    afterEach(async () => {
      await ledger.close();
      await store.close();
    });
    afterAll(() => harness.dispose());

    it('freezes versions v1, v2 … that never change, each logged with its digest', async () => {
      const service = reports(false);
      const v1 = await service.freeze(incidentId, 'early_warning', 'usr_lead');
      clock.advance(60_000);
      await service.override(
        incidentId,
        'early_warning',
        { field: 'suspectedMalicious', value: 'unknown', reason: 'not yet clear' },
        'usr_lead',
      );
      const v2 = await service.freeze(incidentId, 'early_warning', 'usr_lead');
      expect([v1.version, v2.version]).toEqual([1, 2]);
      expect(v1.fields.find((field) => field.key === 'suspectedMalicious')?.value).toBe('yes');
      expect(v2.fields.find((field) => field.key === 'suspectedMalicious')).toMatchObject({
        value: 'unknown',
        override: { by: 'usr_lead', reason: 'not yet clear' },
      });
      expect(await service.get(v1.id)).toEqual(v1);
      expect((await service.list(incidentId)).map((report) => report.id)).toEqual([v1.id, v2.id]);
      const logged = await store.ledger.entriesForRecord(v1.id);
      expect(logged.map((row) => row.kind)).toEqual(['report.frozen']);
      expect(JSON.parse(logged[0]!.entry).record).toMatchObject({
        version: 1,
        sha256: v1.sha256,
        stage: 'early_warning',
      });
    });

    it('gives concurrent freezes distinct versions', async () => {
      const service = reports(false);
      const frozen = await Promise.all([
        service.freeze(incidentId, 'notification', 'usr_a'),
        service.freeze(incidentId, 'notification', 'usr_b'),
      ]);
      expect(frozen.map((report) => report.version).sort()).toEqual([1, 2]);
    });

    it('refuses an override of a field the report does not have, naming it', async () => {
      const error = await reports(false)
        .override(incidentId, 'early_warning', { field: 'severity', value: 'low' }, 'usr_lead')
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EnsuresecError);
      expect((error as EnsuresecError).code).toBe('validation_failed');
      expect((error as EnsuresecError).detail).toContain('suspectedMalicious, crossBorderImpact');
    });

    it('records a download once, with its time, and the clock stops', async () => {
      const service = reports(false);
      const v1 = await service.freeze(incidentId, 'early_warning', 'usr_lead');
      clock.advance(3_600_000);
      const submitted = await service.submit(
        v1.id,
        { channel: 'download', submittedAt: '2026-11-20T09:30:00Z' },
        'usr_lead',
      );
      expect(submitted.entry.data).toMatchObject({
        stage: 'early_warning',
        channel: 'download',
        submittedAt: '2026-11-20T09:30:00Z',
        reportId: v1.id,
      });
      const view = await cases.view(incidentId);
      expect(view.clocks.find((clock) => clock.stage === 'early_warning')?.state).toBe('submitted');
      expect(await codeOf(service.submit(v1.id, { channel: 'download' }, 'usr_lead'))).toBe(
        'report_already_submitted',
      );
      expect(
        await codeOf(
          service.submit(v1.id, { channel: 'download', submittedAt: '2026-11-20T09:45:00Z' }, 'usr_lead'),
        ),
      ).toBe('report_already_submitted');
      const v2 = await service.freeze(incidentId, 'early_warning', 'usr_lead');
      expect(
        await codeOf(
          service.submit(v2.id, { channel: 'download', submittedAt: '2026-12-01T00:00:00Z' }, 'usr_lead'),
        ),
      ).toBe('validation_failed');
    });

    it('emails the report to the CSIRT with the PDF, the JSON and the STIX bundle attached', async () => {
      const v1 = await reports(false).freeze(incidentId, 'notification', 'usr_lead');
      expect(await codeOf(reports(false).submit(v1.id, { channel: 'email' }, 'usr_lead'))).toBe(
        'notice_channel_unconfigured',
      );
      const result = await reports(true).submit(v1.id, { channel: 'email' }, 'usr_lead');
      expect(result.sentTo).toBe('meldestelle@example.invalid');
      const noticeIds = result.entry.data['noticeIds'] as string[];
      expect(noticeIds).toHaveLength(1);
      const message = await store.outbox.get(noticeIds[0]!);
      expect(message).toMatchObject({
        audience: 'authorities',
        channel: 'email',
        recipient: 'meldestelle@example.invalid',
        status: 'pending',
        reference: incidentId,
      });
      const content = message?.content;
      if (content?.kind !== 'email') throw new Error('no email content');
      expect(content.subject).toContain('Incident notification v1');
      expect(content.attachments.map((attachment) => attachment.filename)).toEqual([
        `${incidentId}-notification-v1.pdf`,
        `${incidentId}-notification-v1.json`,
        `${incidentId}-notification-v1.stix.json`,
      ]);
      const [pdf, json, stix] = content.attachments;
      expect(pdf?.encoding).toBe('base64');
      const parsed = await parsePdf(Buffer.from(pdf!.content, 'base64'));
      expect(parsed.text.join('\n')).toContain('Card data skimmed');
      expect(JSON.parse(json!.content)).toEqual(v1);
      expect(stixProblems(JSON.parse(stix!.content) as never)).toEqual([]);
      expect((await store.ledger.entriesForRecord(noticeIds[0]!)).map((row) => row.kind)).toEqual([
        'notice.queued',
      ]);
      expect(await codeOf(reports(true).submit(v1.id, { channel: 'email' }, 'usr_lead'))).toBe(
        'report_already_submitted',
      );
    });
  });
}
