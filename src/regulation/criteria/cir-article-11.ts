/**
 * Regulation (EU) 2024/2690 Art. 11 (regulation, no I/O): providers of online marketplaces,
 * significant under Art. 3(1)(g) when the marketplace is unavailable or limited for more than
 * min(5 % of EU users, 1,000,000) EU users, when data related to it is compromised by a
 * suspectedly malicious action (no user threshold), or compromised by any cause for more than
 * that many users. Art. 11 sets no minimum duration.
 */
import { CIR, count, defined, type CriterionResult } from '../criterion.js';
import type { ImpactFigures } from '../description.js';
import type { EntityProfile } from '../profile.js';
import { usersAboveThreshold } from '../thresholds.js';

interface Base {
  id: string;
  reference: string;
  title: string;
}

/** Compares the affected EU users; a known total of users at or under the threshold settles it too. */
function usersCriterion(
  base: Base,
  impact: ImpactFigures,
  profile: EntityProfile,
  what: string,
): CriterionResult {
  const inputs = defined({
    'impact.euUsersAffected': impact.euUsersAffected,
    'impact.usersAffected': impact.usersAffected,
    'entity.euUsers': profile.euUsers,
  });
  const affected = impact.euUsersAffected ?? impact.usersAffected;
  if (affected === undefined) {
    return {
      ...base,
      outcome: 'unknown',
      reason: `${what}; met if it affected more than min(5 % of EU users, 1,000,000) EU users.`,
      inputs,
      missing: ['impact.euUsersAffected', ...(profile.euUsers === undefined ? ['entity.euUsers'] : [])],
    };
  }
  const verdict = usersAboveThreshold(affected, profile.euUsers);
  // Only the total is known: it bounds the EU users from above, so it can rule out but never rule in.
  if (impact.euUsersAffected === undefined && verdict.outcome !== 'not_met') {
    return {
      ...base,
      outcome: 'unknown',
      reason: `${what}, for ${count(affected)} users in total; met if more than ${verdict.threshold} of them are EU users.`,
      inputs,
      missing: ['impact.euUsersAffected', ...(verdict.outcome === 'unknown' ? ['entity.euUsers'] : [])],
    };
  }
  if (verdict.outcome === 'unknown') {
    return {
      ...base,
      outcome: 'unknown',
      reason: `${what}, for ${count(affected)} EU users: ${verdict.ifMissing}.`,
      inputs,
      missing: ['entity.euUsers'],
    };
  }
  return {
    ...base,
    outcome: verdict.outcome,
    reason: `${what}, for ${count(affected)} ${impact.euUsersAffected === undefined ? 'users in total' : 'EU users'}: ${verdict.outcome === 'met' ? 'above' : 'not above'} the threshold: ${verdict.threshold}.`,
    inputs,
    missing: [],
  };
}

function availabilityCriterion(
  base: Base,
  impact: ImpactFigures,
  profile: EntityProfile,
  wanted: 'complete' | 'limited',
  planned: string | undefined,
): CriterionResult {
  if (planned !== undefined) {
    return {
      ...base,
      outcome: 'not_applicable',
      reason: planned,
      inputs: defined({ 'impact.availability': impact.availability }),
      missing: [],
    };
  }
  if (impact.availability === undefined) {
    return {
      ...base,
      outcome: 'unknown',
      reason: `Not known whether the marketplace was ${wanted === 'complete' ? 'completely unavailable' : 'of limited availability'}; met if it was, for more than min(5 % of EU users, 1,000,000) EU users.`,
      inputs: {},
      missing: ['impact.availability'],
    };
  }
  if (impact.availability !== wanted) {
    return {
      ...base,
      outcome: 'not_met',
      reason: `The availability was "${impact.availability}", not "${wanted}".`,
      inputs: { 'impact.availability': impact.availability },
      missing: [],
    };
  }
  const what =
    wanted === 'complete'
      ? 'The marketplace was completely unavailable'
      : 'The marketplace was of limited availability';
  const result = usersCriterion(base, impact, profile, what);
  return { ...result, inputs: { 'impact.availability': impact.availability, ...result.inputs } };
}

export function cirArticle11(
  impact: ImpactFigures,
  profile: EntityProfile,
  planned: string | undefined,
): CriterionResult[] {
  const dataBase = (letter: 'c' | 'd', title: string) => ({
    id: `cir-11-${letter}`,
    reference: `${CIR} Art. 11(${letter})`,
    title,
  });
  const malicious = impact.suspectedMalicious;
  const c: CriterionResult = (() => {
    const base = dataBase('c', 'Data compromised by a suspectedly malicious action');
    const inputs = defined({
      'impact.dataCompromised': impact.dataCompromised,
      'impact.suspectedMalicious': malicious,
    });
    if (impact.dataCompromised === false || malicious === 'no') {
      return {
        ...base,
        outcome: 'not_met',
        reason:
          impact.dataCompromised === false
            ? 'No data related to the marketplace was compromised.'
            : 'The compromise is not suspected to be malicious.',
        inputs,
        missing: [],
      };
    }
    if (impact.dataCompromised === true && malicious === 'yes') {
      return {
        ...base,
        outcome: 'met',
        reason:
          'The integrity, confidentiality or authenticity of data related to the marketplace was compromised by a suspectedly malicious action; Art. 11(c) has no user threshold.',
        inputs,
        missing: [],
      };
    }
    return {
      ...base,
      outcome: 'unknown',
      reason:
        'Met, whatever the number of users, if data related to the marketplace was compromised and the action is suspected to be malicious.',
      inputs,
      missing: [
        ...(impact.dataCompromised === undefined ? ['impact.dataCompromised'] : []),
        ...(malicious === undefined || malicious === 'unknown' ? ['impact.suspectedMalicious'] : []),
      ],
    };
  })();
  const d: CriterionResult = (() => {
    const base = dataBase('d', 'Data compromised (any cause) for many users');
    if (impact.dataCompromised === false) {
      return {
        ...base,
        outcome: 'not_met',
        reason: 'No data related to the marketplace was compromised.',
        inputs: { 'impact.dataCompromised': false },
        missing: [],
      };
    }
    if (impact.dataCompromised === undefined) {
      return {
        ...base,
        outcome: 'unknown',
        reason:
          'Not known whether data related to the marketplace was compromised; met if it was, for more than min(5 % of EU users, 1,000,000) EU users.',
        inputs: {},
        missing: ['impact.dataCompromised'],
      };
    }
    const result = usersCriterion(base, impact, profile, 'Data related to the marketplace was compromised');
    return { ...result, inputs: { 'impact.dataCompromised': true, ...result.inputs } };
  })();
  return [
    availabilityCriterion(
      { id: 'cir-11-a', reference: `${CIR} Art. 11(a)`, title: 'Marketplace completely unavailable' },
      impact,
      profile,
      'complete',
      planned,
    ),
    availabilityCriterion(
      { id: 'cir-11-b', reference: `${CIR} Art. 11(b)`, title: 'Marketplace of limited availability' },
      impact,
      profile,
      'limited',
      planned,
    ),
    c,
    d,
  ];
}
