/** `ensuresec token revoke ID`: the token stops working at once. */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('revoke')
    .description('revoke an API token')
    .argument('<id>', 'token id (tok_…)')
    .action(
      action(async (context, id: string) => {
        await context.client().tokens.revoke(id);
        context.output.result({ id, revoked: true });
      }),
    );
}
