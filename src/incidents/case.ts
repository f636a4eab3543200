/**
 * An incident case as people read it (incidents, no I/O): the incident record folded with its
 * append-only timeline into the current legal timestamps (each with its corrections), impact
 * figures, significance (the latest assessment and any person's decision on it), tasks,
 * evidence, mitigations, submissions and the deadline clocks.
 *
 * @example const view = foldCase(incident, entries, profile, clock.nowMs());
 */
import type { Incident, IncidentEntry } from '../core/records/index.js';
import type { Assessment, Significance } from '../regulation/assess.js';
import { computeClocks, type DeadlineClock, type ReportStage } from '../regulation/deadlines.js';
import type { IncidentDescription, RelatedIncident } from '../regulation/description.js';
import { isTrustServiceProvider, type EntityProfile } from '../regulation/profile.js';
import type { ImpactData, LegalClock } from './timeline.js';

export interface LegalTime {
  /** The time in force: the original, or the latest correction. */
  time: string;
  entryId: string;
  recordedAt: string;
  /** Earlier values this one replaced, oldest first (never deleted). */
  corrected: { time: string; entryId: string; recordedAt: string; reason?: string }[];
}

export interface TaskView {
  taskId: string;
  title: string;
  owner: string;
  state: string;
  dueAt?: string;
  updatedAt: string;
}

export interface CaseView {
  incident: Incident;
  legalTimes: Partial<Record<LegalClock, LegalTime>>;
  impact: ImpactData | null;
  rootCause: { key: string; description: string } | null;
  assessment: (Assessment & { entryId: string; assessedAt: string }) | null;
  decision: {
    significant: 'yes' | 'no';
    confirms: boolean;
    reason: string;
    actor: string;
    at: string;
    assessmentEntryId: string;
  } | null;
  /** The person's decision when there is one, else the latest assessment's verdict. */
  significant: Significance;
  tasks: TaskView[];
  evidence: Record<string, unknown>[];
  mitigations: { description: string; state: string; at: string }[];
  affected: { assets: string[]; partners: string[]; customers?: number };
  submissions: {
    stage: ReportStage;
    channel: string;
    submittedAt: string;
    reference?: string;
    entryId: string;
  }[];
  clocks: DeadlineClock[];
  timeline: IncidentEntry[];
}

function data<T>(entry: IncidentEntry): T {
  return entry.data as T;
}

function legalTimesOf(entries: readonly IncidentEntry[]): Partial<Record<LegalClock, LegalTime>> {
  const times: Partial<Record<LegalClock, LegalTime>> = {};
  for (const entry of entries) {
    if (entry.kind !== 'legal_time') continue;
    const { clock, time, reason } = data<{ clock: LegalClock; time: string; reason?: string }>(entry);
    const previous = times[clock];
    times[clock] = {
      time,
      entryId: entry.id,
      recordedAt: entry.at,
      corrected: previous
        ? [
            ...previous.corrected,
            {
              time: previous.time,
              entryId: previous.entryId,
              recordedAt: previous.recordedAt,
              ...(reason === undefined ? {} : { reason }),
            },
          ]
        : [],
    };
  }
  return times;
}

const latest = (entries: readonly IncidentEntry[], kind: IncidentEntry['kind']) =>
  entries.filter((entry) => entry.kind === kind).at(-1);

/** The description the assessment reads, from the case (and earlier incidents for Art. 4). */
export function descriptionOf(
  view: Pick<CaseView, 'incident' | 'legalTimes' | 'impact' | 'rootCause'>,
  related: RelatedIncident[],
): IncidentDescription {
  return {
    title: view.incident.title,
    occurredAt: view.legalTimes.detected?.time ?? view.incident.createdAt,
    ...(view.rootCause ? { rootCause: view.rootCause.key } : {}),
    impact: view.impact?.impact ?? {},
    personalData: view.impact?.personalData ?? {},
    relatedIncidents: related.filter((other) => other.id !== view.incident.id),
  };
}

