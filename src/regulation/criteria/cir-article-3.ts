/**
 * Regulation (EU) 2024/2690 Art. 3(1)(a)-(e) (regulation, no I/O): the general criteria that
 * make an incident of a covered digital provider significant, one result per point.
 */
import { CIR, defined, eur, factCriterion, type CriterionResult } from '../criterion.js';
import type { ImpactFigures } from '../description.js';
import type { EntityProfile } from '../profile.js';
import { lossAboveThreshold } from '../thresholds.js';

export function financialLoss(impact: ImpactFigures, profile: EntityProfile): CriterionResult {
  const base = { id: 'cir-3-1-a', reference: `${CIR} Art. 3(1)(a)`, title: 'Direct financial loss' };
  const loss = impact.directFinancialLossEur;
  const inputs = defined({
    'impact.directFinancialLossEur': loss,
    'entity.annualTurnoverEur': profile.annualTurnoverEur,
  });
  if (loss === undefined) {
    return {
      ...base,
      outcome: 'unknown',
      reason:
        "The direct financial loss is not known; met if it is above the lower of EUR 500,000 and 5 % of the preceding financial year's turnover.",
      inputs,
      missing: [
        'impact.directFinancialLossEur',
        ...(profile.annualTurnoverEur === undefined ? ['entity.annualTurnoverEur'] : []),
      ],
    };
  }
  const verdict = lossAboveThreshold(loss, profile.annualTurnoverEur);
  const reason =
    verdict.outcome === 'unknown'
      ? `A loss of ${eur(loss)} against a threshold of ${verdict.threshold}: ${verdict.ifMissing}.`
      : `A loss of ${eur(loss)} is ${verdict.outcome === 'met' ? 'above' : 'not above'} the threshold: ${verdict.threshold}.`;
  return {
    ...base,
    outcome: verdict.outcome,
    reason,
    inputs,
    missing: verdict.outcome === 'unknown' ? ['entity.annualTurnoverEur'] : [],
  };
}

export function tradeSecrets(impact: ImpactFigures): CriterionResult {
  return factCriterion(
    { id: 'cir-3-1-b', reference: `${CIR} Art. 3(1)(b)`, title: 'Exfiltration of trade secrets' },
    'impact.tradeSecretsExfiltrated',
    impact.tradeSecretsExfiltrated,
    {
      met: 'Trade secrets (Directive (EU) 2016/943 Art. 2(1)) were, or could have been, exfiltrated.',
      notMet: 'No trade secret was, or could have been, exfiltrated.',
      unknown: 'Not known whether trade secrets were, or could have been, exfiltrated; met if they were.',
    },
  );
}

export function death(impact: ImpactFigures): CriterionResult {
  return factCriterion(
    { id: 'cir-3-1-c', reference: `${CIR} Art. 3(1)(c)`, title: 'Death of a natural person' },
    'impact.death',
    impact.death,
    {
      met: 'The incident caused, or is capable of causing, the death of a natural person.',
      notMet: 'The incident is not capable of causing the death of a natural person.',
      unknown: 'Not known whether the incident could cause a death; met if it could.',
    },
  );
}

export function healthDamage(impact: ImpactFigures): CriterionResult {
  return factCriterion(
    {
      id: 'cir-3-1-d',
      reference: `${CIR} Art. 3(1)(d)`,
      title: "Considerable damage to a natural person's health",
    },
    'impact.considerableHealthDamage',
    impact.considerableHealthDamage,
    {
      met: "The incident caused, or is capable of causing, considerable damage to a natural person's health.",
      notMet: "The incident is not capable of causing considerable damage to anyone's health.",
      unknown: 'Not known whether the incident could considerably damage health; met if it could.',
    },
  );
}

/** (e): a successful, suspectedly malicious, unauthorised access capable of severe operational disruption. */
export function maliciousAccess(impact: ImpactFigures): CriterionResult {
  const base = {
    id: 'cir-3-1-e',
    reference: `${CIR} Art. 3(1)(e)`,
    title:
      'Successful, suspectedly malicious and unauthorised access capable of severe operational disruption',
  };
  const parts = [
    {
      path: 'impact.unauthorisedAccess',
      value: impact.unauthorisedAccess,
      says: 'successful unauthorised access',
    },
    {
      path: 'impact.suspectedMalicious',
      value:
        impact.suspectedMalicious === undefined || impact.suspectedMalicious === 'unknown'
          ? undefined
          : impact.suspectedMalicious === 'yes',
      says: 'suspicion of malicious intent',
    },
    {
      path: 'impact.severeOperationalDisruption',
      value: impact.severeOperationalDisruption,
      says: 'capability of severe operational disruption',
    },
  ];
  const inputs = defined({
    'impact.unauthorisedAccess': impact.unauthorisedAccess,
    'impact.suspectedMalicious': impact.suspectedMalicious,
    'impact.severeOperationalDisruption': impact.severeOperationalDisruption,
  });
  const absent = parts.filter((part) => part.value === false);
  if (absent.length > 0) {
    return {
      ...base,
      outcome: 'not_met',
      reason: `Not met: no ${absent.map((part) => part.says).join(', no ')}.`,
      inputs,
      missing: [],
    };
  }
  const unknown = parts.filter((part) => part.value === undefined);
  if (unknown.length > 0) {
    return {
      ...base,
      outcome: 'unknown',
      reason: `Met if there was ${unknown.map((part) => part.says).join(' and ')} as well.`,
      inputs,
      missing: unknown.map((part) => part.path),
    };
  }
  return {
    ...base,
    outcome: 'met',
    reason:
      'A successful, suspectedly malicious, unauthorised access occurred that is capable of causing severe operational disruption.',
    inputs,
    missing: [],
  };
}

export function cirArticle3(impact: ImpactFigures, profile: EntityProfile): CriterionResult[] {
  return [
    financialLoss(impact, profile),
    tradeSecrets(impact),
    death(impact),
    healthDamage(impact),
    maliciousAccess(impact),
  ];
}
