/** `ensuresec playbooks show RUN`: one run step by step: what each step did, or why it failed. */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('show')
    .description('show a playbook run step by step')
    .argument('<id>', 'the run id (pbr_…)')
    .action(
      action(async (context, id: string) => {
        const run = await context.client().playbooks.run(id);
        if (context.output.json) return context.output.result({ ...run });
        context.output.result({
          id: run.id,
          playbook: run.playbook,
          status: run.status,
          dryRun: run.dryRun,
          alertId: run.alertId,
          createdAt: run.createdAt,
          finishedAt: run.finishedAt ?? undefined,
          reason: run.reason,
          approval: run.approval
            ? `${run.approval.decision ?? 'waiting'} (deadline ${run.approval.deadline}, default ${run.approval.default})`
            : undefined,
        });
        context.output.list(
          run.steps.map((step) => ({
            step: step.name,
            type: step.type,
            status: step.status,
            detail: step.detail,
          })),
          ['step', 'type', 'status', 'detail'],
        );
      }),
    );
}
