/** `ensuresec token list`: your tokens (all tokens for an admin), never their values. */
import type { Command } from 'commander';
import { action } from '../../action.js';
import { nextPageHint, pageOf, withPageOptions, type PageFlags } from '../../pagination.js';

export function register(parent: Command): void {
  withPageOptions(
    parent.command('list').description('list API tokens (values are never shown again)'),
  ).action(
    action(async (context, flags: PageFlags) => {
      const page = await context.client().tokens.list(pageOf(flags));
      context.output.list(page.items, [
        'id',
        'name',
        'userId',
        'createdAt',
        'expiresAt',
        'revokedAt',
        'lastUsedAt',
      ]);
      nextPageHint(context.output, page.nextCursor);
    }),
  );
}
