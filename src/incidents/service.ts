/**
 * Incident cases (incidents stage): open a case, append to its timeline, move it through the
 * workflow, record impact figures and have it re-assessed, confirm or override the assessment.
 * Every change is one `ledger.commit` (the write and its audit entry in one transaction) of
 * `incident.created` or `incident.entry_appended`; legal timestamps are checked inside that
 * transaction, so two people cannot both record the first "aware". Each committed change is then
 * announced on the bus as an `IncidentChange` (see changes.ts), for the live view.
 *
 * @example
 *   const cases = new IncidentCases({ store, ledger, clock, profile });
 *   const view = await cases.open({ title: 'Skimmer on checkout', severity: 'critical', awareAt: now }, user.id);
 *   await cases.recordImpact(view.incident.id, { impact: { dataCompromised: true, suspectedMalicious: 'yes' }, personalData: {} }, user.id);
 */
import type { Clock } from '../core/clock.js';
import { isoNow } from '../core/clock.js';
import { EnsuresecError } from '../core/errors.js';
import { newId, ulid } from '../core/ids.js';
import { incidentSchema, type Incident, type IncidentEntry } from '../core/records/index.js';
import type { LedgerWriter } from '../ledger/service.js';
import { assessIncident } from '../regulation/assess.js';
import { addMonthsUtc } from '../regulation/calendar.js';
import type { EntityProfile } from '../regulation/profile.js';
import type { Store, StoreTransaction } from '../store/store.js';
import { announceIncidentChange, type IncidentAnnouncer } from './changes.js';
import { descriptionOf, foldCase, type CaseView } from './case.js';
import { relatedIncidentsFrom } from './recurrence.js';
import {
  legalTimeData,
  type AppendEntryInput,
  type ImpactData,
  type LegalClock,
  type ReportOverrideData,
  type SubmissionData,
} from './timeline.js';
import { assertTransition, isHandled, type IncidentStatus } from './workflow.js';

export interface IncidentCasesDeps extends IncidentAnnouncer {
  store: Store;
  ledger: LedgerWriter;
  clock: Clock;
  /** The entity profile (`entity:` in ensuresec.yaml); without it nothing can be assessed. */
  profile: EntityProfile | undefined;
}

export interface OpenIncidentInput {
  title: string;
  severity: Incident['severity'];
  summary?: string;
  alertIds?: string[];
  labels?: Record<string, string>;
  detectedAt?: string;
  awareAt?: string;
}

type EntryKind = IncidentEntry['kind'];

const notFound = (id: string) =>
  new EnsuresecError('not_found', { detail: `Incident ${id} does not exist.` });

/** Refuses a second value for a legal clock unless it names the value in force as the one it corrects. */
async function checkLegalTime(
  tx: StoreTransaction,
  incidentId: string,
  data: Record<string, unknown>,
): Promise<void> {
  const { clock, corrects, reason } = legalTimeData.parse(data);
  const current = (await tx.incidentEntries.listFor(incidentId))
    .filter((entry) => entry.kind === 'legal_time' && entry.data['clock'] === clock)
    .at(-1);
  if (current === undefined && corrects === undefined) return;
  if (current === undefined) {
    throw new EnsuresecError('validation_failed', {
      detail: `Nothing to correct: "${clock}" is not recorded yet; leave out "corrects".`,
    });
  }
  if (corrects === undefined) {
    throw new EnsuresecError('incident_time_already_recorded', {
      detail: `"${clock}" was recorded by entry ${current.id}; to correct it, send "corrects": "${current.id}" and a reason.`,
    });
  }
  if (corrects !== current.id) {
    throw new EnsuresecError('incident_time_already_recorded', {
      detail: `The "${clock}" value in force is entry ${current.id}, not ${corrects}.`,
    });
  }
  if (reason === undefined)
    throw new EnsuresecError('validation_failed', {
      detail: 'A correction of a legal timestamp needs a reason.',
    });
}

export class IncidentCases {
  constructor(private readonly deps: IncidentCasesDeps) {}

