/**
 * The Art. 21(2) self-assessment (regulation, no I/O): each measure (a)-(j) with its status,
 * the evidence Ensuresec holds, the gaps, and what the entity declared (`entity.measures`) for
 * what Ensuresec cannot see. Where Ensuresec holds evidence ((b), (e), (h), (j)) the status
 * follows from it and a declaration only adds to it; elsewhere the declaration decides, and a
 * measure nobody declared is `unknown`. For the management body (Art. 20), with its approval.
 *
 * @example assessMeasures(evidence, profile) // { measures: [{ id: 'a', status: 'unknown', … }, …], summary }
 */
import type { EntityProfile, MeasureId, MeasureStatus } from '../profile.js';
import { MEASURES } from './catalogue.js';

export interface MeasuresEvidence {
  generatedAt: string;
  /** The start of the period looked at (twelve months back). */
  since: string;
  incidents: {
    total: number;
    open: number;
    significant: number;
    /** From awareness (else detection, else opening) to handled, of the handled ones. */
    handlingHours: { count: number; median: number; max: number } | null;
    overdue: { incidentId: string; stage: string; dueAt: string }[];
    submittedLate: number;
    submittedOnTime: number;
  };
  findings: {
    total: number;
    latestAt: string | null;
    open: Record<'critical' | 'high' | 'medium' | 'low' | 'info', number>;
    tlsOpen: { id: string; title: string; severity: string; target: string }[];
    tlsTotal: number;
  };
  admins: { active: number; withTotp: number; totpRequired: boolean };
}

export interface MeasureResult {
  id: MeasureId;
  title: string;
  reference: string;
  status: MeasureStatus;
  /** `ensuresec`: from Ensuresec's records; `declared`: from entity.measures; `none`: neither. */
  basis: 'ensuresec' | 'declared' | 'none';
  evidence: string[];
  gaps: string[];
  declared?: EntityProfile['measures'][MeasureId];
}

export interface MeasuresAssessment {
  generatedAt: string;
  since: string;
  entity: { name: string; type: string };
  reference: string;
  managementApproval: EntityProfile['managementApproval'] | null;
  measures: MeasureResult[];
  summary: Record<MeasureStatus, number>;
  /** Gaps that are not one measure's: Art. 20 approval. */
  governanceGaps: string[];
  evidence: MeasuresEvidence;
}

type Derived = Pick<MeasureResult, 'status' | 'evidence' | 'gaps'>;

function incidentHandling(e: MeasuresEvidence['incidents']): Derived {
  const evidence = [
    `${e.total} incident case(s) since the start of the period, ${e.open} open, ${e.significant} significant.`,
    e.handlingHours
      ? `Handling time (awareness to handled) of ${e.handlingHours.count} case(s): median ${e.handlingHours.median.toFixed(1)} h, longest ${e.handlingHours.max.toFixed(1)} h.`
      : 'No case handled in the period yet.',
    `Reports submitted on time: ${e.submittedOnTime}; late: ${e.submittedLate}.`,
    'Detection, cases with timelines and legal timestamps, and deadline clocks run in Ensuresec.',
  ];
  const gaps = e.overdue.map(
    (clock) =>
      `The ${clock.stage.replaceAll('_', ' ')} report of ${clock.incidentId} is overdue (due ${clock.dueAt}).`,
  );
  if (e.submittedLate > 0) gaps.push(`${e.submittedLate} report(s) were submitted after their deadline.`);
  return { status: gaps.length > 0 ? 'partial' : 'implemented', evidence, gaps };
}

function vulnerabilityHandling(e: MeasuresEvidence['findings']): Derived {
  if (e.total === 0) {
    return {
      status: 'unknown',
      evidence: ['No scan finding is on record.'],
      gaps: ['No vulnerability scan on record: scan the shop regularly and keep the findings.'],
    };
  }
  const severe = e.open.critical + e.open.high;
  const openTotal = Object.values(e.open).reduce((sum, count) => sum + count, 0);
  return {
    status: severe > 0 ? 'partial' : 'implemented',
    evidence: [
      `${e.total} finding(s) on record, the latest from ${e.latestAt}.`,
      `Open: ${openTotal} (critical ${e.open.critical}, high ${e.open.high}, medium ${e.open.medium}, low ${e.open.low}, info ${e.open.info}).`,
    ],
    gaps: severe > 0 ? [`${severe} critical or high finding(s) are still open.`] : [],
  };
}

