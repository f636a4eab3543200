/**
 * One criterion's verdict (regulation, no I/O): the legal reference, the outcome, the inputs it
 * read, the inputs it lacked and a sentence that says why, with the numbers. Every assessment
 * is a list of these, so it explains itself criterion by criterion.
 */

export type Outcome = 'met' | 'not_met' | 'unknown' | 'not_applicable';

export interface CriterionResult {
  /** Stable id, e.g. `cir-3-1-a`; fixtures and the docs use it. */
  id: string;
  /** The legal reference, e.g. `Regulation (EU) 2024/2690 Art. 3(1)(a)`. */
  reference: string;
  title: string;
  outcome: Outcome;
  /** Why, with the figures and thresholds; for `unknown`, what the missing input would change. */
  reason: string;
  /** The input values the criterion read (undefined ones left out). */
  inputs: Record<string, unknown>;
  /** Input paths (`impact.euUsersAffected`, `entity.annualTurnoverEur`) that would settle it. */
  missing: string[];
}

export const CIR = 'Regulation (EU) 2024/2690';
export const NIS2 = 'Directive (EU) 2022/2555';
export const GDPR = 'Regulation (EU) 2016/679';

const amountFormat = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/** `EUR 500,000`. */
export function eur(amount: number): string {
  return `EUR ${amountFormat.format(amount)}`;
}

export function count(value: number): string {
  return amountFormat.format(value);
}

/** Drops undefined values so `inputs` shows only what was there. */
export function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

/** A yes/no fact criterion: met on true, not met on false, unknown (naming the input) when absent. */
export function factCriterion(
  base: Pick<CriterionResult, 'id' | 'reference' | 'title'>,
  path: string,
  value: boolean | undefined,
  said: { met: string; notMet: string; unknown: string },
): CriterionResult {
  const inputs = defined({ [path]: value });
  if (value === true) return { ...base, outcome: 'met', reason: said.met, inputs, missing: [] };
  if (value === false) return { ...base, outcome: 'not_met', reason: said.notMet, inputs, missing: [] };
  return { ...base, outcome: 'unknown', reason: said.unknown, inputs, missing: [path] };
}
