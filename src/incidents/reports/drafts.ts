/**
 * Report drafts (incidents, no I/O): the early warning, incident notification, intermediate,
 * progress and final reports of NIS2 Art. 23(4), and the GDPR Art. 33(3) breach notification,
 * each with exactly the fields the law asks for, filled from the case. A field the case cannot
 * fill is flagged `missing` (for fields required "where applicable" or "where available", only
 * when the case says it applies). One builder per stage, listed in DRAFT_BUILDERS.
 *
 * @example const draft = buildDraft('early_warning', view, profile, nowMs); draft.missing // ['suspectedMalicious']
 */
import type { IncidentEntry } from '../../core/records/index.js';
import type { ReportStage } from '../../regulation/deadlines.js';
import type { EntityProfile } from '../../regulation/profile.js';
import type { CaseView } from '../case.js';

export type Requirement = 'required' | 'where_applicable' | 'where_available';

export interface DraftField {
  key: string;
  label: string;
  /** Where the law asks for it. */
  reference: string;
  requirement: Requirement;
  value: unknown;
  missing: boolean;
  /** Set when a person replaced the prefilled value (a `report_override` timeline entry). */
  override?: { entryId: string; by: string; at: string; reason?: string };
}

export interface ReportDraft {
  stage: ReportStage;
  title: string;
  reference: string;
  entity: { name: string; type: string; memberStates: string[] };
  incident: { id: string; title: string; status: string };
  generatedAt: string;
  dueAt: string | null;
  dueLocal: string | null;
  fields: DraftField[];
  /** Keys of the fields that must be filled before the report is sent. */
  missing: string[];
}

const NIS2 = 'Directive (EU) 2022/2555 Art. 23(4)';
const GDPR = 'Regulation (EU) 2016/679 Art. 33';

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

function field(
  key: string,
  label: string,
  reference: string,
  requirement: Requirement,
  value: unknown,
): DraftField {
  const empty = isEmpty(value);
  return {
    key,
    label,
    reference,
    requirement,
    value: empty ? null : value,
    missing: empty && requirement === 'required',
  };
}

function suspectedMalicious(view: CaseView, reference: string): DraftField {
  return field(
    'suspectedMalicious',
    'Suspected of being caused by unlawful or malicious acts',
    reference,
    'required',
    view.impact?.impact.suspectedMalicious,
  );
}

function crossBorder(view: CaseView, reference: string): DraftField {
  const impact = view.impact?.impact;
  const value =
    impact?.crossBorderImpact === undefined
      ? undefined
      : {
          crossBorderImpact: impact.crossBorderImpact,
          memberStatesAffected: impact.memberStatesAffected ?? [],
        };
  return field(
    'crossBorderImpact',
    'Could it have a cross-border impact (affected Member States)',
    reference,
    'required',
    value,
  );
}

function impactSummary(view: CaseView): Record<string, unknown> | undefined {
  const impact = view.impact?.impact;
  if (!impact) return undefined;
  return Object.fromEntries(
    Object.entries({
      usersAffected: impact.usersAffected,
      euUsersAffected: impact.euUsersAffected,
      availability: impact.availability,
      unavailabilityStart: impact.unavailabilityStart,
      unavailabilityEnd: impact.unavailabilityEnd,
      dataCompromised: impact.dataCompromised,
      dataCompromisedKinds: impact.dataCompromisedKinds,
      dataCategories: impact.dataCategories,
      directFinancialLossEur: impact.directFinancialLossEur,
      significance: view.significant,
    }).filter(([, value]) => value !== undefined),
  );
}

function indicators(view: CaseView): DraftField {
  return field(
    'indicatorsOfCompromise',
    'Indicators of compromise',
    `${NIS2}(b)`,
    'where_available',
    view.evidence.filter((item) => item['sha256'] !== undefined || item['uri'] !== undefined),
  );
}

function mitigations(view: CaseView, state: 'applied' | 'ongoing') {
  return view.mitigations
    .filter((mitigation) => mitigation.state === state)
    .map((mitigation) => mitigation.description);
}

function statusUpdates(view: CaseView) {
  return view.timeline
    .filter((entry) => entry.kind === 'status' || entry.kind === 'note' || entry.kind === 'mitigation')
    .map((entry) => ({ at: entry.at, kind: entry.kind, ...entry.data }));
}

type Builder = (
  view: CaseView,
  profile: EntityProfile,
) => { title: string; reference: string; fields: DraftField[] };

