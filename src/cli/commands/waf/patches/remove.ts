/** `ensuresec waf patches remove RULE_ID`: the running gateway stops enforcing the patch (admin). */
import type { Command } from 'commander';
import { EnsuresecError } from '../../../../core/errors.js';
import { action } from '../../../action.js';

export function register(parent: Command): void {
  parent
    .command('remove')
    .description('remove an accepted virtual patch once its flaw is fixed (admin)')
    .argument('<rule-id>', 'the rule id, 91000-91999 (`waf patches list`)')
    .action(
      action(async (context, ruleId: string) => {
        const id = Number(ruleId);
        if (!/^\d{5}$/.test(ruleId))
          throw new EnsuresecError('bad_request', { detail: `${ruleId} is not a rule id such as 91000.` });
        const outcome = await context.client().waf.removePatch(id);
        context.output.result({ removed: outcome.removed.ruleId, rules: outcome.rules });
      }),
    );
}
