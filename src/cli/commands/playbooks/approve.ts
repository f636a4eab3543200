/**
 * `ensuresec playbooks approve RUN`: approve a run waiting at an approval step.
 * @example ensuresec playbooks approve pbr_01JD3Q7Z9X8K2M4N6P8R0T2V4W --reason "checked the alert"
 */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('approve')
    .description('approve a playbook run waiting for an approval')
    .argument('<id>', 'the run id (pbr_…)')
    .option('--reason <text>', 'why, for the record')
    .action(
      action(async (context, id: string, flags: { reason?: string }) => {
        const run = await context.client().playbooks.approve(id, flags.reason);
        context.output.result({ id: run.id, playbook: run.playbook, status: run.status, reason: run.reason });
      }),
    );
}
