/** `ensuresec user list`: the users, newest first. */
import type { Command } from 'commander';
import { action } from '../../action.js';
import { nextPageHint, pageOf, withPageOptions, type PageFlags } from '../../pagination.js';

export function register(parent: Command): void {
  withPageOptions(parent.command('list').description('list users')).action(
    action(async (context, flags: PageFlags) => {
      const page = await context.client().users.list(pageOf(flags));
      context.output.list(page.items, ['id', 'name', 'role', 'totpEnabled', 'disabled', 'createdAt']);
      nextPageHint(context.output, page.nextCursor);
    }),
  );
}
