/** `ensuresec incidents report ID STAGE`: a report draft as Markdown (`--json`: the draft with its fields). */
import { Argument, type Command } from 'commander';
import { REPORT_STAGES, type ReportStage } from '../../../regulation/deadlines.js';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('report')
    .description(
      'draft a report (early warning, notification, …, GDPR) from the case, missing fields flagged',
    )
    .argument('<id>', 'the incident id (inc_…)')
    .addArgument(new Argument('<stage>', 'which report').choices(REPORT_STAGES))
    .action(
      action(async (context, id: string, stage: ReportStage) => {
        const draft = await context.client().incidents.report(id, stage);
        if (context.output.json) return context.output.result({ ...draft });
        context.output.line(draft.markdown.trimEnd());
      }),
    );
}
