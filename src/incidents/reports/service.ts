/**
 * Incident reports (incidents stage): drafts with people's field overrides, frozen versions
 * (v1, v2, …; each one `report.frozen` in the ledger, never changed), their exports (JSON,
 * Markdown, PDF, STIX 2.1) and their submission, recorded once per version and channel with its
 * time: `download` (a person hands it in, e.g. on the authority's portal) or `email` to the
 * CSIRT address of the entity profile through the persistent outbox, with the PDF, the JSON and
 * the STIX bundle attached.
 *
 * @example
 *   const reports = new IncidentReports({ store, ledger, clock, profile, mail });
 *   const v1 = await reports.freeze(incidentId, 'early_warning', user.id);
 *   await reports.submit(v1.id, { channel: 'email' }, user.id);
 */
import { isoNow } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import { ulid } from '../../core/ids.js';
import type { IncidentEntry } from '../../core/records/index.js';
import type { IncidentReport } from '../../core/records/incident-report.js';
import type { ReportStage } from '../../regulation/deadlines.js';
import type { EntityProfile } from '../../regulation/profile.js';
import type { EmailQueue } from '../../response/notices/email-queue.js';
import { escapeHtml, htmlDocument } from '../../response/notices/text.js';
import { IncidentCases, type IncidentCasesDeps } from '../service.js';
import type { ReportOverrideData } from '../timeline.js';
import { buildDraft, draftFieldKeys, type ReportDraft } from './drafts.js';
import { freezeDraft, reportFileName } from './frozen.js';
import { incidentStixBundle, indicatorsOf } from './indicators.js';
import { frozenStatusOf, renderMarkdown } from './markdown.js';
import { renderPdf } from './pdf.js';

/** The cases' own (store, ledger, clock, profile, and the bus that announces overrides and submissions). */
export interface IncidentReportsDeps extends IncidentCasesDeps {
  /** The outbox's email queue; without it `email` submissions answer `notice_channel_unconfigured`. */
  mail?: EmailQueue | undefined;
}

export interface SubmitInput {
  channel: 'download' | 'email';
  /** When it was handed in (download only; default now). Never in the future. */
  submittedAt?: string | undefined;
  /** Which configured contact to email (default: the first with an email address). */
  memberState?: string | undefined;
}

export interface SubmitResult {
  entry: IncidentEntry;
  report: IncidentReport;
  /** The CSIRT address the email went to. */
  sentTo?: string;
}

export class IncidentReports {
  readonly #cases: IncidentCases;

  constructor(private readonly deps: IncidentReportsDeps) {
    this.#cases = new IncidentCases(deps);
  }

