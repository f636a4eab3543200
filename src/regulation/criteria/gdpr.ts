/**
 * GDPR Arts. 33 and 34 (regulation, no I/O), in parallel with NIS2: a personal data breach is
 * notified to the supervisory authority unless it is unlikely to result in a risk (a processor
 * tells the controller instead), and communicated to the data subjects when the risk is high,
 * unless an Art. 34(3) exemption applies. The risk level is the controller's judgement, kept with
 * its rationale; every breach is documented internally (Art. 33(5)).
 */
import { count, defined, GDPR, type CriterionResult } from '../criterion.js';
import type { PersonalDataFacts } from '../description.js';
import type { EntityProfile } from '../profile.js';

export type GdprVerdict = 'yes' | 'no' | 'undetermined' | 'not_applicable';

export interface GdprAssessment {
  /** Notify the supervisory authority within 72 h of awareness (Art. 33(1)); for a processor, the controller (Art. 33(2)). */
  notifyAuthority: GdprVerdict;
  /** Tell the data subjects (Art. 34(1)); `public_communication` under Art. 34(3)(c). */
  communicateToDataSubjects: GdprVerdict | 'public_communication';
  criteria: CriterionResult[];
}

function notification(facts: PersonalDataFacts, profile: EntityProfile): CriterionResult {
  const processor = profile.gdprRole === 'processor';
  const base = {
    id: 'gdpr-33',
    reference: `${GDPR} Art. 33(${processor ? '2' : '1'})`,
    title: processor ? 'Notify the controller' : 'Notify the supervisory authority',
  };
  const inputs = defined({
    'personalData.involved': facts.involved,
    'personalData.risk': facts.risk,
    'personalData.dataSubjectsAffected': facts.dataSubjectsAffected,
    'entity.gdprRole': profile.gdprRole,
  });
  if (facts.involved === false) {
    return {
      ...base,
      outcome: 'not_applicable',
      reason: 'No personal data is involved: not a personal data breach.',
      inputs,
      missing: [],
    };
  }
  if (facts.involved === undefined) {
    return {
      ...base,
      outcome: 'unknown',
      reason:
        'Not known whether personal data is involved; if it is, Arts. 33 and 34 apply in parallel with NIS2.',
      inputs,
      missing: ['personalData.involved'],
    };
  }
  const subjects =
    facts.dataSubjectsAffected === undefined ? '' : ` (${count(facts.dataSubjectsAffected)} data subjects)`;
  if (facts.risk === undefined) {
    return {
      ...base,
      outcome: 'unknown',
      reason: `A personal data breach${subjects}: notify unless it is unlikely to result in a risk to the rights and freedoms of natural persons; record that judgement and its rationale.`,
      inputs,
      missing: ['personalData.risk'],
    };
  }
  if (facts.risk === 'unlikely') {
    return {
      ...base,
      outcome: 'not_met',
      reason: `A personal data breach${subjects} judged unlikely to result in a risk: no notification, but document it internally (Art. 33(5)).`,
      inputs,
      missing: [],
    };
  }
  return {
    ...base,
    outcome: 'met',
    reason: processor
      ? `A personal data breach${subjects}: as processor, notify the controller without undue delay.`
      : `A personal data breach${subjects} likely to result in a ${facts.risk === 'high' ? 'high ' : ''}risk: notify the supervisory authority without undue delay and, where feasible, within 72 hours of awareness.`,
    inputs,
    missing: [],
  };
}

function communication(facts: PersonalDataFacts): CriterionResult {
  const base = {
    id: 'gdpr-34',
    reference: `${GDPR} Art. 34`,
    title: 'Communicate the breach to the data subjects',
  };
  const inputs = defined({
    'personalData.involved': facts.involved,
    'personalData.risk': facts.risk,
    'personalData.unintelligible': facts.unintelligible,
    'personalData.highRiskNoLongerLikely': facts.highRiskNoLongerLikely,
    'personalData.disproportionateEffort': facts.disproportionateEffort,
  });
  if (facts.involved === false)
    return {
      ...base,
      outcome: 'not_applicable',
      reason: 'No personal data is involved.',
      inputs,
      missing: [],
    };
  if (facts.involved === undefined || facts.risk === undefined) {
    return {
      ...base,
      outcome: 'unknown',
      reason:
        'Required if the breach is likely to result in a high risk to natural persons, unless an Art. 34(3) exemption applies.',
      inputs,
      missing: facts.involved === undefined ? ['personalData.involved'] : ['personalData.risk'],
    };
  }
  if (facts.risk !== 'high')
    return {
      ...base,
      outcome: 'not_met',
      reason: 'The risk is not high: no communication to data subjects is required.',
      inputs,
      missing: [],
    };
  if (facts.unintelligible === true) {
    return {
      ...base,
      outcome: 'not_met',
      reason:
        'Exempt under Art. 34(3)(a): the data is unintelligible to anyone not authorised (e.g. encrypted).',
      inputs,
      missing: [],
    };
  }
  if (facts.highRiskNoLongerLikely === true) {
    return {
      ...base,
      outcome: 'not_met',
      reason:
        'Exempt under Art. 34(3)(b): later measures mean the high risk is no longer likely to materialise.',
      inputs,
      missing: [],
    };
  }
  if (facts.disproportionateEffort === true) {
    return {
      ...base,
      outcome: 'met',
      reason:
        'High risk, and telling each person would involve disproportionate effort (Art. 34(3)(c)): make a public communication instead.',
      inputs,
      missing: [],
    };
  }
  return {
    ...base,
    outcome: 'met',
    reason:
      'High risk and no Art. 34(3) exemption: tell the data subjects without undue delay, in clear and plain language.',
    inputs,
    missing: [],
  };
}

const verdictOf = (result: CriterionResult): GdprVerdict =>
  result.outcome === 'met'
    ? 'yes'
    : result.outcome === 'not_met'
      ? 'no'
      : result.outcome === 'unknown'
        ? 'undetermined'
        : 'not_applicable';

export function assessGdpr(facts: PersonalDataFacts, profile: EntityProfile): GdprAssessment {
  const notify = notification(facts, profile);
  const communicate = communication(facts);
  return {
    notifyAuthority: verdictOf(notify),
    communicateToDataSubjects:
      communicate.outcome === 'met' && facts.disproportionateEffort === true
        ? 'public_communication'
        : verdictOf(communicate),
    criteria: [notify, communicate],
  };
}
