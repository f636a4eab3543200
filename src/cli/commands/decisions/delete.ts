/** `ensuresec decisions delete ID`: the gateways stop enforcing it within a second. */
import type { Command } from 'commander';
import { action } from '../../action.js';

export function register(parent: Command): void {
  parent
    .command('delete')
    .description('delete a decision')
    .argument('<id>', 'decision id (dec_…)')
    .action(
      action(async (context, id: string) => {
        await context.client().decisions.delete(id);
        context.output.result({ id, deleted: true });
      }),
    );
}
