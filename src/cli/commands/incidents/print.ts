/** How `ensuresec incidents show|assess` print an assessment and its clocks for people (`--json` prints them whole). */
import type { Output } from '../../output.js';
import type { Assessment } from '../../../regulation/assess.js';
import type { DeadlineClock } from '../../../regulation/deadlines.js';

export function printAssessment(output: Output, assessment: Assessment): void {
  output.line(assessment.summary);
  if (assessment.plannedInterruption) output.line(assessment.plannedInterruption);
  for (const note of assessment.notes) output.line(`note: ${note}`);
  output.list(
    [...assessment.criteria, ...assessment.gdpr.criteria].map((criterion) => ({
      reference: criterion.reference,
      outcome: criterion.outcome,
      reason: criterion.reason,
    })),
    ['reference', 'outcome', 'reason'],
  );
  if (assessment.missingInputs.length > 0)
    output.line(`missing inputs: ${assessment.missingInputs.join(', ')}`);
}

export function printClocks(output: Output, clocks: readonly DeadlineClock[]): void {
  output.list(
    clocks.map((clock) => ({
      stage: clock.stage,
      state: clock.provisional ? `${clock.state} (provisional)` : clock.state,
      due: clock.dueLocal ?? '-',
      dueUtc: clock.dueAt ?? '-',
      basis: clock.basis,
    })),
    ['stage', 'state', 'due', 'dueUtc', 'basis'],
  );
}
