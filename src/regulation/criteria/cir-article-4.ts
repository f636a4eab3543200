/**
 * Regulation (EU) 2024/2690 Art. 4 (regulation, no I/O): incidents that are not significant on
 * their own count together as one significant incident when they occurred at least twice within
 * six months, share the same apparent root cause, and together meet Art. 3(1)(a)'s loss test.
 */
import { addMonthsUtc } from '../calendar.js';
import { CIR, defined, eur, type CriterionResult } from '../criterion.js';
import type { IncidentDescription } from '../description.js';
import type { EntityProfile } from '../profile.js';
import { lossAboveThreshold } from '../thresholds.js';

const WINDOW_MONTHS = 6;

const sameCause = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function recurringIncidents(
  description: IncidentDescription,
  profile: EntityProfile,
): CriterionResult {
  const base = { id: 'cir-4', reference: `${CIR} Art. 4 (Art. 3(1)(f))`, title: 'Recurring incidents' };
  const { rootCause, occurredAt } = description;
  const loss = description.impact.directFinancialLossEur;
  const missing = [
    ...(rootCause === undefined ? ['rootCause'] : []),
    ...(occurredAt === undefined ? ['occurredAt'] : []),
  ];
  if (rootCause === undefined || occurredAt === undefined) {
    return {
      ...base,
      outcome: 'unknown',
      reason:
        'Without the apparent root cause and the time of the incident, earlier incidents cannot be matched; met if, with earlier non-significant incidents of the same root cause within six months, the losses together are above the Art. 3(1)(a) threshold.',
      inputs: defined({ rootCause, occurredAt }),
      missing,
    };
  }
  const endMs = Date.parse(occurredAt);
  const startMs = addMonthsUtc(endMs, -WINDOW_MONTHS);
  const matching = description.relatedIncidents.filter((other) => {
    const atMs = Date.parse(other.occurredAt);
    return !other.significant && sameCause(other.rootCause, rootCause) && atMs >= startMs && atMs <= endMs;
  });
  const inputs = defined({
    rootCause,
    occurredAt,
    'impact.directFinancialLossEur': loss,
    matchingIncidents: matching.map((other) => other.id),
    'entity.annualTurnoverEur': profile.annualTurnoverEur,
  });
  if (matching.length === 0) {
    return {
      ...base,
      outcome: 'not_met',
      reason: `No earlier non-significant incident with the root cause "${rootCause}" occurred in the six months before ${occurredAt}.`,
      inputs,
      missing: [],
    };
  }
  const earlierLoss = matching.reduce((sum, other) => sum + other.directFinancialLossEur, 0);
  const together = earlierLoss + (loss ?? 0);
  const verdict = lossAboveThreshold(together, profile.annualTurnoverEur);
  const occurrences = `${matching.length + 1} incidents with the root cause "${rootCause}" within six months`;
  if (loss === undefined && verdict.outcome !== 'met') {
    return {
      ...base,
      outcome: 'unknown',
      reason: `${occurrences}; the earlier ones lost ${eur(earlierLoss)} together. Met if this incident's loss brings the total above ${verdict.threshold}.`,
      inputs,
      missing: [
        'impact.directFinancialLossEur',
        ...(verdict.outcome === 'unknown' ? ['entity.annualTurnoverEur'] : []),
      ],
    };
  }
  if (verdict.outcome === 'unknown') {
    return {
      ...base,
      outcome: 'unknown',
      reason: `${occurrences}, ${eur(together)} lost together: ${verdict.ifMissing}.`,
      inputs,
      missing: ['entity.annualTurnoverEur'],
    };
  }
  return {
    ...base,
    outcome: verdict.outcome,
    reason: `${occurrences}, ${eur(together)} lost together, ${verdict.outcome === 'met' ? 'above' : 'not above'} the threshold: ${verdict.threshold}.`,
    inputs,
    missing: [],
  };
}
