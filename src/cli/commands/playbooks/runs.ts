/** `ensuresec playbooks runs`: playbook runs, newest first, with their status and steps' outcomes. */
import { Option, type Command } from 'commander';
import { PLAYBOOK_RUN_STATUSES, type PlaybookRun } from '../../../core/records/index.js';
import { action } from '../../action.js';
import { nextPageHint, pageOf, withPageOptions, type PageFlags } from '../../pagination.js';

interface RunsFlags extends PageFlags {
  playbook?: string;
  status?: PlaybookRun['status'];
  alert?: string;
}

export function register(parent: Command): void {
  withPageOptions(
    parent
      .command('runs')
      .description('list playbook runs, newest first')
      .option('--playbook <name>', 'only runs of this playbook')
      .addOption(new Option('--status <status>', 'only runs with this status').choices(PLAYBOOK_RUN_STATUSES))
      .option('--alert <id>', 'only runs for this alert'),
  ).action(
    action(async (context, flags: RunsFlags) => {
      const page = await context.client().playbooks.runs({
        ...pageOf(flags),
        ...(flags.playbook ? { playbook: flags.playbook } : {}),
        ...(flags.status ? { status: flags.status } : {}),
        ...(flags.alert ? { alertId: flags.alert } : {}),
      });
      context.output.list(
        page.items.map((run) => ({
          id: run.id,
          playbook: run.playbook,
          status: run.status,
          dryRun: run.dryRun,
          alertId: run.alertId,
          createdAt: run.createdAt,
          steps: run.steps.map((step) => `${step.name}:${step.status}`).join(' '),
        })),
        ['id', 'playbook', 'status', 'dryRun', 'alertId', 'createdAt', 'steps'],
      );
      nextPageHint(context.output, page.nextCursor);
    }),
  );
}