export const DRAFT_BUILDERS: Record<ReportStage, Builder> = {
  early_warning: (view) => ({
    title: 'Early warning',
    reference: `${NIS2}(a)`,
    fields: [suspectedMalicious(view, `${NIS2}(a)`), crossBorder(view, `${NIS2}(a)`)],
  }),
  notification: (view) => ({
    title: 'Incident notification',
    reference: `${NIS2}(b)`,
    fields: [
      suspectedMalicious(view, `${NIS2}(b), updating (a)`),
      crossBorder(view, `${NIS2}(b), updating (a)`),
      field('severity', 'Initial assessment: severity', `${NIS2}(b)`, 'required', view.incident.severity),
      field('impact', 'Initial assessment: impact', `${NIS2}(b)`, 'required', impactSummary(view)),
      indicators(view),
    ],
  }),
  intermediate: (view) => ({
    title: 'Intermediate report',
    reference: `${NIS2}(c)`,
    fields: [
      field('statusUpdates', 'Relevant status updates', `${NIS2}(c)`, 'required', statusUpdates(view)),
    ],
  }),
  progress: (view) => ({
    title: 'Progress report',
    reference: `${NIS2}(e)`,
    fields: [field('progress', 'Progress so far', `${NIS2}(e)`, 'required', statusUpdates(view))],
  }),
  final: (view) => ({
    title: 'Final report',
    reference: `${NIS2}(d)`,
    fields: [
      field(
        'description',
        '(i) Detailed description, including severity and impact',
        `${NIS2}(d)(i)`,
        'required',
        view.incident.summary === '' || !view.impact
          ? undefined
          : { summary: view.incident.summary, severity: view.incident.severity, impact: impactSummary(view) },
      ),
      field(
        'rootCause',
        '(ii) Type of threat or root cause that likely triggered it',
        `${NIS2}(d)(ii)`,
        'required',
        view.rootCause ?? undefined,
      ),
      field(
        'mitigationsApplied',
        '(iii) Applied mitigation measures',
        `${NIS2}(d)(iii)`,
        'required',
        mitigations(view, 'applied'),
      ),
      field(
        'mitigationsOngoing',
        '(iii) Ongoing mitigation measures',
        `${NIS2}(d)(iii)`,
        'where_applicable',
        mitigations(view, 'ongoing'),
      ),
      {
        ...crossBorder(view, `${NIS2}(d)(iv)`),
        requirement: 'where_applicable',
        missing:
          view.impact?.impact.crossBorderImpact === 'yes' &&
          (view.impact.impact.memberStatesAffected ?? []).length === 0,
      },
    ],
  }),
  gdpr_notification: (view, profile) => {
    const personal = view.impact?.personalData;
    const nature =
      personal && personal.involved
        ? {
            breach: view.impact?.impact.dataCompromisedKinds,
            categoriesOfData: personal.categories,
            dataSubjectsApproximately: personal.dataSubjectsAffected,
            recordsApproximately: personal.recordsAffected,
          }
        : undefined;
    const gdprClock = view.clocks.find((clock) => clock.stage === 'gdpr_notification');
    return {
      title: 'Personal data breach notification',
      reference: `${GDPR}(3)`,
      fields: [
        field(
          'nature',
          '(a) Nature of the breach: categories and approximate number of data subjects and records',
          `${GDPR}(3)(a)`,
          'required',
          nature,
        ),
        field(
          'contactPoint',
          '(b) Name and contact details of the DPO or other contact point',
          `${GDPR}(3)(b)`,
          'required',
          profile.dataProtectionContact,
        ),
        field(
          'likelyConsequences',
          '(c) Likely consequences',
          `${GDPR}(3)(c)`,
          'required',
          personal?.riskRationale,
        ),
        field(
          'measures',
          '(d) Measures taken or proposed, including mitigation',
          `${GDPR}(3)(d)`,
          'required',
          view.mitigations.map((mitigation) => `${mitigation.description} (${mitigation.state})`),
        ),
        {
          ...field(
            'reasonsForDelay',
            'Reasons for the delay (notified after 72 hours)',
            `${GDPR}(1)`,
            'where_applicable',
            undefined,
          ),
          missing: gdprClock?.state === 'overdue' || gdprClock?.state === 'submitted_late',
        },
      ],
    };
  },
};

/** The fields with people's overrides applied: the latest `report_override` per field wins; `null` restores the prefilled value. */
function withOverrides(stage: ReportStage, view: CaseView, fields: DraftField[]): DraftField[] {
  const latest = new Map<string, IncidentEntry>();
  for (const entry of view.timeline) {
    if (entry.kind === 'report_override' && entry.data['stage'] === stage)
      latest.set(String(entry.data['field']), entry);
  }
  return fields.map((prefilled) => {
    const entry = latest.get(prefilled.key);
    if (entry === undefined || entry.data['value'] === null) return prefilled;
    const value = entry.data['value'];
    const reason = entry.data['reason'];
    return {
      ...prefilled,
      value: isEmpty(value) ? null : value,
      missing: isEmpty(value) && prefilled.requirement === 'required',
      override: {
        entryId: entry.id,
        by: entry.actor,
        at: entry.at,
        ...(typeof reason === 'string' ? { reason } : {}),
      },
    };
  });
}

/** The keys of a stage's fields (the same for every case), for checking an override names one. */
export function draftFieldKeys(stage: ReportStage, view: CaseView, profile: EntityProfile): string[] {
  return DRAFT_BUILDERS[stage](view, profile).fields.map((candidate) => candidate.key);
}

export function buildDraft(
  stage: ReportStage,
  view: CaseView,
  profile: EntityProfile,
  nowMs: number,
): ReportDraft {
  const built = DRAFT_BUILDERS[stage](view, profile);
  const fields = withOverrides(stage, view, built.fields);
  const clock = view.clocks.find((candidate) => candidate.stage === stage);
  return {
    stage,
    title: built.title,
    reference: built.reference,
    entity: { name: profile.name, type: profile.type, memberStates: profile.memberStates },
    incident: { id: view.incident.id, title: view.incident.title, status: view.incident.status },
    generatedAt: new Date(nowMs).toISOString(),
    dueAt: clock?.dueAt ?? null,
    dueLocal: clock?.dueLocal ?? null,
    fields,
    missing: fields.filter((candidate) => candidate.missing).map((candidate) => candidate.key),
  };
}
