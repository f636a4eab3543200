/**
 * NIS2 Art. 23(3) for NIS2 entities Regulation (EU) 2024/2690 does not cover (couriers,
 * transport, shops designated nationally) (regulation, no I/O): (a) severe operational
 * disruption or financial loss, decided by the person's judgement or by the national thresholds
 * configured under `entity.nationalThresholds`; (b) considerable damage to other persons.
 */
import { count, defined, eur, factCriterion, NIS2, type CriterionResult } from '../criterion.js';
import type { ImpactFigures } from '../description.js';
import type { EntityProfile } from '../profile.js';

export function unavailabilityMinutes(impact: ImpactFigures): number | undefined {
  if (impact.unavailabilityStart === undefined || impact.unavailabilityEnd === undefined) return undefined;
  return Math.max(
    0,
    (Date.parse(impact.unavailabilityEnd) - Date.parse(impact.unavailabilityStart)) / 60_000,
  );
}

interface Check {
  path: string;
  value: number | undefined;
  limit: number;
  says: (value: number, limit: number) => string;
}

function disruptionOrLoss(
  impact: ImpactFigures,
  profile: EntityProfile,
  planned: string | undefined,
): CriterionResult {
  const base = {
    id: 'nis2-23-3-a',
    reference: `${NIS2} Art. 23(3)(a)`,
    title: 'Severe operational disruption or financial loss',
  };
  const national = profile.nationalThresholds ?? {};
  const minutes = planned === undefined ? unavailabilityMinutes(impact) : undefined;
  const candidates: Check[] = [
    {
      path: 'impact.directFinancialLossEur',
      value: impact.directFinancialLossEur,
      limit: national.financialLossEur ?? NaN,
      says: (v, l) => `a loss of ${eur(v)} against the national threshold of ${eur(l)}`,
    },
    {
      path: 'impact.usersAffected',
      value: impact.usersAffected,
      limit: national.usersAffected ?? NaN,
      says: (v, l) => `${count(v)} users affected against the national threshold of ${count(l)}`,
    },
    {
      path: 'impact.unavailabilityEnd',
      value: minutes,
      limit: national.outageMinutes ?? NaN,
      says: (v, l) => `${count(v)} minutes unavailable against the national threshold of ${count(l)}`,
    },
  ];
  const checks = candidates.filter((check) => !Number.isNaN(check.limit));
  const inputs = defined({
    'impact.severeOperationalDisruption': impact.severeOperationalDisruption,
    'impact.directFinancialLossEur': impact.directFinancialLossEur,
    'impact.usersAffected': impact.usersAffected,
    unavailabilityMinutes: minutes,
    'entity.nationalThresholds': profile.nationalThresholds,
  });
  const exceeded = checks.filter((check) => check.value !== undefined && check.value > check.limit);
  if (impact.severeOperationalDisruption === true || exceeded.length > 0) {
    const why = [
      ...(impact.severeOperationalDisruption === true
        ? ['the incident caused, or is capable of causing, severe operational disruption']
        : []),
      ...exceeded.map((check) => check.says(check.value as number, check.limit)),
    ];
    return { ...base, outcome: 'met', reason: `Met: ${why.join('; ')}.`, inputs, missing: [] };
  }
  const unknownChecks = checks.filter((check) => check.value === undefined);
  if (impact.severeOperationalDisruption === false && unknownChecks.length === 0) {
    const below = checks.map((check) => check.says(check.value as number, check.limit));
    return {
      ...base,
      outcome: 'not_met',
      reason: `No severe operational disruption or financial loss${below.length > 0 ? `: ${below.join('; ')}` : ' (the person assessing said so; no national threshold is configured)'}.`,
      inputs,
      missing: [],
    };
  }
  return {
    ...base,
    outcome: 'unknown',
    reason: `Met if the incident caused, or could cause, severe operational disruption or financial loss${checks.length > 0 ? ' or exceeds a configured national threshold' : ''}; configure the national thresholds under entity.nationalThresholds where the Member State sets them.`,
    inputs,
    missing: [
      ...(impact.severeOperationalDisruption === undefined ? ['impact.severeOperationalDisruption'] : []),
      ...unknownChecks.map((check) => check.path),
    ],
  };
}

export function nis2Article23(
  impact: ImpactFigures,
  profile: EntityProfile,
  planned: string | undefined,
): CriterionResult[] {
  return [
    disruptionOrLoss(impact, profile, planned),
    factCriterion(
      {
        id: 'nis2-23-3-b',
        reference: `${NIS2} Art. 23(3)(b)`,
        title: 'Considerable damage to other persons',
      },
      'impact.considerableDamageToOthers',
      impact.considerableDamageToOthers,
      {
        met: 'The incident affected, or could affect, other natural or legal persons by causing considerable material or non-material damage.',
        notMet: 'The incident is not capable of causing considerable damage to other persons.',
        unknown: 'Not known whether other persons suffered, or could suffer, considerable damage; met if so.',
      },
    ),
  ];
}