function cryptography(e: MeasuresEvidence['findings']): Derived {
  if (e.total === 0) {
    return {
      status: 'unknown',
      evidence: ['No scan finding is on record, TLS included.'],
      gaps: ['No TLS assessment on record: scan the shop and its payment pages.'],
    };
  }
  return {
    status: e.tlsOpen.length > 0 ? 'partial' : 'implemented',
    evidence: [`${e.tlsTotal} TLS or cryptography finding(s) on record, ${e.tlsOpen.length} open.`],
    gaps: e.tlsOpen.map(
      (finding) =>
        `Open ${finding.severity} TLS finding on ${finding.target}: ${finding.title} (${finding.id}).`,
    ),
  };
}

function multiFactor(e: MeasuresEvidence['admins']): Derived {
  if (e.active === 0) {
    return { status: 'unknown', evidence: ['No active Ensuresec administrator.'], gaps: [] };
  }
  const evidence = [
    `${e.withTotp} of ${e.active} active Ensuresec administrator(s) use a second factor (TOTP).`,
    `A second factor is ${e.totpRequired ? '' : 'not '}required of administrators (api.requireTotpForAdmins).`,
  ];
  const gaps: string[] = [];
  if (e.withTotp < e.active)
    gaps.push(`${e.active - e.withTotp} administrator(s) sign in without a second factor.`);
  if (!e.totpRequired)
    gaps.push('Require a second factor of administrators (api.requireTotpForAdmins: true).');
  const status: MeasureStatus = e.withTotp === 0 ? 'missing' : gaps.length > 0 ? 'partial' : 'implemented';
  return {
    status,
    evidence: [
      ...evidence,
      'This covers Ensuresec itself; show the shop back office and other admin access by declaration.',
    ],
    gaps,
  };
}

const DERIVED: Partial<Record<MeasureId, (evidence: MeasuresEvidence) => Derived>> = {
  b: (evidence) => incidentHandling(evidence.incidents),
  e: (evidence) => vulnerabilityHandling(evidence.findings),
  h: (evidence) => cryptography(evidence.findings),
  j: (evidence) => multiFactor(evidence.admins),
};

export function assessMeasures(evidence: MeasuresEvidence, profile: EntityProfile): MeasuresAssessment {
  const measures = MEASURES.map((definition): MeasureResult => {
    const declared = profile.measures[definition.id];
    const derived = DERIVED[definition.id]?.(evidence);
    const declaredEvidence = declared?.evidence ? [`Declared: ${declared.evidence}`] : [];
    const declaredGaps = declared?.gaps ?? [];
    const base = { id: definition.id, title: definition.title, reference: definition.reference };
    if (derived && derived.status !== 'unknown') {
      return {
        ...base,
        ...derived,
        basis: 'ensuresec',
        evidence: [...derived.evidence, ...declaredEvidence],
        gaps: [...derived.gaps, ...declaredGaps],
        ...(declared ? { declared } : {}),
      };
    }
    if (declared) {
      return {
        ...base,
        status: declared.status,
        basis: 'declared',
        evidence: [...(derived?.evidence ?? []), ...declaredEvidence],
        gaps: [...(derived?.gaps ?? []), ...declaredGaps],
        declared,
      };
    }
    return {
      ...base,
      status: 'unknown',
      basis: 'none',
      evidence: derived?.evidence ?? [],
      gaps: [
        ...(derived?.gaps ?? []),
        `Nothing declared: describe it under entity.measures.${definition.id} in ensuresec.yaml (status, evidence, owner).`,
      ],
    };
  });
  const summary: Record<MeasureStatus, number> = { implemented: 0, partial: 0, missing: 0, unknown: 0 };
  for (const measure of measures) summary[measure.status]++;
  const approval = profile.managementApproval ?? null;
  return {
    generatedAt: evidence.generatedAt,
    since: evidence.since,
    entity: { name: profile.name, type: profile.type },
    reference: 'Directive (EU) 2022/2555 Art. 21(2) and Art. 20',
    managementApproval: approval,
    measures,
    summary,
    governanceGaps: approval
      ? []
      : [
          'Art. 20: no approval of the measures by the management body is recorded (entity.managementApproval).',
        ],
    evidence,
  };
}
