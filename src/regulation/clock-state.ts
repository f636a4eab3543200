/**
 * The shape and state of one deadline clock (regulation, no I/O): the report stages, the inputs
 * the clocks are computed from, and how a deadline, a submission and the current time make a
 * state (`running`, `due_soon`, `overdue`, `submitted`, `submitted_late`, …).
 */
import { formatInZone } from './calendar.js';
import type { Significance } from './assess.js';
import type { GdprVerdict } from './criteria/gdpr.js';

export const REPORT_STAGES = [
  'early_warning',
  'notification',
  'intermediate',
  'progress',
  'final',
  'gdpr_notification',
] as const;
export type ReportStage = (typeof REPORT_STAGES)[number];

export type ClockState =
  'not_required' | 'waiting' | 'running' | 'due_soon' | 'overdue' | 'submitted' | 'submitted_late';

export interface Submission {
  stage: ReportStage;
  at: string;
}

export interface ClockInputs {
  /** Awareness of the (significant) incident: the NIS2 clocks start here. */
  awareAt?: string;
  /** Awareness of the personal data breach; the NIS2 awareness when absent. */
  gdprAwareAt?: string;
  /** When the incident was handled (recovered or closed); decides final versus progress report. */
  handledAt?: string;
  submissions: readonly Submission[];
  /** Intermediate reports the CSIRT or authority asked for. */
  intermediateRequests: readonly { requestedAt: string; dueAt?: string }[];
  significant: Significance;
  nis2Reporting: boolean;
  gdprNotification: GdprVerdict;
  gdprProcessor: boolean;
  trustServiceProvider: boolean;
  timeZone: string;
  nowMs: number;
}

export interface DeadlineClock {
  stage: ReportStage;
  reference: string;
  /** How the deadline is computed, e.g. `awareAt + 24 h`. */
  basis: string;
  state: ClockState;
  /** Running on an undetermined significance: shown so that no deadline is missed while it is settled. */
  provisional: boolean;
  dueAt: string | null;
  /** The deadline in the entity's time zone. */
  dueLocal: string | null;
  submittedAt: string | null;
  /** Until the deadline (negative once overdue); null when there is none or it is met. */
  remainingMs: number | null;
  note?: string;
}

export function firstSubmission(
  inputs: ClockInputs,
  stage: ReportStage,
  afterMs = -Infinity,
): number | undefined {
  const times = inputs.submissions
    .filter((submission) => submission.stage === stage)
    .map((submission) => Date.parse(submission.at))
    .filter((atMs) => atMs >= afterMs);
  return times.length === 0 ? undefined : Math.min(...times);
}

export interface ClockSpec {
  stage: ReportStage;
  reference: string;
  basis: string;
  dueMs: number | undefined;
  /** How long before the deadline the clock turns `due_soon`. */
  leadMs: number;
  submittedMs?: number;
  provisional: boolean;
  note?: string;
  waiting?: boolean;
}

export function clock(spec: ClockSpec, inputs: ClockInputs): DeadlineClock {
  const due = spec.dueMs;
  const submitted = spec.submittedMs;
  const base = {
    stage: spec.stage,
    reference: spec.reference,
    basis: spec.basis,
    provisional: spec.provisional,
    dueAt: due === undefined ? null : new Date(due).toISOString(),
    dueLocal: due === undefined ? null : formatInZone(due, inputs.timeZone),
    submittedAt: submitted === undefined ? null : new Date(submitted).toISOString(),
    ...(spec.note === undefined ? {} : { note: spec.note }),
  };
  if (submitted !== undefined) {
    return {
      ...base,
      state: due !== undefined && submitted > due ? 'submitted_late' : 'submitted',
      remainingMs: null,
    };
  }
  if (spec.waiting === true || due === undefined)
    return { ...base, state: 'waiting', remainingMs: due === undefined ? null : due - inputs.nowMs };
  const remainingMs = due - inputs.nowMs;
  const state: ClockState = remainingMs < 0 ? 'overdue' : remainingMs <= spec.leadMs ? 'due_soon' : 'running';
  return { ...base, state, remainingMs };
}

export function notRequired(stage: ReportStage, reference: string, note: string): DeadlineClock {
  return {
    stage,
    reference,
    basis: '-',
    state: 'not_required',
    provisional: false,
    dueAt: null,
    dueLocal: null,
    submittedAt: null,
    remainingMs: null,
    note,
  };
}
