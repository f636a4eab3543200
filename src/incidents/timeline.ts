/**
 * What each kind of incident timeline entry carries (incidents, no I/O). The core record keeps
 * `data` open; these schemas close it, per kind. People append notes, references to events,
 * alerts, decisions and mode changes, tasks, evidence, affected assets, root cause, mitigations,
 * submissions, the authority's requests and legal timestamps; the service itself appends status
 * moves, impact figures, assessments and significance decisions through their own routes.
 */
import { z } from 'zod';
import { INCIDENT_STATUSES } from '../core/records/index.js';
import { impactFiguresSchema, personalDataSchema } from '../regulation/description.js';
import { REPORT_STAGES } from '../regulation/deadlines.js';
import { indicatorSchema } from '../response/notices/indicators.js';

const isoTime = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().trim().min(1).max(max);

/** The legally relevant instants: recorded once, never edited; a correction names the entry it corrects. */
export const LEGAL_CLOCKS = ['detected', 'aware', 'gdpr_aware', 'classified_significant', 'handled'] as const;
export type LegalClock = (typeof LEGAL_CLOCKS)[number];

export const legalTimeData = z.strictObject({
  clock: z.enum(LEGAL_CLOCKS),
  time: isoTime,
  /** The entry this one corrects (required when the clock is already recorded). */
  corrects: z
    .string()
    .regex(/^ine_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an ine_ id')
    .optional(),
  reason: text(2000).optional(),
});

const reference = z.strictObject({ ref: text(128), summary: z.string().max(2000).optional() });

export const TASK_STATES = ['open', 'done', 'cancelled'] as const;

/** Data of the kinds a person appends through `POST /incidents/:id/timeline`. */
export const APPENDABLE = {
  note: z.strictObject({ text: text(16384) }),
  event: reference,
  alert: reference,
  decision: reference,
  mode_change: reference,
  /** A new task, or (with its taskId) a change of owner or state; the latest entry of a task wins. */
  task: z.strictObject({
    taskId: z
      .string()
      .regex(/^tsk_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a tsk_ id')
      .optional(),
    title: text(500),
    owner: text(128),
    dueAt: isoTime.optional(),
    state: z.enum(TASK_STATES).default('open'),
  }),
  evidence: z.strictObject({
    title: text(500),
    uri: z.string().max(2000).optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits')
      .optional(),
    description: z.string().max(4000).optional(),
    /** Indicators of compromise this evidence shows (addresses, domains, URLs, file hashes): shared as STIX 2.1. */
    indicators: z.array(indicatorSchema).max(100).optional(),
  }),
  affected: z.strictObject({
    assets: z.array(text(200)).max(500).default([]),
    partners: z.array(text(200)).max(500).default([]),
    customers: z.number().int().min(0).optional(),
  }),
  /** `key` is the stable apparent root cause that CIR Art. 4 groups recurring incidents by. */
  root_cause: z.strictObject({ key: text(200), description: z.string().max(8000).default('') }),
  mitigation: z.strictObject({ description: text(4000), state: z.enum(['applied', 'ongoing']) }),
  submission: z.strictObject({
    stage: z.enum(REPORT_STAGES),
    channel: z.enum(['download', 'email', 'portal', 'phone', 'other']),
    submittedAt: isoTime,
    reference: z.string().max(500).optional(),
    /** The frozen report version that was submitted (`rpt_…`), when it came from Ensuresec. */
    reportId: z
      .string()
      .regex(/^rpt_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a rpt_ id')
      .optional(),
    /** The outbox notices that carry it (channel `email`). */
    noticeIds: z.array(z.string().max(64)).max(30).optional(),
  }),
  intermediate_request: z.strictObject({
    requestedAt: isoTime,
    dueAt: isoTime.optional(),
    by: z.string().max(200).optional(),
  }),
  legal_time: legalTimeData,
} as const;

export type SubmissionData = z.output<(typeof APPENDABLE)['submission']>;

export type AppendableKind = keyof typeof APPENDABLE;
export const APPENDABLE_KINDS = Object.keys(APPENDABLE) as AppendableKind[];

/** The body of `POST /incidents/:id/timeline`: a kind and its data. */
export const appendEntryBody = z.discriminatedUnion(
  'kind',
  APPENDABLE_KINDS.map((kind) =>
    z.strictObject({ kind: z.literal(kind), data: APPENDABLE[kind] }),
  ) as unknown as [z.ZodObject<{ kind: z.ZodLiteral<AppendableKind>; data: z.ZodType }>],
);
export type AppendEntryInput = {
  [K in AppendableKind]: { kind: K; data: z.output<(typeof APPENDABLE)[K]> };
}[AppendableKind];

/**
 * A person's replacement for one field of a report draft (`value: null` goes back to the
 * prefilled value); the latest entry per stage and field wins until the report is frozen.
 */
export const reportOverrideData = z.strictObject({
  stage: z.enum(REPORT_STAGES),
  field: text(64),
  value: z.json(),
  reason: z.string().trim().max(2000).optional(),
});
export type ReportOverrideData = z.output<typeof reportOverrideData>;

export const statusData = z.strictObject({
  from: z.enum(INCIDENT_STATUSES),
  to: z.enum(INCIDENT_STATUSES),
  reason: z.string().max(2000).optional(),
});

export const impactData = z.strictObject({ impact: impactFiguresSchema, personalData: personalDataSchema });
export type ImpactData = z.output<typeof impactData>;

export const significanceDecisionData = z.strictObject({
  significant: z.enum(['yes', 'no']),
  /** The assessment entry the person confirmed or overrode. */
  assessmentEntryId: z.string(),
  /** True when the person agreed with the assessment, false for an override. */
  confirms: z.boolean(),
  reason: text(4000),
});