export function foldCase(
  incident: Incident,
  entries: readonly IncidentEntry[],
  profile: EntityProfile | undefined,
  nowMs: number,
): CaseView {
  const legalTimes = legalTimesOf(entries);
  const impactEntry = latest(entries, 'impact');
  const rootEntry = latest(entries, 'root_cause');
  const assessmentEntry = latest(entries, 'assessment');
  const assessment = assessmentEntry
    ? {
        ...data<{ assessment: Assessment }>(assessmentEntry).assessment,
        entryId: assessmentEntry.id,
        assessedAt: assessmentEntry.at,
      }
    : null;
  const decisionEntry = latest(entries, 'significance_decision');
  const decision = decisionEntry
    ? {
        ...data<{ significant: 'yes' | 'no'; confirms: boolean; reason: string; assessmentEntryId: string }>(
          decisionEntry,
        ),
        actor: decisionEntry.actor,
        at: decisionEntry.at,
      }
    : null;
  const significant: Significance = decision?.significant ?? assessment?.significant ?? 'undetermined';

  const tasks = new Map<string, TaskView>();
  for (const entry of entries.filter((candidate) => candidate.kind === 'task')) {
    const task = data<Omit<TaskView, 'updatedAt'>>(entry);
    tasks.set(task.taskId, { ...task, updatedAt: entry.at });
  }
  const affected = {
    assets: new Set<string>(),
    partners: new Set<string>(),
    customers: undefined as number | undefined,
  };
  for (const entry of entries.filter((candidate) => candidate.kind === 'affected')) {
    const added = data<{ assets: string[]; partners: string[]; customers?: number }>(entry);
    added.assets.forEach((asset) => affected.assets.add(asset));
    added.partners.forEach((partner) => affected.partners.add(partner));
    if (added.customers !== undefined) affected.customers = added.customers;
  }
  const submissions = entries
    .filter((entry) => entry.kind === 'submission')
    .map((entry) => ({
      ...data<{ stage: ReportStage; channel: string; submittedAt: string; reference?: string }>(entry),
      entryId: entry.id,
    }));
  const base = {
    incident,
    legalTimes,
    impact: impactEntry ? data<ImpactData>(impactEntry) : null,
    rootCause: rootEntry ? data<{ key: string; description: string }>(rootEntry) : null,
    assessment,
    decision,
    significant,
    tasks: [...tasks.values()],
    evidence: entries
      .filter((entry) => entry.kind === 'evidence')
      .map((entry) => ({ ...entry.data, entryId: entry.id, at: entry.at })),
    mitigations: entries
      .filter((entry) => entry.kind === 'mitigation')
      .map((entry) => ({ ...data<{ description: string; state: string }>(entry), at: entry.at })),
    affected: {
      assets: [...affected.assets],
      partners: [...affected.partners],
      ...(affected.customers === undefined ? {} : { customers: affected.customers }),
    },
    submissions,
    timeline: [...entries],
  };
  const clocks = computeClocks({
    ...(legalTimes.aware ? { awareAt: legalTimes.aware.time } : {}),
    ...(legalTimes.gdpr_aware ? { gdprAwareAt: legalTimes.gdpr_aware.time } : {}),
    ...(legalTimes.handled ? { handledAt: legalTimes.handled.time } : {}),
    submissions: submissions.map((submission) => ({ stage: submission.stage, at: submission.submittedAt })),
    intermediateRequests: entries
      .filter((entry) => entry.kind === 'intermediate_request')
      .map((entry) => data<{ requestedAt: string; dueAt?: string }>(entry)),
    significant,
    nis2Reporting: assessment?.nis2Reporting ?? true,
    gdprNotification: assessment?.gdpr.notifyAuthority ?? 'undetermined',
    gdprProcessor: profile?.gdprRole === 'processor',
    trustServiceProvider: profile ? isTrustServiceProvider(profile) : false,
    timeZone: profile?.timeZone ?? 'UTC',
    nowMs,
  });
  return { ...base, clocks };
}
