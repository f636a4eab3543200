/** `ensuresec incidents list`: incidents, newest first, optionally by status. */
import { Option, type Command } from 'commander';
import { INCIDENT_STATUSES, type Incident } from '../../../core/records/index.js';
import { action } from '../../action.js';
import { nextPageHint, pageOf, withPageOptions, type PageFlags } from '../../pagination.js';

interface ListFlags extends PageFlags {
  status?: Incident['status'];
}

export function register(parent: Command): void {
  withPageOptions(
    parent
      .command('list')
      .description('list incidents')
      .addOption(new Option('--status <status>', 'only this status').choices(INCIDENT_STATUSES)),
  ).action(
    action(async (context, flags: ListFlags) => {
      const page = await context
        .client()
        .incidents.list({ ...pageOf(flags), ...(flags.status ? { status: flags.status } : {}) });
      context.output.list(page.items, ['id', 'createdAt', 'severity', 'status', 'title']);
      nextPageHint(context.output, page.nextCursor);
    }),
  );
}
