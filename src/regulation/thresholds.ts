/**
 * The thresholds of Regulation (EU) 2024/2690 (regulation, no I/O), compared without floating
 * point error: "above min(EUR 500,000, 5 % of turnover)" is "above 500,000 or 20 × loss above
 * turnover", and the same for users against min(1,000,000, 5 % of EU users).
 *
 * @example lossAboveThreshold(600_000, undefined) // { outcome: 'met', ... }
 */
import { count, eur, type Outcome } from './criterion.js';

export const FINANCIAL_CAP_EUR = 500_000;
export const USER_CAP = 1_000_000;

export interface ThresholdVerdict {
  outcome: Exclude<Outcome, 'not_applicable'>;
  /** The threshold as a sentence, e.g. `EUR 250,000 (5 % of turnover EUR 5,000,000)`. */
  threshold: string;
  /** When unknown: what would decide it. */
  ifMissing?: string;
}

/** min(EUR 500,000, 5 % of the preceding financial year's turnover), for display. */
export function financialThresholdEur(annualTurnoverEur: number): number {
  return Math.min(FINANCIAL_CAP_EUR, (annualTurnoverEur * 5) / 100);
}

export function userThreshold(euUsers: number): number {
  return Math.min(USER_CAP, (euUsers * 5) / 100);
}

/** CIR Art. 3(1)(a): is the loss above min(EUR 500,000, 5 % of turnover)? */
export function lossAboveThreshold(lossEur: number, annualTurnoverEur: number | undefined): ThresholdVerdict {
  if (annualTurnoverEur === undefined) {
    if (lossEur > FINANCIAL_CAP_EUR) {
      return { outcome: 'met', threshold: `at most ${eur(FINANCIAL_CAP_EUR)} whatever the turnover` };
    }
    if (lossEur === 0) return { outcome: 'not_met', threshold: 'whatever the threshold, nothing was lost' };
    return {
      outcome: 'unknown',
      threshold: `min(${eur(FINANCIAL_CAP_EUR)}, 5 % of the preceding financial year's turnover)`,
      ifMissing: `met if the preceding financial year's turnover was below ${eur(lossEur * 20)}`,
    };
  }
  const threshold = `${eur(financialThresholdEur(annualTurnoverEur))} (the lower of ${eur(FINANCIAL_CAP_EUR)} and 5 % of turnover ${eur(annualTurnoverEur)})`;
  const above = lossEur > FINANCIAL_CAP_EUR || lossEur * 20 > annualTurnoverEur;
  return { outcome: above ? 'met' : 'not_met', threshold };
}

/** CIR Art. 11(a), (b), (d): are the affected EU users above min(1,000,000, 5 % of EU users)? */
export function usersAboveThreshold(affected: number, euUsers: number | undefined): ThresholdVerdict {
  if (euUsers === undefined) {
    if (affected > USER_CAP)
      return { outcome: 'met', threshold: `at most ${count(USER_CAP)} users whatever the user base` };
    if (affected === 0)
      return { outcome: 'not_met', threshold: 'whatever the threshold, no user was affected' };
    return {
      outcome: 'unknown',
      threshold: `min(${count(USER_CAP)}, 5 % of the EU users)`,
      ifMissing: `met if the entity has fewer than ${count(affected * 20)} EU users`,
    };
  }
  const threshold = `${count(userThreshold(euUsers))} users (the lower of ${count(USER_CAP)} and 5 % of ${count(euUsers)} EU users)`;
  const above = affected > USER_CAP || affected * 20 > euUsers;
  return { outcome: above ? 'met' : 'not_met', threshold };
}