  private newEntry(
    incidentId: string,
    kind: EntryKind,
    data: Record<string, unknown>,
    actor: string,
  ): IncidentEntry {
    const nowMs = this.deps.clock.nowMs();
    return { id: `ine_${ulid(nowMs)}`, incidentId, at: new Date(nowMs).toISOString(), actor, kind, data };
  }

  /** Appends one entry in one ledger commit; `check` runs first, inside the same transaction. */
  private async commitEntry(
    incidentId: string,
    kind: EntryKind,
    data: Record<string, unknown>,
    actor: string,
    check?: (tx: StoreTransaction, incident: Incident) => Promise<void>,
  ): Promise<IncidentEntry> {
    let status: IncidentStatus = 'new';
    const entry = await this.deps.ledger.commit({
      kind: 'incident.entry_appended',
      actor,
      write: async (tx) => {
        const incident = await tx.incidents.get(incidentId);
        if (!incident) return undefined;
        if (check) await check(tx, incident);
        status = incident.status;
        const created = this.newEntry(incidentId, kind, data, actor);
        await tx.incidentEntries.append(created);
        return created;
      },
    });
    if (!entry) throw notFound(incidentId);
    await announceIncidentChange(this.deps, { type: 'updated', incidentId, status }, entry.id);
    return entry;
  }

  async open(input: OpenIncidentInput, actor: string): Promise<CaseView> {
    const now = isoNow(this.deps.clock);
    const { detectedAt, awareAt, ...fields } = input;
    const incident = incidentSchema.parse({
      ...fields,
      id: newId('inc'),
      createdAt: now,
      updatedAt: now,
      status: 'new',
    });
    await this.deps.ledger.commit({
      kind: 'incident.created',
      actor,
      write: async (tx) => {
        await tx.incidents.insert(incident);
        return incident;
      },
    });
    await announceIncidentChange(
      this.deps,
      { type: 'created', incidentId: incident.id, status: incident.status },
      incident.id,
    );
    if (detectedAt !== undefined) await this.recordLegalTime(incident.id, 'detected', detectedAt, actor);
    if (awareAt !== undefined) await this.recordLegalTime(incident.id, 'aware', awareAt, actor);
    return this.view(incident.id);
  }

  recordLegalTime(
    incidentId: string,
    clock: LegalClock,
    time: string,
    actor: string,
  ): Promise<IncidentEntry> {
    return this.append(incidentId, { kind: 'legal_time', data: { clock, time } }, actor);
  }

  /** Appends one entry; a new root cause or detection time re-assesses the case (CIR Art. 4 depends on them). */
  async append(incidentId: string, input: AppendEntryInput, actor: string): Promise<IncidentEntry> {
    const data: Record<string, unknown> =
      input.kind === 'task' && input.data.taskId === undefined
        ? { ...input.data, taskId: `tsk_${ulid(this.deps.clock.nowMs())}` }
        : { ...input.data };
    const check =
      input.kind === 'legal_time'
        ? (tx: StoreTransaction) => checkLegalTime(tx, incidentId, data)
        : undefined;
    const entry = await this.commitEntry(incidentId, input.kind, data, actor, check);
    const changesRecurrence =
      input.kind === 'root_cause' || (input.kind === 'legal_time' && input.data.clock === 'detected');
    if (changesRecurrence && this.deps.profile !== undefined) {
      const current = await this.view(incidentId);
      if (current.assessment !== null) await this.assess(incidentId, actor, 'facts');
    }
    return entry;
  }

  /** A person's replacement for one field of a report draft (the reports service checks the field). */
  recordReportOverride(incidentId: string, data: ReportOverrideData, actor: string): Promise<IncidentEntry> {
    return this.commitEntry(incidentId, 'report_override', { ...data }, actor);
  }

  /** Records a submission; a frozen report version is recorded once per channel (legal timestamps are never edited). */
  recordSubmission(incidentId: string, data: SubmissionData, actor: string): Promise<IncidentEntry> {
    return this.commitEntry(incidentId, 'submission', { ...data }, actor, async (tx) => {
      if (data.reportId === undefined) return;
      const earlier = (await tx.incidentEntries.listFor(incidentId)).find(
        (entry) =>
          entry.kind === 'submission' &&
          entry.data['reportId'] === data.reportId &&
          entry.data['channel'] === data.channel,
      );
      if (earlier) {
        throw new EnsuresecError('report_already_submitted', {
          detail: `Report ${data.reportId} was recorded as submitted by ${data.channel} at ${String(earlier.data['submittedAt'])} (entry ${earlier.id}).`,
        });
      }
    });
  }