  #profile(): EntityProfile {
    if (this.deps.profile === undefined) throw new EnsuresecError('entity_profile_missing');
    return this.deps.profile;
  }

  async draft(incidentId: string, stage: ReportStage): Promise<ReportDraft> {
    const profile = this.#profile();
    return buildDraft(stage, await this.#cases.view(incidentId), profile, this.deps.clock.nowMs());
  }

  /** Replaces one field of the draft (`null` restores the prefilled value); answers the draft. */
  async override(
    incidentId: string,
    stage: ReportStage,
    change: { field: string; value: ReportOverrideData['value']; reason?: string | undefined },
    actor: string,
  ): Promise<ReportDraft> {
    const profile = this.#profile();
    const keys = draftFieldKeys(stage, await this.#cases.view(incidentId), profile);
    if (!keys.includes(change.field)) {
      throw new EnsuresecError('validation_failed', {
        detail: `The ${stage} report has no field "${change.field}"; its fields are ${keys.join(', ')}.`,
        details: [{ in: 'body', path: 'field', message: `one of ${keys.join(', ')}` }],
      });
    }
    await this.#cases.recordReportOverride(
      incidentId,
      {
        stage,
        field: change.field,
        value: change.value,
        ...(change.reason ? { reason: change.reason } : {}),
      },
      actor,
    );
    return this.draft(incidentId, stage);
  }

  /** Freezes the draft as it stands into the next version; the version is never changed. */
  async freeze(incidentId: string, stage: ReportStage, actor: string): Promise<IncidentReport> {
    const profile = this.#profile();
    const view = await this.#cases.view(incidentId);
    const nowMs = this.deps.clock.nowMs();
    const frozenAt = new Date(nowMs).toISOString();
    const draft = buildDraft(stage, view, profile, nowMs);
    const indicators = indicatorsOf(view);
    const stix = incidentStixBundle(view, profile.name, frozenAt);
    const report = await this.deps.ledger.commit({
      kind: 'report.frozen',
      actor,
      write: async (tx) => {
        const version = (await tx.incidentReports.latestVersion(incidentId, stage)) + 1;
        const frozen = freezeDraft(
          draft,
          { id: `rpt_${ulid(nowMs)}`, version, frozenAt, frozenBy: actor },
          indicators,
          stix,
        );
        await tx.incidentReports.insert(frozen);
        return frozen;
      },
    });
    if (!report) throw new EnsuresecError('internal', { detail: 'The frozen report was not written.' });
    return report;
  }

  async list(incidentId: string): Promise<IncidentReport[]> {
    await this.#cases.view(incidentId);
    return this.deps.store.incidentReports.listFor(incidentId);
  }

  async get(reportId: string): Promise<IncidentReport> {
    const report = await this.deps.store.incidentReports.get(reportId);
    if (!report) throw new EnsuresecError('not_found', { detail: `Report ${reportId} does not exist.` });
    return report;
  }

  markdown(report: IncidentReport): string {
    return renderMarkdown(report, frozenStatusOf(report));
  }

  pdf(report: IncidentReport): Promise<Uint8Array> {
    return renderPdf(report, frozenStatusOf(report));
  }

  /** Records the submission of a frozen version; by email, queues it to the CSIRT first. */
  async submit(reportId: string, input: SubmitInput, actor: string): Promise<SubmitResult> {
    const report = await this.get(reportId);
    const nowIso = isoNow(this.deps.clock);
    const submittedAt = input.channel === 'download' ? (input.submittedAt ?? nowIso) : nowIso;
    if (input.channel === 'email' && input.submittedAt !== undefined) {
      throw new EnsuresecError('validation_failed', {
        detail: 'An email submission is recorded when it is queued; leave out submittedAt.',
        details: [{ in: 'body', path: 'submittedAt', message: 'only for the download channel' }],
      });
    }
    if (Date.parse(submittedAt) > this.deps.clock.nowMs()) {
      throw new EnsuresecError('validation_failed', {
        detail: 'A submission cannot be recorded in the future.',
        details: [{ in: 'body', path: 'submittedAt', message: 'must not be later than now' }],
      });
    }
    // Checked again inside the recording transaction; checked here so no email goes out twice.
    const view = await this.#cases.view(report.incidentId);
    const earlier = view.timeline.find(
      (entry) =>
        entry.kind === 'submission' &&
        entry.data['reportId'] === report.id &&
        entry.data['channel'] === input.channel,
    );
    if (earlier) {
      throw new EnsuresecError('report_already_submitted', {
        detail: `Report ${report.id} was recorded as submitted by ${input.channel} at ${String(earlier.data['submittedAt'])}.`,
      });
    }
    let sentTo: string | undefined;
    const noticeIds: string[] = [];
    if (input.channel === 'email') {
      const contact = this.#csirtContact(input.memberState);
      sentTo = contact.email;
      const queued = await this.#queueEmail(report, contact, actor);
      if (queued) noticeIds.push(queued);
    }
    const entry = await this.#cases.recordSubmission(
      report.incidentId,
      {
        stage: report.stage as ReportStage,
        channel: input.channel,
        submittedAt,
        reference: `${report.stage} v${report.version}`,
        reportId: report.id,
        ...(noticeIds.length > 0 ? { noticeIds } : {}),
      },
      actor,
    );
    return { entry, report, ...(sentTo === undefined ? {} : { sentTo }) };
  }

  #csirtContact(memberState: string | undefined): { email: string; authority: string; memberState: string } {
    const contacts = this.#profile().contacts.filter(
      (contact) =>
        contact.email !== undefined && (memberState === undefined || contact.memberState === memberState),
    );
    const contact = contacts[0];
    if (contact?.email === undefined) {
      throw new EnsuresecError('validation_failed', {
        detail: `No CSIRT or authority contact with an email address is configured${memberState ? ` for ${memberState}` : ''} (entity.contacts in ensuresec.yaml).`,
        details: [{ in: 'body', path: 'memberState', message: 'no contact with an email address' }],
      });
    }
    return { email: contact.email, authority: contact.authority, memberState: contact.memberState };
  }

  async #queueEmail(
    report: IncidentReport,
    contact: { email: string; authority: string },
    actor: string,
  ): Promise<string | undefined> {
    if (this.deps.mail === undefined) {
      throw new EnsuresecError('notice_channel_unconfigured', {
        detail: 'Sending reports by email needs notices.smtp in ensuresec.yaml.',
      });
    }
    const markdown = this.markdown(report);
    const pdf = await this.pdf(report);
    const subject = `[${report.incidentId}] ${report.title} v${report.version} — ${report.entity.name}`;
    const intro = `${report.title} (${report.reference}) of ${report.entity.name} to ${contact.authority}, version ${report.version}. The report is attached as PDF and as JSON${report.stix ? ', the indicators of compromise as a STIX 2.1 bundle' : ''}.`;
    const attachments = [
      {
        filename: reportFileName(report, 'pdf'),
        contentType: 'application/pdf',
        content: Buffer.from(pdf).toString('base64'),
        encoding: 'base64' as const,
      },
      {
        filename: reportFileName(report, 'json'),
        contentType: 'application/json',
        content: JSON.stringify(report, null, 2),
      },
      ...(report.stix
        ? [
            {
              filename: reportFileName(report, 'stix.json'),
              contentType: 'application/stix+json;version=2.1',
              content: JSON.stringify(report.stix, null, 2),
            },
          ]
        : []),
    ];
    const result = await this.deps.mail.queue({
      audience: 'authorities',
      reference: report.incidentId,
      recipient: contact.email,
      subject,
      text: `${intro}\n\n${markdown}`,
      html: htmlDocument(
        'en',
        escapeHtml(subject),
        `<p>${escapeHtml(intro)}</p>\n<pre style="white-space:pre-wrap;font-size:13px">${escapeHtml(markdown)}</pre>`,
      ),
      attachments,
      idempotencyParts: ['report', report.id, contact.email],
      actor,
    });
    return result.message?.id;
  }
}
