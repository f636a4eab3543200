/** `ensuresec waf patches list`: the virtual patches the running gateway's WAF enforces. */
import type { Command } from 'commander';
import { action } from '../../../action.js';

export function register(parent: Command): void {
  parent
    .command('list')
    .description('list the virtual patches the running gateway enforces')
    .action(
      action(async (context) => {
        const patches = await context.client().waf.patches();
        context.output.list(patches, ['ruleId', 'checkId', 'message', 'acceptedAt', 'acceptedBy']);
      }),
    );
}
