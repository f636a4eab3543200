/**
 * The significance assessment (regulation, no I/O): reads an incident description against the
 * entity profile and says, criterion by criterion, whether the incident is significant under
 * NIS2 Art. 23(3) (as Regulation (EU) 2024/2690 Arts. 3, 4 and 11 specify it for the digital
 * providers it covers, or with national thresholds for other entities) and what GDPR Arts. 33/34
 * require. Significant when one criterion is met; not significant when none is and none is
 * unknown; undetermined otherwise, with the inputs that would settle it.
 *
 * @example
 *   const result = assessIncident(incidentDescriptionSchema.parse(json), entityProfileSchema.parse(profile));
 *   result.significant // 'yes' | 'no' | 'undetermined'
 */
import { cirArticle3 } from './criteria/cir-article-3.js';
import { recurringIncidents } from './criteria/cir-article-4.js';
import { cirArticle11 } from './criteria/cir-article-11.js';
import { assessGdpr, type GdprAssessment } from './criteria/gdpr.js';
import { nis2Article23 } from './criteria/nis2-article-23.js';
import { CIR, type CriterionResult } from './criterion.js';
import type { IncidentDescription } from './description.js';
import { plannedInterruption } from './maintenance.js';
import { regimeOf, type EntityProfile, type Regime } from './profile.js';

export const ASSESSMENT_VERSION = 1;

export type Significance = 'yes' | 'no' | 'undetermined';

export interface Assessment {
  /** Bumped when the rules change, so a stored assessment says which rules made it. */
  version: number;
  regime: Regime;
  entityType: EntityProfile['type'];
  /** NIS2 Art. 23 reporting applies (false for DORA financial entities). */
  nis2Reporting: boolean;
  significant: Significance;
  /** One sentence: the verdict and the criteria behind it. */
  summary: string;
  criteria: CriterionResult[];
  /** Every input that would change an unknown criterion, once each. */
  missingInputs: string[];
  /** Set when the interruption is scheduled maintenance or otherwise planned (CIR Art. 3(2)). */
  plannedInterruption?: string;
  notes: string[];
  gdpr: GdprAssessment;
}

function entitySpecificPending(profile: EntityProfile): CriterionResult {
  return {
    id: 'cir-3-1-g',
    reference: `${CIR} Art. 3(1)(g), Arts. 5-14`,
    title: `Entity-specific criteria for a ${profile.type.replaceAll('_', ' ')}`,
    outcome: 'unknown',
    reason:
      'Ensuresec evaluates the entity-specific criteria of online marketplaces (Art. 11) only; assess the article for this entity type by hand and record the outcome as an override.',
    inputs: { 'entity.type': profile.type },
    missing: [],
  };
}

function criteriaFor(
  description: IncidentDescription,
  profile: EntityProfile,
  planned: string | undefined,
): CriterionResult[] {
  const regime = regimeOf(profile.type);
  if (regime === 'dora') return [];
  if (regime === 'nis2-national') return nis2Article23(description.impact, profile, planned);
  return [
    ...cirArticle3(description.impact, profile),
    recurringIncidents(description, profile),
    ...(profile.type === 'online_marketplace'
      ? cirArticle11(description.impact, profile, planned)
      : [entitySpecificPending(profile)]),
  ];
}

function significanceOf(criteria: readonly CriterionResult[]): Significance {
  if (criteria.some((criterion) => criterion.outcome === 'met')) return 'yes';
  if (criteria.some((criterion) => criterion.outcome === 'unknown')) return 'undetermined';
  return 'no';
}

function notesFor(profile: EntityProfile, regime: Regime): string[] {
  if (regime === 'dora') {
    return [
      'A financial entity reports major ICT-related incidents under DORA, not NIS2 (DORA Art. 1(2) makes it the sector-specific act under NIS2 Art. 4); Ensuresec does not classify DORA incidents yet.',
    ];
  }
  if (profile.type === 'shop') {
    return [
      'A single-seller shop is not an NIS2 online marketplace; it is in scope only through another sector or a national designation (interpretation; confirm per Member State).',
    ];
  }
  if (regime === 'nis2-national' && profile.nationalThresholds === undefined) {
    return [
      'No national thresholds are configured (entity.nationalThresholds): Art. 23(3) is decided on the judgement recorded in the impact figures.',
    ];
  }
  return [];
}

function summaryOf(significant: Significance, criteria: readonly CriterionResult[], regime: Regime): string {
  if (regime === 'dora') return 'NIS2 significance does not apply: classify the incident under DORA.';
  const met = criteria
    .filter((criterion) => criterion.outcome === 'met')
    .map((criterion) => criterion.reference);
  const unknown = criteria
    .filter((criterion) => criterion.outcome === 'unknown')
    .map((criterion) => criterion.reference);
  if (significant === 'yes') return `Significant: ${met.join('; ')}.`;
  if (significant === 'no') return 'Not significant: no criterion is met.';
  return `Undetermined: no criterion is met yet; still open: ${unknown.join('; ')}.`;
}

export function assessIncident(description: IncidentDescription, profile: EntityProfile): Assessment {
  const regime = regimeOf(profile.type);
  const planned = plannedInterruption(description.impact, profile);
  const criteria = criteriaFor(description, profile, planned);
  const significant = regime === 'dora' ? 'undetermined' : significanceOf(criteria);
  const gdpr = assessGdpr(description.personalData, profile);
  const missingInputs = [
    ...new Set([...criteria, ...gdpr.criteria].flatMap((criterion) => criterion.missing)),
  ];
  return {
    version: ASSESSMENT_VERSION,
    regime,
    entityType: profile.type,
    nis2Reporting: regime !== 'dora',
    significant,
    summary: summaryOf(significant, criteria, regime),
    criteria,
    missingInputs,
    ...(planned === undefined ? {} : { plannedInterruption: planned }),
    notes: notesFor(profile, regime),
    gdpr,
  };
}