  async setStatus(
    incidentId: string,
    to: IncidentStatus,
    reason: string | undefined,
    actor: string,
  ): Promise<CaseView> {
    const entry = await this.deps.ledger.commit({
      kind: 'incident.entry_appended',
      actor,
      write: async (tx) => {
        const incident = await tx.incidents.get(incidentId);
        if (!incident) return undefined;
        assertTransition(incident.status, to, reason);
        await tx.incidents.update({ ...incident, status: to, updatedAt: isoNow(this.deps.clock) });
        const data = { from: incident.status, to, ...(reason === undefined ? {} : { reason }) };
        const created = this.newEntry(incidentId, 'status', data, actor);
        await tx.incidentEntries.append(created);
        return created;
      },
    });
    if (!entry) throw notFound(incidentId);
    await announceIncidentChange(this.deps, { type: 'updated', incidentId, status: to }, entry.id);
    return this.recordHandledIfFirst(await this.view(incidentId), actor);
  }

  async recordImpact(incidentId: string, figures: ImpactData, actor: string): Promise<CaseView> {
    await this.commitEntry(incidentId, 'impact', { ...figures }, actor);
    if (this.deps.profile !== undefined) return this.assess(incidentId, actor, 'impact');
    return this.view(incidentId);
  }

  /** Re-assesses the case; with a decision, records the person's confirmation or override and its reason. */
  async assess(
    incidentId: string,
    actor: string,
    trigger: 'impact' | 'facts' | 'request' = 'request',
    decision?: { significant: 'yes' | 'no'; reason: string },
  ): Promise<CaseView> {
    const profile = this.requireProfile();
    const before = await this.view(incidentId);
    const related = await this.relatedIncidents(before);
    const assessment = assessIncident(descriptionOf(before, related), profile);
    const assessed = await this.commitEntry(incidentId, 'assessment', { trigger, assessment }, actor);
    if (decision !== undefined) {
      await this.commitEntry(
        incidentId,
        'significance_decision',
        {
          ...decision,
          assessmentEntryId: assessed.id,
          confirms: decision.significant === assessment.significant,
        },
        actor,
      );
      if (decision.significant === 'yes' && before.legalTimes.classified_significant === undefined) {
        await this.recordLegalTime(incidentId, 'classified_significant', isoNow(this.deps.clock), actor);
      }
    }
    return this.view(incidentId);
  }

  async view(incidentId: string): Promise<CaseView> {
    const incident = await this.deps.store.incidents.get(incidentId);
    if (!incident) throw notFound(incidentId);
    const entries = await this.deps.store.incidentEntries.listFor(incidentId);
    return foldCase(incident, entries, this.deps.profile, this.deps.clock.nowMs());
  }

  /** After a status move: the first move to recovered or closed records when the incident was handled. */
  async recordHandledIfFirst(view: CaseView, actor: string): Promise<CaseView> {
    if (!isHandled(view.incident.status) || view.legalTimes.handled !== undefined) return view;
    await this.recordLegalTime(view.incident.id, 'handled', isoNow(this.deps.clock), actor);
    return this.view(view.incident.id);
  }

  private requireProfile(): EntityProfile {
    if (this.deps.profile === undefined) throw new EnsuresecError('entity_profile_missing');
    return this.deps.profile;
  }

  private async relatedIncidents(view: CaseView) {
    const occurredAt = view.legalTimes.detected?.time ?? view.incident.createdAt;
    const since = new Date(addMonthsUtc(Date.parse(occurredAt), -6)).toISOString();
    const entries = await this.deps.store.incidentEntries.listByKinds(
      ['impact', 'root_cause', 'assessment', 'significance_decision', 'legal_time'],
      since,
    );
    return relatedIncidentsFrom(entries);
  }
}
